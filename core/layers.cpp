#include "core/layers.hpp"

#include <algorithm>
#include <array>

namespace crimemap::core {
namespace {

constexpr std::array<FieldSpec, 3> crime_fields{{
    {"count", "Number", "crimes in the cluster cell (z0-13) or at the snap point (z14+)"},
    {"location", "String", "street name of the snap point, 'On or near ...' (z14+ only)"},
    {"location_id", "Number", "snap point id, as street.id in the data.police.uk API (z14+ only)"},
}};

constexpr std::array<FieldSpec, 8> area_fields{{
    {"code", "String", "ONS code (LSOA, ward, district, force area) or force/id for neighbourhoods"},
    {"name", "String", "area name"},
    {"kind", "String", "lsoa, msoa, ward, lad, pfa or neighbourhood"},
    {"crimes", "Number", "crimes in the area for the requested months and categories"},
    {"previous", "Number", "crimes in the period of equal length just before"},
    {"change", "Number", "percent change against the previous period (absent when it had none)"},
    {"per_1000", "Number", "crimes per 1,000 residents (only where population is known)"},
    {"population", "Number", "residents (only where known)"},
}};

constexpr std::array<FieldSpec, 12> performance_fields{{
    {"code", "String", "local authority district code (the polygon)"},
    {"name", "String", "district name"},
    {"area_code", "String",
     "code of the authority the value belongs to: the district itself, or its county (via=county)"},
    {"via", "String",
     "'county' when the district has no value of its own and shows its county's (upper-tier authority's) value"},
    {"indicator", "String", "indicator code, e.g. ASC1"},
    {"period", "String", "period of the value, e.g. 2021-22"},
    {"value", "Number", "indicator value"},
    {"rank", "Number",
     "rank among all authorities with a value: 1 = best by the polarity; for neutral indicators 1 = highest value"},
    {"of", "Number", "number of authorities ranked"},
    {"quintile", "Number", "fifth of the ranking, 1 (ranks at the top) .. 5 (ranks at the bottom)"},
    {"polarity", "String", "higher_is_better, lower_is_better or neutral (no better direction)"},
    {"higher_is_better", "Boolean", "polarity of the indicator (absent for neutral indicators)"},
}};

constexpr std::array<LayerSpec, 3> specs{{
    {LayerKind::crimes, "crimes", 0, 16,
     "Street-level crimes: grid clusters (64x64 cells per tile, or cells=8|16|32) up to z13, one feature per snap point from "
     "z14; count per category slug. Filters: from, to (YYYY-MM, default the latest month), category.",
     crime_fields, true},
    {LayerKind::areas, "areas", 0, 16,
     "Area polygons (kind=lsoa|msoa|ward|lad|pfa|neighbourhood, default lsoa) with crime counts for the "
     "filter, change against the previous period and rate per 1,000 residents where known.",
     area_fields, false},
    {LayerKind::performance, "performance", 0, 16,
     "District polygons with a local-service performance indicator (indicator=CODE, period=P, default the "
     "latest), ranked among all authorities with a value. A district without a value of its own shows its "
     "county's (via=county, area_code=the county).",
     performance_fields, false},
}};

}  // namespace

std::span<const LayerSpec> layer_specs() noexcept { return specs; }

const LayerSpec& layer_spec(LayerKind kind) noexcept { return specs[static_cast<std::size_t>(kind)]; }

bool LayerSet::contains(LayerKind k) const { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); }

std::string LayerSet::canonical() const {
    std::string out;
    for (const auto& spec : specs) {
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
        std::string_view name = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
        auto it = std::find_if(specs.begin(), specs.end(), [&](const LayerSpec& s) { return s.name == name; });
        if (it == specs.end()) {
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
