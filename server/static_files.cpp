#include "server/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <sstream>

#include "server/gzip.hpp"
#include "server/handlers.hpp"
#include "server/response.hpp"
#include "server/tile_cache.hpp"

namespace crimemap::server {

namespace fs = std::filesystem;

namespace {
constexpr std::uintmax_t max_static_file = 64u << 20;

bool compressible(std::string_view type) {
    return type.starts_with("text/") || type.starts_with("application/json") || type == "image/svg+xml" ||
           type == "application/manifest+json";
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::size_t entry_bytes(const std::string& body, const std::string& gzip) {
    return body.size() + gzip.size();
}

bool inside(const fs::path& root, const fs::path& p) {
    auto r = root.begin(), q = p.begin();
    for (; r != root.end(); ++r, ++q)
        if (q == p.end() || *r != *q) return false;
    return true;
}
}  // namespace

std::string_view content_type_for(const fs::path& file) {
    std::string ext = file.extension().string();
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json" || ext == ".map") return "application/json";
    if (ext == ".webmanifest") return "application/manifest+json";
    if (ext == ".png") return "image/png";
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".gif") return "image/gif";
    if (ext == ".webp") return "image/webp";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".wasm") return "application/wasm";
    if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
    if (ext == ".pbf" || ext == ".mvt") return "application/x-protobuf";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".woff") return "font/woff";
    return "application/octet-stream";
}

bool is_public_asset(const fs::path& relative) {
    // An allowlist, not a denylist: web/ is also an npm project (package.json, lock file,
    // build.mjs, node_modules with playwright, tests), and a new file there must not go public
    // by default. The MapLibre build the page needs is copied into dist/ by build.mjs.
    static const std::array<std::string_view, 3> top_files{"index.html", "favicon.ico", "config.json"};
    static const std::array<std::string_view, 3> folders{"app", "embed", "dist"};
    static const std::array<std::string_view, 14> extensions{".html", ".mjs", ".js",   ".css",  ".map",
                                                             ".png",  ".jpg", ".jpeg", ".gif",  ".webp",
                                                             ".svg",  ".ico", ".woff", ".woff2"};
    std::vector<std::string> parts;
    for (const auto& p : relative) parts.push_back(p.string());
    if (parts.empty()) return false;
    for (const auto& p : parts)
        if (p.empty() || p.front() == '.') return false;
    if (parts.size() == 1) return std::find(top_files.begin(), top_files.end(), parts[0]) != top_files.end();
    if (std::find(folders.begin(), folders.end(), parts[0]) == folders.end()) return false;
    const std::string ext = lower(relative.extension().string());
    if (ext == ".txt") return parts[0] == "dist";  // MapLibre's LICENSE.txt travels with its build
    return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

// A folder that may be redirected to (".../" serves its index.html): one whose index is public.
bool is_public_folder(const fs::path& relative) { return is_public_asset(relative / "index.html"); }

std::optional<fs::path> static_relative_path(const std::vector<std::string>& segments) {
    fs::path rel;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& s = segments[i];
        if (s.empty()) {
            if (i + 1 == segments.size()) {
                rel /= "index.html";
                return rel;
            }
            return std::nullopt;  // "//" inside a path
        }
        if (s.front() == '.') return std::nullopt;  // "..", "." and hidden files
        if (s.find_first_of(std::string_view("/\\\0:", 4)) != std::string::npos) return std::nullopt;
        rel /= s;
    }
    if (rel.empty()) rel = "index.html";
    return rel;
}

namespace {
// "/embed?postcode=X" -> "/embed/?postcode=X" so relative links in its index.html resolve;
// the query string is the widget's configuration and must survive the redirect.
Response redirect_to_folder(const Request& req) {
    Response res;
    res.status = 301;
    auto query_start = req.target.find('?');
    std::string query = query_start == std::string::npos ? "" : req.target.substr(query_start);
    res.headers.set("Location", req.path + "/" + query);
    res.headers.set("Cache-Control", cache_short);
    return res;
}
}  // namespace

StaticFiles::StaticFiles(const std::string& root, std::string frame_ancestors, std::size_t cache_bytes)
    : frame_ancestors_(std::move(frame_ancestors)), cache_budget_(cache_bytes) {
    std::error_code ec;
    if (!root.empty()) {
        auto canonical = fs::canonical(root, ec);
        if (!ec && fs::is_directory(canonical, ec)) root_ = canonical;
    }
}

