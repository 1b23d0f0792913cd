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

  private:
    std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace

std::shared_ptr<core::CrimeDetails> make_crime_details(std::shared_ptr<ConnectionPool> pool) {
    return std::make_shared<PgCrimeDetails>(std::move(pool));
}

}  // namespace crimemap::store
