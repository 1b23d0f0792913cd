#include "store/crime_details.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace crimemap::store {
namespace {

constexpr const char* columns =
    "c.id, coalesce(c.crime_id, ''), extract(year from c.month)::int * 12 + extract(month from c.month)::int "
    "- 1, "
    "c.category, c.force_id, c.location_id, ST_Y(c.geom), ST_X(c.geom), c.location, coalesce(c.last_outcome, "
    "''), "
    "coalesce(c.context, '')";

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9f", v);
    return buf;
}
std::string month_date(core::Month m) { return m.str() + "-01"; }

std::vector<core::CrimeDetail> rows_to_crimes(const Rows& r) {
    std::vector<core::CrimeDetail> out;
    out.reserve(static_cast<std::size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) {
        core::CrimeDetail c;
        c.id = r.int64(i, 0);
        c.persistent_id = std::string(r.text(i, 1));
        c.month = core::Month::from_index(static_cast<std::int32_t>(r.int64(i, 2)));
        c.category = std::string(r.text(i, 3));
        c.force_id = std::string(r.text(i, 4));
        if (!r.is_null(i, 5)) {
            c.location_id = r.int64(i, 5);
            c.lat = r.float64(i, 6);
            c.lon = r.float64(i, 7);
            c.street = std::string(r.text(i, 8));
        }
        c.outcome = std::string(r.text(i, 9));
        c.context = std::string(r.text(i, 10));
        out.push_back(std::move(c));
    }
    return out;
}

// The WHERE fragment for "geom inside the area" (polygon or circle) on `geom`, its parameters
// appended to params from $first on. The WKT is built from parsed numbers only.
std::string area_filter(const core::CrimeArea& area, const std::string& geom,
                        std::vector<std::optional<std::string>>& params) {
    auto arg = [&](std::string v) {
        params.emplace_back(std::move(v));
        return "$" + std::to_string(params.size());
    };
    if (!area.polygon.empty()) {
        std::string wkt = "POLYGON((";
        for (const auto& p : area.polygon) wkt += num(p.lon) + " " + num(p.lat) + ",";
        wkt += num(area.polygon.front().lon) + " " + num(area.polygon.front().lat) + "))";
        return "ST_Intersects(" + geom + ", ST_GeomFromText(" + arg(wkt) + ", 4326))";
    }
    const double dlat = area.radius_m / 111194.9;
    const double dlon = dlat / std::max(0.01, std::cos(area.centre.lat * 3.14159265358979 / 180));
    auto lon = arg(num(area.centre.lon)), lat = arg(num(area.centre.lat));
    auto dx = arg(num(dlon)), dy = arg(num(dlat)), r = arg(num(area.radius_m));
    return geom + " && ST_MakeEnvelope(" + lon + "::float8 - " + dx + "::float8, " + lat + "::float8 - " +
           dy + "::float8, " + lon + "::float8 + " + dx + "::float8, " + lat + "::float8 + " + dy +
           "::float8, 4326) AND ST_DWithin(" + geom + "::geography, ST_SetSRID(ST_MakePoint(" + lon +
           "::float8, " + lat + "::float8), 4326)::geography, " + r + "::float8)";
}

// Outcome rows: outcome name, outcome month index, then the crime in `columns`' order.
constexpr const char* outcome_columns =
    "o.outcome_name, extract(year from o.month)::int * 12 + extract(month from o.month)::int - 1,"
    " coalesce(c.id, 0), o.crime_id,"
    " extract(year from coalesce(c.month, o.month))::int * 12 + extract(month from coalesce(c.month, "
    "o.month))::int - 1,"
    " coalesce(c.category, ''), o.force_id, o.location_id, ST_Y(o.geom), ST_X(o.geom), o.location, '',"
    " coalesce(c.context, '')";
constexpr const char* outcome_from =
    " FROM outcomes o LEFT JOIN LATERAL (SELECT * FROM crimes x WHERE x.crime_id = o.crime_id ORDER BY "
    "x.month, x.id"
    " LIMIT 1) c ON true";

