// GET /tiles/{layers}/{z}/{x}/{y}.mvt: parse -> cache -> render -> HTTP caching semantics.
#include <algorithm>
#include <chrono>

#include "core/tile_query.hpp"
#include "server/gzip.hpp"
#include "server/handlers.hpp"
#include "server/response.hpp"

namespace crimemap::server {

namespace {
core::QueryParams without_version(const core::QueryParams& params) {
    core::QueryParams out;
    out.reserve(params.size());
    for (const auto& p : params)
        if (p.first != "v") out.push_back(p);
    return out;
}
}  // namespace

Response handle_tile(ServerContext& ctx, const Request& req, const RouteParams& params) {
    auto snapshot = ctx.snapshot();
    if (!snapshot) return error_response(503, "Snapshot not loaded yet");
    auto renderer = ctx.renderer();
    if (!renderer) return error_response(503, "Tile engine not ready yet");

    auto query = core::parse_tile_query(params.get("layers"), params.get("z"), params.get("x"),
                                        params.get("y"), without_version(req.query), *snapshot);
    if (!query) return error_response(query.error());

    const auto accept = req.headers.get("Accept-Encoding");
    const bool client_gzip = accept && accepts_gzip(*accept);
    const std::string key = TileCache::make_key(snapshot->version, query->cache_key());
    auto tile = ctx.cache().get(key);
    if (!tile) {
        auto t0 = std::chrono::steady_clock::now();
        auto rendered = renderer->render(*snapshot, *query);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!rendered) return error_response(rendered.error());
        ctx.metrics().record_render(rendered->mvt.size(), seconds, rendered->coarsened);
        // Compression effort follows reuse. A cached entry serves every later client, so it gets
        // both encodings at gzip_level_held; an uncached tile is compressed once, only for a
        // client that asked, at gzip_level_once (server/gzip.hpp).
        const int gzip_level = ctx.cache().max_bytes() > 0 ? gzip_level_held
                               : client_gzip               ? gzip_level_once
                                                           : 0;
        tile = make_cached_tile(snapshot->version, std::move(rendered->mvt), rendered->features,
                                rendered->coarsened, gzip_level);
        ctx.cache().put(key, tile);
    }

    // A URL naming the current version (as TileJSON hands out) can be cached for good: a new
    // dataset gets new URLs. Anything else may change at the next reload, and a version newer
    // than ours (TileJSON from another server behind the same cache that reloaded first) must not
    // be stored at all: that URL is to hold the newer data for good.
    auto v = core::find_param(req.query, "v");
    const std::string current = std::to_string(snapshot->version);
    const bool versioned = v && *v == current;
    const bool newer = v && !versioned && !v->empty() && v->size() <= 18 &&
                       std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                       std::stoll(std::string(*v)) > snapshot->version;
    const std::string_view cache_control = versioned ? cache_immutable : newer ? cache_none : cache_short;

    return encoded_response(req, {tile->mvt, tile->gzip, tile->etag, tile->etag_gzip}, client_gzip,
                            cache_control, mvt_content_type);
}

}  // namespace crimemap::server
