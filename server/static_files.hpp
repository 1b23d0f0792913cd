#pragma once
// Serves the public web assets from one folder (--web-dir) for the map page: content types by
// extension, ETag and 304, gzip for text types, no escape from the folder (".." and hidden names
// refused, symlinks resolved and checked). Only an allowlist is served (is_public_asset): the
// page, the widget, app modules, styles, the favicon, public config and the MapLibre build, never
// the npm project, build scripts, tests or node_modules that share web/. Files are read once and
// kept in memory (at most cache_bytes, least recently used leave first) until they change on disk.
// Thread-safe.
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/http_types.hpp"

namespace crimemap::server {

// True for a path (relative to the web folder, as static_relative_path gives) that is a public
// asset: index.html, favicon.ico and config.json at the top; under app/, embed/ and dist/ files
// with a web extension (.html .mjs .js .css .map .png .jpg .jpeg .gif .webp .svg .ico .woff
// .woff2 .txt). Everything else (package.json, build.mjs, tests/, node_modules/...) is 404.
bool is_public_asset(const std::filesystem::path& relative);

class StaticFiles {
  public:
    // An empty or missing root serves nothing (404). frame_ancestors: CSP for HTML, "" = none.
    // cache_bytes: memory for file bodies (plain + gzip); a file larger than it is not kept.
    StaticFiles(const std::string& root, std::string frame_ancestors, std::size_t cache_bytes = 32u << 20);
    Response serve(const Request& req);
    bool enabled() const { return !root_.empty(); }
    // Bytes held in the cache now (never above cache_bytes).
    std::size_t cached_bytes() const;

  private:
    struct Entry {
        std::filesystem::file_time_type mtime;
        std::uintmax_t size = 0;
        std::string body;
        std::string gzip;  // empty when not worth compressing
        std::string etag;
    };
    struct Slot {
        std::shared_ptr<const Entry> entry;
        std::list<std::string>::iterator lru;  // position in lru_
    };
    std::shared_ptr<const Entry> lookup(const std::string& key, std::filesystem::file_time_type mtime,
                                        std::uintmax_t size);
    void store(const std::string& key, std::shared_ptr<const Entry> entry);

    std::filesystem::path root_;  // canonical
    std::string frame_ancestors_;
    std::size_t cache_budget_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Slot> entries_;
    std::list<std::string> lru_;  // most recently used first
    std::size_t cached_bytes_ = 0;
};

}  // namespace crimemap::server
