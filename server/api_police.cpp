// data.police.uk-compatible routes under /api/. Everything but the individual crime listings is
// answered from the snapshot; crimes-street, crimes-at-location and crimes-no-location read rows
// through core::CrimeDetails (a short database query under a statement timeout; these routes run on
// the server's blocking pool).
#include <stdexcept>

#include "core/crime_details.hpp"
#include "core/json_input.hpp"
#include "core/police_api.hpp"
#include "core/police_outcomes.hpp"
#include "core/police_stops.hpp"
#include "server/api_common.hpp"
#include "server/handlers.hpp"

namespace crimemap::server::api {

namespace {
using nlohmann::json;
namespace police = core::police;

Response error(const core::Error& e) { return error_response(e); }

// Query parameters, plus a form-encoded POST body (police.uk accepts poly= by POST). The body is
// bounded (core::form_body_max_bytes: ample for 1,000 vertices) and a malformed one (bad escapes,
// a NUL) is a 400, never silently ignored.
core::Result<core::QueryParams> all_params(const Request& req) {
    auto params = req.query;
    if (req.method == Method::post && !req.body.empty()) {
        if (req.body.size() > core::form_body_max_bytes)
            return core::Error{core::ErrorCode::payload_too_large,
                               "Body larger than " + std::to_string(core::form_body_max_bytes) + " bytes"};
        auto body = parse_query(req.body);
        if (!body)
            return core::bad_request(
                "Invalid form body: expected poly=lat,lng:...&date=YYYY-MM, URL-encoded");
        params.insert(params.end(), body->begin(), body->end());
    }
    return params;
}

Response crime_list(const Request& req, const core::Snapshot& s, const std::vector<core::CrimeDetail>& rows,
                    std::size_t max) {
    if (rows.size() > max)
        return error_response(
            503, "More than " + std::to_string(max) +
                     " crimes match: narrow the area, the month or the category (police.uk answers 503 too)");
    json out = json::array();
    for (const auto& c : rows) out.push_back(police::crime_json(c));
    return reply_raw(req, &s, out);
}

// police.uk's method names: never a force id, so /api/<method>/... is never read as
// /api/{force}/{neighbourhood} (a police.uk path we do not serve is a plain 404).
bool police_method_name(std::string_view segment) {
    static constexpr std::string_view methods[] = {"crimes-street",
                                                   "crimes-at-location",
                                                   "crimes-no-location",
                                                   "crime-categories",
                                                   "crime-last-updated",
                                                   "crimes-street-dates",
                                                   "outcomes-for-crime",
                                                   "outcomes-at-location",
                                                   "stops-street",
                                                   "stops-at-location",
                                                   "stops-no-location",
                                                   "stops-force",
                                                   "forces",
                                                   "locate-neighbourhood",
                                                   "stops-street-dates"};
    for (auto m : methods)
        if (segment == m) return true;
    return false;
}
Response resource_not_found() { return error_response(404, "Not found"); }

// The area of crimes-street, stops-street, outcomes-at-location: poly=, else lat&lng (one mile).
// nullopt with `error` set when neither is usable.
std::optional<core::CrimeArea> area_param(const core::QueryParams& params, Response& error) {
    core::CrimeArea area;
    if (auto poly = core::find_param(params, "poly")) {
        auto parsed = police::parse_poly(*poly);
        if (!parsed) {
            error = error_response(parsed.error());
            return std::nullopt;
        }
        area.polygon = std::move(*parsed);
        return area;
    }
    auto lat = core::find_param(params, "lat"), lng = core::find_param(params, "lng");
    if (!lat || !lng) {
        error = error_response(400, "Missing lat and lng (or poly)");
        return std::nullopt;
    }
    auto centre = police::parse_lat_lng(*lat, *lng);
    if (!centre) {
        error = error_response(centre.error());
        return std::nullopt;
    }
    area.centre = *centre;
    area.radius_m = police::one_mile_m;
    return area;
}

// location_id=N (a street id); nullopt with `error` set when absent (if required) or malformed.
std::optional<std::int64_t> location_id_param(const core::QueryParams& params, Response& error) {
    auto loc = core::find_param(params, "location_id");
    if (!loc) return std::nullopt;
    try {
        std::size_t used = 0;
        auto id = std::stoll(std::string(*loc), &used);
        if (used != loc->size() || id < 0) throw std::invalid_argument("id");
        return id;
    } catch (const std::exception&) {
        error = error_response(400, "Invalid location_id: expected a street id");
        return std::nullopt;
    }
}

Response too_many(std::size_t max, std::string_view what) {
    return error_response(503, "More than " + std::to_string(max) + " " + std::string(what) +
                                   " match: narrow the area or the month (police.uk answers 503 too)");
}

Response with_source(Response r, bool from_outcomes_file) {
    r.headers.set("X-Crimemap-Outcomes-Source",
                  police::outcome_source_name(from_outcomes_file ? police::OutcomeSource::outcomes_file
                                                                 : police::OutcomeSource::street_file));
    return r;
}

// A core::DatabaseError from the query passes to App::handle, which answers 503 (busy, timeout,
// unreachable) or 500 (anything else) without the database's text.
template <class F>
Response with_crimes(ServerContext& ctx, F&& f) {
    auto services = ctx.services();
    if (!services.crimes)
        return error_response(503, "Crime listings need the database, which is not configured");
    return f(*services.crimes);
}
}  // namespace

Response police_crime_categories(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    if (auto d = police::parse_date(req.query, *s); !d) return error(d.error());
    return reply_raw(req, s.get(), police::crime_categories());
}

Response police_last_updated(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    return reply_raw(req, s.get(), police::crime_last_updated(*s));
}

Response police_street_dates(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    return reply_raw(req, s.get(), police::crimes_street_dates(*s));
}

Response police_forces(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    return reply_raw(req, s.get(), police::forces(*s->api));
}

Response police_force(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    return reply(req, s.get(), police::force(*s->api, p.get("force")));
}

Response police_force_people(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    const auto* force = s->api->force(p.get("force"));
    if (!force) return error_response(404, "Force not found");
    // Senior officers as `crimemap import forces` loaded them (none until then).
    json out = json::array();
    for (const auto& person : force->people) out.push_back(police::person_json(person));
    return reply_raw(req, s.get(), out);
}

Response police_crimes_street(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto all = all_params(req);
    if (!all) return error(all.error());
    const auto& params = *all;
    auto category = police::parse_category(p.get("category"));
    if (!category) return error(category.error());
    auto month = police::parse_date(params, *s);
    if (!month) return error(month.error());
    Response bad;
    auto area = area_param(params, bad);
    if (!area) return bad;
    return with_crimes(ctx, [&](core::CrimeDetails& crimes) {
        auto rows = crimes.in_area(*area, *month, *category, police::max_crimes + 1);
        return crime_list(req, *s, rows, police::max_crimes);
    });
}

Response police_crimes_at_location(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto month = police::parse_date(req.query, *s);
    if (!month) return error(month.error());
    std::optional<std::int64_t> id;
    geo::LonLat near{0, 0};
    if (auto loc = core::find_param(req.query, "location_id")) {
        try {
            std::size_t used = 0;
            id = std::stoll(std::string(*loc), &used);
            if (used != loc->size() || *id < 0) throw std::invalid_argument("id");
        } catch (const std::exception&) {
            return error_response(400, "Invalid location_id: expected a street id");
        }
    } else {
        auto lat = core::find_param(req.query, "lat"), lng = core::find_param(req.query, "lng");
        if (!lat || !lng) return error_response(400, "Missing location_id (or lat and lng)");
        auto c = police::parse_lat_lng(*lat, *lng);
        if (!c) return error(c.error());
        near = *c;
    }
    return with_crimes(ctx, [&](core::CrimeDetails& crimes) {
        return crime_list(req, *s, crimes.at_location(id, near, *month, police::max_crimes + 1),
                          police::max_crimes);
    });
}

Response police_crimes_no_location(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto month = police::parse_date(req.query, *s);
    if (!month) return error(month.error());
    auto cat_text = core::find_param(req.query, "category");
    if (!cat_text) return error_response(400, "Missing category (a slug or all-crime)");
    auto category = police::parse_category(*cat_text);
    if (!category) return error(category.error());
    auto force = core::find_param(req.query, "force");
    if (!force) return error_response(400, "Missing force");
    if (!s->api->force(*force)) return error_response(404, "Force not found");
    return with_crimes(ctx, [&](core::CrimeDetails& crimes) {
        return crime_list(req, *s,
                          crimes.no_location(std::string(*force), *month, *category, police::max_crimes + 1),
                          police::max_crimes);
    });
}

Response police_locate_neighbourhood(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto q = core::find_param(req.query, "q");
    return reply(req, s.get(), police::locate_neighbourhood(*s, q ? *q : std::string_view()));
}

Response police_neighbourhoods(ServerContext& ctx, const Request& req, const RouteParams& p) {
    if (police_method_name(p.get("force"))) return resource_not_found();
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto teams = current_teams(*s);
    return reply(req, s.get(), police::neighbourhoods(*s, *teams, p.get("force")), teams_salt(*teams));
}

namespace {
// The neighbourhood routes share the existence check: 404 unless a team or an area has that id.
template <class F>
Response neighbourhood_route(ServerContext& ctx, const Request& req, const RouteParams& p, F&& f) {
    if (police_method_name(p.get("force"))) return resource_not_found();
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto teams = current_teams(*s);
    auto force = p.get("force"), id = p.get("id");
    if (!teams->find(force, id) &&
        !s->find_area(core::AreaKind::neighbourhood, std::string(force) + "/" + std::string(id)))
        return error_response(404, "Neighbourhood not found");
    return reply(req, s.get(), f(*s, *teams, force, id), teams_salt(*teams));
}
}  // namespace

Response police_neighbourhood(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return neighbourhood_route(ctx, req, p,
                               [](const core::Snapshot& s, const core::TeamDirectory& t, auto f, auto i) {
                                   return police::neighbourhood(s, t, f, i);
                               });
}
Response police_boundary(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return neighbourhood_route(ctx, req, p,
                               [](const core::Snapshot& s, const core::TeamDirectory&, auto f, auto i) {
                                   return police::boundary(s, f, i);
                               });
}
Response police_people(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return neighbourhood_route(ctx, req, p,
                               [](const core::Snapshot&, const core::TeamDirectory& t, auto f, auto i) {
                                   return police::people(t, f, i);
                               });
}
Response police_events(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return neighbourhood_route(ctx, req, p,
                               [](const core::Snapshot&, const core::TeamDirectory& t, auto f, auto i) {
                                   return police::events(t, f, i);
                               });
}
Response police_priorities(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return neighbourhood_route(ctx, req, p,
                               [](const core::Snapshot&, const core::TeamDirectory& t, auto f, auto i) {
                                   return police::priorities(t, f, i);
                               });
}

Response police_outcomes_for_crime(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    const std::string id(p.get("id"));
    if (!police::plausible_persistent_id(id)) return error_response(404, "Crime not found");
    return with_crimes(ctx, [&](core::CrimeDetails& crimes) {
        auto found = crimes.outcomes_for_crime(id);
        if (!found.crime) return error_response(404, "Crime not found");
        return with_source(
            reply_raw(req, s.get(), police::outcomes_for_crime_json(*found.crime, found.outcomes.rows)),
            found.outcomes.from_outcomes_file);
    });
}

Response police_outcomes_at_location(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto all = all_params(req);
    if (!all) return error(all.error());
    auto month = police::parse_date(*all, *s);
    if (!month) return error(month.error());
    Response bad;
    auto id = location_id_param(*all, bad);
    if (!id && bad.status >= 400) return bad;
    core::CrimeArea area;
    if (!id) {
        auto a = area_param(*all, bad);
        if (!a)
            return core::find_param(*all, "lat") || core::find_param(*all, "poly")
                       ? bad
                       : error_response(400, "Missing location_id, lat and lng, or poly");
        area = std::move(*a);
    }
    return with_crimes(ctx, [&](core::CrimeDetails& crimes) {
        auto list = crimes.outcomes_at(id, area, *month, police::max_crimes + 1);
        if (list.rows.size() > police::max_crimes) return too_many(police::max_crimes, "outcomes");
        json out = json::array();
        for (const auto& o : list.rows) out.push_back(police::outcome_at_location_json(o));
        return with_source(reply_raw(req, s.get(), out), list.from_outcomes_file);
    });
}

namespace {
using StopScope = core::CrimeDetails::StopScope;
Response stop_list(ServerContext& ctx, const Request& req, const core::Snapshot& s, StopScope scope,
                   const core::CrimeArea& area, std::optional<std::int64_t> id, const std::string& force,
                   core::Month month) {
    return with_crimes(ctx, [&](core::CrimeDetails& crimes) {
        auto rows = crimes.stops(scope, area, id, force, month, police::max_crimes + 1);
        if (rows.size() > police::max_crimes) return too_many(police::max_crimes, "stops");
        json out = json::array();
        for (const auto& t : rows) out.push_back(police::stop_json(t));
        return reply_raw(req, &s, out);
    });
}
// stops-no-location and stops-force: force= (known) and date=.
Response stops_of_force(ServerContext& ctx, const Request& req, StopScope scope) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto month = police::parse_date(req.query, *s);
    if (!month) return error(month.error());
    auto force = core::find_param(req.query, "force");
    if (!force) return error_response(400, "Missing force");
    if (!s->api->force(*force)) return error_response(404, "Force not found");
    return stop_list(ctx, req, *s, scope, {}, std::nullopt, std::string(*force), *month);
}
}  // namespace

Response police_stops_street(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto all = all_params(req);
    if (!all) return error(all.error());
    auto month = police::parse_date(*all, *s);
    if (!month) return error(month.error());
    Response bad;
    auto area = area_param(*all, bad);
    if (!area) return bad;
    return stop_list(ctx, req, *s, StopScope::area, *area, std::nullopt, {}, *month);
}

Response police_stops_at_location(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto month = police::parse_date(req.query, *s);
    if (!month) return error(month.error());
    Response bad;
    auto id = location_id_param(req.query, bad);
    if (!id) return bad.status >= 400 ? bad : error_response(400, "Missing location_id");
    return stop_list(ctx, req, *s, StopScope::location, {}, id, {}, *month);
}

Response police_stops_no_location(ServerContext& ctx, const Request& req, const RouteParams&) {
    return stops_of_force(ctx, req, StopScope::no_location);
}

Response police_stops_force(ServerContext& ctx, const Request& req, const RouteParams&) {
    return stops_of_force(ctx, req, StopScope::force);
}

}  // namespace crimemap::server::api
