#pragma once
// The layer registry: each tile layer's name, zoom range and fields (name, type, meaning, zooms)
// are declared once, here. The encoder writes fields only through handles looked up in this
// registry at compile time (core/feature_properties.hpp), and TileJSON vector_layers, /catalog,
// the README's layer table and the reference SQL functions are tested against it (docs/layers.md).
// Everything here is constant data: thread-safe.
#include <array>
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace crimemap::core {

enum class LayerKind : unsigned char { crimes, areas, performance };

// An MVT value's type, as TileJSON names it.
enum class FieldType : unsigned char { number, string, boolean };
constexpr std::string_view type_name(FieldType t) noexcept {
    switch (t) {
        case FieldType::number: return "Number";
        case FieldType::string: return "String";
        case FieldType::boolean: return "Boolean";
    }
    return "";
}

inline constexpr int max_zoom = 22;  // tiles above this are 400

struct FieldSpec {
    std::string_view name;
    FieldType type;
    std::string_view description;
    bool always =
        false;        // on every feature of the layer within [minzoom, maxzoom]; else only where it applies
    int minzoom = 0;  // the field appears only in tiles of these zooms
    int maxzoom = max_zoom;
};

struct LayerSpec {
    LayerKind kind;
    std::string_view name;  // MVT layer name and URL segment
    int minzoom;
    int maxzoom;
    std::string_view description;
    std::span<const FieldSpec> fields;  // category count fields are listed separately (one per slug)
    bool has_category_fields;           // crimes: one Number field per category slug
    int cluster_maxzoom = -1;           // crimes: grid clusters up to here, one point per snap location above
};

namespace layer_registry {
// Zoom up to which crimes are grid clusters; snap points from the next zoom on.
inline constexpr int crimes_cluster_maxzoom = 13;
inline constexpr int crimes_point_minzoom = crimes_cluster_maxzoom + 1;

inline constexpr std::array<FieldSpec, 3> crime_fields{{
    {"count", FieldType::number, "crimes in the cluster cell (z0-13) or at the snap point (z14+)", true},
    {"location", FieldType::string, "street name of the snap point, 'On or near ...' (z14+ only)", false,
     crimes_point_minzoom},
    {"location_id", FieldType::number, "snap point id, as street.id in the data.police.uk API (z14+ only)",
     false, crimes_point_minzoom},
}};

inline constexpr std::array<FieldSpec, 9> area_fields{{
    {"code", FieldType::string, "ONS code (LSOA, ward, district, force area) or force/id for neighbourhoods",
     true},
    {"name", FieldType::string, "area name", true},
    {"kind", FieldType::string, "lsoa, msoa, ward, lad, pfa or neighbourhood", true},
    {"crimes", FieldType::number, "crimes in the area for the requested months and categories", true},
    {"previous", FieldType::number, "crimes in the period of equal length just before"},
    {"change", FieldType::number, "percent change against the previous period (absent when it had none)"},
    {"per_1000", FieldType::number, "crimes per 1,000 residents (only where population is known)"},
    {"population", FieldType::number, "residents (only where known)"},
    {"imd_decile", FieldType::number,
     "LSOAs in England: Index of Multiple Deprivation 2019 decile, 1 = most deprived tenth (only where "
     "known)"},
}};

inline constexpr std::array<FieldSpec, 12> performance_fields{{
    {"code", FieldType::string, "local authority district code (the polygon)", true},
    {"name", FieldType::string, "district name", true},
    {"area_code", FieldType::string,
     "code of the authority the value belongs to: the district itself, or its county (via=county); absent, "
     "like value, rank, of and quintile, when neither has a value for the period (no data)"},
    {"via", FieldType::string,
     "'county' when the district has no value of its own and shows its county's (upper-tier authority's) "
     "value"},
    {"indicator", FieldType::string, "indicator code, e.g. ASC1", true},
    {"period", FieldType::string, "period of the value, e.g. 2021-22", true},
    {"value", FieldType::number, "indicator value (absent: no data for the district or its county)"},
    {"rank", FieldType::number,
     "rank among all authorities with a value: 1 = best by the polarity; for neutral indicators 1 = highest "
     "value"},
    {"of", FieldType::number, "number of authorities ranked"},
    {"quintile", FieldType::number, "fifth of the ranking, 1 (ranks at the top) .. 5 (ranks at the bottom)"},
    {"polarity", FieldType::string, "higher_is_better, lower_is_better or neutral (no better direction)",
     true},
    {"higher_is_better", FieldType::boolean, "polarity of the indicator (absent for neutral indicators)"},
}};

// Indexed by LayerKind.
inline constexpr std::array<LayerSpec, 3> layers{{
    {LayerKind::crimes, "crimes", 0, 16,
     "Street-level crimes: grid clusters (64x64 cells per tile, or cells=8|16|32) up to z13, one feature per "
     "snap point from "
     "z14; count per category slug. Filters: from, to (YYYY-MM, default the latest month), category.",
     crime_fields, true, crimes_cluster_maxzoom},
    {LayerKind::areas, "areas", 0, 16,
     "Area polygons (kind=lsoa|msoa|ward|lad|pfa|neighbourhood, default lsoa) with crime counts for the "
     "filter, change against the previous period and rate per 1,000 residents where known.",
     area_fields, false},
    {LayerKind::performance, "performance", 0, 16,
     "District polygons with a local-service performance indicator (indicator=CODE, period=P, default the "
     "latest), ranked among all authorities with a value. A district without a value of its own shows its "
     "county's (via=county, area_code=the county); one with neither has no value fields (no data).",
     performance_fields, false},
}};
}  // namespace layer_registry

constexpr std::span<const LayerSpec> layer_specs() noexcept { return layer_registry::layers; }
constexpr const LayerSpec& layer_spec(LayerKind kind) noexcept {
    return layer_registry::layers[static_cast<std::size_t>(kind)];
}

inline constexpr int cluster_max_zoom = layer_registry::crimes_cluster_maxzoom;

// The declared fields followed by, for the crimes layer, one Number field per category slug
// ("crimes of category <name>"). The strings live for the whole program.
std::span<const FieldSpec> all_fields(LayerKind kind);

// A field of layer L whose values are of type T. Only declared_field() makes one, at compile
// time, so the encoder cannot write a field the registry does not declare, nor with another type.
template <LayerKind L, FieldType T>
class FieldHandle {
  public:
    constexpr std::string_view name() const noexcept { return name_; }

  private:
    constexpr explicit FieldHandle(std::string_view name) noexcept : name_(name) {}
    template <LayerKind L2, FieldType T2>
    friend consteval FieldHandle<L2, T2> declared_field(std::string_view name);
    std::string_view name_;
};

// The handle of a declared field; a name that is not declared for L, or is declared with another
// type, does not compile ("call to consteval function is not a constant expression").
template <LayerKind L, FieldType T>
consteval FieldHandle<L, T> declared_field(std::string_view name) {
    for (const FieldSpec& f : layer_spec(L).fields) {
        if (f.name != name) continue;
        if (f.type != T) throw "field declared with another type in core/layers.hpp";
        return FieldHandle<L, T>(f.name);
    }
    throw "field not declared in core/layers.hpp";
}

// Ordered, de-duplicated set of layers from a URL segment like "crimes,areas".
struct LayerSet {
    std::vector<LayerKind> kinds;
    bool contains(LayerKind k) const;
    std::string canonical() const;  // "crimes,areas" in layer_specs order
};
// Unknown layer name -> not_found naming it; empty or duplicate-only list -> bad_request.
Result<LayerSet> parse_layer_set(std::string_view text);

// TileJSON 3.0.0 `vector_layers` for a set of layers (id, description, minzoom, maxzoom, fields):
// what /tiles/{layers}.json serves and what exported PMTiles/MBTiles archives carry.
nlohmann::json vector_layers_json(const LayerSet& layers);

// The attribution every map of this data must show (police.uk, OGL, OS and ONS Crown copyright of
// the given year), as HTML: TileJSON and exported archives.
std::string data_attribution(int year);

}  // namespace crimemap::core
