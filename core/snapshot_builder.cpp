#include "core/snapshot_builder.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/similar.hpp"
#include "core/stop_groups.hpp"
#include "geo/tile.hpp"

namespace crimemap::core {
namespace {

// Half a tile pixel at the highest zoom a level serves (see Snapshot::simplify_zooms).
double level_tolerance(std::size_t level) {
    int top_zoom = Snapshot::simplify_zooms[level + 1] - 1;
    return 0.5 * geo::kWorldSize / (std::ldexp(1.0, top_zoom) * 4096.0);
}

// 1 = best by polarity (neutral: highest value first); equal values share a rank; quintile 1 =
// first fifth in that order.
void rank(IndicatorSeries& series) {
    std::sort(series.periods.begin(), series.periods.end());
    series.periods.erase(std::unique(series.periods.begin(), series.periods.end()), series.periods.end());
    for (auto& [period, values] : series.by_period) {
        std::vector<IndicatorRank*> sorted;
        for (auto& [code, r] : values) sorted.push_back(&r);
        std::sort(sorted.begin(), sorted.end(), [&](const IndicatorRank* a, const IndicatorRank* b) {
            return series.polarity == Polarity::lower_is_better ? a->value < b->value : a->value > b->value;
        });
        const auto of = static_cast<std::int32_t>(sorted.size());
        for (std::size_t i = 0; i < sorted.size(); ++i) {
            std::size_t first_equal = i;
            while (first_equal > 0 && sorted[first_equal - 1]->value == sorted[i]->value) --first_equal;
            sorted[i]->rank = static_cast<std::int32_t>(first_equal) + 1;
            sorted[i]->of = of;
            sorted[i]->quintile = std::min(5, 1 + (sorted[i]->rank - 1) * 5 / std::max(1, of));
        }
    }
}

// Surface in km2 of a lon/lat multipolygon on the sphere (the trapezoid formula of
// Chamberlain & Duquette, as OpenLayers and turf use); holes subtract. Good to well under 1 % for
// areas the size of a county.
double area_km2(const geo::LonLatMultiPolygon& geometry) {
    constexpr double radius_km = 6371.0088;
    constexpr double rad = 3.14159265358979323846 / 180.0;
    auto ring_area = [&](const geo::LonLatRing& r) {
        double sum = 0;
        for (std::size_t i = 0; i < r.size(); ++i) {  // closed or not: the wrap-around edge counts once
            const auto& p = r[i];
            const auto& q = r[(i + 1) % r.size()];
            sum += (q.lon - p.lon) * rad * (2 + std::sin(p.lat * rad) + std::sin(q.lat * rad));
        }
        return std::abs(sum * radius_km * radius_km / 2);
    };
    double total = 0;
    for (const auto& polygon : geometry)
        for (std::size_t i = 0; i < polygon.size(); ++i) total += (i == 0 ? 1 : -1) * ring_area(polygon[i]);
    return std::max(0.0, total);
}

}  // namespace

SnapshotBuilder::SnapshotBuilder(std::int64_t version, Month first_month, Month last_month)
    : s_(std::make_shared<Snapshot>()) {
    s_->version = version;
    s_->first_month = first_month;
    s_->last_month = last_month;
}

void SnapshotBuilder::add_location(std::int64_t id, geo::LonLat where, std::string name) {
    geo::WorldPoint w = geo::to_world(where);
    location_ids_.emplace(id, locations_.size());
    locations_.push_back({geo::morton(w), SnapLocation{w, std::move(name), id}});
}

bool SnapshotBuilder::add_crimes(std::int64_t location_id, Month month, CategoryIndex category,
                                 std::uint32_t crimes) {
    if (!location_ids_.contains(location_id) || month < s_->first_month || month > s_->last_month ||
        category >= category_count)
        return false;
    auto offset = static_cast<std::uint16_t>(month.index() - s_->first_month.index());
    records_.push_back({location_id, CrimeRecord{offset, category, 0, crimes}});
    return true;
}

void SnapshotBuilder::add_stop_location(std::int64_t id, geo::LonLat where, std::string name) {
    geo::WorldPoint w = geo::to_world(where);
    stop_location_ids_.emplace(id, stop_locations_.size());
    stop_locations_.push_back({geo::morton(w), SnapLocation{w, std::move(name), id}});
}

bool SnapshotBuilder::add_stops(std::int64_t location_id, Month month, std::uint8_t object,
                                std::uint8_t outcome, std::uint32_t stops) {
    if (!stop_location_ids_.contains(location_id) || object >= stop_object_count ||
        outcome >= stop_outcome_count)
        return false;
    stop_records_.push_back({location_id, StopRecord{month.index(), object, outcome, 0, stops}});
    return true;
}

void SnapshotBuilder::add_place_label(PlaceLabelKind kind, geo::LonLat where, std::string name,
                                      std::string code) {
    geo::WorldPoint w = geo::to_world(where);
    place_labels_.emplace_back(geo::morton(w), PlaceLabel{w, kind, std::move(name), std::move(code)});
}

void SnapshotBuilder::finish_stops() {
    StopPoints& out = s_->stops;
    std::sort(stop_locations_.begin(), stop_locations_.end(), [](const auto& a, const auto& b) {
        return a.key != b.key ? a.key < b.key : a.location.id < b.location.id;
    });
    std::unordered_map<std::int64_t, std::uint32_t> position;
    for (auto& pending : stop_locations_) {
        position.emplace(pending.location.id, static_cast<std::uint32_t>(out.locations.size()));
        out.keys.push_back(pending.key);
        out.locations.push_back(std::move(pending.location));
    }
    for (auto& r : stop_records_) r.location_id = position.at(r.location_id);
    std::sort(stop_records_.begin(), stop_records_.end(), [](const PendingStops& a, const PendingStops& b) {
        return std::tie(a.location_id, a.record.month, a.record.object, a.record.outcome) <
               std::tie(b.location_id, b.record.month, b.record.object, b.record.outcome);
    });
    out.record_offsets.assign(out.locations.size() + 1, 0);
    for (std::size_t i = 0; i < stop_records_.size(); ++i) {
        const auto& r = stop_records_[i];
        out.located += r.record.stops;
        if (i > 0 && stop_records_[i - 1].location_id == r.location_id &&
            stop_records_[i - 1].record.month == r.record.month &&
            stop_records_[i - 1].record.object == r.record.object &&
            stop_records_[i - 1].record.outcome == r.record.outcome) {
            out.records.back().stops += r.record.stops;
            continue;
        }
        ++out.record_offsets[static_cast<std::size_t>(r.location_id) + 1];
        out.records.push_back(r.record);
    }
    for (std::size_t i = 1; i < out.record_offsets.size(); ++i)
        out.record_offsets[i] += out.record_offsets[i - 1];
    stop_locations_.clear();
    stop_location_ids_.clear();
    stop_records_.clear();
}

void SnapshotBuilder::finish_place_labels() {
    std::sort(place_labels_.begin(), place_labels_.end(), [](const auto& a, const auto& b) {
        return std::tie(a.first, a.second.kind, a.second.code) <
               std::tie(b.first, b.second.kind, b.second.code);
    });
    for (auto& [key, label] : place_labels_) {
        s_->place_label_keys.push_back(key);
        s_->place_labels.push_back(std::move(label));
    }
    place_labels_.clear();
}

void SnapshotBuilder::add_area(AreaKind kind, std::string code, std::string name,
                               std::optional<std::int32_t> population,
                               const geo::LonLatMultiPolygon& geometry) {
    Area a;
    a.kind = kind;
    a.code = std::move(code);
    a.name = std::move(name);
    a.population = population;
    a.area_km2 = area_km2(geometry);
    geo::MultiPolygon full = geo::to_world_xy(geometry);
    a.bounds = geo::bounding_box(full);
    for (std::size_t level = 0; level + 1 < Snapshot::simplify_zooms.size(); ++level)
        a.levels.push_back(geo::simplify(full, level_tolerance(level)));
    a.levels.push_back(std::move(full));
    auto idx = static_cast<std::uint32_t>(s_->areas.size());
    s_->area_by_code.emplace(std::string(to_string(a.kind)) + ":" + a.code, idx);
    s_->areas_by_kind[static_cast<std::size_t>(a.kind)].push_back(idx);
    s_->areas.push_back(std::move(a));
}

bool SnapshotBuilder::add_area_count(AreaKind kind, const std::string& code, Month month,
                                     CategoryIndex category, std::uint32_t crimes) {
    auto it = s_->area_by_code.find(std::string(to_string(kind)) + ":" + code);
    if (it == s_->area_by_code.end() || month < s_->first_month || month > s_->last_month) return false;
    auto offset = static_cast<std::uint16_t>(month.index() - s_->first_month.index());
    s_->areas[it->second].counts.push_back({offset, category, crimes});
    return true;
}

bool SnapshotBuilder::set_area_county(const std::string& lad_code, std::string county_code) {
    auto it = s_->area_by_code.find(std::string(to_string(AreaKind::lad)) + ":" + lad_code);
    if (it == s_->area_by_code.end()) return false;
    s_->areas[it->second].county = std::move(county_code);
    return true;
}

Area* SnapshotBuilder::find(AreaKind kind, const std::string& code) {
    auto it = s_->area_by_code.find(std::string(to_string(kind)) + ":" + code);
    return it == s_->area_by_code.end() ? nullptr : &s_->areas[it->second];
}

bool SnapshotBuilder::set_area_population_source(AreaKind kind, const std::string& code,
                                                 PopulationSource source) {
    Area* a = find(kind, code);
    if (a) a->population_source = std::move(source);
    return a != nullptr;
}

bool SnapshotBuilder::set_area_parents(AreaKind kind, const std::string& code,
                                       std::array<std::string, 6> parents) {
    Area* a = find(kind, code);
    if (a) a->parents = std::move(parents);
    return a != nullptr;
}

bool SnapshotBuilder::set_lsoa_deprivation(const std::string& lsoa_code, Deprivation deprivation) {
    Area* a = find(AreaKind::lsoa, lsoa_code);
    if (a) a->deprivation = std::move(deprivation);
    return a != nullptr;
}

bool SnapshotBuilder::set_lsoa_classification(const std::string& lsoa_code, Classification classification) {
    Area* a = find(AreaKind::lsoa, lsoa_code);
    if (a) a->classification = std::move(classification);
    return a != nullptr;
}

void SnapshotBuilder::add_indicator_value(const std::string& indicator, const std::string& name,
                                          const std::string& unit, Polarity polarity,
                                          const std::string& period, const std::string& area_code,
                                          double value, std::optional<double> target,
                                          std::optional<double> benchmark) {
    auto& series = s_->indicators[indicator];
    if (series.code.empty()) {
        series.code = indicator;
        series.name = name;
        series.unit = unit;
        series.polarity = polarity;
    }
    series.periods.push_back(period);
    series.by_period[period][area_code] = IndicatorRank{value, 0, 0, 0, target, benchmark};
}

std::shared_ptr<const Snapshot> SnapshotBuilder::finish() {
    Snapshot& s = *s_;
    // Locations in morton order (ties by id, so the layout is deterministic).
    std::vector<std::size_t> order(locations_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& la = locations_[a];
        const auto& lb = locations_[b];
        return la.key != lb.key ? la.key < lb.key : la.location.id < lb.location.id;
    });
    std::vector<std::uint32_t> position(locations_.size());
    geo::Box bounds;
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
        auto& pending = locations_[order[rank]];
        position[order[rank]] = static_cast<std::uint32_t>(rank);
        bounds.expand(
            {static_cast<double>(pending.location.world.x), static_cast<double>(pending.location.world.y)});
        s.location_keys.push_back(pending.key);
        s.locations.push_back(std::move(pending.location));
    }
    if (!bounds.empty()) {
        auto nw = geo::from_world_xy({bounds.min_x, bounds.min_y});  // y grows south
        auto se = geo::from_world_xy({bounds.max_x, bounds.max_y});
        s.min_lonlat = {nw.lon, se.lat};
        s.max_lonlat = {se.lon, nw.lat};
        std::vector<std::uint32_t> xs, ys;
        xs.reserve(s.locations.size());
        ys.reserve(s.locations.size());
        for (const auto& l : s.locations) {
            xs.push_back(l.world.x);
            ys.push_back(l.world.y);
        }
        auto quantile = [](std::vector<std::uint32_t>& v, double q) {
            auto nth = v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
            std::nth_element(v.begin(), nth, v.end());
            return static_cast<double>(*nth);
        };
        auto focus_nw = geo::from_world_xy({quantile(xs, 0.005), quantile(ys, 0.005)});
        auto focus_se = geo::from_world_xy({quantile(xs, 0.995), quantile(ys, 0.995)});
        s.focus_min_lonlat = {focus_nw.lon, focus_se.lat};
        s.focus_max_lonlat = {focus_se.lon, focus_nw.lat};
    }

    // Records grouped per location (CSR), merged when the same (month, category) repeats.
    for (auto& r : records_) r.location_id = position[location_ids_.at(r.location_id)];
    std::sort(records_.begin(), records_.end(), [](const PendingRecord& a, const PendingRecord& b) {
        if (a.location_id != b.location_id) return a.location_id < b.location_id;
        if (a.record.month != b.record.month) return a.record.month < b.record.month;
        return a.record.category < b.record.category;
    });
    s.record_offsets.assign(s.locations.size() + 1, 0);
    for (std::size_t i = 0; i < records_.size(); ++i) {
        const auto& r = records_[i];
        s.located_crimes += r.record.crimes;
        if (i > 0 && records_[i - 1].location_id == r.location_id &&
            records_[i - 1].record.month == r.record.month &&
            records_[i - 1].record.category == r.record.category) {
            s.records.back().crimes += r.record.crimes;
            continue;
        }
        ++s.record_offsets[static_cast<std::size_t>(r.location_id) + 1];
        s.records.push_back(r.record);
    }
    for (std::size_t i = 1; i < s.record_offsets.size(); ++i) s.record_offsets[i] += s.record_offsets[i - 1];

    for (auto& a : s.areas)
        std::sort(a.counts.begin(), a.counts.end(), [](const MonthCount& x, const MonthCount& y) {
            return x.month != y.month ? x.month < y.month : x.category < y.category;
        });
    finish_stops();
    finish_place_labels();
    for (auto& [code, series] : s.indicators) rank(series);
    build_similarity_index(s);

    s.loaded_at = std::chrono::system_clock::now();
    locations_.clear();
    records_.clear();
    location_ids_.clear();
    return std::move(s_);
}

}  // namespace crimemap::core
