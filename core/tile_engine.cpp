#include "core/tile_engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string_view>

#include "core/api_data.hpp"
#include "core/feature_properties.hpp"
#include "core/snapshot.hpp"
#include "core/stop_groups.hpp"
#include "geo/mvt.hpp"

namespace crimemap::core {
namespace {

constexpr std::uint32_t extent = 4096;
constexpr double polygon_buffer_pixels = 64;  // as martin / ST_AsMVTGeom defaults
constexpr int min_cell_bits = 2;              // coarsest fallback: 4 x 4 cluster cells per tile

using CategoryCounts = std::array<std::uint32_t, category_count>;

// Every field the encoder writes, looked up in the registry (core/layers.hpp) at compile time.
using CrimeProps = FeatureProperties<LayerKind::crimes>;
using AreaProps = FeatureProperties<LayerKind::areas>;
using PerformanceProps = FeatureProperties<LayerKind::performance>;
namespace crime_field {
constexpr auto count = declared_field<LayerKind::crimes, FieldType::number>("count");
constexpr auto location = declared_field<LayerKind::crimes, FieldType::string>("location");
constexpr auto location_id = declared_field<LayerKind::crimes, FieldType::number>("location_id");
}  // namespace crime_field
namespace area_field {
constexpr auto code = declared_field<LayerKind::areas, FieldType::string>("code");
constexpr auto name = declared_field<LayerKind::areas, FieldType::string>("name");
constexpr auto kind = declared_field<LayerKind::areas, FieldType::string>("kind");
constexpr auto crimes = declared_field<LayerKind::areas, FieldType::number>("crimes");
constexpr auto previous = declared_field<LayerKind::areas, FieldType::number>("previous");
constexpr auto change = declared_field<LayerKind::areas, FieldType::number>("change");
constexpr auto per_1000 = declared_field<LayerKind::areas, FieldType::number>("per_1000");
constexpr auto population = declared_field<LayerKind::areas, FieldType::number>("population");
constexpr auto imd_decile = declared_field<LayerKind::areas, FieldType::number>("imd_decile");
}  // namespace area_field
namespace performance_field {
constexpr auto code = declared_field<LayerKind::performance, FieldType::string>("code");
constexpr auto name = declared_field<LayerKind::performance, FieldType::string>("name");
constexpr auto area_code = declared_field<LayerKind::performance, FieldType::string>("area_code");
constexpr auto via = declared_field<LayerKind::performance, FieldType::string>("via");
constexpr auto indicator = declared_field<LayerKind::performance, FieldType::string>("indicator");
constexpr auto period = declared_field<LayerKind::performance, FieldType::string>("period");
constexpr auto value = declared_field<LayerKind::performance, FieldType::number>("value");
constexpr auto rank = declared_field<LayerKind::performance, FieldType::number>("rank");
constexpr auto of = declared_field<LayerKind::performance, FieldType::number>("of");
constexpr auto quintile = declared_field<LayerKind::performance, FieldType::number>("quintile");
constexpr auto polarity = declared_field<LayerKind::performance, FieldType::string>("polarity");
constexpr auto higher_is_better =
    declared_field<LayerKind::performance, FieldType::boolean>("higher_is_better");
}  // namespace performance_field
using StopProps = FeatureProperties<LayerKind::stops>;
namespace stop_field {
using Number = FieldHandle<LayerKind::stops, FieldType::number>;
constexpr auto count = declared_field<LayerKind::stops, FieldType::number>("count");
constexpr auto location = declared_field<LayerKind::stops, FieldType::string>("location");
constexpr auto location_id = declared_field<LayerKind::stops, FieldType::number>("location_id");
// Indexed by StopObject and StopOutcome (core/stop_groups.hpp).
constexpr std::array<Number, stop_object_count> object{
    declared_field<LayerKind::stops, FieldType::number>("obj_drugs"),
    declared_field<LayerKind::stops, FieldType::number>("obj_weapons"),
    declared_field<LayerKind::stops, FieldType::number>("obj_stolen"),
    declared_field<LayerKind::stops, FieldType::number>("obj_theft"),
    declared_field<LayerKind::stops, FieldType::number>("obj_damage"),
    declared_field<LayerKind::stops, FieldType::number>("obj_other"),
};
constexpr std::array<Number, stop_outcome_count> outcome{
    declared_field<LayerKind::stops, FieldType::number>("out_nfa"),
    declared_field<LayerKind::stops, FieldType::number>("out_arrest"),
    declared_field<LayerKind::stops, FieldType::number>("out_summons"),
    declared_field<LayerKind::stops, FieldType::number>("out_caution"),
    declared_field<LayerKind::stops, FieldType::number>("out_community"),
    declared_field<LayerKind::stops, FieldType::number>("out_warning"),
    declared_field<LayerKind::stops, FieldType::number>("out_penalty"),
    declared_field<LayerKind::stops, FieldType::number>("out_other"),
};
}  // namespace stop_field
using LabelProps = FeatureProperties<LayerKind::labels>;
namespace label_field {
constexpr auto name = declared_field<LayerKind::labels, FieldType::string>("name");
constexpr auto kind = declared_field<LayerKind::labels, FieldType::string>("kind");
constexpr auto code = declared_field<LayerKind::labels, FieldType::string>("code");
}  // namespace label_field

// Month offsets of a filter relative to the snapshot; empty when the range misses the data.
struct MonthWindow {
    int lo = 0;
    int hi = -1;
    bool contains(int m) const { return m >= lo && m <= hi; }
};
MonthWindow window_for(const MonthRange& range, const Snapshot& s) {
    return {range.from.index() - s.first_month.index(), range.to.index() - s.first_month.index()};
}

// Adds the crimes of location i that pass the filter into `counts`; returns how many.
std::uint32_t count_location(const Snapshot& s, std::size_t i, const MonthWindow& w, const CrimeFilter& f,
                             CategoryCounts& counts) {
    std::uint32_t total = 0;
    for (std::uint32_t r = s.record_offsets[i]; r < s.record_offsets[i + 1]; ++r) {
        const CrimeRecord& rec = s.records[r];
        if (!w.contains(rec.month) || !f.categories.test(rec.category)) continue;
        counts[rec.category] += rec.crimes;
        total += rec.crimes;
    }
    return total;
}

void append_category_props(CrimeProps& props, const CategoryCounts& counts) {
    for (std::size_t c = 0; c < category_count; ++c)
        if (counts[c] > 0) props.add_category(static_cast<CategoryIndex>(c), std::uint64_t{counts[c]});
}

geo::TilePoint clamp_to_tile(geo::TilePoint p) {
    // Rounding may put a point on the far edge (== extent); keep every feature inside the tile so
    // each crime is counted in exactly one tile.
    auto c = [](std::int32_t v) {
        return std::clamp<std::int32_t>(v, 0, static_cast<std::int32_t>(extent) - 1);
    };
    return {c(p.x), c(p.y)};
}

// Points of the tile: one contiguous run of morton-sorted keys.
std::pair<std::size_t, std::size_t> key_run(const std::vector<std::uint64_t>& keys, const geo::TileId& tile) {
    auto first = std::lower_bound(keys.begin(), keys.end(), geo::morton_first(tile));
    auto last = std::upper_bound(first, keys.end(), geo::morton_last(tile));
    return {static_cast<std::size_t>(first - keys.begin()), static_cast<std::size_t>(last - keys.begin())};
}
std::pair<std::size_t, std::size_t> location_run(const Snapshot& s, const geo::TileId& tile) {
    return key_run(s.location_keys, tile);
}

// z0-13: grid clusters. A cell at cell_bits is a tile at zoom z + cell_bits, i.e. a morton prefix,
// so the locations of a cell are consecutive and the grouping is one pass.
geo::LayerBuilder cluster_layer(const Snapshot& s, const TileQuery& q, int cell_bits) {
    geo::LayerBuilder layer = layer_builder(LayerKind::crimes, extent);
    const MonthWindow w = window_for(q.filter.months, s);
    const auto [begin, end] = location_run(s, q.tile);
    const int shift = 64 - 2 * (q.tile.z + cell_bits);
    const geo::TileTransform transform(q.tile, extent);
    CrimeProps props;

    std::size_t i = begin;
    while (i < end) {
        const std::uint64_t cell = s.location_keys[i] >> shift;
        CategoryCounts counts{};
        std::uint64_t total = 0;
        double sum_x = 0, sum_y = 0;
        for (; i < end && (s.location_keys[i] >> shift) == cell; ++i) {
            std::uint32_t n = count_location(s, i, w, q.filter, counts);
            if (n == 0) continue;
            total += n;
            sum_x += static_cast<double>(s.locations[i].world.x) * n;
            sum_y += static_cast<double>(s.locations[i].world.y) * n;
        }
        if (total == 0) continue;
        // The crime-weighted centre lies inside the (convex) cell, hence inside the tile.
        const double n = static_cast<double>(total);
        geo::TilePoint p = clamp_to_tile(transform.to_tile(geo::WorldXY{sum_x / n, sum_y / n}));
        props.clear();
        props.add(crime_field::count, std::uint64_t{total});
        append_category_props(props, counts);
        layer.add_point(p, props.view(), cell);
    }
    return layer;
}

// z14+: one feature per snap location.
geo::LayerBuilder location_layer(const Snapshot& s, const TileQuery& q) {
    geo::LayerBuilder layer = layer_builder(LayerKind::crimes, extent);
    const MonthWindow w = window_for(q.filter.months, s);
    const auto [begin, end] = location_run(s, q.tile);
    const geo::TileTransform transform(q.tile, extent);
    CrimeProps props;
    for (std::size_t i = begin; i < end; ++i) {
        CategoryCounts counts{};
        std::uint32_t total = count_location(s, i, w, q.filter, counts);
        if (total == 0) continue;
        const SnapLocation& loc = s.locations[i];
        props.clear();
        props.add(crime_field::count, std::uint64_t{total});
        props.add(crime_field::location, loc.name);
        props.add(crime_field::location_id, static_cast<std::int64_t>(loc.id));
        append_category_props(props, counts);
        layer.add_point(clamp_to_tile(transform.to_tile(loc.world)), props.view(),
                        static_cast<std::uint64_t>(loc.id));
    }
    return layer;
}

// Stops of one location (or cluster cell) by object and outcome group.
struct StopCounts {
    std::uint64_t total = 0;
    std::array<std::uint64_t, stop_object_count> object{};
    std::array<std::uint64_t, stop_outcome_count> outcome{};
};

// Adds the stops of location i in the filter's months into `c`; returns how many.
std::uint64_t count_stops(const StopPoints& p, std::size_t i, const MonthRange& months, StopCounts& c) {
    const int lo = months.from.index(), hi = months.to.index();
    std::uint64_t n = 0;
    for (std::uint32_t r = p.record_offsets[i]; r < p.record_offsets[i + 1]; ++r) {
        const StopRecord& rec = p.records[r];
        if (rec.month < lo || rec.month > hi) continue;
        c.object[rec.object] += rec.stops;
        c.outcome[rec.outcome] += rec.stops;
        n += rec.stops;
    }
    c.total += n;
    return n;
}

void add_stop_props(StopProps& props, const StopCounts& c) {
    props.add(stop_field::count, c.total);
    for (std::size_t g = 0; g < stop_object_count; ++g)
        if (c.object[g] > 0) props.add(stop_field::object[g], c.object[g]);
    for (std::size_t g = 0; g < stop_outcome_count; ++g)
        if (c.outcome[g] > 0) props.add(stop_field::outcome[g], c.outcome[g]);
}

// z0-13: grid clusters of stops, exactly as cluster_layer does for crimes.
geo::LayerBuilder stop_cluster_layer(const Snapshot& s, const TileQuery& q, int cell_bits) {
    geo::LayerBuilder layer = layer_builder(LayerKind::stops, extent);
    const StopPoints& p = s.stops;
    const auto [begin, end] = key_run(p.keys, q.tile);
    const int shift = 64 - 2 * (q.tile.z + cell_bits);
    const geo::TileTransform transform(q.tile, extent);
    StopProps props;
    std::size_t i = begin;
    while (i < end) {
        const std::uint64_t cell = p.keys[i] >> shift;
        StopCounts counts;
        double sum_x = 0, sum_y = 0;
        for (; i < end && (p.keys[i] >> shift) == cell; ++i) {
            const auto n = static_cast<double>(count_stops(p, i, q.filter.months, counts));
            sum_x += static_cast<double>(p.locations[i].world.x) * n;
            sum_y += static_cast<double>(p.locations[i].world.y) * n;
        }
        if (counts.total == 0) continue;
        const double n = static_cast<double>(counts.total);
        props.clear();
        add_stop_props(props, counts);
        layer.add_point(clamp_to_tile(transform.to_tile(geo::WorldXY{sum_x / n, sum_y / n})), props.view(),
                        cell);
    }
    return layer;
}

// z14+: one feature per snap location with stops.
geo::LayerBuilder stop_location_layer(const Snapshot& s, const TileQuery& q) {
    geo::LayerBuilder layer = layer_builder(LayerKind::stops, extent);
    const StopPoints& p = s.stops;
    const auto [begin, end] = key_run(p.keys, q.tile);
    const geo::TileTransform transform(q.tile, extent);
    StopProps props;
    for (std::size_t i = begin; i < end; ++i) {
        StopCounts counts;
        if (count_stops(p, i, q.filter.months, counts) == 0) continue;
        const SnapLocation& loc = p.locations[i];
        props.clear();
        add_stop_props(props, counts);
        if (!loc.name.empty()) props.add(stop_field::location, loc.name);
        props.add(stop_field::location_id, static_cast<std::int64_t>(loc.id));
        layer.add_point(clamp_to_tile(transform.to_tile(loc.world)), props.view(),
                        static_cast<std::uint64_t>(loc.id));
    }
    return layer;
}

std::uint64_t area_crimes(const Area& a, const MonthWindow& w, const CrimeFilter& f) {
    std::uint64_t total = 0;
    for (const MonthCount& mc : a.counts)
        if (w.contains(mc.month) && f.categories.test(mc.category)) total += mc.crimes;
    return total;
}

// Clips (unless the area lies inside the buffered tile) and projects to tile pixels; an extra
// tolerance in pixels simplifies further when the tile is over budget.
std::vector<geo::TilePolygon> area_geometry(const Area& a, const geo::TileTransform& t, int z,
                                            double extra_tolerance_px) {
    const geo::Box box = t.clip_box(polygon_buffer_pixels);
    const geo::MultiPolygon& level = a.levels[std::min(Snapshot::level_for_zoom(z), a.levels.size() - 1)];
    geo::MultiPolygon clipped = box.contains(a.bounds) ? level : geo::clip(level, box);
    if (extra_tolerance_px > 0)
        clipped = geo::simplify(clipped, extra_tolerance_px * t.world_units_per_pixel());
    return geo::to_tile_polygons(clipped, t);
}

geo::LayerBuilder areas_layer(const Snapshot& s, const TileQuery& q, double extra_tolerance_px) {
    geo::LayerBuilder layer = layer_builder(LayerKind::areas, extent);
    const geo::TileTransform t(q.tile, extent);
    const geo::Box box = t.clip_box(polygon_buffer_pixels);
    const MonthWindow w = window_for(q.filter.months, s);
    const MonthWindow prev = window_for(q.filter.months.previous(), s);
    const bool have_previous = prev.lo >= 0;  // the previous period is inside the data
    AreaProps props;
    for (std::uint32_t idx : s.areas_by_kind[static_cast<std::size_t>(q.area_kind)]) {
        const Area& a = s.areas[idx];
        if (!a.bounds.intersects(box)) continue;
        auto polygons = area_geometry(a, t, q.tile.z, extra_tolerance_px);
        if (polygons.empty()) continue;
        const std::uint64_t crimes = area_crimes(a, w, q.filter);
        props.clear();
        props.add(area_field::code, a.code);
        props.add(area_field::name, a.name);
        props.add(area_field::kind, std::string(to_string(a.kind)));
        props.add(area_field::crimes, crimes);
        if (have_previous) {
            const std::uint64_t before = area_crimes(a, prev, q.filter);
            props.add(area_field::previous, before);
            if (before > 0) {
                double pct = (static_cast<double>(crimes) - static_cast<double>(before)) * 100.0 /
                             static_cast<double>(before);
                props.add(area_field::change, std::round(pct * 10.0) / 10.0);
            }
        }
        if (a.population && *a.population > 0) {
            props.add(area_field::population, std::int64_t{*a.population});
            double rate = static_cast<double>(crimes) * 1000.0 / *a.population;
            props.add(area_field::per_1000, std::round(rate * 100.0) / 100.0);
        }
        if (a.deprivation) props.add(area_field::imd_decile, std::int64_t{a.deprivation->decile[0]});
        layer.add_multi_polygon(polygons, props.view(), idx);
    }
    return layer;
}

Result<geo::LayerBuilder> performance_layer(const Snapshot& s, const TileQuery& q,
                                            double extra_tolerance_px) {
    auto series_it = s.indicators.find(q.indicator);
    if (series_it == s.indicators.end()) return not_found("Unknown indicator: " + q.indicator);
    const IndicatorSeries& series = series_it->second;
    const std::string period = q.period.empty() ? series.periods.back() : q.period;
    auto period_it = series.by_period.find(period);
    if (period_it == series.by_period.end())
        return not_found("Unknown period for " + q.indicator + ": " + period);

    geo::LayerBuilder layer = layer_builder(LayerKind::performance, extent);
    const geo::TileTransform t(q.tile, extent);
    const geo::Box box = t.clip_box(polygon_buffer_pixels);
    PerformanceProps props;
    for (std::uint32_t idx : s.areas_by_kind[static_cast<std::size_t>(AreaKind::lad)]) {
        const Area& a = s.areas[idx];
        if (!a.bounds.intersects(box)) continue;
        // Indicators of upper-tier services are published for counties, not for their districts:
        // a district without a value of its own shows its county's.
        auto value_it = period_it->second.find(a.code);
        bool via_county = false;
        if (value_it == period_it->second.end() && !a.county.empty()) {
            value_it = period_it->second.find(a.county);
            via_county = value_it != period_it->second.end();
        }
        auto polygons = area_geometry(a, t, q.tile.z, extra_tolerance_px);
        if (polygons.empty()) continue;
        props.clear();
        props.add(performance_field::code, a.code);
        props.add(performance_field::name, a.name);
        props.add(performance_field::indicator, series.code);
        props.add(performance_field::period, period);
        props.add(performance_field::polarity, std::string(to_string(series.polarity)));
        // A district with no value (Oflog leaves cells empty where a council did not report) is
        // still drawn, without the value fields: the map greys it as "no value" instead of
        // leaving a hole that reads as "not covered".
        if (value_it != period_it->second.end()) {
            const IndicatorRank& r = value_it->second;
            props.add(performance_field::area_code, value_it->first);
            if (via_county) props.add(performance_field::via, std::string("county"));
            props.add(performance_field::value, r.value);
            props.add(performance_field::rank, std::int64_t{r.rank});
            props.add(performance_field::of, std::int64_t{r.of});
            props.add(performance_field::quintile, std::int64_t{r.quintile});
        }
        if (series.polarity != Polarity::neutral)
            props.add(performance_field::higher_is_better, series.higher_is_better());
        layer.add_multi_polygon(polygons, props.view(), idx);
    }
    return layer;
}

// "On or near Albert Road" -> "Albert Road"; other names as they are.
std::string_view street_label(std::string_view snap_name) {
    constexpr std::string_view prefix = "On or near ";
    if (snap_name.starts_with(prefix)) snap_name.remove_prefix(prefix.size());
    return snap_name;
}

// Each kind at its zooms (core/layers.hpp): districts and wards at their label points, one label
// per street name and tile (at its snap point with the lowest id), postcodes at their centroid.
geo::LayerBuilder labels_layer(const Snapshot& s, const TileQuery& q) {
    namespace reg = layer_registry;
    geo::LayerBuilder layer = layer_builder(LayerKind::labels, extent);
    const geo::TileTransform transform(q.tile, extent);
    const int z = q.tile.z;
    LabelProps props;
    const bool districts = z >= reg::labels_minzoom && z <= reg::district_labels_maxzoom;
    const bool wards = z >= reg::ward_labels_minzoom && z <= reg::ward_labels_maxzoom;
    if (districts || wards) {
        const auto [begin, end] = key_run(s.place_label_keys, q.tile);
        for (std::size_t i = begin; i < end; ++i) {
            const PlaceLabel& l = s.place_labels[i];
            const bool district = l.kind == PlaceLabelKind::district;
            if (district ? !districts : !wards) continue;
            props.clear();
            props.add(label_field::name, l.name);
            props.add(label_field::kind, std::string(district ? "district" : "ward"));
            props.add(label_field::code, l.code);
            layer.add_point(clamp_to_tile(transform.to_tile(l.world)), props.view());
        }
    }
    if (z >= reg::street_labels_minzoom) {
        const auto [begin, end] = location_run(s, q.tile);
        std::map<std::string_view, std::size_t> first;  // street -> location with the lowest id
        for (std::size_t i = begin; i < end; ++i) {
            const std::string_view name = street_label(s.locations[i].name);
            if (name.empty()) continue;
            auto [it, added] = first.emplace(name, i);
            if (!added && s.locations[i].id < s.locations[it->second].id) it->second = i;
        }
        for (const auto& [name, i] : first) {
            props.clear();
            props.add(label_field::name, std::string(name));
            props.add(label_field::kind, std::string("street"));
            layer.add_point(clamp_to_tile(transform.to_tile(s.locations[i].world)), props.view());
        }
    }
    if (z >= reg::postcode_labels_minzoom && s.api) {
        s.api->postcodes.for_each_in_tile(q.tile, [&](const PostcodeRecord& r, geo::WorldPoint w) {
            props.clear();
            props.add(label_field::name, r.display());
            props.add(label_field::kind, std::string("postcode"));
            layer.add_point(clamp_to_tile(transform.to_tile(w)), props.view());
        });
    }
    return layer;
}

class MemoryRenderer final : public TileRenderer {
  public:
    explicit MemoryRenderer(TileEngineOptions options) : options_(options) {}
    std::string_view name() const override { return "memory"; }

