#include "core/layers.hpp"

#include <algorithm>
#include <array>

#include "core/category.hpp"

namespace crimemap::core {
namespace {

// The crimes layer's declared fields followed by one Number field per category slug.
struct CrimeFieldsWithCategories {
    std::array<std::string, category_count> descriptions;
    std::array<FieldSpec, layer_registry::crime_fields.size() + category_count> fields{};
    CrimeFieldsWithCategories() {
        std::size_t i = 0;
        for (const FieldSpec& f : layer_registry::crime_fields) fields[i++] = f;
        for (std::size_t c = 0; c < category_count; ++c) {
            descriptions[c] = "crimes of category " + std::string(categories[c].name);
            fields[i++] = {categories[c].slug, FieldType::number, descriptions[c]};
        }
    }
};

}  // namespace

std::span<const FieldSpec> all_fields(LayerKind kind) {
    const LayerSpec& spec = layer_spec(kind);
    if (!spec.has_category_fields) return spec.fields;
    static const CrimeFieldsWithCategories crimes;  // only the crimes layer has category fields
    return crimes.fields;
}

bool LayerSet::contains(LayerKind k) const { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); }

std::string LayerSet::canonical() const {
    std::string out;
    for (const auto& spec : layer_specs()) {
        if (!contains(spec.kind)) continue;
        if (!out.empty()) out += ',';
        out += spec.name;
    }
    return out;
}

Result<LayerSet> parse_layer_set(std::string_view text) {
    LayerSet set;
    if (text.empty()) return bad_request("Invalid layers: empty");
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        std::string_view name =
            text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
        auto it = std::find_if(layer_specs().begin(), layer_specs().end(),
                               [&](const LayerSpec& s) { return s.name == name; });
        if (it == layer_specs().end()) {
            if (name.size() > 64) name = name.substr(0, 64);
            return not_found("Unknown layer: " + std::string(name));
        }
        if (!set.contains(it->kind)) set.kinds.push_back(it->kind);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    // Keep a canonical order so equal sets share cache entries.
    std::sort(set.kinds.begin(), set.kinds.end());
    return set;
}

}  // namespace crimemap::core
