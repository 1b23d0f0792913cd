#include "tools/area_import.hpp"

#include "core/area.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/forces.hpp"
#include "tools/neighbourhood_import.hpp"
#include "tools/polygons.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>

namespace crimemap::tools {
namespace fs = std::filesystem;

namespace {

// Areas go through a staging table: features of one code from several files or layers are unioned,
// then each (kind, code) is inserted or updated in one transaction.
class AreaWriter {
public:
    explicit AreaWriter(store::Connection& db) : db_(db) {
        db_.exec(
            "CREATE TEMP TABLE IF NOT EXISTS area_staging (kind text NOT NULL, code text NOT NULL, name text,"
            " derived boolean NOT NULL, source text, geom geometry NOT NULL, population integer)");
        db_.exec("TRUNCATE area_staging");
    }
    void add(const std::string& kind, const PolygonFeature& f, bool derived, const std::string& source) {
        store::append_copy_field(buf_, kind);
        buf_ += '\t';
        store::append_copy_field(buf_, f.code);
        buf_ += '\t';
        if (f.name.empty()) store::append_copy_null(buf_);
        else store::append_copy_field(buf_, f.name);
        buf_ += derived ? "\tt\t" : "\tf\t";
        store::append_copy_field(buf_, source);
        buf_ += '\t';
        buf_ += f.wkb_hex;
        buf_ += '\t';
        if (f.population) buf_ += std::to_string(*f.population);
        else store::append_copy_null(buf_);
        buf_ += '\n';
        if (buf_.size() > (4 << 20)) flush();
    }
    // Upserts everything staged (inside the caller's transaction); returns the number of areas.
    long long commit_areas() {
        flush();
        auto r = db_.query(
            "WITH grouped AS ("
            " SELECT kind, code, coalesce(max(name), code) AS name, bool_or(derived) AS derived, min(source) AS source,"
            "  max(population) AS population,"
            "  CASE WHEN count(*) = 1 THEN ST_Multi(ST_SetSRID((array_agg(geom))[1], 4326))"
            "   ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(ST_SetSRID(geom, 4326))), 3)) END AS geom"
            " FROM area_staging GROUP BY kind, code),"
            // A population already set (import population, an earlier --population-field) stays
            // unless this import brings one.
            " up AS (INSERT INTO areas (kind, code, name, derived, source, geom, geom_3857, population)"
            " SELECT kind, code, name, derived, source, geom, ST_Transform(geom, 3857), population FROM grouped"
            " ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name, derived = EXCLUDED.derived,"
            " source = EXCLUDED.source, geom = EXCLUDED.geom, geom_3857 = EXCLUDED.geom_3857,"
            " population = coalesce(EXCLUDED.population, areas.population) RETURNING 1)"
            " SELECT count(*) FROM up");
        db_.exec("TRUNCATE area_staging");
        return r.int64(0, 0);
    }

private:
    void flush() {
        if (buf_.empty()) return;
        db_.copy_begin("COPY area_staging FROM STDIN");
        db_.copy_send(buf_);
        db_.copy_end();
        buf_.clear();
    }
    store::Connection& db_;
    std::string buf_;
};

bool is_vector_file(const fs::path& p) {
    for (const char* ext : {".geojson", ".json", ".topojson", ".kml", ".shp", ".gpkg", ".geojson.gz", ".json.gz",
                            ".topojson.gz", ".kml.gz", ".zip", ".kmz"})
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

}  // namespace

int cmd_import_boundaries(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url", "kind", "code-field", "name-field", "population-field", "source"}, {"derived"});
    if (args.help() || args.positional().empty()) {
        std::puts(
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
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return args.help() ? 0 : 2;
    }
    auto kind_text = args.get("kind");
    if (!kind_text) throw CliError("--kind is required (lsoa, msoa, ward, lad, pfa, neighbourhood)");
    if (!core::area_kind_from_string(*kind_text))
        throw CliError("unknown --kind '" + *kind_text + "' (lsoa, msoa, ward, lad, pfa, neighbourhood)");
    auto files = collect_files(args.positional(), is_vector_file);
    if (files.empty()) throw CliError("no vector files (.geojson, .topojson, .kml, .shp, .gpkg, ...) under the given paths");
    auto start = std::chrono::steady_clock::now();
    store::Connection db(database_url(args));
    FieldChoice given{args.get_or("code-field", ""), args.get_or("name-field", ""), args.get_or("population-field", "")};
    bool derived = args.has("derived");
    PolygonReader reader;
    AreaWriter writer(db);
    PolygonFileStats total;
    for (const auto& f : files) {
        std::string source = args.get_or("source", f.filename().string());
        auto s = reader.read(f.string(), *kind_text, given, true,
                             [&](PolygonFeature&& feature) { writer.add(*kind_text, feature, derived, source); });
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
    std::printf("import boundaries: %s %s areas from %zu files; %s in %.1f s\n", with_commas(static_cast<std::uint64_t>(areas)).c_str(),
                kind_text->c_str(), files.size(), stats_line(total).c_str(), seconds_since(start));
    return 0;
}

namespace {

std::optional<std::string> json_text(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return std::nullopt;
    if (j[key].is_string()) return j[key].get<std::string>();
    return j[key].dump();
}

std::optional<std::string> json_number(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return std::nullopt;
    if (j[key].is_number()) return j[key].dump();
    if (j[key].is_string() && !j[key].get<std::string>().empty()) return j[key].get<std::string>();
    return std::nullopt;
}

}  // namespace

int cmd_import_neighbourhoods(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url", "force"}, {});
    if (args.help() || args.positional().empty()) {
        std::puts(
            "usage: crimemap import neighbourhoods [--force ID] [--database-url URL] PATH...\n"
            "\n"
            "Loads neighbourhood policing team areas in the police.uk download layout: one KML per\n"
            "neighbourhood, <force>/<id>.kml (the force from the folder name unless --force), stored as\n"
            "areas of kind 'neighbourhood' with code '<force>/<id>'. An optional <id>.json beside it holds\n"
            "the team record in the police.uk /api/<force>/<id> shape (name, description, population,\n"
            "contact_details, links, centre{latitude,longitude}, people[]) plus \"demo\": true and\n"
            "\"derived\": true for demo neighbourhoods we made ourselves. Upserts: importing again changes\n"
            "nothing; people listed in the JSON replace the team's people.\n"
            "\n"
            "  --force ID          police.uk force id for every file\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return args.help() ? 0 : 2;
    }
    auto files = collect_files(args.positional(), [](const fs::path& p) {
        return name_ends_with(p, ".kml") || name_ends_with(p, ".kml.gz") || name_ends_with(p, ".kmz");
    });
    if (files.empty()) throw CliError("no .kml files under the given paths");
    auto start = std::chrono::steady_clock::now();
    store::Connection db(database_url(args));
    PolygonReader reader;
    AreaWriter writer(db);
    struct Team {
        std::string force, id, name;
        nlohmann::json json;
        bool demo = false;
    };
    std::vector<Team> teams;
    std::uint64_t repaired = 0;
    for (const auto& f : files) {
        std::string force = args.get_or("force", f.parent_path().filename().string());
        std::string stem = f.filename().string();
        stem = stem.substr(0, stem.find('.'));
        if (force.empty() || stem.empty()) throw CliError(f.string() + ": cannot tell force and id (expected <force>/<id>.kml)");
        Team team{force, stem, "", nlohmann::json::object(), false};
        fs::path json_path = f.parent_path() / (stem + ".json");
        if (fs::exists(json_path)) {
            try {
                std::ifstream in(json_path);
                team.json = nlohmann::json::parse(in);
            } catch (const nlohmann::json::exception& e) {
                throw CliError(json_path.string() + ": not valid JSON (" + e.what() + ")");
            }
            if (!team.json.is_object()) throw CliError(json_path.string() + ": expected a JSON object");
        }
        bool derived = team.json.value("derived", false);
        team.demo = team.json.value("demo", false);
        std::string kml_name;
        PolygonFeature merged;
        auto s = reader.read(f.string(), "neighbourhood", FieldChoice{}, false, [&](PolygonFeature&& p) {
            if (kml_name.empty() && !p.name.empty()) kml_name = p.name;
            p.code = force + "/" + stem;
            p.name.clear();
            writer.add("neighbourhood", p, derived, f.filename().string());
        });
        if (s.loaded == 0) throw CliError(f.string() + ": no polygon in the file");
        repaired += s.repaired;
        team.name = team.json.value("name", kml_name.empty() ? stem : kml_name);
        teams.push_back(std::move(team));
    }
    store::Transaction tx(db);
    for (const auto& t : teams) {
        const ForceInfo* info = find_force(t.force);
        db.query("INSERT INTO forces (id, name, pfa_code) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                 {t.force, info ? std::string(info->name) : t.force,
                  info && !info->pfa_code.empty() ? std::optional<std::string>(std::string(info->pfa_code)) : std::nullopt});
    }
    long long areas = writer.commit_areas();
    // Area names: the team name (areas were staged without one).
    for (const auto& t : teams) {
        db.query("UPDATE areas SET name = $2 WHERE kind = 'neighbourhood' AND code = $1", {t.force + "/" + t.id, t.name});
        const auto& j = t.json;
        std::optional<std::string> lat, lon;
        if (j.contains("centre") && j["centre"].is_object()) {
            lat = json_number(j["centre"], "latitude");
            lon = json_number(j["centre"], "longitude");
        }
        db.query(
            "INSERT INTO neighbourhoods (force_id, id, name, description, url_force, population, contact_details, links,"
            " centre_lat, centre_lon, demo)"
            " VALUES ($1, $2, $3, $4, $5, $6::numeric::integer, coalesce($7::jsonb, '{}'), coalesce($8::jsonb, '[]'),"
            "  coalesce($9::double precision, ST_Y(ST_PointOnSurface((SELECT geom FROM areas WHERE kind = 'neighbourhood' AND code = $1 || '/' || $2)))),"
            "  coalesce($10::double precision, ST_X(ST_PointOnSurface((SELECT geom FROM areas WHERE kind = 'neighbourhood' AND code = $1 || '/' || $2)))),"
            "  $11)"
            " ON CONFLICT (force_id, id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,"
            " url_force = EXCLUDED.url_force, population = EXCLUDED.population, contact_details = EXCLUDED.contact_details,"
            " links = EXCLUDED.links, centre_lat = EXCLUDED.centre_lat, centre_lon = EXCLUDED.centre_lon, demo = EXCLUDED.demo",
            {t.force, t.id, t.name, json_text(j, "description"), json_text(j, "url_force"), json_number(j, "population"),
             j.contains("contact_details") ? std::optional<std::string>(j["contact_details"].dump()) : std::nullopt,
             j.contains("links") ? std::optional<std::string>(j["links"].dump()) : std::nullopt, lat, lon,
             std::string(t.demo ? "true" : "false")});
        if (j.contains("people") && j["people"].is_array()) {
            db.query("DELETE FROM neighbourhood_people WHERE force_id = $1 AND neighbourhood_id = $2", {t.force, t.id});
            int seq = 0;
            for (const auto& p : j["people"]) {
                if (!p.is_object() || !p.contains("name")) continue;
                db.query(
                    "INSERT INTO neighbourhood_people (force_id, neighbourhood_id, seq, name, rank, bio, contact_details)"
                    " VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::jsonb, '{}'))",
                    {t.force, t.id, std::to_string(seq++), json_text(p, "name"), json_text(p, "rank"), json_text(p, "bio"),
                     p.contains("contact_details") ? std::optional<std::string>(p["contact_details"].dump()) : std::nullopt});
            }
        }
        import_team_activity(db, t.force, t.id, j);  // "priorities" and "events", when the JSON has them
    }
    tx.commit();
    std::printf("import neighbourhoods: %s neighbourhood areas and teams from %zu files (%s repaired) in %.1f s\n",
                with_commas(static_cast<std::uint64_t>(areas)).c_str(), files.size(), with_commas(repaired).c_str(),
                seconds_since(start));
    return 0;
}

}  // namespace crimemap::tools
