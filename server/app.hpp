#pragma once
// The application without sockets: the routing table, CORS, errors as JSON, exceptions as 500,
// metrics per route. The Beast session hands every parsed Request to App::handle.
// Thread-safe: handle() is called concurrently from all worker threads.
#include <memory>

#include "core/snapshot.hpp"
#include "server/config.hpp"
#include "server/context.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"

namespace crimemap::server {

class App {
public:
    App(Config config, core::SnapshotHolder& snapshots);

    // Never throws: a handler's exception becomes a 500 JSON error.
    Response handle(const Request& req) noexcept;
    // Requests refused before routing (malformed, too large): counted under route "none".
    void record_rejected(int status) noexcept;

    ServerContext& context() { return *ctx_; }
    const Router& router() const { return router_; }

private:
    void apply_cors(const Request& req, Response& res) const;
    Response preflight(const Request& req, const std::vector<Method>& allowed) const;

    Router router_;
    std::unique_ptr<ServerContext> ctx_;
    std::size_t static_route_ = 0;
    std::size_t none_route_ = 0;
    bool any_origin_ = true;
};

}  // namespace crimemap::server
