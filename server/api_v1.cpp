// Our own /v1/ answers: the resident's postcode summary and area reports, all from memory.
#include "core/area_report.hpp"
#include "core/summary.hpp"
#include "server/api_common.hpp"

namespace crimemap::server::api {

Response v1_postcode_summary(ServerContext& ctx, const Request& req, const RouteParams& p) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    auto teams = current_teams(*s);
    auto r =
        core::postcode_summary(*s, *teams, p.get("postcode"), req.query, std::chrono::system_clock::now());
    // Next events depend on the day too: the salt changes daily.
    const auto day =
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count();
    return reply(req, s.get(), r, teams_salt(*teams) ^ static_cast<std::uint64_t>(day) << 1);
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

}  // namespace crimemap::server::api
