// The API part of the routing table (see api_routes.hpp). Order matters where patterns overlap:
// literal paths come before /api/{force}/{id}.
#include "server/api_routes.hpp"

#include "server/api_common.hpp"

namespace crimemap::server {
namespace api {
// api_postcodes.cpp
Response postcodes_query(ServerContext&, const Request&, const RouteParams&);
Response postcodes_bulk(ServerContext&, const Request&, const RouteParams&);
Response postcode_lookup(ServerContext&, const Request&, const RouteParams&);
Response postcode_validate(ServerContext&, const Request&, const RouteParams&);
Response postcode_nearest(ServerContext&, const Request&, const RouteParams&);
Response postcode_autocomplete(ServerContext&, const Request&, const RouteParams&);
Response postcode_lonlat(ServerContext&, const Request&, const RouteParams&);
Response outcode_lookup(ServerContext&, const Request&, const RouteParams&);
Response terminated_lookup(ServerContext&, const Request&, const RouteParams&);
Response random_postcode(ServerContext&, const Request&, const RouteParams&);
// api_police.cpp
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
// api_v1.cpp, api_teams.cpp, api_meeting_pack.cpp
Response v1_postcode_summary(ServerContext&, const Request&, const RouteParams&);
Response v1_area(ServerContext&, const Request&, const RouteParams&);
Response v1_area_performance(ServerContext&, const Request&, const RouteParams&);
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

void register_api_routes(Router& router, std::function<ServerContext&()> ctx) {
    auto route = [&](Method m, std::string_view pattern, api::ApiHandler fn, RouteFlags flags = {}) {
        router.add(m, pattern, [ctx, fn](const Request& req, const RouteParams& p) { return fn(ctx(), req, p); }, flags);
    };
    // Routes that query PostgreSQL run on the server's blocking pool; team writes also get the
    // stricter CORS rule (router.hpp).
    const RouteFlags database{.blocking = true};
    const RouteFlags team_write{.blocking = true, .write = true};
    using namespace api;
    // postcodes.io
    route(Method::get, "/postcodes", postcodes_query);
    route(Method::post, "/postcodes", postcodes_bulk);
    route(Method::get, "/postcodes/lon/{lon}/lat/{lat}", postcode_lonlat);
    route(Method::get, "/postcodes/{postcode}", postcode_lookup);
    route(Method::get, "/postcodes/{postcode}/validate", postcode_validate);
    route(Method::get, "/postcodes/{postcode}/nearest", postcode_nearest);
    route(Method::get, "/postcodes/{postcode}/autocomplete", postcode_autocomplete);
    route(Method::get, "/outcodes/{outcode}", outcode_lookup);
    route(Method::get, "/terminated_postcodes/{postcode}", terminated_lookup);
    route(Method::get, "/random/postcodes", random_postcode);
    // data.police.uk (literal paths before /api/{force}/{id})
    route(Method::get, "/api/crime-categories", police_crime_categories);
    route(Method::get, "/api/crime-last-updated", police_last_updated);
    route(Method::get, "/api/crimes-street-dates", police_street_dates);
    route(Method::get, "/api/forces", police_forces);
    route(Method::get, "/api/forces/{force}", police_force);
    route(Method::get, "/api/forces/{force}/people", police_force_people);
    route(Method::get, "/api/crimes-street/{category}", police_crimes_street, database);
    route(Method::post, "/api/crimes-street/{category}", police_crimes_street, database);
    route(Method::get, "/api/crimes-at-location", police_crimes_at_location, database);
    route(Method::get, "/api/crimes-no-location", police_crimes_no_location, database);
    route(Method::get, "/api/locate-neighbourhood", police_locate_neighbourhood);
    route(Method::get, "/api/{force}/neighbourhoods", police_neighbourhoods);
    route(Method::get, "/api/{force}/{id}", police_neighbourhood);
    route(Method::get, "/api/{force}/{id}/boundary", police_boundary);
    route(Method::get, "/api/{force}/{id}/people", police_people);
    route(Method::get, "/api/{force}/{id}/events", police_events);
    route(Method::get, "/api/{force}/{id}/priorities", police_priorities);
    // ours
    route(Method::get, "/v1/postcodes/{postcode}/summary", v1_postcode_summary);
    route(Method::get, "/v1/areas/{code}", v1_area);
    route(Method::get, "/v1/areas/{code}/performance", v1_area_performance);
    route(Method::get, "/v1/neighbourhoods/{force}/{id}/priorities", v1_priorities);
    route(Method::post, "/v1/neighbourhoods/{force}/{id}/priorities", v1_priority_create, team_write);
    route(Method::put, "/v1/neighbourhoods/{force}/{id}/priorities/{item}", v1_priority_update, team_write);
    route(Method::del, "/v1/neighbourhoods/{force}/{id}/priorities/{item}", v1_priority_delete, team_write);
    route(Method::get, "/v1/neighbourhoods/{force}/{id}/events", v1_events);
    route(Method::post, "/v1/neighbourhoods/{force}/{id}/events", v1_event_create, team_write);
    route(Method::put, "/v1/neighbourhoods/{force}/{id}/events/{item}", v1_event_update, team_write);
    route(Method::del, "/v1/neighbourhoods/{force}/{id}/events/{item}", v1_event_delete, team_write);
    route(Method::get, "/v1/neighbourhoods/{force}/{id}/meeting-pack", v1_meeting_pack_html, database);
    route(Method::get, "/v1/neighbourhoods/{force}/{id}/meeting-pack.json", v1_meeting_pack_json, database);
    route(Method::get, "/v1/neighbourhoods/{force}/{id}/meeting-pack.csv", v1_meeting_pack_csv, database);
}

}  // namespace crimemap::server
