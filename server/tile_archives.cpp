#include "server/tile_archives.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "server/http_range.hpp"
#include "server/response.hpp"

namespace crimemap::server {

namespace {

std::int64_t mtime_ns(const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// Reads exactly n bytes at offset; false when the file ends early or fails.
bool read_at(int fd, char* out, std::size_t n, std::uint64_t offset) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(offset + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        got += static_cast<std::size_t>(r);
    }
    return true;
}

}  // namespace

bool valid_archive_name(std::string_view name) noexcept {
    constexpr std::string_view ext = ".pmtiles";
    if (name.size() <= ext.size() || name.size() > 128 || name.front() == '.' || !name.ends_with(ext))
        return false;
    for (char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            return false;
    return true;
}

TileArchive::TileArchive(std::string path) : path_(std::move(path)), open_(open(path_)) {}

std::shared_ptr<const TileArchive::Open> TileArchive::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    auto handle = std::make_shared<const FileHandle>(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw std::runtime_error("cannot stat " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw std::runtime_error(path + " is not a regular file");
    char magic[8];
    if (!read_at(fd, magic, sizeof magic, 0) || std::string_view(magic, 7) != "PMTiles" || magic[7] != 3)
        throw std::runtime_error(
            path + " is not a PMTiles v3 archive (crimemap export tiles OUT.pmtiles makes one)");
    auto o = std::make_shared<Open>();
    o->file = std::move(handle);
    o->size = static_cast<std::uint64_t>(st.st_size);
    o->device = static_cast<std::uint64_t>(st.st_dev);
    o->inode = static_cast<std::uint64_t>(st.st_ino);
    o->mtime_ns = mtime_ns(st);
    char etag[80];
    std::snprintf(etag, sizeof etag, "\"%llx-%llx-%llx\"", static_cast<unsigned long long>(o->inode),
                  static_cast<unsigned long long>(o->size), static_cast<unsigned long long>(o->mtime_ns));
    o->etag = etag;
    return o;
}

std::shared_ptr<const TileArchive::Open> TileArchive::current() const {
    std::lock_guard lock(mutex_);
    struct stat st {};
    // The same file as before (or the path is gone: keep serving what is open).
    if (::stat(path_.c_str(), &st) != 0 ||
        (static_cast<std::uint64_t>(st.st_dev) == open_->device &&
         static_cast<std::uint64_t>(st.st_ino) == open_->inode &&
         static_cast<std::uint64_t>(st.st_size) == open_->size && mtime_ns(st) == open_->mtime_ns))
        return open_;
    try {
        open_ = open(path_);
    } catch (const std::exception&) {
        // Being rewritten in place, or replaced by something else: keep the one we have.
    }
    return open_;
}

std::uint64_t TileArchive::size() const { return current()->size; }

Response TileArchive::serve(const Request& req) const {
    const auto o = current();
    Response not_mod;
    if (not_modified(req, o->etag, cache_short, not_mod)) {
        not_mod.headers.set("Accept-Ranges", "bytes");
        return not_mod;
    }
    RangeRequest range;
    if (auto header = req.headers.get("Range")) {
        auto if_range = req.headers.get("If-Range");
        if (!if_range || if_range_matches(*if_range, o->etag)) range = parse_range(*header, o->size);
    }
    Response res;
    if (range.outcome == RangeRequest::Outcome::unsatisfiable) {
        res = error_response(416,
                             "Range not satisfiable: the archive has " + std::to_string(o->size) + " bytes");
        res.headers.set("Content-Range", "bytes */" + std::to_string(o->size));
        res.headers.set("Accept-Ranges", "bytes");
        return res;
    }
    std::uint64_t first = 0, length = o->size;
    if (range.outcome == RangeRequest::Outcome::partial) {
        res.status = 206;
        first = range.first;
        length = range.length();
        res.headers.set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                             std::to_string(range.last) + "/" + std::to_string(o->size));
    }
    res.headers.set("Content-Type", pmtiles_content_type);
    res.headers.set("Accept-Ranges", "bytes");
    res.headers.set("ETag", o->etag);
    res.headers.set("Cache-Control", cache_short);
    if (length > in_memory_limit) {
        res.file = FileSlice{o->file, first, length};
        return res;
    }
    if (req.method == Method::head) {
        // The length a GET would send, without reading the bytes.
        res.file = FileSlice{o->file, first, length};
        return res;
    }
    res.body.resize(static_cast<std::size_t>(length));
    if (!read_at(o->file->fd(), res.body.data(), res.body.size(), first))
        return error_response(503, "Archive is being replaced; try again");
    return res;
}

TileArchives::TileArchives(const std::vector<std::string>& tiles, const std::string& basemap) {
    for (const auto& path : tiles) {
        const std::string name = std::filesystem::path(path).filename().string();
        if (!valid_archive_name(name))
            throw std::runtime_error("--tiles " + path +
                                     ": the file name must end in .pmtiles and use only A-Z a-z 0-9 . _ - "
                                     "(it becomes the URL /archives/" +
                                     name + ")");
        if (archives_.count(name)) throw std::runtime_error("--tiles: two archives named " + name);
        archives_.emplace(name, std::make_unique<TileArchive>(path));
    }
    if (!basemap.empty()) {
        if (!std::string_view(basemap).ends_with(".pmtiles"))
            throw std::runtime_error("--basemap " + basemap + ": expected a .pmtiles file");
        basemap_ = std::make_unique<TileArchive>(basemap);
    }
}

const TileArchive* TileArchives::find(const std::string& name) const {
    auto it = archives_.find(name);
    return it == archives_.end() ? nullptr : it->second.get();
}

std::vector<std::string> TileArchives::names() const {
    std::vector<std::string> out;
    for (const auto& [name, archive] : archives_) out.push_back(name);
    return out;
}

}  // namespace crimemap::server
