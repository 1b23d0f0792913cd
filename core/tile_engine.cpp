#include "core/tile_engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/feature_properties.hpp"
#include "core/snapshot.hpp"
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

// Locations of the tile: one contiguous run of the morton-sorted location keys.
std::pair<std::size_t, std::size_t> location_run(const Snapshot& s, const geo::TileId& tile) {
    auto first = std::lower_bound(s.location_keys.begin(), s.location_keys.end(), geo::morton_first(tile));
    auto last = std::upper_bound(first, s.location_keys.end(), geo::morton_last(tile));
    return {static_cast<std::size_t>(first - s.location_keys.begin()),
            static_cast<std::size_t>(last - s.location_keys.begin())};
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
                case LayerKind::crimes: layers.push_back(crimes(s, q, budget, out.coarsened)); break;
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
    geo::LayerBuilder crimes(const Snapshot& s, const TileQuery& q, std::size_t budget,
                             bool& coarsened) const {
        if (q.tile.z > cluster_max_zoom) {
            auto layer = location_layer(s, q);
            if (layer.feature_bytes() <= budget) return layer;
            coarsened = true;  // a pathological z14+ tile: fall back to fine clusters
            return cluster_layer(s, q, 8);
        }
        for (int bits = q.cluster_cell_bits;; --bits) {
            auto layer = cluster_layer(s, q, bits);
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
