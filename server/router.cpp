#include "server/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace crimemap::server {

std::string_view RouteParams::get(std::string_view name) const {
    for (const auto& [k, v] : items_)
        if (k == name) return v;
    return {};
}

void Router::add(Method method, std::string_view pattern, Handler handler, RouteFlags flags) {
    if (pattern.empty() || pattern.front() != '/')
        throw std::invalid_argument("route pattern must start with '/'");
    Route route{method, std::string(pattern), std::move(handler), flags, {}};
    std::string_view rest = pattern.substr(1);
    while (true) {
        auto slash = rest.find('/');
        std::string_view seg = rest.substr(0, slash);
        Route::Segment s{false, std::string(seg), {}};
        if (!seg.empty() && seg.front() == '{') {
            auto close = seg.find('}');
            if (close == std::string_view::npos || close == 1)
                throw std::invalid_argument("bad route parameter in " + std::string(pattern));
            s.is_param = true;
            s.text = std::string(seg.substr(1, close - 1));
            s.suffix = std::string(seg.substr(close + 1));
        }
        route.segments.push_back(std::move(s));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
    }
    routes_.push_back(std::move(route));
}

bool Router::match_path(const Route& route, const std::vector<std::string>& segments, RouteParams* params) {
    // One trailing slash is ignored ("/postcodes/" is "/postcodes", as in postcodes.io's Express
    // routing): a single extra empty last segment. '/' itself ({""}) never names a route, so the
    // page and directories of static files still fall through to the static handler.
    std::size_t n = segments.size();
    if (n == route.segments.size() + 1 && segments.back().empty()) --n;
    if (route.segments.size() != n) return false;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& p = route.segments[i];
        const std::string& s = segments[i];
        if (!p.is_param) {
            if (p.text != s) return false;
            continue;
        }
        // A parameter never matches an empty value.
        if (s.size() <= p.suffix.size() || !s.ends_with(p.suffix)) return false;
        if (params) params->add(p.text, std::string_view(s).substr(0, s.size() - p.suffix.size()));
    }
    return true;
}

Router::Match Router::match(Method method, const std::vector<std::string>& segments) const {
    Match m;
    Method wanted = method == Method::head ? Method::get : method;
    for (const auto& route : routes_) {
        if (!match_path(route, segments, nullptr)) continue;
        if (route.method == wanted) {
            m.outcome = Outcome::matched;
            m.route = &route;
            m.params = RouteParams{};
            match_path(route, segments, &m.params);
            m.allowed.clear();
            return m;
        }
        if (!m.route) m.route = &route;
        if (std::find(m.allowed.begin(), m.allowed.end(), route.method) == m.allowed.end())
            m.allowed.push_back(route.method);
    }
    m.outcome = m.allowed.empty() ? Outcome::not_found : Outcome::method_not_allowed;
    return m;
}

const Router::Route* Router::find(Method method, const std::vector<std::string>& segments) const {
    Method wanted = method == Method::head ? Method::get : method;
    for (const auto& route : routes_)
        if (route.method == wanted && match_path(route, segments, nullptr)) return &route;
    return nullptr;
}

std::string Router::allow_header(const std::vector<Method>& methods) {
    std::string out;
    auto append = [&](std::string_view m) {
        if (out.find(m) != std::string::npos) return;
        if (!out.empty()) out += ", ";
        out += m;
    };
    for (Method m : methods) {
        append(to_string(m));
        if (m == Method::get) append("HEAD");
    }
    append("OPTIONS");
    return out;
}

}  // namespace crimemap::server
