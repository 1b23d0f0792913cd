#include "tools/cli.hpp"

#include <cstdio>
#include <exception>
#include <functional>
#include <map>

#include "store/pg.hpp"
#include "tools/area_import.hpp"
#include "tools/classification_import.hpp"
#include "tools/common.hpp"
#include "tools/crime_import.hpp"
#include "tools/deprivation_import.hpp"
#include "tools/export_tiles.hpp"
#include "tools/force_import.hpp"
#include "tools/indicator_import.hpp"
#include "tools/key.hpp"
#include "tools/lookup_import.hpp"
#include "tools/migrate.hpp"
#include "tools/outcome_import.hpp"
#include "tools/population_import.hpp"
#include "tools/postcode_import.hpp"
#include "tools/refresh.hpp"
#include "tools/seed.hpp"
#include "tools/stop_import.hpp"
#include "tools/token.hpp"

namespace crimemap::tools {
namespace {

using Command = std::function<int(const std::vector<std::string>&)>;

void usage(std::FILE* out) {
    std::fputs(
        "usage: crimemap <command> [options]   (crimemap <command> --help for details)\n"
        "\n"
        "commands:\n"
        "  migrate                       apply schema/migrations (idempotent)\n"
        "  status [--crimes]             what the database holds\n"
        "  import crimes PATH...         police.uk street-level CSVs, .csv.gz, archive folders\n"
        "  import postcodes PATH...      ONS NSPL / ONSPD CSVs (plain or gzipped)\n"
        "  import boundaries --kind K PATH...   polygons via GDAL (GeoJSON, TopoJSON, KML, SHP, GPKG)\n"
        "  import neighbourhoods PATH... police.uk-style neighbourhood KML + team JSON\n"
        "  import indicators PATH...     Oflog table or the long format "
        "(area_code,indicator,period,value,...)\n"
        "  import lookups PATH...        ONS code -> name JSON maps (postcodes.io lookups), district -> "
        "county CSV\n"
        "  import population PATH...     residents per area (CSV area_code,population[,kind]; ONS LSOA "
        "file)\n"
        "  import deprivation PATH...    English Indices of Deprivation 2019 by LSOA (File 2, as published)\n"
        "  import classification PATH... ONS 2011 area classification of LSOAs (lookup CSV)\n"
        "  import outcomes PATH...       police.uk *-outcomes.csv files (outcomes-for-crime, -at-location)\n"
        "  import stops PATH...          police.uk *-stop-and-search.csv files (stops-* methods)\n"
        "  import forces PATH...         force details and senior officers in police.uk's JSON shapes\n"
        "  refresh                       assign areas, rebuild aggregates, publish a dataset version\n"
        "  token create|list|revoke      bearer tokens for team writes (crimemap token --help)\n"
        "  key create|list|revoke        portal API keys with their own rate limit (crimemap key --help)\n"
        "  seed DIR                      import everything in DIR (e.g. data/sample), then refresh\n"
        "  export tiles OUT.pmtiles|OUT.mbtiles   static tile archive (crimemap export --help)\n"
        "\n"
        "The database URL comes from --database-url or CRIMEMAP_DATABASE_URL.\n",
        out);
}

int cmd_import(const std::vector<std::string>& argv) {
    static const std::map<std::string, Command> kinds = {
        {"crimes", cmd_import_crimes},
        {"postcodes", cmd_import_postcodes},
        {"boundaries", cmd_import_boundaries},
        {"neighbourhoods", cmd_import_neighbourhoods},
        {"indicators", cmd_import_indicators},
        {"lookups", cmd_import_lookups},
        {"population", cmd_import_population},
        {"deprivation", cmd_import_deprivation},
        {"classification", cmd_import_classification},
        {"outcomes", cmd_import_outcomes},
        {"stops", cmd_import_stops},
        {"forces", cmd_import_forces},
    };
    if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
        std::puts(
            "usage: crimemap import crimes|postcodes|boundaries|neighbourhoods|indicators|lookups|population|"
            "deprivation|classification|outcomes|stops|forces [options] PATH...");
        return argv.empty() ? 2 : 0;
    }
    auto it = kinds.find(argv[0]);
    if (it == kinds.end())
        throw CliError("unknown import kind '" + argv[0] +
                       "' (crimes, postcodes, boundaries, neighbourhoods, indicators, lookups, population, "
                       "deprivation, classification, outcomes, stops, forces)");
    return it->second(std::vector<std::string>(argv.begin() + 1, argv.end()));
}

}  // namespace

int run(const std::vector<std::string>& args) {
    static const std::map<std::string, Command> commands = {
        {"migrate", cmd_migrate}, {"status", cmd_status},   {"import", cmd_import}, {"token", cmd_token},
        {"key", cmd_key},         {"refresh", cmd_refresh}, {"seed", cmd_seed},     {"export", cmd_export},
    };
    if (args.empty()) {
        usage(stderr);
        return 2;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        usage(stdout);
        return 0;
    }
    auto it = commands.find(args[0]);
    if (it == commands.end()) {
        std::fprintf(stderr, "crimemap: unknown command '%s' (see crimemap --help)\n", args[0].c_str());
        return 2;
    }
    try {
        return it->second(std::vector<std::string>(args.begin() + 1, args.end()));
    } catch (const CliError& e) {
        std::fprintf(stderr, "crimemap %s: %s\n", args[0].c_str(), e.what());
    } catch (const store::PgError& e) {
        std::string msg = e.what();
        for (auto& c : msg)
            if (c == '\n') c = ' ';
        std::fprintf(stderr, "crimemap %s: database error: %s\n", args[0].c_str(), msg.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crimemap %s: %s\n", args[0].c_str(), e.what());
    }
    return 1;
}

}  // namespace crimemap::tools
