#pragma once
// One function per endpoint family (tiles.cpp, tilejson.cpp, catalog.cpp, status.cpp,
// static_files.cpp). Each parses into typed values, asks core, maps the result; none touches a
// socket or the database. App (app.cpp) holds the routing table that points at them.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/context.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"

namespace crimemap::server {

// GET /tiles/{layers}/{z}/{x}/{y}.mvt|.pbf
Response handle_tile(ServerContext& ctx, const Request& req, const RouteParams& params);
// GET /tiles/{layers}.json (TileJSON 3.0.0)
Response handle_tilejson(ServerContext& ctx, const Request& req, const RouteParams& params);
// GET /catalog
Response handle_catalog(ServerContext& ctx, const Request& req, const RouteParams& params);
// GET /health, /ready, /metrics
Response handle_health(ServerContext& ctx, const Request& req, const RouteParams& params);
Response handle_ready(ServerContext& ctx, const Request& req, const RouteParams& params);
Response handle_metrics(ServerContext& ctx, const Request& req, const RouteParams& params);
// Any other path: a file from --web-dir ('/' and '/dir/' -> index.html), 404 when none.
Response handle_static(ServerContext& ctx, const Request& req);

// The base URL for links in responses: --public-url, else scheme://Host from the request
// (X-Forwarded-Proto honoured), else http://host:port from the settings.
std::string public_base_url(const Config& config, const Request& req);

// Content type by file extension (".mjs" -> "text/javascript"); application/octet-stream otherwise.
std::string_view content_type_for(const std::filesystem::path& file);
// Maps decoded path segments to a file under root, or nullopt when a segment could escape it
// ("..", ".", a hidden name, a separator or NUL). A trailing empty segment names index.html.
std::optional<std::filesystem::path> static_relative_path(const std::vector<std::string>& segments);

}  // namespace crimemap::server
