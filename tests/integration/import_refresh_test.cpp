// `crimemap refresh` and `crimemap seed`: area assignment, aggregates, dataset versions, NOTIFY.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <poll.h>

#include <chrono>

#include "support/test_db.hpp"
#include "tools/forces.hpp"

using crimemap::test::source_path;
using crimemap::test::TestDatabase;

namespace {
// Fingerprints of what refresh derives: the monthly aggregates and the crimes' area codes.
const std::string fingerprint_sql =
    "SELECT md5(string_agg(area_kind || area_code || month || category || crimes, ',' ORDER BY area_kind, "
    "area_code, month, category))"
    " FROM crime_monthly";
const std::string codes_sql =
    "SELECT md5(string_agg(concat_ws('|', id, lsoa_code, ward_code, lad_code, pfa_code, neighbourhood_code), "
    "',' ORDER BY id)) FROM crimes";
}  // namespace

TEST(ImportRefresh, AggregatesAddUpToTheCrimes) {
    TestDatabase db;
    db.seed_sample();
    const long long total = 50984;
    EXPECT_EQ(db.count("SELECT sum(crimes) FROM crime_monthly WHERE area_kind = 'all' AND area_code = 'all'"),
              total);
    EXPECT_EQ(
        db.count(
            "SELECT sum(crimes) FROM crime_monthly WHERE area_kind = 'force' AND area_code = 'west-mercia'"),
        total);
    EXPECT_EQ(db.count("SELECT sum(crimes) FROM crime_monthly WHERE area_kind = 'none'"),
              db.count("SELECT count(*) FROM crimes WHERE location_id IS NULL"));
    for (const char* kind : {"lsoa", "ward", "lad", "pfa", "neighbourhood"}) {
        std::string column = std::string(kind) + "_code";
        EXPECT_EQ(
            db.count(std::string("SELECT coalesce(sum(crimes), 0) FROM crime_monthly WHERE area_kind = '") +
                     kind + "'"),
            db.count("SELECT count(" + column + ") FROM crimes"))
            << kind;
    }
    // One row per (kind, code, month, category); the monthly 'all' rows match a direct count.
    EXPECT_EQ(db.count("SELECT count(*) FROM (SELECT month, category, sum(crimes) AS n FROM crime_monthly"
                       " WHERE area_kind = 'all' GROUP BY 1, 2) m JOIN (SELECT month, category, count(*) AS "
                       "n FROM crimes"
                       " GROUP BY 1, 2) c USING (month, category) WHERE m.n <> c.n"),
              0);
    EXPECT_EQ(db.count("SELECT count(DISTINCT category) FROM crime_monthly"), 14);
}

TEST(ImportRefresh, CrimesGetTheAreasThatContainThem) {
    TestDatabase db;
    db.seed_sample();
    // Every assigned code is an area of that kind, and the point lies inside it.
    EXPECT_EQ(
        db.count("SELECT count(*) FROM crimes c JOIN areas a ON a.kind = 'lsoa' AND a.code = c.lsoa_code"
                 " WHERE NOT ST_Intersects(a.geom, c.geom)"),
        0);
    EXPECT_EQ(db.count("SELECT count(*) FROM crimes c LEFT JOIN areas a ON a.kind = 'neighbourhood' AND "
                       "a.code = c.neighbourhood_code"
                       " WHERE c.neighbourhood_code IS NOT NULL AND a.code IS NULL"),
              0);
    // A crime without location has no areas; a located one in Hereford has all of them.
    EXPECT_EQ(db.count("SELECT count(*) FROM crimes WHERE location_id IS NULL AND (lsoa_code IS NOT NULL OR "
                       "pfa_code IS NOT NULL)"),
              0);
    auto c = db.connect();
    auto r = c.query(
        "SELECT lsoa_code, ward_code, lad_code, pfa_code, neighbourhood_code FROM crimes"
        " WHERE file_lsoa_code = 'E01014010' AND lsoa_code = file_lsoa_code LIMIT 1");
    ASSERT_EQ(r.size(), 1);
    EXPECT_EQ(r.text(0, 2), "E06000019");
    EXPECT_EQ(r.text(0, 3), "E23000016");
    EXPECT_TRUE(r.text(0, 1).starts_with("E05"));
    EXPECT_TRUE(r.text(0, 4).starts_with("west-mercia/HE"));
    // The file's LSOA is kept; most crimes agree with the polygon (PROVENANCE.md: ~96.7 %).
    long long compared =
        db.count("SELECT count(*) FROM crimes WHERE lsoa_code IS NOT NULL AND file_lsoa_code IS NOT NULL");
    long long agree = db.count("SELECT count(*) FROM crimes WHERE lsoa_code = file_lsoa_code");
    EXPECT_GT(compared, 50000);
    EXPECT_GT(static_cast<double>(agree) / static_cast<double>(compared), 0.95);
    auto stats = c.query(
        "SELECT (stats->>'lsoa_disagree')::bigint, (stats->>'lsoa_compared')::bigint, "
        "(stats->'areas'->>'lsoa')::int"
        " FROM dataset_versions ORDER BY version DESC LIMIT 1");
    ASSERT_EQ(stats.size(), 1);
    EXPECT_EQ(stats.int64(0, 0), compared - agree);
    EXPECT_EQ(stats.int64(0, 1), compared);
    EXPECT_EQ(stats.int64(0, 2), 781);
}

