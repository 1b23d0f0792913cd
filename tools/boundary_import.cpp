#include "tools/boundary_import.hpp"

#include <cstdio>

#include "core/area.hpp"
#include "store/pg.hpp"
#include "tools/area_writer.hpp"
#include "tools/common.hpp"
#include "tools/import_command.hpp"
#include "tools/polygons.hpp"

namespace crimemap::tools {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import boundaries --kind K [--code-field F] [--name-field F] [--population-field F]\n"
    "                                  [--source TEXT] [--derived] [--database-url URL] PATH...\n"
    "\n"
    "Loads area polygons from anything GDAL/OGR reads: GeoJSON, TopoJSON, KML, Shapefile,\n"
    "GeoPackage (also .gz/.zip). Folders are searched for such files. Geometries are\n"
    "reprojected to WGS84 (and stored in Web Mercator too), invalid polygons are repaired\n"
    "with GEOS (counted in the summary), and every area is a MultiPolygon. Features sharing\n"
    "a code are unioned. Areas are upserted by (kind, code): importing again changes nothing.\n"
    "\n"
    "  --kind K            lsoa, msoa, ward, lad, pfa or neighbourhood (required)\n"
    "  --code-field F      attribute with the area code (default: detected, e.g. LSOA11CD,\n"
    "                      WD13CD, LAD13CD, PFA20CD, then any XXnnCD, code, id)\n"
    "  --name-field F      attribute with the name (default: the code field with NM for CD, or name)\n"
    "  --population-field F  attribute with the number of residents (whole numbers; \"12,345\" is\n"
    "                      read too). It fills areas.population, from which the areas tile layer\n"
    "                      (per_1000) and the /v1 summaries give rates per 1,000 residents once\n"
    "                      `crimemap refresh` publishes a new version. Features with an empty or\n"
    "                      unreadable value are counted; without this option (or for those\n"
    "                      features) a population already stored is kept. See also\n"
    "                      `crimemap import population` for a CSV of code,population.\n"
    "  --source TEXT       provenance note stored with each area (default: the file name)\n"
    "  --derived           mark the areas as derived by us (not an official boundary)\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

bool is_vector_file(const fs::path& p) {
    for (const char* ext : {".geojson", ".json", ".topojson", ".kml", ".shp", ".gpkg", ".geojson.gz",
                            ".json.gz", ".topojson.gz", ".kml.gz", ".zip", ".kmz"})
        if (name_ends_with(p, ext)) return true;
    return false;
}

std::string stats_line(const PolygonFileStats& s) {
    std::string line = with_commas(s.features) + " features, " + with_commas(s.loaded) + " loaded";
    if (s.repaired) line += ", " + with_commas(s.repaired) + " repaired (invalid -> made valid)";
    if (s.no_code) line += ", " + with_commas(s.no_code) + " without a code";
    if (s.not_polygon) line += ", " + with_commas(s.not_polygon) + " not polygons";
    if (s.empty) line += ", " + with_commas(s.empty) + " empty";
    if (s.no_population) line += ", " + with_commas(s.no_population) + " without a readable population";
    return line;
}

void check_kind(const Args& args) {
    auto kind = args.get("kind");
    if (!kind) throw CliError("--kind is required (lsoa, msoa, ward, lad, pfa, neighbourhood)");
    if (!core::area_kind_from_string(*kind))
        throw CliError("unknown --kind '" + *kind + "' (lsoa, msoa, ward, lad, pfa, neighbourhood)");
}

}  // namespace

int cmd_import_boundaries(const std::vector<std::string>& argv) {
    auto opened = open_import(
        argv, {kHelp,
               {"kind", "code-field", "name-field", "population-field", "source"},
               {"derived"},
               is_vector_file,
               "no vector files (.geojson, .topojson, .kml, .shp, .gpkg, ...) under the given paths",
               check_kind});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& session = std::get<ImportSession>(opened);
    const Args& args = session.args;
    const auto& files = session.files;
    const auto start = session.start;
    store::Connection& db = session.db;
    const auto kind_text = args.get("kind");
    FieldChoice given{args.get_or("code-field", ""), args.get_or("name-field", ""),
                      args.get_or("population-field", "")};
    bool derived = args.has("derived");
    PolygonReader reader;
    AreaWriter writer(db);
    PolygonFileStats total;
    for (const auto& f : files) {
        std::string source = args.get_or("source", f.filename().string());
        auto s = reader.read(f.string(), *kind_text, given, true, [&](PolygonFeature&& feature) {
            writer.add(*kind_text, feature, derived, source);
        });
        std::printf("%s: %s (code %s, name %s)\n", f.filename().string().c_str(), stats_line(s).c_str(),
                    s.code_field.c_str(), s.name_field.empty() ? "= code" : s.name_field.c_str());
        total.features += s.features;
        total.loaded += s.loaded;
        total.repaired += s.repaired;
        total.no_code += s.no_code;
        total.not_polygon += s.not_polygon;
        total.empty += s.empty;
        total.no_population += s.no_population;
    }
    store::Transaction tx(db);
    long long areas = writer.commit_areas();
    tx.commit();
    std::printf("import boundaries: %s %s areas from %zu files; %s in %.1f s\n",
                with_commas(static_cast<std::uint64_t>(areas)).c_str(), kind_text->c_str(), files.size(),
                stats_line(total).c_str(), seconds_since(start));
    return 0;
}

}  // namespace crimemap::tools
