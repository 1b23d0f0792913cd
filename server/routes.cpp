// The one routing table (routes.hpp). Order matters where patterns overlap: literal paths come
// before /api/{force}/{id}.
#include "server/routes.hpp"

#include <array>

#include "server/handlers.hpp"

namespace crimemap::server {

namespace {
// Routes that query PostgreSQL run on the server's blocking pool; team writes also get the
// stricter CORS rule (router.hpp); tile routes block exactly when the renderer does.
constexpr RouteFlags tiles{.renders = true};
constexpr RouteFlags database{.blocking = true};
constexpr RouteFlags team_write{.blocking = true, .write = true};
constexpr Method get = Method::get, post = Method::post, put = Method::put, del = Method::del;
using namespace api;

constexpr std::array table{
    // tiles and service routes
    RouteSpec{get, "/tiles/{layers}/{z}/{x}/{y}.mvt", "tile", handle_tile, tiles},
    RouteSpec{get, "/tiles/{layers}/{z}/{x}/{y}.pbf", "tile_pbf", handle_tile, tiles},
    RouteSpec{get, "/tiles/{layers}.json", "tilejson", handle_tilejson, {}},
    RouteSpec{get, "/archives/{file}", "archive", handle_archive, {}},
    RouteSpec{get, "/basemap.pmtiles", "basemap", handle_basemap, {}},
    RouteSpec{get, "/catalog", "catalog", handle_catalog, {}},
    RouteSpec{get, "/openapi.json", "openapi", handle_openapi, {}},
    RouteSpec{get, "/health", "health", handle_health, {}},
    RouteSpec{get, "/ready", "ready", handle_ready, {}},
    RouteSpec{get, "/metrics", "metrics", handle_metrics, {}},
    // postcodes.io
    RouteSpec{get, "/postcodes", "postcodes_query", postcodes_query, {}},
    RouteSpec{post, "/postcodes", "postcodes_bulk", postcodes_bulk, {}},
    RouteSpec{get, "/postcodes/lon/{lon}/lat/{lat}", "postcode_lonlat", postcode_lonlat, {}},
    RouteSpec{get, "/postcodes/{postcode}", "postcode_lookup", postcode_lookup, {}},
    RouteSpec{get, "/postcodes/{postcode}/validate", "postcode_validate", postcode_validate, {}},
    RouteSpec{get, "/postcodes/{postcode}/nearest", "postcode_nearest", postcode_nearest, {}},
    RouteSpec{get, "/postcodes/{postcode}/autocomplete", "postcode_autocomplete", postcode_autocomplete, {}},
    RouteSpec{get, "/outcodes", "outcodes_query", outcodes_query, {}},
    RouteSpec{get, "/outcodes/{outcode}", "outcode_lookup", outcode_lookup, {}},
    RouteSpec{get, "/outcodes/{outcode}/nearest", "outcode_nearest", outcode_nearest, {}},
    RouteSpec{get, "/terminated_postcodes/{postcode}", "terminated_lookup", terminated_lookup, {}},
    RouteSpec{get, "/random/postcodes", "random_postcode", random_postcode, {}},
    RouteSpec{get, "/ping", "ping", ping, {}},
    RouteSpec{get, "/places", "places_query", places_query, {}},
    RouteSpec{get, "/places/{code}", "place_lookup", place_lookup, {}},
    RouteSpec{get, "/random/places", "random_place", random_place, {}},
    RouteSpec{get, "/scotland/postcodes/{postcode}", "scottish_postcode", scottish_postcode, {}},
    // data.police.uk (literal paths before /api/{force}/{id})
    RouteSpec{get, "/api/crime-categories", "police_crime_categories", police_crime_categories, {}},
    RouteSpec{get, "/api/crime-last-updated", "police_last_updated", police_last_updated, {}},
    RouteSpec{get, "/api/crimes-street-dates", "police_street_dates", police_street_dates, {}},
    RouteSpec{get, "/api/forces", "police_forces", police_forces, {}},
    RouteSpec{get, "/api/forces/{force}", "police_force", police_force, {}},
    RouteSpec{get, "/api/forces/{force}/people", "police_force_people", police_force_people, {}},
    RouteSpec{get, "/api/crimes-street/{category}", "police_crimes_street", police_crimes_street, database},
    RouteSpec{post, "/api/crimes-street/{category}", "police_crimes_street_poly", police_crimes_street,
              database},
    RouteSpec{get, "/api/crimes-at-location", "police_crimes_at_location", police_crimes_at_location,
              database},
    RouteSpec{get, "/api/crimes-no-location", "police_crimes_no_location", police_crimes_no_location,
              database},
    RouteSpec{
        get, "/api/locate-neighbourhood", "police_locate_neighbourhood", police_locate_neighbourhood, {}},
    RouteSpec{get, "/api/outcomes-for-crime/{id}", "police_outcomes_for_crime", police_outcomes_for_crime,
              database},
    RouteSpec{get, "/api/outcomes-at-location", "police_outcomes_at_location", police_outcomes_at_location,
              database},
    RouteSpec{post, "/api/outcomes-at-location", "police_outcomes_at_location_poly",
              police_outcomes_at_location, database},
    RouteSpec{get, "/api/stops-street", "police_stops_street", police_stops_street, database},
    RouteSpec{post, "/api/stops-street", "police_stops_street_poly", police_stops_street, database},
    RouteSpec{get, "/api/stops-at-location", "police_stops_at_location", police_stops_at_location, database},
    RouteSpec{get, "/api/stops-no-location", "police_stops_no_location", police_stops_no_location, database},
    RouteSpec{get, "/api/stops-force", "police_stops_force", police_stops_force, database},
    RouteSpec{get, "/api/{force}/neighbourhoods", "police_neighbourhoods", police_neighbourhoods, {}},
    RouteSpec{get, "/api/{force}/{id}", "police_neighbourhood", police_neighbourhood, {}},
    RouteSpec{get, "/api/{force}/{id}/boundary", "police_boundary", police_boundary, {}},
    RouteSpec{get, "/api/{force}/{id}/people", "police_people", police_people, {}},
    RouteSpec{get, "/api/{force}/{id}/events", "police_events", police_events, {}},
    RouteSpec{get, "/api/{force}/{id}/priorities", "police_priorities", police_priorities, {}},
    // ours
    RouteSpec{get, "/v1/postcodes/{postcode}/summary", "postcode_summary", v1_postcode_summary, {}},
    RouteSpec{get, "/v1/areas/{code}", "area", v1_area, {}},
    RouteSpec{get, "/v1/areas/{code}/performance", "area_performance", v1_area_performance, {}},
    RouteSpec{get, "/v1/areas/{code}/similar", "area_similar", v1_area_similar, {}},
    RouteSpec{get, "/v1/league", "league", v1_league, {}},
    RouteSpec{get, "/league", "league_page", league_page, {}},
    RouteSpec{get, "/v1/neighbourhoods/{force}/{id}/priorities", "priorities", v1_priorities, {}},
    RouteSpec{post, "/v1/neighbourhoods/{force}/{id}/priorities", "priority_create", v1_priority_create,
              team_write},
    RouteSpec{put, "/v1/neighbourhoods/{force}/{id}/priorities/{item}", "priority_update", v1_priority_update,
              team_write},
    RouteSpec{del, "/v1/neighbourhoods/{force}/{id}/priorities/{item}", "priority_delete", v1_priority_delete,
              team_write},
    RouteSpec{get, "/v1/neighbourhoods/{force}/{id}/events", "events", v1_events, {}},
    RouteSpec{post, "/v1/neighbourhoods/{force}/{id}/events", "event_create", v1_event_create, team_write},
    RouteSpec{put, "/v1/neighbourhoods/{force}/{id}/events/{item}", "event_update", v1_event_update,
              team_write},
    RouteSpec{del, "/v1/neighbourhoods/{force}/{id}/events/{item}", "event_delete", v1_event_delete,
              team_write},
    RouteSpec{get, "/v1/neighbourhoods/{force}/{id}/meeting-pack", "meeting_pack_html", v1_meeting_pack_html,
              database},
    RouteSpec{get, "/v1/neighbourhoods/{force}/{id}/meeting-pack.json", "meeting_pack_json",
              v1_meeting_pack_json, database},
    RouteSpec{get, "/v1/neighbourhoods/{force}/{id}/meeting-pack.csv", "meeting_pack_csv",
              v1_meeting_pack_csv, database},
};
}  // namespace

std::span<const RouteSpec> route_table() { return table; }

}  // namespace crimemap::server
