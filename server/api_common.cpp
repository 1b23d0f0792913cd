#include "server/api_common.hpp"

#include <cstdio>
#include <functional>

#include "server/gzip.hpp"

namespace crimemap::server {
namespace api {

namespace {
std::string weak_etag(const core::Snapshot* snapshot, const Request& req, std::uint64_t salt) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "W/\"%lld-%zx-%llx\"",
                  static_cast<long long>(snapshot ? snapshot->version : 0),
                  std::hash<std::string>{}(req.target), static_cast<unsigned long long>(salt));
    return buf;
}
Response finish(const Request& req, const core::Snapshot* snapshot, int status, const nlohmann::json& body,
                std::uint64_t salt) {
    if (status != 200) return json_response(status, body, cache_none);
    const auto etag = weak_etag(snapshot, req, salt);
    Response res;
    if (req.method == Method::get && not_modified(req, etag, cache_short, res)) return res;
    res = json_response(status, body, cache_short);
    if (req.method == Method::get || req.method == Method::head) res.headers.set("ETag", etag);
    return res;
}
}  // namespace

Response reply(const Request& req, const core::Snapshot* snapshot, const core::JsonReply& r,
               std::uint64_t salt) {
    auto res = finish(req, snapshot, r.status, r.body, salt);
    // Team data changes without a new dataset version: let caches revalidate every time.
    if (salt && res.headers.has("ETag")) res.headers.set("Cache-Control", "no-cache");
    return res;
}
Response cached_reply(ServerContext& ctx, const Request& req, const core::Snapshot& s, std::string_view key,
                      std::string_view cache_control, const std::function<core::JsonReply()>& compute,
                      std::uint64_t salt) {
    const auto accept = req.headers.get("Accept-Encoding");
    const bool client_gzip = accept && accepts_gzip(*accept);
    const std::string full_key = AnswerCache::make_key(s.version, key);
    auto answer = ctx.answers().get(full_key);
    if (!answer) {
        auto r = compute();
        if (r.status != 200) return reply(req, &s, r, salt);
        // As for tiles: a held answer serves every later client, so it gets both encodings; with
        // the cache off, only a client that asked gets gzip, at the cheapest level.
        const int gzip_level = ctx.answers().max_bytes() > 0 ? gzip_level_held
                               : client_gzip                 ? gzip_level_once
                                                             : 0;
        answer = make_cached_answer(json_text(r.body), std::string(cache_control), gzip_level);
        ctx.answers().put(full_key, answer);
    }
    return encoded_response(req, {answer->body, answer->gzip, answer->etag, answer->etag_gzip}, client_gzip,
                            answer->cache_control, json_content_type);
}

Response reply_raw(const Request& req, const core::Snapshot* snapshot, const nlohmann::json& body) {
    return finish(req, snapshot, 200, body, 0);
}

std::uint64_t teams_salt(const core::TeamDirectory& teams) {
    return static_cast<std::uint64_t>(teams.read_at.time_since_epoch().count()) | 1u;
}

std::shared_ptr<const core::Snapshot> snapshot_with_api(ServerContext& ctx) {
    auto s = ctx.snapshot();
    if (!s || !s->api) return nullptr;
    return s;
}

Response unavailable() { return error_response(503, "Data not loaded yet; try again shortly"); }

}  // namespace api
}  // namespace crimemap::server
