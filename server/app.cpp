#include "server/app.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/database_error.hpp"
#include "core/postcode_api.hpp"
#include "server/gzip.hpp"
#include "server/handlers.hpp"
#include "server/log.hpp"
#include "server/rate_limit.hpp"
#include "server/response.hpp"
#include "server/routes.hpp"

namespace crimemap::server {

namespace {
// postcodes.io's cors({allowedHeaders}) list.
constexpr std::string_view plain_options_headers = "X-Requested-With, Content-Type, Accept, Origin";

// First path segments that belong to postcodes.io's API: an unmatched path under them answers
// postcodes.io's 404 text instead of ours.
bool postcodes_io_path(const Request& req) {
    if (req.segments.empty()) return false;
    const auto& first = req.segments.front();
    for (std::string_view p :
         {"postcodes", "outcodes", "terminated_postcodes", "random", "ping", "places", "scotland"})
        if (first == p) return true;
    return false;
}

bool token_list(std::string_view s) {
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == ',' || c == ' '))
            return false;
    return s.size() <= 512;
}

// The answer of last resort when even building an error answer failed (out of memory): a status
// and no body, made without allocating, so App::handle keeps its noexcept promise.
void bare_error(Response& res, int status) noexcept {
    res = Response{};
    res.status = status;
}

// gzip for the JSON, CSV and HTML answers of the APIs (tiles and static files negotiate their own
// encodings and strong ETags). Only under a weak ETag or none: a weak validator may stand for both
// encodings, so the handlers' If-None-Match checks keep working unchanged.
void compress_text_answer(const Request& req, Response& res) {
    constexpr std::size_t min_bytes = 512;  // below this the gzip header and CPU are not worth it
    if (res.status != 200 || res.body.size() < min_bytes || res.headers.has("Content-Encoding")) return;
    auto type = res.headers.get("Content-Type");
    if (!type || !(type->starts_with("application/json") || type->starts_with("text/csv") ||
                   type->starts_with("text/html")))
        return;
    if (auto etag = res.headers.get("ETag"); etag && !etag->starts_with("W/")) return;
    auto accept = req.headers.get("Accept-Encoding");
    if (!accept || !accepts_gzip(*accept)) return;
    std::string gz = gzip_compress(res.body, gzip_level_held);
    if (gz.size() >= res.body.size()) return;
    res.body = std::move(gz);
    res.headers.set("Content-Encoding", "gzip");
    auto vary = res.headers.get("Vary");
    res.headers.set("Vary", vary ? std::string(*vary) + ", Accept-Encoding" : std::string("Accept-Encoding"));
}
}  // namespace

App::App(Config config, core::SnapshotHolder& snapshots, ApiServices services) {
    for (const auto& spec : route_table()) {
        router_.add(
            spec.method, spec.pattern,
            [this, fn = spec.handler](const Request& req, const RouteParams& p) { return fn(*ctx_, req, p); },
            spec.flags);
    }

    std::vector<std::string> labels;
    for (const auto& r : router_.routes()) labels.push_back(r.pattern);
    labels.emplace_back("static");
    labels.emplace_back("none");
    any_origin_ =
        std::find(config.cors_origins.begin(), config.cors_origins.end(), "*") != config.cors_origins.end();
    ctx_ = std::make_unique<ServerContext>(std::move(config), snapshots, labels, std::move(services));
    static_route_ = ctx_->metrics().route_index("static");
    none_route_ = ctx_->metrics().route_index("none");
}

bool App::listed_origin(const Request& req) const {
    auto origin = req.headers.get("Origin");
    if (!origin || *origin == "*") return false;
    const auto& allowed = ctx_->config().cors_origins;
    return std::find(allowed.begin(), allowed.end(), *origin) != allowed.end();
}

void App::apply_cors(const Request& req, Response& res, bool listed_only) const {
    if (any_origin_ && !listed_only) {
        res.headers.set("Access-Control-Allow-Origin", "*");
    } else {
        auto vary = res.headers.get("Vary");
        res.headers.set("Vary", vary ? std::string(*vary) + ", Origin" : std::string("Origin"));
        if (!listed_origin(req)) {
            // A refused preflight must not advertise methods or headers either.
            res.headers.erase("Access-Control-Allow-Methods");
            res.headers.erase("Access-Control-Allow-Headers");
            res.headers.erase("Access-Control-Max-Age");
            return;
        }
        res.headers.set("Access-Control-Allow-Origin", *req.headers.get("Origin"));
    }
    res.headers.set("Access-Control-Expose-Headers",
                    "ETag, Content-Encoding, Content-Length, Content-Range, Accept-Ranges, Retry-After, "
                    "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Crimemap-Outcomes-Source");
}

Response App::preflight(const Request& req, const std::vector<Method>& allowed, bool& listed_only) const {
    Response res;
    res.status = 204;
    res.headers.set("Allow", Router::allow_header(allowed));
    auto requested = req.headers.get("Access-Control-Request-Method");
    if (req.headers.has("Origin") && requested) {
        auto is_write = [&](Method m) {
            const auto* r = router_.find(m, req.segments);
            return r && r->flags.write;
        };
        const bool listed = listed_origin(req);
        listed_only = is_write(method_from_string(*requested));
        // Methods this origin may use here: team writes only for a listed origin.
        std::vector<Method> usable;
        for (Method m : allowed)
            if (listed || !is_write(m)) usable.push_back(m);
        res.headers.set("Access-Control-Allow-Methods", Router::allow_header(usable));
        if (auto h = req.headers.get("Access-Control-Request-Headers"); h && token_list(*h))
            res.headers.set("Access-Control-Allow-Headers", *h);
        res.headers.set("Access-Control-Max-Age", "86400");
    } else {
        // A plain OPTIONS (no Access-Control-Request-Method) gets what postcodes.io's cors
        // middleware sends to any OPTIONS: the methods and headers a page may use. A path with a
        // team write keeps the stricter rule: those headers (and Allow-Origin) for listed origins only.
        bool any_write = false;
        for (Method m : allowed) {
            const auto* r = router_.find(m, req.segments);
            any_write = any_write || (r && r->flags.write);
        }
        listed_only = any_write;
        res.headers.set("Access-Control-Allow-Methods", Router::allow_header(allowed));
        res.headers.set("Access-Control-Allow-Headers", plain_options_headers);
    }
    res.headers.set("Cache-Control", cache_none);
    return res;
}

