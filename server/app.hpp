#pragma once
// The application without sockets: the router built from routes.hpp's table, CORS, errors as JSON, exceptions
// as 500, database failures as 503/500 (core/database_error.hpp), metrics per route. The Beast session hands
// every parsed Request to App::handle: on its I/O thread, or on the blocking pool when blocking() says the
// route may wait on the database. Thread-safe: handle() and blocking() are called concurrently from all
// worker threads.
//
// CORS: --cors-origins "*" (the default) lets any page read every GET/HEAD answer and call the
// public POST lookups (bulk postcodes, crimes-street with a polygon). Token-guarded team writes
// (POST/PUT/DELETE under /v1/neighbourhoods/) are never opened by "*": their preflights and answers
// carry Access-Control-Allow-Origin only for an origin listed by name, e.g.
// --cors-origins '*,https://admin.example'. A browser page elsewhere cannot send a write with a
// bearer token (the preflight fails); servers and curl are unaffected, as CORS is browser policy.
#include <memory>

#include "core/snapshot.hpp"
#include "server/config.hpp"
#include "server/context.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"

namespace crimemap::server {

class App {
  public:
    // The routes come from route_table() (routes.hpp); `services` back the database routes
    // (ServerContext::set_services replaces them later).
    App(Config config, core::SnapshotHolder& snapshots, ApiServices services = {});

    // Never throws: a handler's exception becomes a 500 JSON error, a core::DatabaseError 503 or 500.
    Response handle(const Request& req) noexcept;
    // True when handling req may wait on the database (a route flagged blocking, or a tile route
    // while the renderer blocks): the server then calls handle() on its blocking pool.
    bool blocking(const Request& req) const noexcept;
    // The server's dispatch decision: true when req goes to the blocking pool. For such a route
    // the rate limiter is charged here, on the I/O thread, and the decision kept in the request;
    // a refused request is answered inline (false), so a flood of throttled database requests
    // never queues on the blocking pool ahead of other clients' work.
    bool admit_to_blocking_pool(Request& req) noexcept;
    // Requests refused before routing (malformed, too large): counted under route "none".
    void record_rejected(int status) noexcept;

    ServerContext& context() { return *ctx_; }
    const Router& router() const { return router_; }

  private:
    // listed_only: CORS for origins listed by name only ("*" does not apply): team writes.
    void apply_cors(const Request& req, Response& res, bool listed_only) const;
    bool listed_origin(const Request& req) const;
    // Sets listed_only when the method the preflight asks about is a team write on that path.
    Response preflight(const Request& req, const std::vector<Method>& allowed, bool& listed_only) const;

    Router router_;
    std::unique_ptr<ServerContext> ctx_;
    std::size_t static_route_ = 0;
    std::size_t none_route_ = 0;
    bool any_origin_ = true;
};

}  // namespace crimemap::server
