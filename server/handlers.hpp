#pragma once
// Every endpoint's handler, declared once; routes.cpp's table points at them. Each parses into
// typed values, asks core (or a service of ServerContext::services()), maps the result; none
// touches a socket or SQL. One file per endpoint family: tiles.cpp, tilejson.cpp, catalog.cpp,
// status.cpp, static_files.cpp, archives.cpp, api_postcodes.cpp, api_police.cpp, api_v1.cpp, api_teams.cpp,
// api_meeting_pack.cpp. All share the signature of `HandlerFn` (routes.hpp).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/context.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"

namespace crimemap::server {

// GET /tiles/{layers}/{z}/{x}/{y}.mvt|.pbf
Response handle_tile(ServerContext& ctx, const Request& req, const RouteParams& params);
// GET /tiles/{layers}.json (TileJSON 3.0.0)
Response handle_tilejson(ServerContext& ctx, const Request& req, const RouteParams& params);
// GET /catalog
Response handle_catalog(ServerContext& ctx, const Request& req, const RouteParams& params);
// GET /openapi.json (OpenAPI 3.1, docs/openapi.json compiled in; servers from the request)
Response handle_openapi(ServerContext& ctx, const Request& req, const RouteParams& params);
// GET /archives/{file} (--tiles) and /basemap.pmtiles (--basemap): PMTiles archives with HTTP
// Range (archives.cpp, server/tile_archives.hpp)
Response handle_archive(ServerContext& ctx, const Request& req, const RouteParams& params);
Response handle_basemap(ServerContext& ctx, const Request& req, const RouteParams& params);
// GET /health, /ready, /metrics
Response handle_health(ServerContext& ctx, const Request& req, const RouteParams& params);
Response handle_ready(ServerContext& ctx, const Request& req, const RouteParams& params);
Response handle_metrics(ServerContext& ctx, const Request& req, const RouteParams& params);
namespace api {
// postcodes.io (api_postcodes.cpp). All of them answer JSONP for a safe `callback=` name, and
// those returning postcode objects apply `filter=` (core/postcode_api.hpp).
Response postcodes_query(ServerContext&, const Request&, const RouteParams&);
Response postcodes_bulk(ServerContext&, const Request&, const RouteParams&);
Response postcode_lookup(ServerContext&, const Request&, const RouteParams&);
Response postcode_validate(ServerContext&, const Request&, const RouteParams&);
Response postcode_nearest(ServerContext&, const Request&, const RouteParams&);
Response postcode_autocomplete(ServerContext&, const Request&, const RouteParams&);
Response postcode_lonlat(ServerContext&, const Request&, const RouteParams&);
Response outcode_lookup(ServerContext&, const Request&, const RouteParams&);
Response outcodes_query(ServerContext&, const Request&, const RouteParams&);  // ?lon=&lat=
Response outcode_nearest(ServerContext&, const Request&, const RouteParams&);
Response ping(ServerContext&, const Request&, const RouteParams&);  // {"result": "pong"}
Response terminated_lookup(ServerContext&, const Request&, const RouteParams&);
Response random_postcode(ServerContext&, const Request&, const RouteParams&);
// data.police.uk (api_police.cpp)
Response places_query(ServerContext&, const Request&, const RouteParams&);
Response place_lookup(ServerContext&, const Request&, const RouteParams&);
Response random_place(ServerContext&, const Request&, const RouteParams&);
Response scottish_postcode(ServerContext&, const Request&, const RouteParams&);
Response police_crime_categories(ServerContext&, const Request&, const RouteParams&);
Response police_last_updated(ServerContext&, const Request&, const RouteParams&);
Response police_street_dates(ServerContext&, const Request&, const RouteParams&);
Response police_forces(ServerContext&, const Request&, const RouteParams&);
Response police_force(ServerContext&, const Request&, const RouteParams&);
Response police_force_people(ServerContext&, const Request&, const RouteParams&);
Response police_crimes_street(ServerContext&, const Request&, const RouteParams&);
Response police_crimes_at_location(ServerContext&, const Request&, const RouteParams&);
Response police_crimes_no_location(ServerContext&, const Request&, const RouteParams&);
Response police_locate_neighbourhood(ServerContext&, const Request&, const RouteParams&);
Response police_neighbourhoods(ServerContext&, const Request&, const RouteParams&);
Response police_neighbourhood(ServerContext&, const Request&, const RouteParams&);
Response police_boundary(ServerContext&, const Request&, const RouteParams&);
Response police_people(ServerContext&, const Request&, const RouteParams&);
Response police_events(ServerContext&, const Request&, const RouteParams&);
Response police_priorities(ServerContext&, const Request&, const RouteParams&);
Response police_outcomes_for_crime(ServerContext&, const Request&, const RouteParams&);
Response police_outcomes_at_location(ServerContext&, const Request&, const RouteParams&);
Response police_stops_street(ServerContext&, const Request&, const RouteParams&);
Response police_stops_at_location(ServerContext&, const Request&, const RouteParams&);
Response police_stops_no_location(ServerContext&, const Request&, const RouteParams&);
Response police_stops_force(ServerContext&, const Request&, const RouteParams&);
// ours: summaries and areas (api_v1.cpp), team data (api_teams.cpp), meeting packs (api_meeting_pack.cpp)
Response v1_postcode_summary(ServerContext&, const Request&, const RouteParams&);
Response v1_area(ServerContext&, const Request&, const RouteParams&);
Response v1_area_performance(ServerContext&, const Request&, const RouteParams&);
Response v1_area_similar(ServerContext&, const Request&, const RouteParams&);  // ?n=&within=&from=&to=
Response v1_league(ServerContext&, const Request&, const RouteParams&);        // JSON, or CSV (format=csv)
Response league_page(ServerContext&, const Request&, const RouteParams&);      // GET /league (HTML)
Response v1_priorities(ServerContext&, const Request&, const RouteParams&);
Response v1_events(ServerContext&, const Request&, const RouteParams&);
Response v1_priority_create(ServerContext&, const Request&, const RouteParams&);
Response v1_priority_update(ServerContext&, const Request&, const RouteParams&);
Response v1_priority_delete(ServerContext&, const Request&, const RouteParams&);
Response v1_event_create(ServerContext&, const Request&, const RouteParams&);
Response v1_event_update(ServerContext&, const Request&, const RouteParams&);
Response v1_event_delete(ServerContext&, const Request&, const RouteParams&);
Response v1_meeting_pack_html(ServerContext&, const Request&, const RouteParams&);
Response v1_meeting_pack_json(ServerContext&, const Request&, const RouteParams&);
Response v1_meeting_pack_csv(ServerContext&, const Request&, const RouteParams&);
}  // namespace api

// Any other path: a file from --web-dir ('/' and '/dir/' -> index.html), 404 when none.
Response handle_static(ServerContext& ctx, const Request& req);

// The base URL for links in responses: --public-url, else scheme://Host from the request
// (X-Forwarded-Proto honoured), else http://host:port from the settings.
std::string public_base_url(const Config& config, const Request& req);

// Content type by file extension (".mjs" -> "text/javascript"); application/octet-stream otherwise.
std::string_view content_type_for(const std::filesystem::path& file);
// Maps decoded path segments to a file under root, or nullopt when a segment could escape it
// ("..", ".", a hidden name, a separator or NUL). A trailing empty segment names index.html.
std::optional<std::filesystem::path> static_relative_path(const std::vector<std::string>& segments);

}  // namespace crimemap::server
