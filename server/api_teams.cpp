// /v1/neighbourhoods/{force}/{id}/priorities and /events: public reads, token-guarded writes.
// Reads come from memory; a write goes to the database through core::TeamStore (one short
// transaction with its audit row), then the team directory is re-read so the next read shows it.
// Writes run on the server's blocking pool and are CORS-open only to origins listed by name.
#include <atomic>

#include "core/database_error.hpp"
#include "core/json_input.hpp"
#include "core/police_api.hpp"
#include "core/secrets.hpp"
#include "core/teams.hpp"
#include "server/api_common.hpp"
#include "server/handlers.hpp"
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

using Entity = core::TeamEntity;

// A refused write: the JSON envelope, and the RFC 6750 challenge a client can act on (no token or
// an unusable one: 401 + invalid_token; a token without the scope: 403 + insufficient_scope).
Response refusal_response(const core::Error& e, bool token_presented, bool scope_missing, Entity what) {
    auto res = error_response(e);
    if (res.status == 401)
        res.headers.set("WWW-Authenticate", token_presented
                                                ? "Bearer realm=\"crimemap\", error=\"invalid_token\""
                                                : "Bearer realm=\"crimemap\"");
    else if (scope_missing)
        res.headers.set("WWW-Authenticate",
                        "Bearer realm=\"crimemap\", error=\"insufficient_scope\", scope=\"" +
                            std::string(core::scope_name(what)) + "\"");
    return res;
}

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
    auto store = ctx.services().teams;
    const std::string force(p.get("force")), id(p.get("id"));
    std::optional<std::int64_t> item;
    if (method != Method::post) {
        item = parse_id(p.get("item"));
        if (!item)
            return error_response(404, what == Entity::priority ? "Priority not found" : "Event not found");
    }
    const auto origin = core::make_request_origin(req.peer_address,
                                                  req.headers.get("User-Agent").value_or(""), req.request_id);
    // Every 401 and 403 is answered and audited the same way; the token itself goes nowhere.
    auto refuse = [&](const core::Error& e, bool token_presented,
                      const std::optional<core::StoredToken>& stored) {
        auto res = refusal_response(e, token_presented, stored && !stored->scope.scopes.allows(what), what);
        const auto token_id = stored ? std::optional(stored->scope.token_id) : std::nullopt;
        if (store) {
            core::RefusedWrite r{origin,
                                 token_id,
                                 method == Method::post  ? core::TeamAction::create
                                 : method == Method::put ? core::TeamAction::update
                                                         : core::TeamAction::remove,
                                 what,
                                 item,
                                 force,
                                 id,
                                 res.status,
                                 e.detail};
            try {
                store->record_refusal(r);
            } catch (const core::DatabaseError& x) {
                // The refusal stands; only its audit row is missing (the database is failing).
                log_warn(std::string("audit of a refused team write failed: ") + x.what());
            }
        }
        return res;
    };
    auto auth = req.headers.get("Authorization");
    if (!auth)
        return refuse({core::ErrorCode::unauthorized, "Missing bearer token (Authorization: Bearer <token>)"},
                      false, {});
    auto token = core::bearer_token(*auth);
    if (!token)
        return refuse(
            {core::ErrorCode::unauthorized, "Malformed Authorization header: expected Bearer <token>"}, true,
            {});
    if (!store) return error_response(503, "Team writes need the database, which is not configured");
    // Hashed here: PostgreSQL and every log only ever see the hash.
    const auto token_hash = core::sha256_hex(*token);
    // A core::DatabaseError passes to App::handle: 503 (busy, timeout, unreachable) or 500.
    const auto stored = store->find_token(token_hash);
    auto scope = core::authorize(stored, token_hash, what, force, id);
    if (!scope) return refuse(scope.error(), true, stored);
    const core::TeamWriter writer{*scope, origin};
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
        if (method == Method::post)
            result_id = store->create_priority(writer, force, id, *pin);
        else if (method == Method::put)
            found = store->update_priority(writer, force, id, *item, *pin);
        else
            found = store->remove_priority(writer, force, id, *item);
    } else {
        if (method == Method::post)
            result_id = store->create_event(writer, force, id, *ein);
        else if (method == Method::put)
            found = store->update_event(writer, force, id, *item, *ein);
        else
            found = store->remove_event(writer, force, id, *item);
    }
    if (!found)
        return error_response(404, what == Entity::priority ? "Priority not found" : "Event not found");
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

Response v1_priorities(ServerContext& c, const Request&, const RouteParams& p) {
    return list(c, p, Entity::priority);
}
Response v1_events(ServerContext& c, const Request&, const RouteParams& p) {
    return list(c, p, Entity::event);
}
Response v1_priority_create(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::priority, Method::post);
}
Response v1_priority_update(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::priority, Method::put);
}
Response v1_priority_delete(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::priority, Method::del);
}
Response v1_event_create(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::event, Method::post);
}
Response v1_event_update(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::event, Method::put);
}
Response v1_event_delete(ServerContext& c, const Request& r, const RouteParams& p) {
    return write(c, r, p, Entity::event, Method::del);
}

}  // namespace crimemap::server::api
