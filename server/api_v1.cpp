// Our own /v1/ answers: the resident's postcode summary, area reports, similar areas and league
// tables (JSON, CSV and the /league page), all from memory.
#include <variant>

#include "core/area_report.hpp"
#include "core/league.hpp"
#include "core/postcode.hpp"
#include "core/similar.hpp"
#include "core/summary.hpp"
#include "server/api_common.hpp"
#include "server/handlers.hpp"

namespace crimemap::server::api {

Response v1_postcode_summary(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto teams = current_teams(*s);
    const auto now = std::chrono::system_clock::now();
    // Next events depend on the day too: the salt changes daily.
    const auto day = std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
    const std::uint64_t salt = teams_salt(*teams) ^ static_cast<std::uint64_t>(day) << 1;
    auto compute = [&] { return core::postcode_summary(*s, *teams, p.get("postcode"), req.query, now); };
    // The answer depends on the postcode, months=, the team data (its salt) and the day: held in
    // the answer cache under those. Team data changes without a new dataset version, so caches
    // revalidate every time ("no-cache"), as reply() does for salted answers.
    auto months = core::find_param(req.query, "months");
    auto pc = core::parse_postcode(p.get("postcode"));
    if (pc && req.query.size() == (months ? 1u : 0u) && (!months || months->size() <= 2)) {
        const std::string key =
            "sum|" + pc->compact + "|" + std::string(months.value_or("")) + "|" + std::to_string(salt);
        return cached_reply(ctx, req, *s, key, "no-cache", compute, salt);
    }
    return reply(req, s.get(), compute(), salt);
}

Response v1_area(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    return reply(req, s.get(), core::area_report(*s, p.get("code")));
}

Response v1_area_performance(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    return reply(req, s.get(), core::area_performance(*s, p.get("code"), req.query));
}

Response v1_area_similar(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    return reply(req, s.get(), core::similar_areas(*s, p.get("code"), req.query));
}

namespace {
// The league for a request, or the error answer.
std::variant<core::League, Response> league_for(const core::Snapshot& s, const Request& req) {
    auto q = core::parse_league_query(req.query, s);
    if (!q) return error_response(q.error());
    auto l = core::build_league(s, *q);
    if (!l) return error_response(l.error());
    return std::move(*l);
}
}  // namespace

Response v1_league(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto l = league_for(*s, req);
    if (auto* error = std::get_if<Response>(&l)) return std::move(*error);
    const auto& league = std::get<core::League>(l);
    if (!league.query.csv) return reply(req, s.get(), core::json_ok(core::league_json(league)));
    Response res;
    res.status = 200;
    res.headers.set("Content-Type", "text/csv; charset=utf-8");
    res.headers.set("Content-Disposition",
                    "attachment; filename=\"league-" + std::string(core::to_string(league.query.kind)) + "-" +
                        (league.query.indicator.empty() ? "crimes" : league.measure) + ".csv\"");
    res.headers.set("Cache-Control", "public, max-age=60");
    res.body = core::league_csv(league);
    return res;
}

Response league_page(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto l = league_for(*s, req);
    if (auto* error = std::get_if<Response>(&l)) return std::move(*error);
    Response res;
    res.status = 200;
    res.headers.set("Content-Type", "text/html; charset=utf-8");
    res.headers.set("Cache-Control", "public, max-age=60");
    // Self-contained: no script, nothing loaded; the form and links are same-origin.
    res.headers.set("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'");
    res.body = core::league_html(std::get<core::League>(l), *s);
    return res;
}

}  // namespace crimemap::server::api
