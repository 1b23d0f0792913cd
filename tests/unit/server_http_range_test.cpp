// HTTP Range parsing (server/http_range) and the archive handler (server/tile_archives) through
// App::handle, without sockets: 200, 206, 416, 304, If-Range, HEAD, hostile Range values, names.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/pmtiles_writer.hpp"
#include "server/app.hpp"
#include "server/http_range.hpp"
#include "server/tile_archives.hpp"

using namespace crimemap::server;
using Outcome = RangeRequest::Outcome;

TEST(HttpRange, SingleRanges) {
    auto r = parse_range("bytes=0-99", 1000);
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.first, 0u);
    EXPECT_EQ(r.last, 99u);
    EXPECT_EQ(r.length(), 100u);

    r = parse_range("bytes=990-", 1000);
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.first, 990u);
    EXPECT_EQ(r.last, 999u);

    r = parse_range("bytes=500-5000", 1000);  // a last position past the end means "to the end"
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.last, 999u);

    r = parse_range("  BYTES = 7 - 7 ", 1000);  // unit case-insensitive, optional whitespace
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.length(), 1u);
}

TEST(HttpRange, SuffixRanges) {
    auto r = parse_range("bytes=-100", 1000);
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.first, 900u);
    EXPECT_EQ(r.last, 999u);

    r = parse_range("bytes=-5000", 1000);  // longer than the file: all of it
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.first, 0u);
    EXPECT_EQ(r.last, 999u);

    EXPECT_EQ(parse_range("bytes=-0", 1000).outcome, Outcome::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=-10", 0).outcome, Outcome::unsatisfiable);
}

TEST(HttpRange, PastTheEndIs416) {
    EXPECT_EQ(parse_range("bytes=1000-", 1000).outcome, Outcome::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=1000-2000", 1000).outcome, Outcome::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=0-0", 0).outcome, Outcome::unsatisfiable);
}

TEST(HttpRange, HugeNumbersNeitherOverflowNorWrap) {
    // 2^64 and far beyond: a first position that large is past any end; a last one means the end.
    EXPECT_EQ(parse_range("bytes=18446744073709551616-", 1000).outcome, Outcome::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=99999999999999999999999999999999999999-", 1000).outcome,
              Outcome::unsatisfiable);
    auto r = parse_range("bytes=10-99999999999999999999999999999999999999", 1000);
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.last, 999u);
    r = parse_range("bytes=-99999999999999999999999999999999999999", 1000);
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.first, 0u);
    r = parse_range("bytes=18446744073709551614-18446744073709551615", UINT64_MAX);
    EXPECT_EQ(r.outcome, Outcome::partial);
    EXPECT_EQ(r.length(), 1u);  // the last byte of a 2^64 - 1 byte file is 2^64 - 2
}

TEST(HttpRange, AnythingElseIsTheWholeFile) {
    for (const char* h : {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-1", "bytes=1-2-3",
                          "bytes=+1-2", "bytes=0x10-20", "items=0-10", "bytes 0-10", "bytes=0-10,20-30",
                          "bytes=0-0,-1", "bytes=1 2-3", "bytes=\x01-\x02", "bytes=-1-2"})
        EXPECT_EQ(parse_range(h, 1000).outcome, Outcome::full) << h;
}

TEST(HttpRange, IfRangeNeedsOurStrongTag) {
    EXPECT_TRUE(if_range_matches("\"abc\"", "\"abc\""));
    EXPECT_TRUE(if_range_matches(" \"abc\" ", "\"abc\""));
    EXPECT_FALSE(if_range_matches("W/\"abc\"", "\"abc\""));
    EXPECT_FALSE(if_range_matches("\"abd\"", "\"abc\""));
    EXPECT_FALSE(if_range_matches("Wed, 21 Oct 2015 07:28:00 GMT", "\"abc\""));
    EXPECT_FALSE(if_range_matches("", "\"abc\""));
}

