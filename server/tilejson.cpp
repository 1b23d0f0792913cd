// GET /tiles/{layers}.json: TileJSON 3.0.0 whose tile URL names the dataset version, so clients
// and caches may keep the tiles for good (Cache-Control immutable on versioned URLs).
#include <algorithm>
#include <cmath>
#include <ctime>

#include "core/layers.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"
#include "server/handlers.hpp"
#include "server/response.hpp"
#include "server/tile_cache.hpp"

namespace crimemap::server {

namespace {
bool valid_host(std::string_view host) {
    if (host.empty() || host.size() > 255) return false;
    for (char c : host)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '-' || c == ':' || c == '[' || c == ']'))
            return false;
    return true;
}

int year_of(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return tm.tm_year + 1900;
}
}  // namespace

std::string public_base_url(const Config& config, const Request& req) {
    if (!config.public_url.empty()) return config.public_url;
    std::string scheme = "http";
    if (auto proto = req.headers.get("X-Forwarded-Proto"); proto && iequals(*proto, "https"))
        scheme = "https";
    if (auto host = req.headers.get("Host"); host && valid_host(*host))
        return scheme + "://" + std::string(*host);
    return "http://" + config.host + ":" + std::to_string(config.port);
}

Response handle_tilejson(ServerContext& ctx, const Request& req, const RouteParams& params) {
    auto snapshot = ctx.snapshot();
    if (!snapshot) return error_response(503, "Snapshot not loaded yet");

    auto layers = core::parse_layer_set(params.get("layers"));
    if (!layers) return error_response(layers.error());
    int minzoom = core::max_zoom, maxzoom = 0;
    for (auto kind : layers->kinds) {
        minzoom = std::min(minzoom, core::layer_spec(kind).minzoom);
        maxzoom = std::max(maxzoom, core::layer_spec(kind).maxzoom);
    }

    // Validate the filters exactly as a tile request would, so a bad TileJSON URL fails here.
    core::QueryParams filters;
    for (const auto& p : req.query)
        if (p.first != "v") filters.push_back(p);
    auto probe =
        core::parse_tile_query(params.get("layers"), std::to_string(minzoom), "0", "0", filters, *snapshot);
    if (!probe) return error_response(probe.error());

    const std::string canonical = layers->canonical();
    std::string url = public_base_url(ctx.config(), req) + "/tiles/" + canonical +
                      "/{z}/{x}/{y}.mvt?v=" + std::to_string(snapshot->version);
    for (const auto& [name, value] : filters)
        url += "&" + percent_encode(name) + "=" + percent_encode(value, ",");

    auto when =
        snapshot->created_at.time_since_epoch().count() != 0 ? snapshot->created_at : snapshot->loaded_at;
    const std::string attribution = core::data_attribution(
        year_of(when.time_since_epoch().count() != 0 ? when : std::chrono::system_clock::now()));

    const double west = snapshot->min_lonlat.lon, south = snapshot->min_lonlat.lat;
    const double east = snapshot->max_lonlat.lon, north = snapshot->max_lonlat.lat;
    // The centre frames where most of the data is (focus bounds), not the few outlying crimes.
    const double focus_west = snapshot->focus_min_lonlat.lon, focus_south = snapshot->focus_min_lonlat.lat;
    const double focus_east = snapshot->focus_max_lonlat.lon, focus_north = snapshot->focus_max_lonlat.lat;
    const double span = std::max(focus_east - focus_west, 1e-6);
    const int center_zoom =
        std::clamp(static_cast<int>(std::floor(std::log2(360.0 / span))), minzoom, maxzoom);

    nlohmann::json body{
        {"tilejson", "3.0.0"},
        {"name", "crimemap " + canonical},
        {"description", "police.uk street-level crime data and area statistics as vector tiles"},
        {"version", "1.0.0"},
        {"attribution", attribution},
        {"scheme", "xyz"},
        {"tiles", nlohmann::json::array({url})},
        {"minzoom", minzoom},
        {"maxzoom", maxzoom},
        {"bounds", {west, south, east, north}},
        {"center", {(focus_west + focus_east) / 2, (focus_south + focus_north) / 2, center_zoom}},
        {"vector_layers", core::vector_layers_json(*layers)},
        {"dataset_version", snapshot->version},
        {"first_month", snapshot->first_month.str()},
        {"last_month", snapshot->last_month.str()},
    };
    Response res = json_response(200, body, cache_tilejson);
    const std::string etag = make_etag(res.body);
    Response not_mod;
    if (not_modified(req, etag, cache_tilejson, not_mod)) return not_mod;
    res.headers.set("ETag", etag);
    return res;
}

}  // namespace crimemap::server