std::vector<core::OutcomeDetail> rows_to_outcomes(const Rows& r) {
    std::vector<core::OutcomeDetail> out;
    out.reserve(static_cast<std::size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) {
        core::OutcomeDetail o;
        o.name = std::string(r.text(i, 0));
        o.month = core::Month::from_index(static_cast<std::int32_t>(r.int64(i, 1)));
        auto& c = o.crime;
        c.id = r.int64(i, 2);
        c.persistent_id = std::string(r.text(i, 3));
        c.month = core::Month::from_index(static_cast<std::int32_t>(r.int64(i, 4)));
        c.category = std::string(r.text(i, 5));
        c.force_id = std::string(r.text(i, 6));
        if (!r.is_null(i, 7) && !r.is_null(i, 8)) {
            c.location_id = r.int64(i, 7);
            c.lat = r.float64(i, 8);
            c.lon = r.float64(i, 9);
            c.street = std::string(r.text(i, 10));
        }
        c.context = std::string(r.text(i, 12));
        out.push_back(std::move(o));
    }
    return out;
}

// A street file's last outcome as an outcome dated the crime's month.
core::OutcomeDetail last_outcome_of(const core::CrimeDetail& c) {
    return core::OutcomeDetail{c.outcome, c.month, c};
}

std::optional<bool> tri(const Rows& r, int row, int col) {
    if (r.is_null(row, col)) return std::nullopt;
    return r.text(row, col) == "t";
}

constexpr const char* stop_columns =
    "t.id, t.force_id, t.type, t.datetime_text,"
    " extract(year from t.month)::int * 12 + extract(month from t.month)::int - 1, t.operation,"
    " coalesce(t.operation_name, ''), t.location_id, ST_Y(t.geom), ST_X(t.geom), coalesce(l.name, ''),"
    " coalesce(t.gender, ''), coalesce(t.age_range, ''), coalesce(t.self_defined_ethnicity, ''),"
    " coalesce(t.officer_defined_ethnicity, ''), coalesce(t.legislation, ''), coalesce(t.object_of_search, "
    "''),"
    " coalesce(t.outcome, ''), t.outcome_linked_to_object_of_search, t.removal_of_more_than_outer_clothing";

std::vector<core::StopDetail> rows_to_stops(const Rows& r) {
    std::vector<core::StopDetail> out;
    out.reserve(static_cast<std::size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) {
        core::StopDetail t;
        t.id = r.int64(i, 0);
        t.force_id = std::string(r.text(i, 1));
        t.type = std::string(r.text(i, 2));
        t.datetime = std::string(r.text(i, 3));
        t.month = core::Month::from_index(static_cast<std::int32_t>(r.int64(i, 4)));
        t.operation = tri(r, i, 5);
        t.operation_name = std::string(r.text(i, 6));
        if (!r.is_null(i, 7) && !r.is_null(i, 8)) {
            t.location_id = r.int64(i, 7);
            t.lat = r.float64(i, 8);
            t.lon = r.float64(i, 9);
            t.street = std::string(r.text(i, 10));
        }
        t.gender = std::string(r.text(i, 11));
        t.age_range = std::string(r.text(i, 12));
        t.self_defined_ethnicity = std::string(r.text(i, 13));
        t.officer_defined_ethnicity = std::string(r.text(i, 14));
        t.legislation = std::string(r.text(i, 15));
        t.object_of_search = std::string(r.text(i, 16));
        t.outcome = std::string(r.text(i, 17));
        t.outcome_linked_to_object_of_search = tri(r, i, 18);
        t.removal_of_more_than_outer_clothing = tri(r, i, 19);
        out.push_back(std::move(t));
    }
    return out;
}

