#pragma once
// Each tile layer is described once: the encoder, TileJSON vector_layers, /catalog and the docs
// all read these descriptions.
#include <span>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace crimemap::core {

enum class LayerKind : unsigned char { crimes, areas, performance };

struct FieldSpec {
    std::string_view name;
    std::string_view type;  // TileJSON type: "Number", "String", "Boolean"
    std::string_view description;
};

struct LayerSpec {
    LayerKind kind;
    std::string_view name;  // MVT layer name and URL segment
    int minzoom;
    int maxzoom;
    std::string_view description;
    std::span<const FieldSpec> fields;  // category count fields are listed separately (one per slug)
    bool has_category_fields;           // crimes: one Number field per category slug
};

std::span<const LayerSpec> layer_specs() noexcept;
const LayerSpec& layer_spec(LayerKind kind) noexcept;

// Ordered, de-duplicated set of layers from a URL segment like "crimes,areas".
struct LayerSet {
    std::vector<LayerKind> kinds;
    bool contains(LayerKind k) const;
    std::string canonical() const;  // "crimes,areas" in layer_specs order
};
// Unknown layer name -> not_found naming it; empty or duplicate-only list -> bad_request.
Result<LayerSet> parse_layer_set(std::string_view text);

inline constexpr int max_zoom = 22;        // tiles above this are 400
inline constexpr int cluster_max_zoom = 13;  // crimes are grid clusters up to here, snap points above

}  // namespace crimemap::core
