// GET /openapi.json: the OpenAPI 3.1 description of every route, docs/openapi.json compiled into
// the binary (server/CMakeLists.txt generates openapi_document.cpp from it), so the server always
// describes the routes it was built with. Only `servers` changes per request: the base URL clients
// reached us at (public_base_url), spliced into the document serialised once.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "server/gzip.hpp"
#include "server/handlers.hpp"
#include "server/response.hpp"
#include "server/tile_cache.hpp"

namespace crimemap::server {

extern const std::string_view openapi_document;  // generated from docs/openapi.json

namespace {
struct SplitDocument {
    std::string before, after;  // the compact document around its servers[0].url value
};

// Parsed and serialised once: the document is fixed at build time, and tests/unit/
// server_openapi_test.cpp proves it parses. A sentinel url marks where the base URL goes.
const SplitDocument& split_document() {
    static const SplitDocument split = [] {
        constexpr std::string_view sentinel = "\"crimemap-openapi-server-url\"";
        auto doc = nlohmann::json::parse(openapi_document);
        doc["servers"] =
            nlohmann::json::array({{{"url", "crimemap-openapi-server-url"}, {"description", "this server"}}});
        std::string text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        const auto at = text.find(sentinel);
        return SplitDocument{text.substr(0, at), text.substr(at + sentinel.size()) + "\n"};
    }();
    return split;
}

// Both encodings with their own strong ETags (as tiles do): a strong validator names exact bytes,
// so the gzip answer cannot share the identity one's, and App's generic gzip (weak ETags only)
// leaves this answer alone.
struct Rendered {
    std::string body, gzip, etag, etag_gzip;
};

std::shared_ptr<const Rendered> render(const std::string& base_url) {
    const auto& split = split_document();
    auto r = std::make_shared<Rendered>();
    // public_base_url only passes a Host made of host-name characters; dump() escapes it anyway.
    const std::string url =
        nlohmann::json(base_url).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    r->body.reserve(split.before.size() + url.size() + split.after.size());
    r->body.append(split.before).append(url).append(split.after);
    r->gzip = gzip_compress(r->body, 9);
    r->etag = make_etag(r->body);
    r->etag_gzip = make_etag(r->body, "-gzip");
    return r;
}

// A server is reached under a handful of base URLs; remember the first few so the ~100 KB document
// is not compressed per request, and never let hostile Host headers grow the map.
std::shared_ptr<const Rendered> rendered_for(const std::string& base_url) {
    constexpr std::size_t max_entries = 8;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Rendered>> cache;
    {
        std::lock_guard lock(mutex);
        if (auto it = cache.find(base_url); it != cache.end()) return it->second;
    }
    auto r = render(base_url);
    std::lock_guard lock(mutex);
    if (cache.size() < max_entries) cache.emplace(base_url, r);
    return r;
}
}  // namespace

Response handle_openapi(ServerContext& ctx, const Request& req, const RouteParams&) {
    const auto doc = rendered_for(public_base_url(ctx.config(), req));
    auto accept = req.headers.get("Accept-Encoding");
    const bool gzip = accept && accepts_gzip(*accept);
    // Without --public-url the servers entry follows X-Forwarded-Proto (the Host is in the URL).
    const std::string vary =
        ctx.config().public_url.empty() ? "Accept-Encoding, X-Forwarded-Proto" : "Accept-Encoding";
    Response res;
    if (not_modified(req, gzip ? doc->etag_gzip : doc->etag, cache_short, res) ||
        not_modified(req, gzip ? doc->etag : doc->etag_gzip, cache_short, res)) {
        res.headers.set("ETag", gzip ? doc->etag_gzip : doc->etag);
        res.headers.set("Vary", vary);
        return res;
    }
    res.status = 200;
    res.headers.set("Content-Type", json_content_type);
    res.headers.set("Cache-Control", cache_short);
    res.headers.set("ETag", gzip ? doc->etag_gzip : doc->etag);
    res.headers.set("Vary", vary);
    if (gzip) res.headers.set("Content-Encoding", "gzip");
    res.body = gzip ? doc->gzip : doc->body;
    return res;
}

}  // namespace crimemap::server
