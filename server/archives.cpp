// GET /archives/{file} and /basemap.pmtiles: the PMTiles archives given with --tiles and
// --basemap, as files with HTTP Range (server/tile_archives.hpp does the serving).
#include "server/handlers.hpp"
#include "server/response.hpp"

namespace crimemap::server {

Response handle_archive(ServerContext& ctx, const Request& req, const RouteParams& params) {
    auto archives = ctx.archives();
    const TileArchive* archive = archives ? archives->find(std::string(params.get("file"))) : nullptr;
    if (!archive) return error_response(404, "Unknown archive (see /catalog for the archives served)");
    return archive->serve(req);
}

Response handle_basemap(ServerContext& ctx, const Request& req, const RouteParams&) {
    auto archives = ctx.archives();
    if (!archives || !archives->basemap())
        return error_response(404, "No basemap configured (crimemapd --basemap)");
    return archives->basemap()->serve(req);
}

}  // namespace crimemap::server
