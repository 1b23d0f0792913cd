#include "store/snapshot_loader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "geo/tile.hpp"
#include "geo/wkb.hpp"

namespace crimemap::store {
namespace {

using core::Month;
using core::Snapshot;

// Month as a month index (year * 12 + month - 1), computed in SQL so no date parsing is needed.
constexpr const char* month_index_sql = "(extract(year from %s)::int * 12 + extract(month from %s)::int - 1)";
std::string month_index(const char* column) {
    std::string out = month_index_sql;
    for (auto pos = out.find("%s"); pos != std::string::npos; pos = out.find("%s")) out.replace(pos, 2, column);
    return out;
}

template <class T>
T to_number(std::string_view text) {
    T v{};
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
}
double to_double(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

void load_version(Connection& conn, Snapshot& s) {
    auto r = conn.query("SELECT version, extract(epoch from created_at)::float8 FROM dataset_versions "
                        "ORDER BY version DESC LIMIT 1");
    if (r.size() == 0) return;
    s.version = r.int64(0, 0);
    s.created_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(r.float64(0, 1))));
}

void load_months(Connection& conn, Snapshot& s) {
    auto r = conn.query("SELECT min(" + month_index("month") + "), max(" + month_index("month") +
                        "), count(*) FILTER (WHERE location_id IS NULL) FROM crimes");
    if (r.is_null(0, 0)) {
        // No crimes yet: pretend the data covers the current month so filters still parse.
        auto now = std::chrono::system_clock::now();
        auto days = std::chrono::floor<std::chrono::days>(now);
        std::chrono::year_month_day ymd{days};
        s.first_month = s.last_month =
            Month::from_year_month(static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())));
        return;
    }
    s.first_month = Month::from_index(static_cast<std::int32_t>(r.int64(0, 0)));
    s.last_month = Month::from_index(static_cast<std::int32_t>(r.int64(0, 1)));
    s.unlocated_crimes = static_cast<std::uint64_t>(r.int64(0, 2));
}

// Snap locations that carry crimes, sorted by morton key; returns database id -> index.
std::unordered_map<std::int64_t, std::uint32_t> load_locations(Connection& conn, Snapshot& s) {
    struct Loaded {
        std::uint64_t key;
        core::SnapLocation loc;
    };
    std::vector<Loaded> loaded;
    conn.copy_out(
        "COPY (SELECT l.id, l.lon, l.lat, l.name FROM snap_locations l "
        "WHERE EXISTS (SELECT 1 FROM crimes c WHERE c.location_id = l.id)) TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            geo::WorldPoint w = geo::to_world(geo::LonLat{to_double(*f[1]), to_double(*f[2])});
            loaded.push_back({geo::morton(w), core::SnapLocation{w, std::move(*f[3]), to_number<std::int64_t>(*f[0])}});
        });
    std::sort(loaded.begin(), loaded.end(), [](const Loaded& a, const Loaded& b) {
        return a.key != b.key ? a.key < b.key : a.loc.id < b.loc.id;
    });
    std::unordered_map<std::int64_t, std::uint32_t> index;
    index.reserve(loaded.size());
    s.locations.reserve(loaded.size());
    s.location_keys.reserve(loaded.size());
    geo::Box bounds;
    for (auto& l : loaded) {
        index.emplace(l.loc.id, static_cast<std::uint32_t>(s.locations.size()));
        bounds.expand(geo::WorldXY{static_cast<double>(l.loc.world.x), static_cast<double>(l.loc.world.y)});
        s.location_keys.push_back(l.key);
        s.locations.push_back(std::move(l.loc));
    }
    if (!bounds.empty()) {
        // y grows south: the box's min_y is the north edge.
        auto nw = geo::from_world_xy({bounds.min_x, bounds.min_y});
        auto se = geo::from_world_xy({bounds.max_x, bounds.max_y});
        s.min_lonlat = {nw.lon, se.lat};
        s.max_lonlat = {se.lon, nw.lat};
    }
    return index;
}

// Crimes aggregated per (location, month, category), in CSR form behind the sorted locations.
void load_records(Connection& conn, Snapshot& s, const std::unordered_map<std::int64_t, std::uint32_t>& index) {
    struct Row {
        std::uint32_t location;
        core::CrimeRecord rec;
    };
    std::vector<Row> rows;
    const int first = s.first_month.index();
    conn.copy_out("COPY (SELECT location_id, " + month_index("month") +
                      ", category, count(*) FROM crimes WHERE location_id IS NOT NULL GROUP BY 1, 2, 3) TO STDOUT",
                  [&](std::string_view line) {
                      auto f = split_copy_line(line);
                      auto cat = core::category_from_slug(*f[2]);
                      auto loc = index.find(to_number<std::int64_t>(*f[0]));
                      if (!cat || loc == index.end()) return;  // unknown category: not served
                      auto month = static_cast<std::uint16_t>(to_number<int>(*f[1]) - first);
                      auto n = to_number<std::uint32_t>(*f[3]);
                      rows.push_back({loc->second, core::CrimeRecord{month, *cat, 0, n}});
                      s.located_crimes += n;
                  });
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (a.location != b.location) return a.location < b.location;
        if (a.rec.month != b.rec.month) return a.rec.month < b.rec.month;
        return a.rec.category < b.rec.category;
    });
    s.records.reserve(rows.size());
    s.record_offsets.assign(s.locations.size() + 1, 0);
    for (const Row& r : rows) {
        ++s.record_offsets[r.location + 1];
        s.records.push_back(r.rec);
    }
    for (std::size_t i = 1; i < s.record_offsets.size(); ++i) s.record_offsets[i] += s.record_offsets[i - 1];
}

