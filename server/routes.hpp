#pragma once
// The routing table: every route of crimemapd — method, path pattern, name, handler and how it
// runs — in one list (routes.cpp). App builds its Router from it, /metrics labels requests by its
// patterns, and tests check documentation against it. Adding an endpoint: declare its handler in
// handlers.hpp, write it in its family's .cpp, add one line to the table (docs/architecture.md).
// Immutable after start; safe to read from any thread.
#include <span>
#include <string_view>

#include "server/context.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"

namespace crimemap::server {

using HandlerFn = Response (*)(ServerContext&, const Request&, const RouteParams&);

struct RouteSpec {
    Method method;
    std::string_view pattern;  // router.hpp syntax; also the route's label in /metrics
    std::string_view name;     // a stable operation name (logs, API descriptions)
    HandlerFn handler;
    RouteFlags flags;
};

// In matching order: where patterns overlap, literal paths come before parameters.
std::span<const RouteSpec> route_table();

}  // namespace crimemap::server
