#include "tools/refresh.hpp"

#include "tools/common.hpp"

#include <cstdio>

namespace crimemap::tools {
namespace {

// Area kinds assigned to crimes, with the crimes column that receives the code.
constexpr std::pair<const char*, const char*> kAssigned[] = {
    {"lsoa", "lsoa_code"}, {"msoa", "msoa_code"}, {"ward", "ward_code"},
    {"lad", "lad_code"},   {"pfa", "pfa_code"},   {"neighbourhood", "neighbourhood_code"},
};

}  // namespace

RefreshResult refresh(store::Connection& db) {
    auto start = std::chrono::steady_clock::now();
    RefreshResult r;
    store::Transaction tx(db);
    db.exec("SELECT pg_advisory_xact_lock(7260491002)");  // same lock as crime imports
    // JIT compilation costs more than it saves on these statements; hash aggregates want memory.
    db.exec("SET LOCAL jit = off");
    db.exec("SET LOCAL work_mem = '128MB'");

    // A district's county (two-tier areas): an imported ONS lookup first, else the most common
    // county code of the district's postcodes (pseudo codes are NULL there); none for unitaries.
    db.exec(
        "CREATE TEMP TABLE refresh_counties ON COMMIT DROP AS"
        " SELECT a.code, coalesce(d.county, p.county) AS county FROM areas a"
        " LEFT JOIN district_counties d ON d.lad = a.code"
        " LEFT JOIN (SELECT DISTINCT ON (lad) lad, county FROM ("
        "   SELECT lad, county, count(*) AS n FROM postcodes WHERE lad IS NOT NULL AND county IS NOT NULL GROUP BY 1, 2) c"
        "  ORDER BY lad, n DESC, county) p ON p.lad = a.code"
        " WHERE a.kind = 'lad' AND coalesce(d.county, p.county) IS NOT NULL AND coalesce(d.county, p.county) <> a.code");

    // Parent codes: the containing area of each coarser kind, found from a point inside the area,
    // and a district's county.
    db.exec(
        "WITH parents(child, parent) AS (VALUES ('lsoa', 'msoa'), ('lsoa', 'lad'), ('lsoa', 'pfa'), ('msoa', 'lad'),"
        "  ('msoa', 'pfa'), ('ward', 'lad'), ('ward', 'pfa'), ('neighbourhood', 'lad'), ('neighbourhood', 'pfa'),"
        "  ('lad', 'pfa')),"
        " found AS (SELECT a.kind, a.code, coalesce((SELECT jsonb_object_agg(p.kind, p.code) FROM ("
        "   SELECT DISTINCT ON (b.kind) b.kind, b.code FROM areas b JOIN parents pr ON pr.child = a.kind AND pr.parent = b.kind"
        "   WHERE ST_Intersects(b.geom, ST_PointOnSurface(a.geom)) ORDER BY b.kind, b.code) p), '{}'::jsonb)"
        "  || coalesce((SELECT jsonb_build_object('county', rc.county) FROM refresh_counties rc"
        "   WHERE a.kind = 'lad' AND rc.code = a.code), '{}'::jsonb) AS pc"
        "  FROM areas a)"
        " UPDATE areas a SET parent_codes = f.pc FROM found f"
        " WHERE a.kind = f.kind AND a.code = f.code AND a.parent_codes IS DISTINCT FROM f.pc");

    auto counties = db.query(
        "SELECT count(*), count(*) FILTER (WHERE parent_codes ? 'county') FROM areas WHERE kind = 'lad'");
    r.districts = counties.int64(0, 0);
    r.districts_with_county = counties.int64(0, 1);

    // Point-in-polygon once per snap location in use, then copied to its crimes.
    std::string cols, set_cols, crime_cols, point_cols, all_null;
    db.exec(
        "CREATE TEMP TABLE refresh_points ON COMMIT DROP AS SELECT s.id, s.geom FROM snap_locations s"
        " WHERE EXISTS (SELECT 1 FROM crimes c WHERE c.location_id = s.id)");
    db.exec("CREATE INDEX ON refresh_points USING gist (geom)");
    db.exec("ANALYZE refresh_points");
    for (const auto& [kind, column] : kAssigned) {
        std::string k = kind;
        db.exec("ALTER TABLE refresh_points ADD COLUMN " + k + " text");
        // Areas drive the loop (points found through their index), so consecutive ST_Intersects
        // calls share one polygon and PostGIS reuses its prepared form: ~10x faster than per point.
        db.exec("UPDATE refresh_points p SET " + k + " = m.code FROM ("
                " SELECT DISTINCT ON (q.id) q.id, a.code FROM areas a"
                " JOIN refresh_points q ON ST_Intersects(a.geom, q.geom) WHERE a.kind = '" + k + "' ORDER BY q.id, a.code) m"
                " WHERE m.id = p.id");
        if (!crime_cols.empty()) {
            crime_cols += ", ";
            point_cols += ", ";
            set_cols += ", ";
            all_null += " OR ";
        }
        crime_cols += std::string("c.") + column;
        point_cols += "p." + k;
        set_cols += std::string(column) + " = p." + k;
        all_null += std::string(column) + " IS NOT NULL";
    }
    db.exec("UPDATE crimes c SET " + set_cols + " FROM refresh_points p WHERE c.location_id = p.id AND (" + crime_cols +
            ") IS DISTINCT FROM (" + point_cols + ")");
    std::string nulls;
    for (const auto& [kind, column] : kAssigned) nulls += std::string(nulls.empty() ? "" : ", ") + column + " = NULL";
    db.exec("UPDATE crimes SET " + nulls + " WHERE location_id IS NULL AND (" + all_null + ")");

    // Aggregates (see the crime_monthly table comment for the kinds).
    db.exec("DELETE FROM crime_monthly");
    auto monthly = db.query(
        "WITH ins AS (INSERT INTO crime_monthly (area_kind, area_code, month, category, crimes)"
        " SELECT k.kind, k.code, c.month, c.category, count(*) FROM crimes c CROSS JOIN LATERAL (VALUES"
        "  ('lsoa', c.lsoa_code), ('msoa', c.msoa_code), ('ward', c.ward_code), ('lad', c.lad_code), ('pfa', c.pfa_code),"
        "  ('neighbourhood', c.neighbourhood_code), ('force', c.force_id), ('all', 'all'),"
        "  ('none', CASE WHEN c.location_id IS NULL THEN c.force_id END)) AS k(kind, code)"
        " WHERE k.code IS NOT NULL GROUP BY 1, 2, 3, 4 RETURNING 1) SELECT count(*) FROM ins");
    r.monthly_rows = monthly.int64(0, 0);

    db.exec("DELETE FROM snap_locations s WHERE NOT EXISTS (SELECT 1 FROM crimes c WHERE c.location_id = s.id)");

    auto counts = db.query(
        "SELECT count(*), count(location_id), count(lsoa_code), count(msoa_code), count(ward_code), count(lad_code),"
        " count(pfa_code), count(neighbourhood_code),"
        " count(*) FILTER (WHERE file_lsoa_code IS NOT NULL AND lsoa_code IS NOT NULL),"
        " count(*) FILTER (WHERE file_lsoa_code IS NOT NULL AND lsoa_code IS NOT NULL AND file_lsoa_code <> lsoa_code),"
        " count(*) FILTER (WHERE location_id IS NOT NULL AND lsoa_code IS NULL),"
        " count(*) FILTER (WHERE file_lsoa_code IS NOT NULL AND NOT EXISTS ("
        "   SELECT 1 FROM areas a WHERE a.kind = 'lsoa' AND a.code = crimes.file_lsoa_code))"
        " FROM crimes");
    r.crimes = counts.int64(0, 0);
    r.located = counts.int64(0, 1);
    for (int i = 0; i < 6; ++i) r.assigned.emplace_back(kAssigned[i].first, counts.int64(0, 2 + i));
    r.lsoa_compared = counts.int64(0, 8);
    r.lsoa_disagree = counts.int64(0, 9);
    r.located_outside_lsoa = counts.int64(0, 10);
    r.file_lsoa_without_polygon = counts.int64(0, 11);

    std::string assigned_json;
    for (const auto& [k, n] : r.assigned) assigned_json += (assigned_json.empty() ? "\"" : ", \"") + k + "\": " + std::to_string(n);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", seconds_since(start));
    std::string stats = "{\"assigned\": {" + assigned_json + "}, \"lsoa_compared\": " + std::to_string(r.lsoa_compared) +
                        ", \"lsoa_disagree\": " + std::to_string(r.lsoa_disagree) +
                        ", \"located_outside_lsoa\": " + std::to_string(r.located_outside_lsoa) +
                        ", \"file_lsoa_without_polygon\": " + std::to_string(r.file_lsoa_without_polygon) +
                        ", \"crime_monthly_rows\": " + std::to_string(r.monthly_rows) + ", \"seconds\": " + seconds + "}";
    auto v = db.query(
        "INSERT INTO dataset_versions (crimes, located, first_month, last_month, note, stats)"
        " SELECT $1::bigint, $2::bigint, min(month), max(month), 'crimemap refresh', $3::jsonb ||"
        "  jsonb_build_object('areas', (SELECT coalesce(jsonb_object_agg(kind, n), '{}') FROM"
        "   (SELECT kind, count(*) AS n FROM areas GROUP BY kind) a))"
        " FROM crimes RETURNING version",
        {std::to_string(r.crimes), std::to_string(r.located), stats});
    r.version = v.int64(0, 0);
    db.query("SELECT pg_notify('crimemap_dataset', $1)", {std::to_string(r.version)});
    tx.commit();
    return r;
}

int cmd_refresh(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url"}, {});
    if (args.help()) {
        std::puts(
            "usage: crimemap refresh [--database-url URL]\n"
            "\n"
            "In one transaction: assigns every located crime to the LSOA, MSOA, ward, district (LAD),\n"
            "police force area and neighbourhood whose polygon contains it (kinds without polygons stay\n"
            "empty; the file's own LSOA code is kept and disagreements are reported), fills the areas'\n"
            "parent codes (and each district's county: from an ONS lookup loaded with `import lookups`,\n"
            "else the most common county of its postcodes), rebuilds the crime_monthly aggregates, drops\n"
            "unused snap locations, records a new dataset version and sends NOTIFY crimemap_dataset\n"
            "'<version>'. Safe to run again.\n"
            "\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return 0;
    }
    if (!args.positional().empty()) throw CliError("refresh takes no arguments (see --help)");
    auto start = std::chrono::steady_clock::now();
    store::Connection db(database_url(args));
    auto r = refresh(db);
    std::printf("refresh: %s crimes, %s with a location\n", with_commas(static_cast<std::uint64_t>(r.crimes)).c_str(),
                with_commas(static_cast<std::uint64_t>(r.located)).c_str());
    std::string assigned;
    for (const auto& [k, n] : r.assigned) assigned += (assigned.empty() ? "" : ", ") + k + " " + with_commas(static_cast<std::uint64_t>(n));
    std::printf("  assigned by point-in-polygon: %s\n", assigned.c_str());
    std::printf("  file LSOA vs polygon: %s compared, %s disagree (%.2f%%); %s located crimes outside every LSOA polygon;"
                " %s crimes name an LSOA without a polygon here\n",
                with_commas(static_cast<std::uint64_t>(r.lsoa_compared)).c_str(),
                with_commas(static_cast<std::uint64_t>(r.lsoa_disagree)).c_str(),
                r.lsoa_compared ? 100.0 * static_cast<double>(r.lsoa_disagree) / static_cast<double>(r.lsoa_compared) : 0.0,
                with_commas(static_cast<std::uint64_t>(r.located_outside_lsoa)).c_str(),
                with_commas(static_cast<std::uint64_t>(r.file_lsoa_without_polygon)).c_str());
    std::printf("  crime_monthly: %s rows\n", with_commas(static_cast<std::uint64_t>(r.monthly_rows)).c_str());
    std::printf("  districts with a county (two-tier): %s of %s\n",
                with_commas(static_cast<std::uint64_t>(r.districts_with_county)).c_str(),
                with_commas(static_cast<std::uint64_t>(r.districts)).c_str());
    std::printf("refresh: dataset version %lld published (NOTIFY crimemap_dataset) in %.1f s\n", r.version, seconds_since(start));
    return 0;
}

}  // namespace crimemap::tools