// Half a tile pixel at the highest zoom a level serves (see Snapshot::simplify_zooms).
double level_tolerance(std::size_t level) {
    int top_zoom = Snapshot::simplify_zooms[level + 1] - 1;
    return 0.5 * geo::kWorldSize / (std::ldexp(1.0, top_zoom) * 4096.0);
}

void load_areas(Connection& conn, Snapshot& s) {
    conn.copy_out("COPY (SELECT kind, code, name, population, encode(ST_AsBinary(geom), 'hex') FROM areas "
                  "ORDER BY kind, code) TO STDOUT",
                  [&](std::string_view line) {
                      auto f = split_copy_line(line);
                      auto kind = core::area_kind_from_string(*f[0]);
                      auto wkb = geo::parse_hex_wkb(*f[4]);
                      if (!kind || !wkb) return;
                      core::Area a;
                      a.kind = *kind;
                      a.code = std::move(*f[1]);
                      a.name = std::move(*f[2]);
                      if (f[3]) a.population = to_number<std::int32_t>(*f[3]);
                      geo::MultiPolygon full = geo::to_world_xy(wkb.geometry->polygons);
                      a.bounds = geo::bounding_box(full);
                      for (std::size_t level = 0; level + 1 < Snapshot::simplify_zooms.size(); ++level)
                          a.levels.push_back(geo::simplify(full, level_tolerance(level)));
                      a.levels.push_back(std::move(full));
                      auto idx = static_cast<std::uint32_t>(s.areas.size());
                      s.area_by_code.emplace(std::string(core::to_string(a.kind)) + ":" + a.code, idx);
                      s.areas_by_kind[static_cast<std::size_t>(a.kind)].push_back(idx);
                      s.areas.push_back(std::move(a));
                  });
}

void load_area_counts(Connection& conn, Snapshot& s) {
    const int first = s.first_month.index();
    conn.copy_out("COPY (SELECT area_kind, area_code, " + month_index("month") +
                      ", category, crimes FROM crime_monthly ORDER BY 1, 2, 3, 4) TO STDOUT",
                  [&](std::string_view line) {
                      auto f = split_copy_line(line);
                      auto it = s.area_by_code.find(*f[0] + ":" + *f[1]);
                      auto cat = core::category_from_slug(*f[3]);
                      if (it == s.area_by_code.end() || !cat) return;
                      auto month = static_cast<std::uint16_t>(to_number<int>(*f[2]) - first);
                      s.areas[it->second].counts.push_back({month, *cat, to_number<std::uint32_t>(*f[4])});
                  });
}

// Ranks every area's value per (indicator, period): 1 = best by polarity, ties share a rank.
void rank_indicators(core::IndicatorSeries& series) {
    for (auto& [period, values] : series.by_period) {
        std::vector<std::pair<double, core::IndicatorRank*>> sorted;
        for (auto& [code, r] : values) sorted.emplace_back(r.value, &r);
        std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
            return series.higher_is_better ? a.first > b.first : a.first < b.first;
        });
        const auto of = static_cast<std::int32_t>(sorted.size());
        for (std::size_t i = 0; i < sorted.size(); ++i) {
            std::size_t first_equal = i;
            while (first_equal > 0 && sorted[first_equal - 1].first == sorted[i].first) --first_equal;
            auto* r = sorted[i].second;
            r->rank = static_cast<std::int32_t>(first_equal) + 1;
            r->of = of;
            r->quintile = std::min(5, 1 + (r->rank - 1) * 5 / std::max(1, of));
        }
    }
}

void load_indicators(Connection& conn, Snapshot& s) {
    conn.copy_out("COPY (SELECT indicator, name, coalesce(unit, ''), coalesce(polarity, 'higher_is_better'), period, "
                  "area_code, value FROM indicators ORDER BY indicator, period) TO STDOUT",
                  [&](std::string_view line) {
                      auto f = split_copy_line(line);
                      auto& series = s.indicators[*f[0]];
                      if (series.code.empty()) {
                          series.code = *f[0];
                          series.name = *f[1];
                          series.unit = *f[2];
                          series.higher_is_better = *f[3] != "lower_is_better";
                      }
                      if (series.periods.empty() || series.periods.back() != *f[4]) series.periods.push_back(*f[4]);
                      series.by_period[*f[4]][*f[5]] = core::IndicatorRank{to_double(*f[6]), 0, 0, 0};
                  });
    for (auto& [code, series] : s.indicators) rank_indicators(series);
}

}  // namespace

std::optional<std::int64_t> current_dataset_version(Connection& conn) {
    auto r = conn.query("SELECT max(version) FROM dataset_versions");
    if (r.is_null(0, 0)) return std::nullopt;
    return r.int64(0, 0);
}

std::shared_ptr<const core::Snapshot> load_snapshot(Connection& conn) {
    auto s = std::make_shared<Snapshot>();
    conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
        load_version(conn, *s);
        load_months(conn, *s);
        auto index = load_locations(conn, *s);
        load_records(conn, *s, index);
        load_areas(conn, *s);
        load_area_counts(conn, *s);
        load_indicators(conn, *s);
        conn.exec("COMMIT");
    } catch (...) {
        try { conn.exec("ROLLBACK"); } catch (...) {}
        throw;
    }
    s->loaded_at = std::chrono::system_clock::now();
    return s;
}

}  // namespace crimemap::store