namespace {
// A small PMTiles-looking file (a valid header then filler) in a private temporary folder.
struct ArchiveFile {
    std::filesystem::path dir, path;
    std::string bytes;
    explicit ArchiveFile(std::size_t size, std::string name = "month.pmtiles") {
        char tmpl[] = "/tmp/crimemap-archive-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir / name;
        crimemap::core::pmtiles::Header h;
        bytes = crimemap::core::pmtiles::encode_header(h);
        for (std::size_t i = bytes.size(); i < size; ++i) bytes.push_back(static_cast<char>('a' + i % 26));
        write();
    }
    void write() const { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }
    ~ArchiveFile() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

Request get(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {},
            Method method = Method::get) {
    auto req = make_request(method, target).value();
    for (const auto& [k, v] : headers) req.headers.set(k, v);
    return req;
}

struct ArchiveApp {
    crimemap::core::SnapshotHolder snapshots;
    std::unique_ptr<App> app;
    explicit ArchiveApp(const std::vector<std::string>& tiles, const std::string& basemap = "") {
        Config config;
        config.tile_rate_limit = 0;
        config.rate_limit = 0;
        app = std::make_unique<App>(config, snapshots);
        app->context().set_archives(std::make_shared<const TileArchives>(tiles, basemap));
    }
    Response handle(const Request& req) { return app->handle(req); }
};
}  // namespace

TEST(TileArchives, ServesWholeFileRangesAnd416) {
    ArchiveFile file(5000);
    ArchiveApp app({file.path.string()});

    auto full = app.handle(get("/archives/month.pmtiles"));
    EXPECT_EQ(full.status, 200);
    EXPECT_EQ(full.body, file.bytes);
    EXPECT_EQ(full.headers.get("Accept-Ranges").value_or(""), "bytes");
    EXPECT_EQ(full.headers.get("Content-Type").value_or(""), "application/vnd.pmtiles");
    const std::string etag(full.headers.get("ETag").value_or(""));
    ASSERT_FALSE(etag.empty());
    EXPECT_NE(etag.front(), 'W');  // strong: byte ranges need it

    auto part = app.handle(get("/archives/month.pmtiles", {{"Range", "bytes=0-126"}}));
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body, file.bytes.substr(0, 127));
    EXPECT_EQ(part.headers.get("Content-Range").value_or(""), "bytes 0-126/5000");
    EXPECT_NE(
        std::string(part.headers.get("Access-Control-Expose-Headers").value_or("")).find("Content-Range"),
        std::string::npos);

    auto tail = app.handle(get("/archives/month.pmtiles", {{"Range", "bytes=-10"}}));
    EXPECT_EQ(tail.status, 206);
    EXPECT_EQ(tail.body, file.bytes.substr(4990));
    EXPECT_EQ(tail.headers.get("Content-Range").value_or(""), "bytes 4990-4999/5000");

    auto past = app.handle(get("/archives/month.pmtiles", {{"Range", "bytes=5000-"}}));
    EXPECT_EQ(past.status, 416);
    EXPECT_EQ(past.headers.get("Content-Range").value_or(""), "bytes */5000");
    EXPECT_NE(past.body.find("\"status\":416"), std::string::npos);

    auto several = app.handle(get("/archives/month.pmtiles", {{"Range", "bytes=0-1,5-6"}}));
    EXPECT_EQ(several.status, 200);
    EXPECT_EQ(several.body.size(), 5000u);

    auto head = app.handle(get("/archives/month.pmtiles", {{"Range", "bytes=10-19"}}, Method::head));
    EXPECT_EQ(head.status, 206);
    EXPECT_EQ(head.body_size(), 10u);

    auto cached = app.handle(get("/archives/month.pmtiles", {{"If-None-Match", etag}}));
    EXPECT_EQ(cached.status, 304);

