#include "store/snapshot_loader.hpp"

#include <charconv>

#include "core/snapshot_builder.hpp"
#include "core/stop_groups.hpp"
#include "geo/wkb.hpp"
#include "store/api_loader.hpp"

namespace crimemap::store {
namespace {

using core::Month;

// A date column as a month index (year * 12 + month - 1), computed in SQL.
std::string month_index(const std::string& column) {
    return "(extract(year from " + column + ")::int * 12 + extract(month from " + column + ")::int - 1)";
}

template <class T>
T to_number(std::string_view text) {
    T v{};
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
}
double to_double(const std::string& text) { return std::strtod(text.c_str(), nullptr); }
Month to_month(std::string_view text) { return Month::from_index(to_number<std::int32_t>(text)); }

Month current_month() {
    std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    return Month::from_year_month(static_cast<int>(ymd.year()),
                                  static_cast<int>(static_cast<unsigned>(ymd.month())));
}

}  // namespace

std::optional<std::int64_t> current_dataset_version(Connection& conn) {
    auto r = conn.query("SELECT max(version) FROM dataset_versions");
    if (r.is_null(0, 0)) return std::nullopt;
    return r.int64(0, 0);
}

std::shared_ptr<const core::Snapshot> load_snapshot(Connection& conn) {
    Transaction tx(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");

    auto version = conn.query(
        "SELECT version, extract(epoch from created_at)::float8 FROM dataset_versions "
        "ORDER BY version DESC LIMIT 1");
    auto months = conn.query("SELECT min(" + month_index("month") + "), max(" + month_index("month") +
                             "), count(*) FILTER (WHERE location_id IS NULL) FROM crimes");
    // With no crimes yet, the current month stands in so that filters still parse.
    const Month first = months.is_null(0, 0) ? current_month() : to_month(months.text(0, 0));
    const Month last = months.is_null(0, 1) ? current_month() : to_month(months.text(0, 1));
    core::SnapshotBuilder b(version.size() ? version.int64(0, 0) : 0, first, last);
    if (version.size())
        b.set_created_at(std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::duration<double>(version.float64(0, 1)))));
    b.add_unlocated(static_cast<std::uint64_t>(months.int64(0, 2)));

