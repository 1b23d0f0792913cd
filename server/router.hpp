#pragma once
// The one routing table: method + path pattern -> handler. Patterns are '/'-separated segments,
// each a literal ("catalog"), a parameter ("{z}") or a parameter with a literal suffix ("{y}.mvt",
// "{layers}.json"). HEAD is answered by GET routes. Matching works on decoded path segments; one
// trailing slash is ignored ("/postcodes/" matches "/postcodes"), so a path with a trailing slash
// falls through to static files only when no route has its name.
// Build the table once at start; match() is then thread-safe (const).
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http_types.hpp"

namespace crimemap::server {

class RouteParams {
  public:
    void add(std::string_view name, std::string_view value) { items_.emplace_back(name, value); }
    // The parameter's value; empty when absent (patterns guarantee presence of their names).
    std::string_view get(std::string_view name) const;

  private:
    std::vector<std::pair<std::string_view, std::string_view>> items_;
};

using Handler = std::function<Response(const Request&, const RouteParams&)>;

// How a route runs, beyond its handler.
struct RouteFlags {
    // The handler may wait on the database: the server runs it on its blocking pool, never on an
    // I/O thread (http_server.hpp).
    bool blocking = false;
    // The handler renders tiles: blocking exactly when the tile renderer is (the postgis engine).
    bool renders = false;
    // A token-guarded write: CORS allows it only for origins listed by name in --cors-origins,
    // never through "*" (app.cpp).
    bool write = false;
};

class Router {
  public:
    struct Route {
        Method method;
        std::string pattern;  // also the route's label in /metrics
        Handler handler;
        RouteFlags flags;
        struct Segment {
            bool is_param;
            std::string text;    // literal, or parameter name
            std::string suffix;  // for "{name}.ext"
        };
        std::vector<Segment> segments;
    };

    enum class Outcome { matched, method_not_allowed, not_found };
    struct Match {
        Outcome outcome = Outcome::not_found;
        const Route* route = nullptr;  // matched; for method_not_allowed the first route with that path
        RouteParams params;            // views into the request's segments and the pattern
        std::vector<Method> allowed;   // when method_not_allowed: methods of routes matching the path
    };

    // Throws std::invalid_argument on a malformed pattern.
    void add(Method method, std::string_view pattern, Handler handler, RouteFlags flags = {});
    Match match(Method method, const std::vector<std::string>& segments) const;
    // The route match() would pick (HEAD as GET), without collecting parameters; null when none.
    const Route* find(Method method, const std::vector<std::string>& segments) const;
    // "GET, HEAD, OPTIONS" for an Allow header.
    static std::string allow_header(const std::vector<Method>& methods);
    const std::vector<Route>& routes() const { return routes_; }

  private:
    static bool match_path(const Route& route, const std::vector<std::string>& segments, RouteParams* params);
    std::vector<Route> routes_;
};

}  // namespace crimemap::server