    // If-Range: our tag keeps the range; another tag or a date gets the whole (changed) file.
    EXPECT_EQ(app.handle(get("/archives/month.pmtiles", {{"Range", "bytes=0-9"}, {"If-Range", etag}})).status,
              206);
    auto stale =
        app.handle(get("/archives/month.pmtiles", {{"Range", "bytes=0-9"}, {"If-Range", "\"old\""}}));
    EXPECT_EQ(stale.status, 200);
    EXPECT_EQ(stale.body.size(), 5000u);

    EXPECT_EQ(app.handle(get("/archives/other.pmtiles")).status, 404);
    EXPECT_EQ(app.handle(get("/archives/..%2Fmonth.pmtiles")).status, 404);
    EXPECT_EQ(app.handle(get("/basemap.pmtiles")).status, 404);
}

TEST(TileArchives, LargeAnswersAreStreamedFromTheFile) {
    ArchiveFile file(TileArchive::in_memory_limit + 4096);
    ArchiveApp app({file.path.string()});
    auto full = app.handle(get("/archives/month.pmtiles"));
    EXPECT_EQ(full.status, 200);
    EXPECT_TRUE(full.body.empty());
    ASSERT_TRUE(full.file);
    EXPECT_EQ(full.file->offset, 0u);
    EXPECT_EQ(full.body_size(), file.bytes.size());
    auto part = app.handle(get("/archives/month.pmtiles", {{"Range", "bytes=100-"}}));
    EXPECT_EQ(part.status, 206);
    ASSERT_TRUE(part.file);
    EXPECT_EQ(part.file->offset, 100u);
    EXPECT_EQ(part.file->length, file.bytes.size() - 100);
}

TEST(TileArchives, AReplacedFileIsReopenedWithANewTag) {
    ArchiveFile file(3000);
    ArchiveApp app({file.path.string()});
    auto before = app.handle(get("/archives/month.pmtiles"));
    // A new export renamed over the old one (a new inode, as crimemap export tiles does).
    ArchiveFile next(4000);
    std::filesystem::rename(next.path, file.path);
    auto after = app.handle(get("/archives/month.pmtiles"));
    EXPECT_EQ(after.body.size(), 4000u);
    EXPECT_NE(after.headers.get("ETag"), before.headers.get("ETag"));
    auto stale = app.handle(
        get("/archives/month.pmtiles",
            {{"Range", "bytes=0-9"}, {"If-Range", std::string(before.headers.get("ETag").value())}}));
    EXPECT_EQ(stale.status, 200);
}

TEST(TileArchives, BasemapAndStartupChecks) {
    ArchiveFile base(2000, "osm.pmtiles");
    ArchiveApp app({}, base.path.string());
    auto res = app.handle(get("/basemap.pmtiles", {{"Range", "bytes=0-15"}}));
    EXPECT_EQ(res.status, 206);
    EXPECT_EQ(res.body.substr(0, 7), "PMTiles");

    ArchiveFile a(500, "same.pmtiles"), b(500, "same.pmtiles");
    EXPECT_THROW(TileArchives({a.path.string(), b.path.string()}, ""), std::runtime_error);
    EXPECT_THROW(TileArchives({"/nonexistent/x.pmtiles"}, ""), std::runtime_error);
    ArchiveFile bad_name(500, "month two.pmtiles");
    EXPECT_THROW(TileArchives({bad_name.path.string()}, ""), std::runtime_error);
    ArchiveFile not_pmtiles(500, "fake.pmtiles");
    std::ofstream(not_pmtiles.path, std::ios::trunc) << "SQLite format 3";
    EXPECT_THROW(TileArchives({not_pmtiles.path.string()}, ""), std::runtime_error);

    EXPECT_TRUE(valid_archive_name("crimes-2019-02.pmtiles"));
    EXPECT_FALSE(valid_archive_name(".pmtiles"));
    EXPECT_FALSE(valid_archive_name(".hidden.pmtiles"));
    EXPECT_FALSE(valid_archive_name("a.mbtiles"));
    EXPECT_FALSE(valid_archive_name("a/b.pmtiles"));
}