    Result<RenderedTile> render(const Snapshot& s, const TileQuery& q) override {
        RenderedTile out;
        std::vector<geo::LayerBuilder> layers;
        // Each layer gets an equal share of the budget; over it, a layer is rebuilt coarser.
        const std::size_t budget =
            options_.tile_budget_bytes / std::max<std::size_t>(1, q.layers.kinds.size());
        for (LayerKind kind : q.layers.kinds) {
            switch (kind) {
                case LayerKind::crimes:
                    layers.push_back(points(
                        q, budget, out.coarsened, [&](int bits) { return cluster_layer(s, q, bits); },
                        [&] { return location_layer(s, q); }));
                    break;
                case LayerKind::stops:
                    layers.push_back(points(
                        q, budget, out.coarsened, [&](int bits) { return stop_cluster_layer(s, q, bits); },
                        [&] { return stop_location_layer(s, q); }));
                    break;
                case LayerKind::labels: layers.push_back(labels_layer(s, q)); break;
                case LayerKind::areas:
                    layers.push_back(polygons(budget, out.coarsened, [&](double tol) {
                                         return Result<geo::LayerBuilder>(areas_layer(s, q, tol));
                                     }).value());
                    break;
                case LayerKind::performance: {
                    auto layer = polygons(budget, out.coarsened,
                                          [&](double tol) { return performance_layer(s, q, tol); });
                    if (!layer) return layer.error();
                    layers.push_back(std::move(*layer));
                    break;
                }
            }
        }
        for (const auto& l : layers) out.features += l.feature_count();
        out.mvt = geo::encode_tile(layers);
        return out;
    }

