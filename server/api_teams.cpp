// /v1/neighbourhoods/{force}/{id}/priorities and /events: public reads, token-guarded writes.
// Reads come from memory; a write goes to the database through core::TeamStore (one short
// transaction with its audit row), then the team directory is re-read so the next read shows it.
// Writes run on the server's blocking pool and are CORS-open only to origins listed by name.
#include <atomic>

#include "core/database_error.hpp"
#include "core/json_input.hpp"
#include "core/police_api.hpp"
#include "core/teams.hpp"
#include "server/api_common.hpp"
#include "server/api_routes.hpp"
#include "server/log.hpp"

namespace crimemap::server::api {

namespace {
using nlohmann::json;

// The directory re-read after the latest write; used while it is fresher than the snapshot's.
std::shared_ptr<const core::TeamDirectory> written_teams;  // accessed with std::atomic_load/store

json priority_v1(const core::TeamPriority& p) {
    auto j = core::police::priority_json(p);
    j["id"] = p.id;
    return j;
}
json event_v1(const core::TeamEvent& e) {
    auto j = core::police::event_json(e);
    j["id"] = e.id;
    return j;
}

Response unauthorized(std::string_view message) {
    auto res = error_response(401, message);
    res.headers.set("WWW-Authenticate", "Bearer");
    return res;
}

enum class Entity { priority, event };

std::optional<std::int64_t> parse_id(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::int64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

Response list(ServerContext& ctx, const RouteParams& p, Entity what) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto teams = current_teams(*s);
    const auto* team = teams->find(p.get("force"), p.get("id"));
    if (!team) return error_response(404, "Neighbourhood team not found");
    json out = json::array();
    if (what == Entity::priority)
        for (const auto& x : team->priorities) out.push_back(priority_v1(x));
    else
        for (const auto& x : team->events) out.push_back(event_v1(x));
    // Writes change these without a new dataset version: no shared caching.
    return json_response(200, json{{"status", 200}, {"result", out}}, cache_none);
}

Response write(ServerContext& ctx, const Request& req, const RouteParams& p, Entity what, Method method) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto auth = req.headers.get("Authorization");
    if (!auth) return unauthorized("Missing bearer token (Authorization: Bearer <token>)");
    auto token = core::bearer_token(*auth);
    if (!token) return unauthorized("Malformed Authorization header: expected Bearer <token>");
    auto store = api_services().teams;
    if (!store) return error_response(503, "Team writes need the database, which is not configured");
    const std::string force(p.get("force")), id(p.get("id"));
    std::optional<std::int64_t> item;
    if (method != Method::post) {
        item = parse_id(p.get("item"));
        if (!item) return error_response(404, what == Entity::priority ? "Priority not found" : "Event not found");
    }
    // A core::DatabaseError passes to App::handle: 503 (busy, timeout, unreachable) or 500.
    auto scope = store->authenticate(*token);
    if (!scope) return unauthorized("Invalid or revoked token");
    if (auto e = core::check_scope(*scope, force, id)) return error_response(*e);
    if (!current_teams(*s)->find(force, id)) return error_response(404, "Neighbourhood team not found");

    std::optional<core::PriorityInput> pin;
    std::optional<core::EventInput> ein;
    if (method != Method::del) {
        auto body = core::read_json(req.body, core::team_body_limits);  // bounded: core/json_input.hpp
        if (!body) return error_response(body.error());
        if (what == Entity::priority) {
            auto in = core::parse_priority_input(*body);
            if (!in) return error_response(in.error());
            pin = std::move(*in);
        } else {
            auto in = core::parse_event_input(*body);
            if (!in) return error_response(in.error());
            ein = std::move(*in);
        }
    }
    std::int64_t result_id = 0;
    bool found = true;
    if (what == Entity::priority) {
        if (method == Method::post) result_id = store->create_priority(*scope, force, id, *pin);
        else if (method == Method::put) found = store->update_priority(*scope, force, id, *item, *pin);
        else found = store->remove_priority(*scope, force, id, *item);
    } else {
        if (method == Method::post) result_id = store->create_event(*scope, force, id, *ein);
        else if (method == Method::put) found = store->update_event(*scope, force, id, *item, *ein);
        else found = store->remove_event(*scope, force, id, *item);
    }
    if (!found) return error_response(404, what == Entity::priority ? "Priority not found" : "Event not found");
    if (item) result_id = *item;
    // The write is committed: a failure to re-read the directory must not report it as failed
    // (a client would retry and write twice). Reads show it after the next reload instead.
    std::shared_ptr<const core::TeamDirectory> fresh;
    try {
        fresh = store->load_teams();
        std::atomic_store(&written_teams, fresh);
    } catch (const core::DatabaseError& e) {
        log_warn(std::string("team write committed, directory re-read failed: ") + e.what());
    }
    if (method == Method::del) {
        Response res;
        res.status = 204;
        res.headers.set("Cache-Control", cache_none);
        return res;
    }
    json entity = fresh ? json(nullptr) : json{{"id", result_id}};
    if (const auto* team = fresh ? fresh->find(force, id) : nullptr) {
        if (what == Entity::priority) {
            for (const auto& x : team->priorities)
                if (x.id == result_id) entity = priority_v1(x);
        } else {
            for (const auto& x : team->events)
                if (x.id == result_id) entity = event_v1(x);
        }
    }
    const int status = method == Method::post ? 201 : 200;
    auto res = json_response(status, json{{"status", status}, {"result", entity}}, cache_none);
    return res;
}
}  // namespace

std::shared_ptr<const core::TeamDirectory> current_teams(const core::Snapshot& s) {
    auto snap = s.api ? s.api->teams : nullptr;
    auto written = std::atomic_load(&written_teams);
    if (!snap) return written ? written : std::make_shared<const core::TeamDirectory>();
    if (written && written->read_at > snap->read_at) return written;
    return snap;
}

Response v1_priorities(ServerContext& c, const Request&, const RouteParams& p) { return list(c, p, Entity::priority); }
Response v1_events(ServerContext& c, const Request&, const RouteParams& p) { return list(c, p, Entity::event); }
Response v1_priority_create(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::priority, Method::post);
}
Response v1_priority_update(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::priority, Method::put);
}
Response v1_priority_delete(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::priority, Method::del);
}
Response v1_event_create(ServerContext& c, const Request& r, const RouteParams& p) { return write(c, r, p, Entity::event, Method::post); }
Response v1_event_update(ServerContext& c, const Request& r, const RouteParams& p) { return write(c, r, p, Entity::event, Method::put); }
Response v1_event_delete(ServerContext& c, const Request& r, const RouteParams& p) { return write(c, r, p, Entity::event, Method::del); }

}  // namespace crimemap::server::api