TEST(ImportRefresh, RefreshIsIdempotentAndNotifies) {
    TestDatabase db;
    db.seed_sample();
    std::string monthly = db.scalar(fingerprint_sql), codes = db.scalar(codes_sql);
    long long version = db.count("SELECT max(version) FROM dataset_versions");

    auto listener = db.connect();
    listener.exec("LISTEN crimemap_dataset");
    auto r = db.crimemap({"refresh"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(db.scalar(fingerprint_sql), monthly);
    EXPECT_EQ(db.scalar(codes_sql), codes);
    EXPECT_EQ(db.count("SELECT max(version) FROM dataset_versions"), version + 1);

    // The notification carries the new version as its payload.
    std::string payload;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (payload.empty() && std::chrono::steady_clock::now() < deadline) {
        pollfd p{listener.socket(), POLLIN, 0};
        poll(&p, 1, 200);
        PQconsumeInput(listener.raw());
        while (PGnotify* n = PQnotifies(listener.raw())) {
            if (std::string(n->relname) == "crimemap_dataset") payload = n->extra;
            PQfreemem(n);
        }
    }
    EXPECT_EQ(payload, std::to_string(version + 1));
}

TEST(ImportRefresh, SeedTwiceChangesNothing) {
    TestDatabase db;
    db.seed_sample();
    auto tables = [&] {
        return db.scalar(
            "SELECT concat_ws(' ', (SELECT count(*) FROM crimes), (SELECT count(*) FROM snap_locations), "
            "(SELECT count(*) FROM areas),"
            " (SELECT count(*) FROM postcodes), (SELECT count(*) FROM indicators), (SELECT count(*) FROM "
            "code_names),"
            " (SELECT count(*) FROM neighbourhoods), (SELECT count(*) FROM crime_monthly), (SELECT count(*) "
            "FROM forces),"
            " (SELECT count(*) FROM crime_loads), (SELECT sum(population) FROM areas),"
            " (SELECT count(*) FROM lsoa_deprivation), (SELECT count(*) FROM lsoa_classification))");
    };
    std::string before = tables();
    auto r = db.crimemap({"seed", source_path("data/sample")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(tables(), before);
    auto status = db.crimemap({"status", "--crimes"});
    EXPECT_EQ(status.out, "50984\n");
    auto full = db.crimemap({"status"});
    ASSERT_EQ(full.exit_code, 0) << full.describe();
    EXPECT_NE(full.out.find("west-mercia"), std::string::npos) << full.out;
}

TEST(ImportRefresh, ForcesTableMatchesTheBuiltInList) {
    TestDatabase db;
    auto c = db.connect();
    auto r = c.query("SELECT id, name, coalesce(pfa_code, '') FROM forces ORDER BY id");
    auto known = crimemap::tools::known_forces();
    ASSERT_EQ(static_cast<std::size_t>(r.size()), known.size());
    for (const auto& f : known) {
        auto row =
            c.query("SELECT name, coalesce(pfa_code, '') FROM forces WHERE id = $1", {std::string(f.id)});
        ASSERT_EQ(row.size(), 1) << f.id;
        EXPECT_EQ(row.text(0, 0), f.name);
        EXPECT_EQ(row.text(0, 1), f.pfa_code);
    }
}

// The refresh is SQL (schema/functions/0002_refresh.sql, installed by migrate): callable without
// the CLI, it reports what the tables hold, and it commits nothing on its own.
TEST(ImportRefresh, RefreshFunctionReportsWhatTheTablesHold) {
    TestDatabase db;
    db.seed_sample();
    const std::string monthly = db.scalar(fingerprint_sql);
    const long long version = db.count("SELECT max(version) FROM dataset_versions");
    auto c = db.connect();
    {
        crimemap::store::Transaction tx(c);
        auto r = c.query("SELECT * FROM crimemap_refresh()");
        ASSERT_EQ(r.size(), 1);
        auto get = [&](const char* column) { return r.int64(0, r.column(column)); };
        EXPECT_EQ(get("version"), version + 1);
        EXPECT_EQ(get("crimes"), c.query("SELECT count(*) FROM crimes").int64(0, 0));
        EXPECT_EQ(get("located"),
                  c.query("SELECT count(*) FROM crimes WHERE location_id IS NOT NULL").int64(0, 0));
        for (const char* kind : {"lsoa", "msoa", "ward", "lad", "pfa", "neighbourhood"})
            EXPECT_EQ(get(kind),
                      c.query(std::string("SELECT count(*) FROM crimes WHERE ") + kind + "_code IS NOT NULL")
                          .int64(0, 0))
                << kind;
        EXPECT_EQ(get("monthly_rows"), c.query("SELECT count(*) FROM crime_monthly").int64(0, 0));
        EXPECT_EQ(get("lsoa_disagree"),
                  c.query("SELECT count(*) FROM crimes WHERE file_lsoa_code <> lsoa_code").int64(0, 0));
        EXPECT_EQ(get("districts"), c.query("SELECT count(*) FROM areas WHERE kind = 'lad'").int64(0, 0));
        EXPECT_EQ(
            get("districts_with_county"),
            c.query("SELECT count(*) FROM areas WHERE kind = 'lad' AND parent_codes ? 'county'").int64(0, 0));
        // The stats of the new version are the function's answer.
        auto stats = c.query(
            "SELECT (stats->'assigned'->>'ward')::bigint, (stats->>'crime_monthly_rows')::bigint"
            " FROM dataset_versions WHERE version = $1",
            {std::to_string(version + 1)});
        ASSERT_EQ(stats.size(), 1);
        EXPECT_EQ(stats.int64(0, 0), get("ward"));
        EXPECT_EQ(stats.int64(0, 1), get("monthly_rows"));
        // Not committed: the caller's rollback undoes the version (the CLI commits).
    }
    EXPECT_EQ(db.count("SELECT max(version) FROM dataset_versions"), version);
    EXPECT_EQ(db.scalar(fingerprint_sql), monthly);
}

TEST(ImportRefresh, RefreshStepsRebuildWhatWasLost) {
    TestDatabase db;
    db.seed_sample();
    const std::string monthly = db.scalar(fingerprint_sql), codes = db.scalar(codes_sql);
    auto c = db.connect();
    crimemap::store::Transaction tx(c);
    c.exec("UPDATE crimes SET lsoa_code = NULL, ward_code = 'E05999999', neighbourhood_code = NULL");
    c.exec("DELETE FROM crime_monthly");
    c.exec("SELECT crimemap_refresh_assign_areas()");
    auto rows = c.query("SELECT crimemap_refresh_monthly()");
    tx.commit();
    EXPECT_EQ(db.scalar(codes_sql), codes);
    EXPECT_EQ(db.scalar(fingerprint_sql), monthly);
    EXPECT_EQ(rows.int64(0, 0), db.count("SELECT count(*) FROM crime_monthly"));
}