class PgCrimeDetails final : public core::CrimeDetails {
  public:
    explicit PgCrimeDetails(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

    std::vector<core::CrimeDetail> in_area(const core::CrimeArea& area, core::Month month,
                                           std::optional<std::string> category, std::size_t limit) override {
        return pool_->run("crime details query", [&](Connection& db) {
            if (!area.polygon.empty()) {
                // The WKT is built from parsed numbers only, and sent as a parameter.
                std::string wkt = "POLYGON((";
                for (const auto& p : area.polygon) wkt += num(p.lon) + " " + num(p.lat) + ",";
                wkt += num(area.polygon.front().lon) + " " + num(area.polygon.front().lat) + "))";
                return rows_to_crimes(db.query(
                    std::string("SELECT ") + columns +
                        " FROM crimes c WHERE c.month = $1::date AND ($2::text IS NULL OR c.category = $2)"
                        " AND ST_Intersects(c.geom, ST_GeomFromText($3, 4326)) ORDER BY c.id LIMIT $4",
                    {month_date(month), category, wkt, std::to_string(limit)}));
            }
            const double dlat = area.radius_m / 111194.9;
            const double dlon = dlat / std::max(0.01, std::cos(area.centre.lat * 3.14159265358979 / 180));
            return rows_to_crimes(db.query(
                std::string("SELECT ") + columns +
                    " FROM crimes c WHERE c.month = $1::date AND ($2::text IS NULL OR c.category = $2)"
                    " AND c.geom && ST_MakeEnvelope($3::float8 - $5::float8, $4::float8 - $6::float8, "
                    "$3::float8 + $5::float8,"
                    " $4::float8 + $6::float8, 4326)"
                    " AND ST_DWithin(c.geom::geography, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, "
                    "$7)"
                    " ORDER BY c.id LIMIT $8",
                {month_date(month), category, num(area.centre.lon), num(area.centre.lat), num(dlon),
                 num(dlat), num(area.radius_m), std::to_string(limit)}));
        });
    }

    std::vector<core::CrimeDetail> at_location(std::optional<std::int64_t> location_id, geo::LonLat near,
                                               core::Month month, std::size_t limit) override {
        return pool_->run("crime details query", [&](Connection& db) {
            std::optional<std::string> id;
            if (location_id) id = std::to_string(*location_id);
            return rows_to_crimes(db.query(
                std::string("SELECT ") + columns +
                    " FROM crimes c WHERE c.month = $1::date AND c.location_id = coalesce($2::bigint,"
                    " (SELECT s.id FROM snap_locations s WHERE EXISTS (SELECT 1 FROM crimes x WHERE "
                    "x.location_id = s.id"
                    "  AND x.month = $1::date) ORDER BY s.geom <-> ST_SetSRID(ST_MakePoint($3, $4), 4326) "
                    "LIMIT 1))"
                    " ORDER BY c.id LIMIT $5",
                {month_date(month), id, num(near.lon), num(near.lat), std::to_string(limit)}));
        });
    }

    std::vector<core::CrimeDetail> no_location(const std::string& force, core::Month month,
                                               std::optional<std::string> category,
                                               std::size_t limit) override {
        return pool_->run("crime details query", [&](Connection& db) {
            return rows_to_crimes(db.query(
                std::string("SELECT ") + columns +
                    " FROM crimes c WHERE c.force_id = $1 AND c.month = $2::date AND c.location_id IS NULL"
                    " AND ($3::text IS NULL OR c.category = $3) ORDER BY c.id LIMIT $4",
                {force, month_date(month), category, std::to_string(limit)}));
        });
    }

    std::vector<std::pair<std::string, std::uint64_t>> outcomes(const std::string& area_kind,
                                                                const std::string& area_code,
                                                                core::Month from, core::Month to) override {
        static const std::pair<const char*, const char*> kinds[] = {
            {"lsoa", "lsoa_code"}, {"msoa", "msoa_code"}, {"ward", "ward_code"},
            {"lad", "lad_code"},   {"pfa", "pfa_code"},   {"neighbourhood", "neighbourhood_code"}};
        const char* column = nullptr;
        for (const auto& [k, c] : kinds)
            if (area_kind == k) column = c;
        if (!column) return {};
        return pool_->run("crime details query", [&](Connection& db) {
            auto r = db.query(
                std::string("SELECT coalesce(last_outcome, ''), count(*) FROM crimes WHERE ") + column +
                    " = $1 AND month BETWEEN $2::date AND $3::date GROUP BY 1 ORDER BY 2 DESC, 1",
                {area_code, month_date(from), month_date(to)});
            std::vector<std::pair<std::string, std::uint64_t>> out;
            out.reserve(static_cast<std::size_t>(r.size()));
            for (int i = 0; i < r.size(); ++i)
                out.emplace_back(std::string(r.text(i, 0)), static_cast<std::uint64_t>(r.int64(i, 1)));
            return out;
        });
    }

    core::CrimeOutcomes outcomes_for_crime(const std::string& persistent_id) override {
        return pool_->run("crime details query", [&](Connection& db) {
            core::CrimeOutcomes out;
            auto crime = rows_to_crimes(
                db.query(std::string("SELECT ") + columns +
                             " FROM crimes c WHERE c.crime_id = $1 ORDER BY c.month, c.id LIMIT 1",
                         {persistent_id}));
            auto rows =
                rows_to_outcomes(db.query(std::string("SELECT ") + outcome_columns + outcome_from +
                                              " WHERE o.crime_id = $1 ORDER BY o.month, o.id LIMIT 1000",
                                          {persistent_id}));
            if (!crime.empty()) out.crime = crime.front();
            if (!rows.empty()) {
                if (!out.crime) out.crime = rows.front().crime;
                out.outcomes.rows = std::move(rows);
                out.outcomes.from_outcomes_file = true;
                return out;
            }
            if (!out.crime) return out;
            // No outcome rows: the outcomes file speaks (an empty list) when one is loaded for the
            // crime's force and month (police.uk lists a crime's outcomes from its own month's file
            // on); otherwise the street file's last outcome.
            auto loaded =
                db.query("SELECT 1 FROM outcome_loads WHERE force_id = $1 AND month = $2::date LIMIT 1",
                         {out.crime->force_id, month_date(out.crime->month)});
            out.outcomes.from_outcomes_file = loaded.size() > 0;
            if (!out.outcomes.from_outcomes_file && !out.crime->outcome.empty())
                out.outcomes.rows.push_back(last_outcome_of(*out.crime));
            return out;
        });
    }

    core::OutcomeList outcomes_at(std::optional<std::int64_t> location_id, const core::CrimeArea& area,
                                  core::Month month, std::size_t limit) override {
        return pool_->run("crime details query", [&](Connection& db) {
            core::OutcomeList out;
            out.from_outcomes_file =
                db.query("SELECT 1 FROM outcome_loads WHERE month = $1::date LIMIT 1", {month_date(month)})
                    .size() > 0;
            std::vector<std::optional<std::string>> params{month_date(month), std::to_string(limit)};
            if (out.from_outcomes_file) {
                std::string where = location_id ? "o.location_id = $3" : area_filter(area, "o.geom", params);
                if (location_id) params.emplace_back(std::to_string(*location_id));
                out.rows = rows_to_outcomes(db.query(std::string("SELECT ") + outcome_columns + outcome_from +
                                                         " WHERE o.month = $1::date AND " + where +
                                                         " ORDER BY o.id LIMIT $2",
                                                     params));
                return out;
            }
            std::string where = location_id ? "c.location_id = $3" : area_filter(area, "c.geom", params);
            if (location_id) params.emplace_back(std::to_string(*location_id));
            auto crimes = rows_to_crimes(
                db.query(std::string("SELECT ") + columns +
                             " FROM crimes c WHERE c.month = $1::date AND c.last_outcome IS NOT NULL AND " +
                             where + " ORDER BY c.id LIMIT $2",
                         params));
            for (const auto& c : crimes) out.rows.push_back(last_outcome_of(c));
            return out;
        });
    }

    std::vector<core::StopDetail> stops(StopScope scope, const core::CrimeArea& area,
                                        std::optional<std::int64_t> location_id, const std::string& force,
                                        core::Month month, std::size_t limit) override {
        return pool_->run("crime details query", [&](Connection& db) {
            std::vector<std::optional<std::string>> params{month_date(month), std::to_string(limit)};
            std::string where;
            switch (scope) {
                case StopScope::area: where = area_filter(area, "t.geom", params); break;
                case StopScope::location:
                    params.emplace_back(std::to_string(location_id.value_or(-1)));
                    where = "t.location_id = $3";
                    break;
                case StopScope::no_location:
                    params.emplace_back(force);
                    where = "t.force_id = $3 AND t.geom IS NULL";
                    break;
                case StopScope::force:
                    params.emplace_back(force);
                    where = "t.force_id = $3";
                    break;
            }
            return rows_to_stops(
                db.query(std::string("SELECT ") + stop_columns +
                             " FROM stops t LEFT JOIN snap_locations l ON l.id = t.location_id"
                             " WHERE t.month = $1::date AND " +
                             where + " ORDER BY t.datetime NULLS LAST, t.id LIMIT $2",
                         params));
        });
    }

  private:
    std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace

std::shared_ptr<core::CrimeDetails> make_crime_details(std::shared_ptr<ConnectionPool> pool) {
    return std::make_shared<PgCrimeDetails>(std::move(pool));
}

}  // namespace crimemap::store
