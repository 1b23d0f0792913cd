#pragma once
// Static tile archives served as files with HTTP Range (RFC 9110 section 14), the way the pmtiles
// JavaScript reader fetches them: `crimemapd --tiles a.pmtiles,b.pmtiles` at /archives/{file name}
// (archives made by `crimemap export tiles`, e.g. a fixed month for portals), and
// `crimemapd --basemap FILE.pmtiles` (a vector basemap) at /basemap.pmtiles.
// Answers: 200 (whole file), 206 (one range, Content-Range), 416 (range past the end,
// "bytes */size"), 304 (If-None-Match); If-Range with our strong ETag keeps a range, anything else
// gets the whole file. Files are read with pread per request (answers over 1 MiB are streamed by
// the HTTP server, never held in memory); a file replaced on disk (say, a new export renamed over
// it) is reopened at the next request, with a new ETag. Thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/http_types.hpp"

namespace crimemap::server {

inline constexpr std::string_view pmtiles_content_type = "application/vnd.pmtiles";

// True for a file name that may be a URL segment under /archives/: [A-Za-z0-9._-], ending in
// ".pmtiles", not starting with a dot, at most 128 characters.
bool valid_archive_name(std::string_view name) noexcept;

class TileArchive {
  public:
    // Opens the file and checks that it starts with a PMTiles v3 header. Throws std::runtime_error
    // naming the path and the reason.
    explicit TileArchive(std::string path);
    const std::string& path() const { return path_; }
    std::uint64_t size() const;
    Response serve(const Request& req) const;

    // Answers up to this size are read into the body; larger ones are streamed from the file.
    static constexpr std::uint64_t in_memory_limit = 1u << 20;

  private:
    struct Open {
        std::shared_ptr<const FileHandle> file;
        std::uint64_t size = 0;
        std::string etag;  // strong: inode, size and modification time
        std::uint64_t device = 0, inode = 0;
        std::int64_t mtime_ns = 0;
    };
    std::shared_ptr<const Open> current() const;  // reopens when the path names another file now
    static std::shared_ptr<const Open> open(const std::string& path);

    std::string path_;
    mutable std::mutex mutex_;
    mutable std::shared_ptr<const Open> open_;
};

// The archives of one server: --tiles by file name, and the --basemap.
class TileArchives {
  public:
    // Throws std::runtime_error for an unreadable or non-PMTiles file, a name that cannot be a URL
    // segment, or two archives with the same file name.
    TileArchives(const std::vector<std::string>& tiles, const std::string& basemap);
    const TileArchive* find(const std::string& name) const;
    const TileArchive* basemap() const { return basemap_.get(); }
    // File names under /archives/, sorted.
    std::vector<std::string> names() const;

  private:
    std::map<std::string, std::unique_ptr<TileArchive>> archives_;
    std::unique_ptr<TileArchive> basemap_;
};

}  // namespace crimemap::server