  private:
    // Crimes and stops: snap points above the cluster zoom, else grid clusters of the requested
    // cells, coarser while over budget.
    template <class Cluster, class Locations>
    geo::LayerBuilder points(const TileQuery& q, std::size_t budget, bool& coarsened, Cluster cluster,
                             Locations locations) const {
        if (q.tile.z > cluster_max_zoom) {
            auto layer = locations();
            if (layer.feature_bytes() <= budget) return layer;
            coarsened = true;  // a pathological z14+ tile: fall back to fine clusters
            return cluster(8);
        }
        for (int bits = q.cluster_cell_bits;; --bits) {
            auto layer = cluster(bits);
            if (layer.feature_bytes() <= budget || bits == min_cell_bits) return layer;
            coarsened = true;
        }
    }

    template <class Build>
    Result<geo::LayerBuilder> polygons(std::size_t budget, bool& coarsened, Build build) const {
        double tolerance_px = 0;
        while (true) {
            auto layer = build(tolerance_px);
            if (!layer || layer->feature_bytes() <= budget || tolerance_px >= 16) return layer;
            coarsened = true;
            tolerance_px = tolerance_px == 0 ? 2 : tolerance_px * 2;
        }
    }

    TileEngineOptions options_;
};

}  // namespace

std::unique_ptr<TileRenderer> make_memory_renderer(TileEngineOptions options) {
    return std::make_unique<MemoryRenderer>(options);
}

}  // namespace crimemap::core
