#pragma once
// Serves files from one folder (--web-dir) for the map page: content types by extension, ETag and
// 304, gzip for text types, no escape from the folder (".." and hidden names refused, symlinks
// resolved and checked). Files are read once and kept in memory until they change on disk.
// Thread-safe.
#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/http_types.hpp"

namespace crimemap::server {

class StaticFiles {
public:
    // An empty or missing root serves nothing (404). frame_ancestors: CSP for HTML, "" = none.
    StaticFiles(const std::string& root, std::string frame_ancestors);
    Response serve(const Request& req);
    bool enabled() const { return !root_.empty(); }

private:
    struct Entry {
        std::filesystem::file_time_type mtime;
        std::uintmax_t size = 0;
        std::string body;
        std::string gzip;  // empty when not worth compressing
        std::string etag;
    };
    std::filesystem::path root_;  // canonical
    std::string frame_ancestors_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_;
};

}  // namespace crimemap::server