bool App::blocking(const Request& req) const noexcept {
    const auto* route = router_.find(req.method, req.segments);
    if (!route) return false;
    if (route->flags.blocking) return true;
    if (route->flags.renders) {
        auto renderer = ctx_->renderer();
        return renderer && renderer->blocking();
    }
    return false;
}

bool App::admit_to_blocking_pool(Request& req) noexcept {
    if (!blocking(req)) return false;
    try {
        req.rate_limit = ctx_->rate_limiter().check(req);
    } catch (...) {
        return true;  // out of memory charging: handle() charges (and answers) on the pool
    }
    const auto outcome = req.rate_limit->outcome;
    return outcome != RateLimitResult::Outcome::throttled && outcome != RateLimitResult::Outcome::invalid_key;
}

Response App::handle(const Request& req) noexcept {
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t route = none_route_;
    bool listed_only = false;  // CORS for listed origins only (team writes)
    Response res;
    RateLimitResult limit;
    try {
        auto match = router_.match(req.method, req.segments);
        route = match.outcome == Router::Outcome::not_found
                    ? static_route_
                    : static_cast<std::size_t>(match.route - router_.routes().data());
        // The limiter runs after routing (so /metrics can name the route) and before any handler
        // work: a refused request costs a hash-map probe, not a lookup or a database query.
        limit = req.rate_limit ? *req.rate_limit : ctx_->rate_limiter().check(req);
        if (limit.outcome == RateLimitResult::Outcome::throttled) {
            if (match.outcome == Router::Outcome::matched) listed_only = match.route->flags.write;
            res = error_response(429,
                                 "Too many requests: slow down (see Retry-After), or use a portal API key");
            ctx_->metrics().record_throttled(route, limit.key);
        } else if (limit.outcome == RateLimitResult::Outcome::invalid_key) {
            if (match.outcome == Router::Outcome::matched) listed_only = match.route->flags.write;
            res = error_response(401, "Invalid API key: unknown or revoked");
        } else if (match.outcome == Router::Outcome::matched) {
            listed_only = match.route->flags.write;
            res = match.route->handler(req, match.params);
            compress_text_answer(req, res);
        } else if (match.outcome == Router::Outcome::method_not_allowed) {
            if (req.method == Method::options) {
                res = preflight(req, match.allowed, listed_only);
            } else {
                res = error_response(405, "Method not allowed");
                res.headers.set("Allow", Router::allow_header(match.allowed));
            }
        } else if (req.method == Method::options) {
            res = ctx_->static_files().enabled() ? preflight(req, {Method::get}, listed_only)
                                                 : error_response(404, "Not found");
        } else if (postcodes_io_path(req)) {
            route = none_route_;
            res = error_response(404, core::pcio::resource_not_found);
        } else {
            res = handle_static(*ctx_, req);
        }
    } catch (const core::DatabaseError& e) {
        // The database's text stays in the log; the client gets a generic message.
        try {
            (e.transient() ? log_warn : log_error)(std::string(to_string(req.method)) + " " +
                                                   redact_target(req.target) + ": " + e.what());
            res = error_response(core::to_error(e));
            if (res.status == 503) res.headers.set("Retry-After", "2");
        } catch (...) {
            bare_error(res, 503);
        }
    } catch (const std::exception& e) {
        try {
            log_error("handler failed for " + std::string(to_string(req.method)) + " " +
                      redact_target(req.target) + ": " + e.what());
            res = error_response(500, "Internal server error");
        } catch (...) {
            bare_error(res, 500);
        }
    } catch (...) {
        try {
            log_error("handler failed for " + std::string(to_string(req.method)) + " " +
                      redact_target(req.target));
            res = error_response(500, "Internal server error");
        } catch (...) {
            bare_error(res, 500);
        }
    }
    try {
        RateLimiter::apply_headers(limit, res);
        apply_cors(req, res, listed_only);
        res.headers.set("X-Content-Type-Options", "nosniff");
        if (!req.request_id.empty()) res.headers.set("X-Request-Id", req.request_id);
    } catch (...) {
    }
    try {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        ctx_->metrics().record_request(route, res.status, seconds);
        if (ctx_->config().access_log) {
            char line[64];
            std::snprintf(line, sizeof line, " %d %llu %.3fms", res.status,
                          static_cast<unsigned long long>(res.body_size()), seconds * 1000);
            // The target without api_key=... values: keys never reach a log.
            log_info(std::string(to_string(req.method)) + " " + redact_target(req.target) + line);
        }
    } catch (...) {
        // Out of memory while logging: the answer still goes out.
    }
    return res;
}

void App::record_rejected(int status) noexcept { ctx_->metrics().record_request(none_route_, status, 0); }

}  // namespace crimemap::server
