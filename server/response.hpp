#pragma once
// Response helpers shared by the handlers: JSON bodies and errors, cache policy, ETag matching.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "server/http_types.hpp"

namespace crimemap::server {

inline constexpr std::string_view cache_immutable = "public, max-age=31536000, immutable";
inline constexpr std::string_view cache_short = "public, max-age=60";
inline constexpr std::string_view cache_none = "no-store";
// TileJSON names the current version's tile URLs: shared caches (nginx, a CDN) keep it only a few
// seconds, so that a refresh reaches clients behind them soon; browsers as long as other answers.
inline constexpr std::string_view cache_tilejson = "public, max-age=60, s-maxage=5";
inline constexpr std::string_view mvt_content_type = "application/vnd.mapbox-vector-tile";
inline constexpr std::string_view json_content_type = "application/json";

// The JSON text json_response sends (compact, invalid UTF-8 replaced, a final newline).
std::string json_text(const nlohmann::json& body);
Response json_response(int status, const nlohmann::json& body, std::string_view cache_control = cache_none);
// {"status": N, "error": message}, Cache-Control: no-store.
Response error_response(int status, std::string_view message);
Response error_response(const core::Error& error);

// True when an If-None-Match value ("*", or a list of entity tags, weak ones compared weakly as
// RFC 9110 13.1.2 asks for GET) matches the quoted etag.
bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept;

// 304 for GET/HEAD when If-None-Match matches one of the etags; sets ETag and Cache-Control.
// Returns false (and leaves res alone) otherwise.
bool not_modified(const Request& req, std::string_view etag, std::string_view cache_control, Response& res);

// A body held in both encodings, each with its strong ETag (tiles, cached answers).
struct EncodedBody {
    std::string_view identity;  // empty: nothing to send (204, a tile without features)
    std::string_view gzip;      // empty when not built
    std::string_view etag;
    std::string_view etag_gzip;
};
// The tile path's HTTP rules for it: gzip when the client accepts it and it is smaller; an
// If-None-Match naming either ETag is a 304 (a cache may hold the other encoding); Vary:
// Accept-Encoding on every answer; an empty identity body is a 204.
Response encoded_response(const Request& req, const EncodedBody& body, bool client_gzip,
                          std::string_view cache_control, std::string_view content_type);

}  // namespace crimemap::server

namespace crimemap::server {
// "2019-03-01T12:00:00Z" (UTC, seconds); "" for the epoch (unknown).
std::string iso8601(std::chrono::system_clock::time_point t);
}  // namespace crimemap::server
