#include "tools/refresh.hpp"

#include <cstdio>

#include "tools/common.hpp"

namespace crimemap::tools {
RefreshResult refresh(store::Connection& db) {
    // The steps are SQL functions (schema/functions/0002_refresh.sql, installed by migrate); the
    // transaction is ours, so a failure anywhere leaves the previous data and version in place, and
    // the NOTIFY goes out at COMMIT.
    store::Transaction tx(db);
    auto row = [&] {
        try {
            return db.query("SELECT * FROM crimemap_refresh()");
        } catch (const store::PgError& e) {
            // 42883 undefined_function: a database migrated by an older crimemap.
            if (e.sqlstate == "42883" &&
                std::string_view(e.what()).find("crimemap_refresh") != std::string_view::npos)
                throw CliError("the database lacks crimemap_refresh(): run crimemap migrate first");
            throw;
        }
    }();
    auto get = [&](const char* column) { return row.int64(0, row.column(column)); };
    RefreshResult r;
    r.version = get("version");
    r.crimes = get("crimes");
    r.located = get("located");
    for (const char* kind : {"lsoa", "msoa", "ward", "lad", "pfa", "neighbourhood"})
        r.assigned.emplace_back(kind, get(kind));
    r.lsoa_compared = get("lsoa_compared");
    r.lsoa_disagree = get("lsoa_disagree");
    r.located_outside_lsoa = get("located_outside_lsoa");
    r.file_lsoa_without_polygon = get("file_lsoa_without_polygon");
    r.monthly_rows = get("monthly_rows");
    r.districts = get("districts");
    r.districts_with_county = get("districts_with_county");
    auto populations = db.query(
        "SELECT k.key, string_agg(o.key || ' ' || o.value, ', ' ORDER BY o.key) FROM dataset_versions v,"
        " jsonb_each(v.stats->'populations') k, jsonb_each_text(k.value) o WHERE v.version = $1"
        " GROUP BY k.key ORDER BY k.key",
        {std::to_string(r.version)});
    auto missing = db.query(
        "SELECT code FROM areas WHERE kind = 'lad' AND code LIKE 'E07%' AND NOT parent_codes ? 'county'"
        " ORDER BY code");
    for (int i = 0; i < missing.size(); ++i) r.districts_missing_county.emplace_back(missing.text(i, 0));
    for (int i = 0; i < populations.size(); ++i)
        r.populations.emplace_back(std::string(populations.text(i, 0)), std::string(populations.text(i, 1)));
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
            "else the most common county of its postcodes), derives the population of each MSOA, ward,\n"
            "district, force area and neighbourhood without one of its own as the sum of the LSOAs whose\n"
            "representative point lies inside it (when all have one and they cover 90 % of it), rebuilds the "
            "crime_monthly aggregates, drops\n"
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
    std::printf("refresh: %s crimes, %s with a location\n",
                with_commas(static_cast<std::uint64_t>(r.crimes)).c_str(),
                with_commas(static_cast<std::uint64_t>(r.located)).c_str());
    std::string assigned;
    for (const auto& [k, n] : r.assigned)
        assigned += (assigned.empty() ? "" : ", ") + k + " " + with_commas(static_cast<std::uint64_t>(n));
    std::printf("  assigned by point-in-polygon: %s\n", assigned.c_str());
    std::printf(
        "  file LSOA vs polygon: %s compared, %s disagree (%.2f%%); %s located crimes outside every LSOA "
        "polygon;"
        " %s crimes name an LSOA without a polygon here\n",
        with_commas(static_cast<std::uint64_t>(r.lsoa_compared)).c_str(),
        with_commas(static_cast<std::uint64_t>(r.lsoa_disagree)).c_str(),
        r.lsoa_compared ? 100.0 * static_cast<double>(r.lsoa_disagree) / static_cast<double>(r.lsoa_compared)
                        : 0.0,
        with_commas(static_cast<std::uint64_t>(r.located_outside_lsoa)).c_str(),
        with_commas(static_cast<std::uint64_t>(r.file_lsoa_without_polygon)).c_str());
    std::printf("  crime_monthly: %s rows\n",
                with_commas(static_cast<std::uint64_t>(r.monthly_rows)).c_str());
    std::printf("  districts with a county (two-tier): %s of %s\n",
                with_commas(static_cast<std::uint64_t>(r.districts_with_county)).c_str(),
                with_commas(static_cast<std::uint64_t>(r.districts)).c_str());
    if (!r.districts_missing_county.empty()) {
        std::string codes;
        for (const auto& c : r.districts_missing_county) codes += (codes.empty() ? "" : ", ") + c;
        std::printf(
            "  %zu two-tier districts (E07) have no county, so county indicators skip them: %s; load ONS's "
            "district -> county lookup with crimemap import lookups, then refresh\n",
            r.districts_missing_county.size(), codes.c_str());
    }
    for (const auto& [kind, outcomes] : r.populations)
        std::printf("  %s populations from LSOAs: %s\n", kind.c_str(), outcomes.c_str());
    std::printf("refresh: dataset version %lld published (NOTIFY crimemap_dataset) in %.1f s\n", r.version,
                seconds_since(start));
    return 0;
}

}  // namespace crimemap::tools