Response StaticFiles::serve(const Request& req) {
    if (root_.empty()) return error_response(404, "Not found");
    auto rel = static_relative_path(req.segments);
    if (!rel) return error_response(404, "Not found");
    std::error_code ec;
    fs::path full = root_ / *rel;
    if (!is_public_asset(*rel)) {
        if (is_public_folder(*rel) && fs::is_directory(full, ec)) return redirect_to_folder(req);
        return error_response(404, "Not found");
    }
    if (fs::is_directory(full, ec)) return error_response(404, "Not found");
    fs::path real = fs::canonical(full, ec);
    if (ec || !inside(root_, real) || !fs::is_regular_file(real, ec)) return error_response(404, "Not found");
    // A public name that is a symlink to a private file (app/x.mjs -> ../package.json) is not public.
    if (!is_public_asset(real.lexically_relative(root_))) return error_response(404, "Not found");
    if (req.method != Method::get && req.method != Method::head) {
        Response res = error_response(405, "Method not allowed");
        res.headers.set("Allow", "GET, HEAD, OPTIONS");
        return res;
    }

    auto size = fs::file_size(real, ec);
    if (ec) return error_response(404, "Not found");
    auto mtime = fs::last_write_time(real, ec);
    if (ec) return error_response(404, "Not found");
    if (size > max_static_file) return error_response(404, "Not found");
    const std::string type(content_type_for(real));

    std::shared_ptr<const Entry> entry = lookup(real.string(), mtime, size);
    if (!entry) {
        std::ifstream in(real, std::ios::binary);
        if (!in) return error_response(404, "Not found");
        std::ostringstream buf;
        buf << in.rdbuf();
        auto e = std::make_shared<Entry>();
        e->mtime = mtime;
        e->size = size;
        e->body = std::move(buf).str();
        e->etag = make_etag(e->body);
        if (compressible(type) && e->body.size() >= 1024) {
            std::string gz = gzip_compress(e->body, 6);
            if (gz.size() < e->body.size()) e->gzip = std::move(gz);
        }
        entry = e;
        store(real.string(), entry);
    }

    const bool html = type.starts_with("text/html");
    const std::string_view cache_control = html ? "no-cache" : "public, max-age=300";
    const auto accept = req.headers.get("Accept-Encoding");
    const bool gz = !entry->gzip.empty() && accept && accepts_gzip(*accept);
    const std::string etag = gz ? make_etag(entry->body, "-gz") : entry->etag;

    Response res;
    if (!not_modified(req, etag, cache_control, res)) {
        res.status = 200;
        res.headers.set("Content-Type", type);
        res.headers.set("Cache-Control", cache_control);
        res.headers.set("ETag", etag);
        if (gz) {
            res.headers.set("Content-Encoding", "gzip");
            res.body = entry->gzip;
        } else {
            res.body = entry->body;
        }
    }
    if (!entry->gzip.empty()) res.headers.set("Vary", "Accept-Encoding");
    if (html && !frame_ancestors_.empty())
        res.headers.set("Content-Security-Policy", "frame-ancestors " + frame_ancestors_);
    return res;
}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::lookup(const std::string& key,
                                                              fs::file_time_type mtime, std::uintmax_t size) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    if (it->second.entry->mtime != mtime || it->second.entry->size != size)
        return nullptr;  // changed: re-read
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.entry;
}

void StaticFiles::store(const std::string& key, std::shared_ptr<const Entry> entry) {
    const std::size_t bytes = entry_bytes(entry->body, entry->gzip);
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {  // a stale version, or a concurrent read
        cached_bytes_ -= entry_bytes(it->second.entry->body, it->second.entry->gzip);
        lru_.erase(it->second.lru);
        entries_.erase(it);
    }
    if (bytes > cache_budget_) return;  // larger than the whole budget: served from disk each time
    while (cached_bytes_ + bytes > cache_budget_ && !lru_.empty()) {
        auto victim = entries_.find(lru_.back());
        cached_bytes_ -= entry_bytes(victim->second.entry->body, victim->second.entry->gzip);
        entries_.erase(victim);
        lru_.pop_back();
    }
    lru_.push_front(key);
    entries_.emplace(key, Slot{std::move(entry), lru_.begin()});
    cached_bytes_ += bytes;
}

std::size_t StaticFiles::cached_bytes() const {
    std::lock_guard lock(mutex_);
    return cached_bytes_;
}

Response handle_static(ServerContext& ctx, const Request& req) { return ctx.static_files().serve(req); }

}  // namespace crimemap::server
