#include "server/response.hpp"

#include <ctime>

namespace crimemap::server {

std::string json_text(const nlohmann::json& body) {
    std::string out = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back('\n');
    return out;
}

Response json_response(int status, const nlohmann::json& body, std::string_view cache_control) {
    Response res;
    res.status = status;
    res.headers.set("Content-Type", json_content_type);
    res.headers.set("Cache-Control", cache_control);
    res.body = json_text(body);
    return res;
}

Response error_response(int status, std::string_view message) {
    // Written by hand to keep postcodes.io's key order: {"status": N, "error": "..."}.
    Response res;
    res.status = status;
    res.headers.set("Content-Type", json_content_type);
    res.headers.set("Cache-Control", cache_none);
    res.body = "{\"status\":" + std::to_string(status) + ",\"error\":" +
               nlohmann::json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "}\n";
    return res;
}

Response error_response(const core::Error& error) {
    return error_response(core::http_status(error.code), error.detail);
}

bool etag_matches(std::string_view header, std::string_view etag) noexcept {
    auto opaque = [](std::string_view t) {
        if (t.starts_with("W/")) t.remove_prefix(2);
        return t;
    };
    std::string_view want = opaque(etag);
    while (!header.empty()) {
        auto comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (item == "*") return true;
        if (!item.empty() && opaque(item) == want) return true;
    }
    return false;
}

bool not_modified(const Request& req, std::string_view etag, std::string_view cache_control, Response& res) {
    if (req.method != Method::get && req.method != Method::head) return false;
    auto inm = req.headers.get("If-None-Match");
    if (!inm || !etag_matches(*inm, etag)) return false;
    res = Response{};
    res.status = 304;
    res.headers.set("ETag", etag);
    res.headers.set("Cache-Control", cache_control);
    return true;
}

Response encoded_response(const Request& req, const EncodedBody& body, bool client_gzip,
                          std::string_view cache_control, std::string_view content_type) {
    const bool gzip = client_gzip && !body.gzip.empty() && body.gzip.size() < body.identity.size();
    const std::string_view etag = gzip ? body.etag_gzip : body.etag;
    const std::string_view other_etag = gzip ? body.etag : body.etag_gzip;

    Response res;
    if (not_modified(req, etag, cache_control, res) || not_modified(req, other_etag, cache_control, res)) {
        res.headers.set("Vary", "Accept-Encoding");
        return res;
    }
    res.headers.set("ETag", etag);
    res.headers.set("Cache-Control", cache_control);
    res.headers.set("Vary", "Accept-Encoding");
    if (body.identity.empty()) {
        res.status = 204;
        return res;
    }
    res.status = 200;
    res.headers.set("Content-Type", content_type);
    if (gzip) res.headers.set("Content-Encoding", "gzip");
    res.body = gzip ? body.gzip : body.identity;
    return res;
}

}  // namespace crimemap::server

namespace crimemap::server {
std::string iso8601(std::chrono::system_clock::time_point t) {
    if (t.time_since_epoch().count() == 0) return {};
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
}  // namespace crimemap::server
