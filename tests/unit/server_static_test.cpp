#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "server/gzip.hpp"
#include "server/handlers.hpp"
#include "server/static_files.hpp"
#include "support/server_fixtures.hpp"

using namespace crimemap::server;
using namespace crimemap::server::testing;
namespace fs = std::filesystem;

namespace {
class StaticFilesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        base = fs::temp_directory_path() / ("crimemap-static-" + std::to_string(::getpid()));
        fs::remove_all(base);
        root = base / "web";
        fs::create_directories(root / "app");
        fs::create_directories(root / "embed");
        write(root / "index.html", "<!doctype html><title>map</title>" + std::string(3000, ' '));
        write(root / "app" / "app.mjs", "export const x = 1;\n" + std::string(3000, '/'));
        write(root / "app" / "style.css", "body{}");
        write(root / "app" / "tile.png", "\x89PNG");
        write(root / "embed" / "index.html", "docs");
        write(root / ".env", "SECRET=1");
        write(base / "secret.txt", "outside");
        fs::create_symlink(base / "secret.txt", root / "app" / "link.css");
    }
    void TearDown() override { fs::remove_all(base); }
    static void write(const fs::path& p, const std::string& text) {
        std::ofstream(p, std::ios::binary) << text;
    }

    fs::path base, root;
};
}  // namespace

