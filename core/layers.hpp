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

enum class LayerKind : unsigned char { crimes, areas, performance, stops, labels };

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
    int cluster_maxzoom = -1;  // crimes, stops: grid clusters up to here, one point per snap location above
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

// Stop and search: grid clusters up to the crimes' cluster zoom, snap points above, as crimes.
// Each object of search and each outcome police.uk writes falls in one group (core/stop_groups.hpp);
// a feature counts its stops per group, so the obj_* fields and the out_* fields each sum to count.
inline constexpr std::array<FieldSpec, 17> stop_fields{{
    {"count", FieldType::number, "stops and searches in the cluster cell (z0-13) or at the snap point (z14+)",
     true},
    {"location", FieldType::string,
     "street name of the snap point, 'On or near ...', where it has one (z14+)", false, crimes_point_minzoom},
    {"location_id", FieldType::number, "snap point id, as street.id in the data.police.uk API (z14+ only)",
     false, crimes_point_minzoom},
    {"obj_drugs", FieldType::number, "object of search: controlled drugs or psychoactive substances"},
    {"obj_weapons", FieldType::number,
     "object of search: offensive weapons, firearms, crossbows, anything to threaten or harm anyone"},
    {"obj_stolen", FieldType::number, "object of search: stolen goods"},
    {"obj_theft", FieldType::number, "object of search: article for use in theft"},
    {"obj_damage", FieldType::number, "object of search: articles for use in criminal damage, fireworks"},
    {"obj_other", FieldType::number, "object of search: any other, or not recorded"},
    {"out_nfa", FieldType::number, "outcome: no further action (nothing found)"},
    {"out_arrest", FieldType::number, "outcome: arrest"},
    {"out_summons", FieldType::number, "outcome: summons or charged by post"},
    {"out_caution", FieldType::number, "outcome: caution (simple or conditional)"},
    {"out_community", FieldType::number, "outcome: community or local resolution"},
    {"out_warning", FieldType::number, "outcome: khat, cannabis or drugs possession warning"},
    {"out_penalty", FieldType::number, "outcome: penalty notice for disorder"},
    {"out_other", FieldType::number,
     "outcome: any other (e.g. article found, outcome unavailable), or not recorded"},
}};

// Labels from our own data, each kind at its own zooms: district and ward names at a point inside
// the polygon (ST_PointOnSurface, `crimemap refresh`), street names of snap points (one per name and
// tile), postcodes at their centroid.
inline constexpr int labels_minzoom = 6;
inline constexpr int district_labels_maxzoom = 12;
inline constexpr int ward_labels_minzoom = 11;
inline constexpr int ward_labels_maxzoom = 14;
inline constexpr int street_labels_minzoom = 15;
inline constexpr int postcode_labels_minzoom = 16;
inline constexpr std::array<FieldSpec, 3> label_fields{{
    {"name", FieldType::string,
     "the label: district or ward name, street name without 'On or near ', or the postcode", true,
     labels_minzoom},
    {"kind", FieldType::string, "district (z6-12), ward (z11-14), street (z15+) or postcode (z16+)", true,
     labels_minzoom},
    {"code", FieldType::string, "ONS code of the district or ward (districts and wards only)", false,
     labels_minzoom, ward_labels_maxzoom},
}};

// Indexed by LayerKind.
inline constexpr std::array<LayerSpec, 5> layers{{
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
    {LayerKind::stops, "stops", 0, 16,
     "police.uk stop and search: grid clusters (as crimes) up to z13, one feature per snap point from z14; "
     "counts by object of search (obj_*) and outcome (out_*). Filters: from, to (YYYY-MM, default the "
     "latest month of crimes).",
     stop_fields, false, crimes_cluster_maxzoom},
    {LayerKind::labels, "labels", labels_minzoom, 16,
     "Place labels: district (z6-12) and ward (z11-14) names at a point inside the polygon, street names "
     "of police.uk snap points (z15+), postcodes at their centroid (z16+).",
     label_fields, false},
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
