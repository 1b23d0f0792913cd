#include "tools/seed.hpp"

#include <cstdio>
#include <filesystem>

#include "tools/area_import.hpp"
#include "tools/classification_import.hpp"
#include "tools/common.hpp"
#include "tools/crime_import.hpp"
#include "tools/deprivation_import.hpp"
#include "tools/indicator_import.hpp"
#include "tools/lookup_import.hpp"
#include "tools/migrate.hpp"
#include "tools/population_import.hpp"
#include "tools/postcode_import.hpp"
#include "tools/refresh.hpp"

namespace crimemap::tools {
namespace fs = std::filesystem;

int cmd_seed(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url", "schema-dir"}, {"no-refresh"});
    if (args.help() || args.positional().size() != 1) {
        std::puts(
            "usage: crimemap seed [--no-refresh] [--database-url URL] DIR\n"
            "\n"
            "Migrates the database, imports everything in DIR in dependency order, then refreshes:\n"
            "  boundaries/<kind>/   pfa, lad, msoa, lsoa, ward polygons (import boundaries --kind <kind>)\n"
            "  neighbourhoods/      <force>/<id>.kml [+ <id>.json] (import neighbourhoods)\n"
            "  lookups/             ONS code -> name JSON, district -> county CSV (import lookups)\n"
            "  postcodes/           NSPL/ONSPD CSVs (import postcodes)\n"
            "  indicators/          indicator CSVs (import indicators)\n"
            "  crimes/              police.uk archive layout (import crimes)\n"
            "  population/          area_code,population[,kind] or ONS LSOA CSVs (import population; after\n"
            "                       boundaries)\n"
            "  deprivation/         IoD2019 domains CSVs (import deprivation)\n"
            "  classification/      ONS LSOA area classification lookup CSVs (import classification)\n"
            "Missing folders are skipped. Every step is idempotent, so seeding twice changes nothing.\n"
            "\n"
            "  --no-refresh        stop after the imports\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return args.help() ? 0 : 2;
    }
    fs::path dir = args.positional()[0];
    if (!fs::is_directory(dir)) throw CliError(dir.string() + ": not a folder");
    const std::string url = database_url(args);
    auto start = std::chrono::steady_clock::now();
    // A folder counts when it holds at least one file with one of the extensions.
    auto has = [](const fs::path& p, std::initializer_list<const char*> exts) {
        if (!fs::is_directory(p)) return false;
        for (const auto& e : fs::recursive_directory_iterator(p))
            for (const char* x : exts)
                if (e.is_regular_file() && name_ends_with(e.path(), x)) return true;
        return false;
    };
    auto step = [&](const char* label, auto fn, std::vector<std::string> step_args) {
        auto t0 = std::chrono::steady_clock::now();
        std::printf("== seed: %s\n", label);
        std::fflush(stdout);
        step_args.push_back("--database-url");
        step_args.push_back(url);
        int rc = fn(step_args);
        std::fflush(stdout);
        if (rc != 0) throw CliError(std::string("step '") + label + "' failed");
        std::printf("   (%.1f s)\n", seconds_since(t0));
    };
    std::vector<std::string> migrate_args;
    if (auto s = args.get("schema-dir")) migrate_args = {"--schema-dir", *s};
    step("migrate", cmd_migrate, migrate_args);
    for (const char* kind : {"pfa", "lad", "msoa", "lsoa", "ward"}) {
        fs::path p = dir / "boundaries" / kind;
        if (has(p, {".geojson", ".json", ".topojson", ".kml", ".shp", ".gpkg", ".gz", ".zip"}))
            step((std::string("boundaries ") + kind).c_str(), cmd_import_boundaries,
                 {"--kind", kind, p.string()});
    }
    if (has(dir / "boundaries" / "neighbourhood",
            {".geojson", ".json", ".topojson", ".kml", ".shp", ".gpkg", ".gz", ".zip"}))
        step("boundaries neighbourhood", cmd_import_boundaries,
             {"--kind", "neighbourhood", (dir / "boundaries" / "neighbourhood").string()});
    if (has(dir / "neighbourhoods", {".kml", ".kml.gz", ".kmz"}))
        step("neighbourhoods", cmd_import_neighbourhoods, {(dir / "neighbourhoods").string()});
    if (has(dir / "lookups", {".json", ".json.gz", ".csv", ".csv.gz"}))
        step("lookups", cmd_import_lookups, {(dir / "lookups").string()});
    if (has(dir / "postcodes", {".csv", ".csv.gz"}))
        step("postcodes", cmd_import_postcodes, {(dir / "postcodes").string()});
    if (has(dir / "indicators", {".csv", ".csv.gz"}))
        step("indicators", cmd_import_indicators, {(dir / "indicators").string()});
    if (has(dir / "crimes", {"-street.csv", "-street.csv.gz"}))
        step("crimes", cmd_import_crimes, {(dir / "crimes").string()});
    if (has(dir / "population", {".csv", ".csv.gz"}))
        step("population", cmd_import_population, {(dir / "population").string()});
    if (has(dir / "deprivation", {".csv", ".csv.gz"}))
        step("deprivation", cmd_import_deprivation, {(dir / "deprivation").string()});
    if (has(dir / "classification", {".csv", ".csv.gz"}))
        step("classification", cmd_import_classification, {(dir / "classification").string()});
    if (!args.has("no-refresh")) step("refresh", cmd_refresh, {});
    std::printf("seed: done in %.1f s\n", seconds_since(start));
    return 0;
}

}  // namespace crimemap::tools