TEST(ServerStatic, ContentTypes) {
    EXPECT_EQ(content_type_for("a/index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("maplibre-gl.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("app.JS"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("s.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("style.json"), "application/json");
    EXPECT_EQ(content_type_for("i.png"), "image/png");
    EXPECT_EQ(content_type_for("i.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("m.wasm"), "application/wasm");
    EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
}

TEST(ServerStatic, RelativePathsRefuseEscapes) {
    auto rel = [](const std::string& target) {
        return static_relative_path(make_request(Method::get, target)->segments);
    };
    EXPECT_EQ(rel("/"), fs::path("index.html"));
    EXPECT_EQ(rel("/embed/"), fs::path("embed/index.html"));
    EXPECT_EQ(rel("/app/app.mjs"), fs::path("app/app.mjs"));
    EXPECT_FALSE(rel("/../etc/passwd"));
    EXPECT_FALSE(rel("/js/../../x"));
    EXPECT_FALSE(rel("/%2e%2e/x"));
    EXPECT_FALSE(rel("/js/%2E%2E%2Fx"));
    EXPECT_FALSE(rel("/.env"));
    EXPECT_FALSE(rel("/a%2Fb"));
    EXPECT_FALSE(rel("/a%5C..%5Cb"));
    EXPECT_FALSE(rel("/a//b"));
}

TEST_F(StaticFilesTest, ServesFilesWithTypesEtagsAndGzip) {
    StaticFiles files(root.string(), "https://www.gov.uk");
    ASSERT_TRUE(files.enabled());

    auto index = files.serve(get("/"));
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(header(index, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(header(index, "Cache-Control"), "no-cache");
    EXPECT_EQ(header(index, "Content-Security-Policy"), "frame-ancestors https://www.gov.uk");
    EXPECT_NE(index.body.find("<title>map</title>"), std::string::npos);

    auto js = files.serve(get("/app/app.mjs", {{"Accept-Encoding", "gzip"}}));
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(header(js, "Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(header(js, "Content-Encoding"), "gzip");
    EXPECT_EQ(header(js, "Vary"), "Accept-Encoding");
    auto plain = gzip_decompress(js.body);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->substr(0, 19), "export const x = 1;");
    EXPECT_EQ(header(js, "Content-Security-Policy"), "") << "CSP frame-ancestors only on HTML";

    auto again = files.serve(
        get("/app/app.mjs", {{"Accept-Encoding", "gzip"}, {"If-None-Match", header(js, "ETag")}}));
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());

    auto css = files.serve(get("/app/style.css"));
    EXPECT_EQ(css.status, 200);
    EXPECT_EQ(css.body, "body{}");
    EXPECT_EQ(header(css, "Content-Encoding"), "") << "small files are not compressed";

    EXPECT_EQ(files.serve(get("/embed/")).body, "docs");
    auto redirect = files.serve(get("/embed"));
    EXPECT_EQ(redirect.status, 301);
    EXPECT_EQ(header(redirect, "Location"), "/embed/");
    auto with_query = files.serve(get("/embed?postcode=HR1%201AA&zoom=12"));
    EXPECT_EQ(with_query.status, 301);
    EXPECT_EQ(header(with_query, "Location"), "/embed/?postcode=HR1%201AA&zoom=12")
        << "the widget's configuration survives the redirect";
}

TEST_F(StaticFilesTest, RefusesTraversalHiddenFilesAndSymlinksOut) {
    StaticFiles files(root.string(), "");
    EXPECT_EQ(files.serve(get("/../secret.txt")).status, 404);
    EXPECT_EQ(files.serve(get("/%2e%2e/secret.txt")).status, 404);
    EXPECT_EQ(files.serve(get("/.env")).status, 404);
    EXPECT_EQ(files.serve(get("/app/link.css")).status, 404) << "a symlink out of the folder is refused";
    EXPECT_EQ(files.serve(get("/missing.js")).status, 404);
    auto nf = files.serve(get("/missing.js"));
    EXPECT_EQ(header(nf, "Content-Type"), "application/json");
    EXPECT_EQ(nf.body, "{\"status\":404,\"error\":\"Not found\"}\n");
}

TEST_F(StaticFilesTest, OtherMethodsOnFilesAre405) {
    StaticFiles files(root.string(), "");
    auto res = files.serve(request(Method::post, "/app/style.css"));
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(header(res, "Allow"), "GET, HEAD, OPTIONS");
    EXPECT_EQ(files.serve(request(Method::post, "/nothing")).status, 404);
}

TEST_F(StaticFilesTest, ChangedFilesAreReread) {
    StaticFiles files(root.string(), "");
    EXPECT_EQ(files.serve(get("/app/style.css")).body, "body{}");
    write(root / "app" / "style.css", "body{color:red}");
    fs::last_write_time(root / "app" / "style.css",
                        fs::last_write_time(root / "app" / "style.css") + std::chrono::seconds(5));
    EXPECT_EQ(files.serve(get("/app/style.css")).body, "body{color:red}");
}

TEST(ServerStatic, NoWebDirServesNothing) {
    StaticFiles none("", "");
    EXPECT_FALSE(none.enabled());
    EXPECT_EQ(none.serve(get("/")).status, 404);
    StaticFiles missing("/no/such/folder", "");
    EXPECT_FALSE(missing.enabled());
}

TEST(ServerStatic, PublicAssetAllowlist) {
    for (const char* p :
         {"index.html", "favicon.ico", "config.json", "app/page.mjs", "app/crimemap.css", "embed/index.html",
          "embed/snippet/index.html", "dist/maplibre-gl/maplibre-gl.mjs", "dist/maplibre-gl/maplibre-gl.css",
          "dist/maplibre-gl/LICENSE.txt", "app/icons/x.svg"})
        EXPECT_TRUE(is_public_asset(p)) << p;
    for (const char* p :
         {"package.json", "package-lock.json", "build.mjs", "tests.cmake", "tests/fixtures/basemap.json",
          "tests/browser.test.mjs", "node_modules/maplibre-gl/package.json",
          "node_modules/playwright-core/index.mjs", "screenshots/map.png", "app/notes.txt", "app/data.json",
          "embed/.env", "app/.hidden.mjs", "README.md", "index.htm", "app", "dist/x.sh", ""})
        EXPECT_FALSE(is_public_asset(p)) << p;
}

TEST_F(StaticFilesTest, OnlyPublicAssetsAreServed) {
    fs::create_directories(root / "tests" / "fixtures");
    fs::create_directories(root / "node_modules" / "maplibre-gl");
    for (const char* private_file :
         {"package.json", "package-lock.json", "build.mjs", "tests.cmake", "tests/fixtures/basemap.json",
          "node_modules/maplibre-gl/package.json", "notes.md"})
        write(root / private_file, "{}");
    write(root / "config.json", "{\"start\":{}}");
    fs::create_symlink(root / "package.json", root / "app" / "pkg.mjs");  // public name, private file
    StaticFiles files(root.string(), "");
    for (const char* target : {"/package.json", "/package-lock.json", "/build.mjs", "/tests.cmake",
                               "/tests/fixtures/basemap.json", "/node_modules/maplibre-gl/package.json",
                               "/notes.md", "/tests", "/tests/", "/node_modules", "/app/pkg.mjs"}) {
        auto res = files.serve(get(target));
        EXPECT_EQ(res.status, 404) << target;
        EXPECT_EQ(res.body, "{\"status\":404,\"error\":\"Not found\"}\n") << target;
        EXPECT_EQ(files.serve(request(Method::head, target)).status, 404) << target;
    }
    EXPECT_EQ(files.serve(get("/config.json")).body, "{\"start\":{}}");
    EXPECT_EQ(files.serve(get("/app/style.css")).status, 200);
}

// The real web/ folder: every file the page and the widget load is served, and none of the npm
// project around them is.
TEST(ServerStatic, RealWebFolderServesThePageButNotTheProject) {
    const fs::path web = fs::path(CRIMEMAP_SOURCE_DIR) / "web";
    StaticFiles files(web.string(), "");
    for (const char* target :
         {"/package.json", "/package-lock.json", "/build.mjs", "/tests.cmake",
          "/node_modules/maplibre-gl/package.json", "/node_modules/maplibre-gl/dist/maplibre-gl.js",
          "/tests/fixtures/basemap.json", "/tests/browser.test.mjs", "/screenshots/map-HR1-1AA.png"})
        EXPECT_EQ(files.serve(get(target)).status, 404) << target;
    std::vector<std::string> wanted{"/",       "/index.html",    "/favicon.ico", "/config.json",
                                    "/embed/", "/embed/snippet/"};
    for (const auto& entry : fs::directory_iterator(web / "app"))
        wanted.push_back("/app/" + entry.path().filename().string());
    // What index.html and embed/index.html reference from our own origin (hrefs and srcs).
    for (const char* page : {"index.html", "embed/index.html"}) {
        std::ifstream in(web / page);
        std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (const char* attr : {"src=\"/", "href=\"/"})
            for (auto at = html.find(attr); at != std::string::npos; at = html.find(attr, at + 1)) {
                const auto start = at + std::string_view(attr).size() - 1;
                std::string target = html.substr(start, html.find('"', start) - start);
                if (target.starts_with("/dist/")) {
                    if (!fs::exists(web / "dist")) continue;  // the npm build has not run in this checkout
                } else if (!fs::is_regular_file(web / target.substr(1))) {
                    continue;  // a route of the server (/catalog, /tiles/crimes.json), not a file
                }
                wanted.push_back(target);
            }
    }
    ASSERT_GT(wanted.size(), 8u);
    for (const auto& target : wanted) EXPECT_EQ(files.serve(get(target)).status, 200) << target;
}

// A file of `n` bytes that gzip cannot shrink (so the cache holds exactly its body).
std::string incompressible(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    for (auto& c : s) {
        seed = seed * 1103515245u + 12345u;
        c = static_cast<char>(seed >> 16);
    }
    return s;
}

// "f<i>.png" (appended, not "f" + to_string(i): g++ 12 warns falsely about that under -O2).
std::string numbered(unsigned i) {
    std::string name = "f";
    name += std::to_string(i);
    name += ".png";
    return name;
}

TEST_F(StaticFilesTest, CacheIsBoundedInBytesAndDropsTheLeastRecentlyUsed) {
    const std::size_t file = 4000, budget = 9000;  // room for two files
    std::vector<std::string> bodies;
    for (unsigned i = 0; i < 4; ++i) {
        bodies.push_back(incompressible(file, i));
        write(root / "app" / numbered(i), bodies.back());
    }
    write(root / "app" / "big.png", incompressible(budget + 1, 9));
    StaticFiles files(root.string(), "", budget);
    auto serve = [&](unsigned i) { return files.serve(get("/app/" + numbered(i))).body; };
    EXPECT_EQ(serve(0), bodies[0]);
    EXPECT_EQ(serve(1), bodies[1]);
    EXPECT_EQ(files.cached_bytes(), 2 * file);
    EXPECT_EQ(serve(0), bodies[0]);  // 0 is now the most recent
    EXPECT_EQ(serve(2), bodies[2]);  // evicts 1, the least recently used
    EXPECT_LE(files.cached_bytes(), budget);
    EXPECT_EQ(files.cached_bytes(), 2 * file);
    EXPECT_EQ(files.serve(get("/app/big.png")).body.size(), budget + 1) << "too big to cache, still served";
    EXPECT_EQ(files.cached_bytes(), 2 * file);

    // Which files are still cached: change their bytes on disk but keep size and mtime; a cached
    // file still answers the old bytes, an evicted one is read again.
    for (unsigned i : {0u, 1u, 2u}) {
        const auto p = root / "app" / numbered(i);
        const auto mtime = fs::last_write_time(p);
        write(p, incompressible(file, 100 + i));
        fs::last_write_time(p, mtime);
    }
    EXPECT_EQ(serve(0), bodies[0]) << "recently used: still cached";
    EXPECT_EQ(serve(2), bodies[2]) << "recently used: still cached";
    EXPECT_EQ(serve(1), incompressible(file, 101)) << "the least recently used was dropped";

    StaticFiles uncached(root.string(), "", 0);
    EXPECT_EQ(uncached.serve(get("/app/f3.png")).body, bodies[3]);
    EXPECT_EQ(uncached.cached_bytes(), 0u);
}
