#include "core/layers.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

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

nlohmann::json vector_layers_json(const LayerSet& layers) {
    nlohmann::json out = nlohmann::json::array();
    for (auto kind : layers.kinds) {
        const auto& spec = layer_spec(kind);
        nlohmann::json fields = nlohmann::json::object();
        for (const auto& f : all_fields(kind)) fields[std::string(f.name)] = type_name(f.type);
        out.push_back({{"id", spec.name},
                       {"description", spec.description},
                       {"minzoom", spec.minzoom},
                       {"maxzoom", spec.maxzoom},
                       {"fields", std::move(fields)}});
    }
    return out;
}

std::string data_attribution(int year) {
    const std::string y = std::to_string(year);
    return "<a href=\"https://www.police.uk/\" target=\"_blank\">police.uk</a>. "
           "Contains public sector information licensed under the Open Government Licence v3.0. "
           "Contains OS data \u00a9 Crown copyright and database right " +
           y + ". Contains ONS data \u00a9 Crown copyright and database right " + y + ".";
}

}  // namespace crimemap::core