    conn.copy_out(
        "COPY (SELECT l.id, l.lon, l.lat, l.name FROM snap_locations l "
        "WHERE EXISTS (SELECT 1 FROM crimes c WHERE c.location_id = l.id)) TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            b.add_location(to_number<std::int64_t>(*f[0]), {to_double(*f[1]), to_double(*f[2])},
                           std::move(*f[3]));
        });
    // One line per crime, not GROUP BY: almost every (location, month, category) holds a single
    // crime, so grouping in SQL saves little transfer and cost 2.6x the time at national scale
    // (bench/RESULTS.md). SnapshotBuilder merges repeats when it sorts the records.
    conn.copy_out("COPY (SELECT location_id, " + month_index("month") +
                      ", category FROM crimes WHERE location_id IS NOT NULL) TO STDOUT",
                  [&](std::string_view line) {
                      auto f = split_copy_line(line);
                      if (auto cat = core::category_from_slug(*f[2]))
                          b.add_crimes(to_number<std::int64_t>(*f[0]), to_month(*f[1]), *cat, 1);
                  });
    // Stop and search: the snap locations stops use, and the located stops grouped per location,
    // month, object of search and outcome in SQL (a few rows per location), mapped to the tile
    // layer's groups here (core/stop_groups.hpp).
    conn.copy_out(
        "COPY (SELECT l.id, l.lon, l.lat, l.name FROM snap_locations l "
        "WHERE EXISTS (SELECT 1 FROM stops t WHERE t.location_id = l.id)) TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            b.add_stop_location(to_number<std::int64_t>(*f[0]), {to_double(*f[1]), to_double(*f[2])},
                                std::move(*f[3]));
        });
    conn.copy_out("COPY (SELECT location_id, " + month_index("month") +
                      ", coalesce(object_of_search, ''), coalesce(outcome, ''), count(*) FROM stops "
                      "WHERE location_id IS NOT NULL GROUP BY 1, 2, 3, 4) TO STDOUT",
                  [&](std::string_view line) {
                      auto f = split_copy_line(line);
                      b.add_stops(to_number<std::int64_t>(*f[0]), to_month(*f[1]),
                                  static_cast<std::uint8_t>(core::stop_object_group(*f[2])),
                                  static_cast<std::uint8_t>(core::stop_outcome_group(*f[3])),
                                  to_number<std::uint32_t>(*f[4]));
                  });
    // District and ward labels at the point `crimemap refresh` stores (areas.label_point); areas
    // imported since the last refresh get one computed here.
    conn.copy_out(
        "COPY (SELECT kind, code, name, ST_X(p), ST_Y(p) FROM (SELECT kind, code, name, "
        "coalesce(label_point, ST_PointOnSurface(geom)) AS p FROM areas WHERE kind IN ('lad', 'ward')) a) "
        "TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            const auto kind = *f[0] == "lad" ? core::PlaceLabelKind::district : core::PlaceLabelKind::ward;
            b.add_place_label(kind, {to_double(*f[3]), to_double(*f[4])}, std::move(*f[2]), std::move(*f[1]));
        });
    // parent_codes.county: a district's county, set by `crimemap refresh` (two-tier areas only);
    // the other parent codes: the containing area of each kind, by a point inside the area.
    conn.copy_out(
        "COPY (SELECT kind, code, name, population, encode(ST_AsBinary(geom), 'hex'), "
        "CASE WHEN kind = 'lad' THEN parent_codes->>'county' END, population_method, population_source, "
        "population_period, population_lsoas, parent_codes->>'lsoa', parent_codes->>'msoa', "
        "parent_codes->>'ward', parent_codes->>'lad', parent_codes->>'pfa', parent_codes->>'neighbourhood' "
        "FROM areas ORDER BY kind, code) TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            auto kind = core::area_kind_from_string(*f[0]);
            auto wkb = geo::parse_hex_wkb(*f[4]);
            if (!kind || !wkb) return;
            std::optional<std::int32_t> population;
            if (f[3]) population = to_number<std::int32_t>(*f[3]);
            std::string code = *f[1];
            b.add_area(*kind, std::move(*f[1]), std::move(*f[2]), population, wkb.geometry->polygons);
            if (f[5] && !f[5]->empty()) b.set_area_county(code, std::move(*f[5]));
            if (f[6]) {
                core::PopulationSource source{std::move(*f[6]), f[7] ? std::move(*f[7]) : std::string(),
                                              f[8] ? std::move(*f[8]) : std::string(),
                                              f[9] ? to_number<std::int32_t>(*f[9]) : 0};
                b.set_area_population_source(*kind, code, std::move(source));
            }
            std::array<std::string, 6> parents;
            for (std::size_t k = 0; k < parents.size(); ++k)
                if (f[10 + k]) parents[k] = std::move(*f[10 + k]);
            b.set_area_parents(*kind, code, std::move(parents));
        });
    // Deprivation and area classification of the LSOAs loaded (rows for other LSOAs stay behind).
    std::string deprivation_columns;
    for (auto key : core::deprivation_keys)
        deprivation_columns += ", d." + std::string(key) + "_rank, d." + std::string(key) + "_decile";
    conn.copy_out(
        "COPY (SELECT d.lsoa_code, d.edition" + deprivation_columns +
            " FROM lsoa_deprivation d JOIN areas a ON a.kind = 'lsoa' AND a.code = d.lsoa_code) TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            core::Deprivation d;
            d.edition = std::move(*f[1]);
            for (std::size_t m = 0; m < core::deprivation_measures; ++m) {
                d.rank[m] = to_number<std::int32_t>(*f[2 + 2 * m]);
                d.decile[m] = to_number<std::int16_t>(*f[3 + 2 * m]);
            }
            b.set_lsoa_deprivation(*f[0], std::move(d));
        });
    conn.copy_out(
        "COPY (SELECT c.lsoa_code, c.group_code, c.group_name, c.supergroup FROM lsoa_classification c"
        " JOIN areas a ON a.kind = 'lsoa' AND a.code = c.lsoa_code) TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            b.set_lsoa_classification(*f[0], core::Classification{std::move(*f[1]), std::move(*f[2]),
                                                                  to_number<std::int16_t>(*f[3])});
        });
    conn.copy_out("COPY (SELECT area_kind, area_code, " + month_index("month") +
                      ", category, crimes FROM crime_monthly) TO STDOUT",
                  [&](std::string_view line) {
                      auto f = split_copy_line(line);
                      auto kind = core::area_kind_from_string(*f[0]);
                      auto cat = core::category_from_slug(*f[3]);
                      if (kind && cat)
                          b.add_area_count(*kind, *f[1], to_month(*f[2]), *cat,
                                           to_number<std::uint32_t>(*f[4]));
                  });
    // An indicator without a stated polarity is neutral: ranked by value, no better direction implied.
    conn.copy_out(
        "COPY (SELECT indicator, name, coalesce(unit, ''), coalesce(polarity, 'neutral'), period, "
        "area_code, value, target, benchmark FROM indicators) TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            std::optional<double> target, benchmark;
            if (f[7]) target = to_double(*f[7]);
            if (f[8]) benchmark = to_double(*f[8]);
            b.add_indicator_value(*f[0], *f[1], *f[2], core::polarity_from_string(*f[3]), *f[4], *f[5],
                                  to_double(*f[6]), target, benchmark);
        });
    auto api = load_api_data(conn);  // postcodes, forces, teams for the JSON APIs
    tx.commit();
    return attach_api_data(b.finish(), std::move(api));
}

}  // namespace crimemap::store
