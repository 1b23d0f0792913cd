// postcodes.io-compatible routes: parse the path and query, ask core/postcode_api, map the reply.
#include <random>

#include "server/api_common.hpp"

namespace crimemap::server::api {

namespace {
using core::JsonReply;

template <class F>
Response with_snapshot(ServerContext& ctx, const Request& req, F&& f) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    return reply(req, s.get(), f(*s));
}
}  // namespace

Response postcodes_query(ServerContext& ctx, const Request& req, const RouteParams&) {
    return with_snapshot(ctx, req, [&](const core::Snapshot& s) -> JsonReply {
        const auto& q = req.query;
        auto lon = core::find_param(q, "lon"), lat = core::find_param(q, "lat");
        if (auto lo = core::find_param(q, "longitude"), la = core::find_param(q, "latitude"); lo && la) {
            lon = lo;
            lat = la;
        }
        if (lon && lat) return core::reverse(s, *lon, *lat, q);
        return core::search(s, q);
    });
}

Response postcodes_bulk(ServerContext& ctx, const Request& req, const RouteParams&) {
    return with_snapshot(ctx, req, [&](const core::Snapshot& s) { return core::bulk(s, req.body, req.query); });
}

Response postcode_lookup(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, [&](const core::Snapshot& s) { return core::lookup_postcode(s, p.get("postcode")); });
}

Response postcode_validate(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, [&](const core::Snapshot& s) { return core::validate_postcode(s, p.get("postcode")); });
}

Response postcode_nearest(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req,
                         [&](const core::Snapshot& s) { return core::nearest_to_postcode(s, p.get("postcode"), req.query); });
}

Response postcode_autocomplete(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req,
                         [&](const core::Snapshot& s) { return core::autocomplete(s, p.get("postcode"), req.query); });
}

Response postcode_lonlat(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req,
                         [&](const core::Snapshot& s) { return core::reverse(s, p.get("lon"), p.get("lat"), req.query); });
}

Response outcode_lookup(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, [&](const core::Snapshot& s) { return core::lookup_outcode(s, p.get("outcode")); });
}

Response random_postcode(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    thread_local std::mt19937_64 rng{std::random_device{}()};
    auto r = core::random_postcode(*s, req.query, rng());
    return json_response(r.status, r.body, cache_none);
}

Response terminated_lookup(ServerContext& ctx, const Request& req, const RouteParams& p) {
    return with_snapshot(ctx, req, [&](const core::Snapshot& s) { return core::lookup_terminated(s, p.get("postcode")); });
}

}  // namespace crimemap::server::api
