#pragma once
// The properties of one MVT feature of layer L, written only through the registry's typed field
// handles (core/layers.hpp): an undeclared field, a field of another layer or a value of another
// type does not compile. As cheap as the plain std::vector<geo::Property> it wraps (keys are the
// registry's string_views); reuse one per layer and clear() it per feature. Not thread-safe.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/category.hpp"
#include "core/layers.hpp"
#include "geo/mvt.hpp"

namespace crimemap::core {

template <LayerKind L>
class FeatureProperties {
  public:
    using number = FieldHandle<L, FieldType::number>;
    using string = FieldHandle<L, FieldType::string>;
    using boolean = FieldHandle<L, FieldType::boolean>;

    void clear() noexcept { props_.clear(); }

    void add(number f, std::uint64_t v) { props_.push_back({f.name(), v}); }
    void add(number f, std::int64_t v) { props_.push_back({f.name(), v}); }
    void add(number f, double v) { props_.push_back({f.name(), v}); }
    void add(string f, std::string v) { props_.push_back({f.name(), std::move(v)}); }
    void add(boolean f, bool v) { props_.push_back({f.name(), v}); }
    // Any other value type (int, bool for a Number, a string_view...) is a mistake: convert first.
    template <FieldType T, class V>
    void add(FieldHandle<L, T>, V) = delete;

    // The count of one category, for the layers that declare category fields.
    void add_category(CategoryIndex c, std::uint64_t n) requires(layer_spec(L).has_category_fields) {
        props_.push_back({categories[c].slug, n});
    }

    std::span<const geo::Property> view() const noexcept { return props_; }

  private:
    std::vector<geo::Property> props_;
};

// An empty MVT layer with the name the registry gives `kind`.
inline geo::LayerBuilder layer_builder(LayerKind kind, std::uint32_t extent) {
    return geo::LayerBuilder(std::string(layer_spec(kind).name), extent);
}

}  // namespace crimemap::core
