#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/gzip.hpp"
#include "server/handlers.hpp"
#include "server/static_files.hpp"
#include "server_test_support.hpp"

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
        fs::create_directories(root / "js");
        fs::create_directories(root / "docs");
        write(root / "index.html", "<!doctype html><title>map</title>" + std::string(3000, ' '));
        write(root / "js" / "app.mjs", "export const x = 1;\n" + std::string(3000, '/'));
        write(root / "style.css", "body{}");
        write(root / "tile.png", "\x89PNG");
        write(root / "docs" / "index.html", "docs");
        write(root / ".env", "SECRET=1");
        write(base / "secret.txt", "outside");
        fs::create_symlink(base / "secret.txt", root / "link.txt");
    }
    void TearDown() override { fs::remove_all(base); }
    static void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

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
    auto rel = [](const std::string& target) { return static_relative_path(make_request(Method::get, target)->segments); };
    EXPECT_EQ(rel("/"), fs::path("index.html"));
    EXPECT_EQ(rel("/docs/"), fs::path("docs/index.html"));
    EXPECT_EQ(rel("/js/app.mjs"), fs::path("js/app.mjs"));
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

    auto js = files.serve(get("/js/app.mjs", {{"Accept-Encoding", "gzip"}}));
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(header(js, "Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(header(js, "Content-Encoding"), "gzip");
    EXPECT_EQ(header(js, "Vary"), "Accept-Encoding");
    auto plain = gzip_decompress(js.body);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->substr(0, 19), "export const x = 1;");
    EXPECT_EQ(header(js, "Content-Security-Policy"), "") << "CSP frame-ancestors only on HTML";

    auto again = files.serve(get("/js/app.mjs", {{"Accept-Encoding", "gzip"}, {"If-None-Match", header(js, "ETag")}}));
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());

    auto css = files.serve(get("/style.css"));
    EXPECT_EQ(css.status, 200);
    EXPECT_EQ(css.body, "body{}");
    EXPECT_EQ(header(css, "Content-Encoding"), "") << "small files are not compressed";

    EXPECT_EQ(files.serve(get("/docs/")).body, "docs");
    auto redirect = files.serve(get("/docs"));
    EXPECT_EQ(redirect.status, 301);
    EXPECT_EQ(header(redirect, "Location"), "/docs/");
    auto with_query = files.serve(get("/docs?postcode=HR1%201AA&zoom=12"));
    EXPECT_EQ(with_query.status, 301);
    EXPECT_EQ(header(with_query, "Location"), "/docs/?postcode=HR1%201AA&zoom=12")
        << "the widget's configuration survives the redirect";
}

TEST_F(StaticFilesTest, RefusesTraversalHiddenFilesAndSymlinksOut) {
    StaticFiles files(root.string(), "");
    EXPECT_EQ(files.serve(get("/../secret.txt")).status, 404);
    EXPECT_EQ(files.serve(get("/%2e%2e/secret.txt")).status, 404);
    EXPECT_EQ(files.serve(get("/.env")).status, 404);
    EXPECT_EQ(files.serve(get("/link.txt")).status, 404) << "a symlink out of the folder is refused";
    EXPECT_EQ(files.serve(get("/missing.js")).status, 404);
    auto nf = files.serve(get("/missing.js"));
    EXPECT_EQ(header(nf, "Content-Type"), "application/json");
    EXPECT_EQ(nf.body, "{\"status\":404,\"error\":\"Not found\"}\n");
}

TEST_F(StaticFilesTest, OtherMethodsOnFilesAre405) {
    StaticFiles files(root.string(), "");
    auto res = files.serve(request(Method::post, "/style.css"));
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(header(res, "Allow"), "GET, HEAD, OPTIONS");
    EXPECT_EQ(files.serve(request(Method::post, "/nothing")).status, 404);
}

TEST_F(StaticFilesTest, ChangedFilesAreReread) {
    StaticFiles files(root.string(), "");
    EXPECT_EQ(files.serve(get("/style.css")).body, "body{}");
    write(root / "style.css", "body{color:red}");
    fs::last_write_time(root / "style.css", fs::last_write_time(root / "style.css") + std::chrono::seconds(5));
    EXPECT_EQ(files.serve(get("/style.css")).body, "body{color:red}");
}

TEST(ServerStatic, NoWebDirServesNothing) {
    StaticFiles none("", "");
    EXPECT_FALSE(none.enabled());
    EXPECT_EQ(none.serve(get("/")).status, 404);
    StaticFiles missing("/no/such/folder", "");
    EXPECT_FALSE(missing.enabled());
}
