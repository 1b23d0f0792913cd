#include "tools/area_import.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "store/pg.hpp"
#include "tools/area_writer.hpp"
#include "tools/common.hpp"
#include "tools/forces.hpp"
#include "tools/import_command.hpp"
#include "tools/neighbourhood_import.hpp"
#include "tools/polygons.hpp"

namespace crimemap::tools {
namespace fs = std::filesystem;

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

constexpr std::string_view kNeighbourhoodsHelp =
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
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

}  // namespace

int cmd_import_neighbourhoods(const std::vector<std::string>& argv) {
    auto opened = open_import(argv, {kNeighbourhoodsHelp,
                                     {"force"},
                                     {},
                                     [](const fs::path& p) {
                                         return name_ends_with(p, ".kml") || name_ends_with(p, ".kml.gz") ||
                                                name_ends_with(p, ".kmz");
                                     },
                                     "no .kml files under the given paths"});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& session = std::get<ImportSession>(opened);
    const Args& args = session.args;
    const auto& files = session.files;
    const auto start = session.start;
    store::Connection& db = session.db;
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
        if (force.empty() || stem.empty())
            throw CliError(f.string() + ": cannot tell force and id (expected <force>/<id>.kml)");
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
    for (const auto& t : teams) insert_force(db, t.force, t.force);
    long long areas = writer.commit_areas();
    // Area names: the team name (areas were staged without one).
    for (const auto& t : teams) {
        db.query("UPDATE areas SET name = $2 WHERE kind = 'neighbourhood' AND code = $1",
                 {t.force + "/" + t.id, t.name});
        const auto& j = t.json;
        std::optional<std::string> lat, lon;
        if (j.contains("centre") && j["centre"].is_object()) {
            lat = json_number(j["centre"], "latitude");
            lon = json_number(j["centre"], "longitude");
        }
        db.query(
            "INSERT INTO neighbourhoods (force_id, id, name, description, url_force, population, "
            "contact_details, links,"
            " centre_lat, centre_lon, demo)"
            " VALUES ($1, $2, $3, $4, $5, $6::numeric::integer, coalesce($7::jsonb, '{}'), "
            "coalesce($8::jsonb, '[]'),"
            "  coalesce($9::double precision, ST_Y(ST_PointOnSurface((SELECT geom FROM areas WHERE kind = "
            "'neighbourhood' AND code = $1 || '/' || $2)))),"
            "  coalesce($10::double precision, ST_X(ST_PointOnSurface((SELECT geom FROM areas WHERE kind = "
            "'neighbourhood' AND code = $1 || '/' || $2)))),"
            "  $11)"
            " ON CONFLICT (force_id, id) DO UPDATE SET name = EXCLUDED.name, description = "
            "EXCLUDED.description,"
            " url_force = EXCLUDED.url_force, population = EXCLUDED.population, contact_details = "
            "EXCLUDED.contact_details,"
            " links = EXCLUDED.links, centre_lat = EXCLUDED.centre_lat, centre_lon = EXCLUDED.centre_lon, "
            "demo = EXCLUDED.demo",
            {t.force, t.id, t.name, json_text(j, "description"), json_text(j, "url_force"),
             json_number(j, "population"),
             j.contains("contact_details") ? std::optional<std::string>(j["contact_details"].dump())
                                           : std::nullopt,
             j.contains("links") ? std::optional<std::string>(j["links"].dump()) : std::nullopt, lat, lon,
             std::string(t.demo ? "true" : "false")});
        if (j.contains("people") && j["people"].is_array()) {
            db.query("DELETE FROM neighbourhood_people WHERE force_id = $1 AND neighbourhood_id = $2",
                     {t.force, t.id});
            int seq = 0;
            for (const auto& p : j["people"]) {
                if (!p.is_object() || !p.contains("name")) continue;
                db.query(
                    "INSERT INTO neighbourhood_people (force_id, neighbourhood_id, seq, name, rank, bio, "
                    "contact_details)"
                    " VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::jsonb, '{}'))",
                    {t.force, t.id, std::to_string(seq++), json_text(p, "name"), json_text(p, "rank"),
                     json_text(p, "bio"),
                     p.contains("contact_details") ? std::optional<std::string>(p["contact_details"].dump())
                                                   : std::nullopt});
            }
        }
        import_team_activity(db, t.force, t.id, j);  // "priorities" and "events", when the JSON has them
    }
    tx.commit();
    std::printf(
        "import neighbourhoods: %s neighbourhood areas and teams from %zu files (%s repaired) in %.1f s\n",
        with_commas(static_cast<std::uint64_t>(areas)).c_str(), files.size(), with_commas(repaired).c_str(),
        seconds_since(start));
    return 0;
}

}  // namespace crimemap::tools
