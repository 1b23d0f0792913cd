// Handler tests without sockets: the App with a hand-built snapshot and a fake renderer, checking
// HTTP semantics (status, caching headers, ETag/304, gzip, CORS, errors as JSON).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/layers.hpp"
#include "server/app.hpp"
#include "server/gzip.hpp"
#include "support/server_fixtures.hpp"

using namespace crimemap;
using namespace crimemap::server;
using namespace crimemap::server::testing;
using nlohmann::json;

namespace {
class AppTest : public ::testing::Test {
  protected:
    void SetUp() override { make_app(Config{}); }

    void make_app(Config config) {
        app = std::make_unique<App>(std::move(config), snapshots);
        renderer = std::make_shared<FakeRenderer>();
        app->context().set_renderer(renderer);
        app->context().swap_snapshot(small_snapshot(7));
    }

    Response handle(const Request& req) { return app->handle(req); }

    static json body_json(const Response& res) { return json::parse(res.body); }

    static void expect_error(const Response& res, int status, const std::string& fragment) {
        EXPECT_EQ(res.status, status);
        EXPECT_EQ(header(res, "Content-Type"), "application/json");
        auto j = body_json(res);
        EXPECT_EQ(j["status"], status);
        ASSERT_TRUE(j["error"].is_string());
        EXPECT_NE(j["error"].get<std::string>().find(fragment), std::string::npos) << j["error"];
    }

    core::SnapshotHolder snapshots;
    std::unique_ptr<App> app;
    std::shared_ptr<FakeRenderer> renderer;
};
}  // namespace

TEST_F(AppTest, TileIsServedAsMvtWithShortCacheWhenUnversioned) {
    auto res = handle(get("/tiles/crimes/14/8100/5430.mvt"));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(header(res, "Content-Type"), "application/vnd.mapbox-vector-tile");
    EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=60");
    EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(header(res, "Vary"), "Accept-Encoding");
    EXPECT_EQ(header(res, "Content-Encoding"), "");
    EXPECT_EQ(res.body.substr(0, 8), "fake:7:c");
    EXPECT_FALSE(header(res, "ETag").empty());
}

TEST_F(AppTest, VersionedUrlsAreImmutable) {
    EXPECT_EQ(header(handle(get("/tiles/crimes/14/8100/5430.mvt?v=7")), "Cache-Control"),
              "public, max-age=31536000, immutable");
    EXPECT_EQ(header(handle(get("/tiles/crimes/14/8100/5430.pbf?v=6")), "Cache-Control"),
              "public, max-age=60")
        << "an old version's URL must not be cached for good";
    // A newer version than the one loaded: a TileJSON from a server that reloaded first, behind the
    // same cache; storing this answer would pin the old data under the new URL.
    EXPECT_EQ(header(handle(get("/tiles/crimes/14/8100/5430.mvt?v=8")), "Cache-Control"), "no-store");
    EXPECT_EQ(
        header(handle(get("/tiles/crimes/14/8100/5430.mvt?v=12345678901234567890123")), "Cache-Control"),
        "public, max-age=60");
    EXPECT_EQ(header(handle(get("/tiles/crimes/14/8100/5430.mvt?v=x8")), "Cache-Control"),
              "public, max-age=60");
}

TEST_F(AppTest, GzipWhenAcceptedAndTheSameBytesOtherwise) {
    auto plain = handle(get("/tiles/crimes/14/8100/5430.mvt"));
    auto gz = handle(get("/tiles/crimes/14/8100/5430.mvt", {{"Accept-Encoding", "gzip, deflate, br"}}));
    EXPECT_EQ(gz.status, 200);
    EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
    EXPECT_LT(gz.body.size(), plain.body.size());
    EXPECT_EQ(gzip_decompress(gz.body), plain.body);
    EXPECT_NE(header(gz, "ETag"), header(plain, "ETag")) << "each representation has its own strong ETag";
    EXPECT_EQ(header(handle(get("/tiles/crimes/14/8100/5430.mvt", {{"Accept-Encoding", "gzip;q=0"}})),
                     "Content-Encoding"),
              "");
}

TEST_F(AppTest, WithoutACacheGzipIsMadeOnlyForClientsThatAsk) {
    Config config;
    config.cache_bytes = 0;
    make_app(config);
    auto plain = handle(get("/tiles/crimes/14/8100/5430.mvt"));
    ASSERT_EQ(plain.status, 200);
    EXPECT_EQ(header(plain, "Content-Encoding"), "");
    auto gz = handle(get("/tiles/crimes/14/8100/5430.mvt", {{"Accept-Encoding", "gzip"}}));
    ASSERT_EQ(gz.status, 200);
    EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
    EXPECT_EQ(gzip_decompress(gz.body), plain.body);
    EXPECT_NE(header(gz, "ETag"), header(plain, "ETag")) << "each encoding keeps its own ETag";
}

TEST_F(AppTest, CachedTilesAreRenderedOnce) {
    handle(get("/tiles/crimes/14/8100/5430.mvt"));
    handle(get("/tiles/crimes/14/8100/5430.mvt?v=7", {{"Accept-Encoding", "gzip"}}));
    handle(get("/tiles/crimes/14/8100/5430.mvt?unrelated=1"));
    EXPECT_EQ(renderer->calls.load(), 1);
    handle(get("/tiles/crimes/14/8100/5430.mvt?category=burglary"));
    EXPECT_EQ(renderer->calls.load(), 2) << "filters are part of the key";
    auto st = app->context().cache().stats();
    EXPECT_EQ(st.hits, 2u);
    EXPECT_EQ(st.misses, 2u);
    EXPECT_EQ(st.entries, 2u);
}

TEST_F(AppTest, ASnapshotSwapEmptiesTheCacheAndNewTilesCarryTheNewVersion) {
    EXPECT_EQ(handle(get("/tiles/crimes/14/8100/5430.mvt")).body.substr(0, 7), "fake:7:");
    app->context().swap_snapshot(small_snapshot(8));
    EXPECT_EQ(app->context().cache().stats().entries, 0u);
    auto res = handle(get("/tiles/crimes/14/8100/5430.mvt?v=8"));
    EXPECT_EQ(res.body.substr(0, 7), "fake:8:");
    EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(renderer->calls.load(), 2);
}

TEST_F(AppTest, IfNoneMatchGives304WithCacheHeaders) {
    auto first = handle(get("/tiles/crimes/14/8100/5430.mvt?v=7", {{"Accept-Encoding", "gzip"}}));
    const std::string etag = header(first, "ETag");
    for (const std::string& inm : {etag, "\"other\", " + etag, std::string("*"), "W/" + etag}) {
        auto res = handle(
            get("/tiles/crimes/14/8100/5430.mvt?v=7", {{"Accept-Encoding", "gzip"}, {"If-None-Match", inm}}));
        EXPECT_EQ(res.status, 304) << inm;
        EXPECT_TRUE(res.body.empty());
        EXPECT_EQ(header(res, "ETag"), etag);
        EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=31536000, immutable");
        EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*");
    }
    // The identity ETag also validates (the bytes behind both are the same tile).
    auto plain_etag = header(handle(get("/tiles/crimes/14/8100/5430.mvt")), "ETag");
    EXPECT_EQ(handle(get("/tiles/crimes/14/8100/5430.mvt",
                         {{"Accept-Encoding", "gzip"}, {"If-None-Match", plain_etag}}))
                  .status,
              304);
    EXPECT_EQ(handle(get("/tiles/crimes/14/8100/5430.mvt", {{"If-None-Match", "\"nope\""}})).status, 200);
    EXPECT_EQ(handle(get("/tiles/crimes/14/8100/5431.mvt", {{"If-None-Match", etag}})).status, 200);
}

TEST_F(AppTest, EmptyTileIs204WithTheSameCacheHeaders) {
    auto res = handle(get("/tiles/crimes/1/0/0.mvt?v=7", {{"Accept-Encoding", "gzip"}}));
    EXPECT_EQ(res.status, 204);
    EXPECT_TRUE(res.body.empty());
    EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_FALSE(header(res, "ETag").empty());
    EXPECT_EQ(header(res, "Content-Encoding"), "");
    EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(header(handle(get("/tiles/crimes/1/0/0.mvt")), "Cache-Control"), "public, max-age=60");
}

TEST_F(AppTest, BadTileRequestsAreJsonErrors) {
    expect_error(handle(get("/tiles/crimes/a/0/0.mvt")), 400, "tile coordinates");
    expect_error(handle(get("/tiles/crimes/1.5/0/0.mvt")), 400, "tile coordinates");
    expect_error(handle(get("/tiles/crimes/-1/0/0.mvt")), 400, "tile coordinates");
    expect_error(handle(get("/tiles/crimes/2/4/0.mvt")), 400, "tile coordinates");
    expect_error(handle(get("/tiles/crimes/23/0/0.mvt")), 400, "zoom");
    expect_error(handle(get("/tiles/crimes/99999999999/0/0.mvt")), 400, "tile coordinates");
    expect_error(handle(get("/tiles/nothing/1/0/0.mvt")), 404, "Unknown layer: nothing");
    expect_error(handle(get("/tiles/crimes,nothing/1/0/0.mvt")), 404, "nothing");
    expect_error(handle(get("/tiles/crimes/10/0/0.mvt?from=2019-13")), 400, "from");
    expect_error(handle(get("/tiles/crimes/10/0/0.mvt?to=yesterday")), 400, "to");
    expect_error(handle(get("/tiles/crimes/10/0/0.mvt?category=jaywalking")), 400, "category");
    expect_error(handle(get("/tiles/areas/10/0/0.mvt?kind=county")), 400, "kind");
    expect_error(handle(get("/tiles/performance/10/0/0.mvt")), 400, "indicator");
    // Errors from the renderer map through the same table.
    expect_error(handle(get("/tiles/crimes/2/0/0.mvt")), 404, "Nothing here");
    EXPECT_EQ(header(handle(get("/tiles/crimes/a/0/0.mvt")), "Cache-Control"), "no-store");
}

TEST_F(AppTest, HandlerExceptionsBecome500Json) {
    auto res = handle(get("/tiles/crimes/2/1/1.mvt"));
    expect_error(res, 500, "Internal server error");
    EXPECT_EQ(body_json(res).dump(), R"({"error":"Internal server error","status":500})");
}

TEST_F(AppTest, UnknownRoutesAndWrongMethods) {
    expect_error(handle(get("/nope")), 404, "Not found");
    expect_error(handle(get("/tiles/crimes/1/0/0.png")), 404, "Not found");
    auto post = handle(request(Method::post, "/tiles/crimes/1/0/0.mvt"));
    expect_error(post, 405, "Method not allowed");
    EXPECT_EQ(header(post, "Allow"), "GET, HEAD, OPTIONS");
    expect_error(handle(request(Method::del, "/health")), 405, "Method not allowed");
    EXPECT_EQ(handle(request(Method::post, "/nope")).status, 404);
}

TEST_F(AppTest, HeadIsAnsweredLikeGet) {
    auto res = handle(request(Method::head, "/tiles/crimes/14/8100/5430.mvt"));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(header(res, "Content-Type"), "application/vnd.mapbox-vector-tile");
    // The session drops the body of HEAD responses and keeps its length.
}

TEST_F(AppTest, NoSnapshotMeans503) {
    core::SnapshotHolder empty;
    App cold(Config{}, empty);
    cold.context().set_renderer(renderer);
    cold.context().set_status_message("cannot connect to the database: refused");
    expect_error(cold.handle(get("/tiles/crimes/1/0/0.mvt")), 503, "not loaded");
    expect_error(cold.handle(get("/tiles/crimes.json")), 503, "not loaded");
    expect_error(cold.handle(get("/catalog")), 503, "not loaded");
    auto ready = cold.handle(get("/ready"));
    expect_error(ready, 503, "cannot connect to the database");
    EXPECT_EQ(cold.handle(get("/health")).status, 200);
    EXPECT_EQ(cold.handle(get("/metrics")).status, 200);
}

TEST_F(AppTest, HealthAndReady) {
    auto health = handle(get("/health"));
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(body_json(health)["status"], "ok");
    auto ready = handle(get("/ready"));
    EXPECT_EQ(ready.status, 200);
    auto j = body_json(ready);
    EXPECT_EQ(j["status"], "ready");
    EXPECT_EQ(j["dataset_version"], 7);
    EXPECT_EQ(j["last_month"], "2019-02");
    EXPECT_EQ(j["located_crimes"], 10);
    EXPECT_EQ(j["engine"], "fake");
}

TEST_F(AppTest, TileJsonDescribesLayersAndVersionedUrls) {
    auto res = handle(get("/tiles/crimes,areas.json?category=burglary,drugs&from=2019-01&v=3",
                          {{"Host", "maps.example.org:8080"}, {"X-Forwarded-Proto", "https"}}));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(header(res, "Content-Type"), "application/json");
    // Shared caches keep it briefly, so a new dataset version reaches clients behind them soon.
    EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=60, s-maxage=5");
    auto j = body_json(res);
    EXPECT_EQ(j["tilejson"], "3.0.0");
    EXPECT_EQ(j["scheme"], "xyz");
    ASSERT_EQ(j["tiles"].size(), 1u);
    EXPECT_EQ(j["tiles"][0],
              "https://maps.example.org:8080/tiles/crimes,areas/{z}/{x}/"
              "{y}.mvt?v=7&category=burglary,drugs&from=2019-01");
    EXPECT_EQ(j["minzoom"], 0);
    EXPECT_EQ(j["maxzoom"], 16);
    EXPECT_NE(j["attribution"].get<std::string>().find(
                  "Contains public sector information licensed under the Open Government Licence v3.0"),
              std::string::npos);
    EXPECT_NE(j["attribution"].get<std::string>().find("OS data"), std::string::npos);
    EXPECT_NE(j["attribution"].get<std::string>().find("ONS data"), std::string::npos);
    ASSERT_EQ(j["bounds"].size(), 4u);
    EXPECT_NEAR(j["bounds"][0].get<double>(), -2.719, 0.01);
    EXPECT_NEAR(j["bounds"][3].get<double>(), 52.06, 0.01);
    ASSERT_EQ(j["center"].size(), 3u);
    ASSERT_EQ(j["vector_layers"].size(), 2u);
    EXPECT_EQ(j["vector_layers"][0]["id"], "crimes");
    EXPECT_EQ(j["vector_layers"][0]["fields"]["count"], "Number");
    EXPECT_EQ(j["vector_layers"][0]["fields"]["burglary"], "Number");
    EXPECT_EQ(j["vector_layers"][0]["fields"]["location"], "String");
    EXPECT_EQ(j["vector_layers"][1]["id"], "areas");
    EXPECT_EQ(j["vector_layers"][1]["fields"]["code"], "String");
    EXPECT_EQ(j["dataset_version"], 7);

    auto again = handle(get("/tiles/crimes,areas.json?category=burglary,drugs&from=2019-01&v=3",
                            {{"Host", "maps.example.org:8080"},
                             {"X-Forwarded-Proto", "https"},
                             {"If-None-Match", header(res, "ETag")}}));
    EXPECT_EQ(again.status, 304);
}

TEST_F(AppTest, TileJsonValidatesLayersAndFilters) {
    expect_error(handle(get("/tiles/bogus.json")), 404, "Unknown layer");
    expect_error(handle(get("/tiles/crimes.json?category=nope")), 400, "category");
    expect_error(handle(get("/tiles/performance.json")), 400, "indicator");
    auto j = body_json(handle(get("/tiles/areas.json?kind=ward", {{"Host", "bad host\r\n"}})));
    EXPECT_EQ(j["tiles"][0], "http://127.0.0.1:8080/tiles/areas/{z}/{x}/{y}.mvt?v=7&kind=ward")
        << "an invalid Host header falls back to the listen address";
}

TEST_F(AppTest, PublicUrlWinsOverHost) {
    Config c;
    c.public_url = "https://crime.example.gov.uk/api";
    make_app(c);
    auto j = body_json(handle(get("/tiles/crimes.json", {{"Host", "internal:8080"}})));
    EXPECT_EQ(j["tiles"][0], "https://crime.example.gov.uk/api/tiles/crimes/{z}/{x}/{y}.mvt?v=7");
}

TEST_F(AppTest, CatalogListsLayersMonthsKindsAndVersion) {
    auto res = handle(get("/catalog"));
    ASSERT_EQ(res.status, 200);
    auto j = body_json(res);
    EXPECT_EQ(j["dataset_version"], 7);
    EXPECT_EQ(j["first_month"], "2019-01");
    EXPECT_EQ(j["last_month"], "2019-02");
    EXPECT_EQ(j["months"], json::array({"2019-01", "2019-02"}));
    ASSERT_EQ(j["layers"].size(), core::layer_specs().size());  // every layer of the registry
    EXPECT_EQ(j["layers"][0]["name"], "crimes");
    EXPECT_EQ(j["layers"][0]["tilejson"], "/tiles/crimes.json");
    bool has_burglary = false;
    for (const auto& f : j["layers"][0]["fields"]) has_burglary |= f["name"] == "burglary";
    EXPECT_TRUE(has_burglary);
    bool lsoa = false;
    for (const auto& k : j["area_kinds"])
        if (k["kind"] == "lsoa") lsoa = k["areas"] == 1;
    EXPECT_TRUE(lsoa);
    EXPECT_EQ(j["categories"].size(), core::category_count);
    EXPECT_EQ(j["crimes"]["located"], 10);
    EXPECT_EQ(handle(get("/catalog", {{"If-None-Match", header(res, "ETag")}})).status, 304);
}

TEST_F(AppTest, MetricsCountRequestsCacheAndSnapshot) {
    handle(get("/tiles/crimes/14/8100/5430.mvt"));
    handle(get("/tiles/crimes/14/8100/5430.mvt"));
    handle(get("/tiles/crimes/3/0/0.mvt"));
    handle(get("/tiles/crimes/x/0/0.mvt"));
    handle(get("/nope"));
    app->record_rejected(431);
    auto res = handle(get("/metrics"));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(header(res, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    const std::string& m = res.body;
    auto has = [&](const std::string& line) {
        EXPECT_NE(m.find(line), std::string::npos) << "missing: " << line << "\n" << m;
    };
    has("crimemap_http_requests_total{route=\"/tiles/{layers}/{z}/{x}/{y}.mvt\",status=\"200\"} 3\n");
    has("crimemap_http_requests_total{route=\"/tiles/{layers}/{z}/{x}/{y}.mvt\",status=\"400\"} 1\n");
    has("crimemap_http_requests_total{route=\"static\",status=\"404\"} 1\n");
    has("crimemap_http_requests_total{route=\"none\",status=\"431\"} 1\n");
    has("crimemap_http_request_duration_seconds_bucket{le=\"+Inf\"} 6\n");
    has("crimemap_http_request_duration_seconds_count 6\n");
    has("crimemap_tile_cache_hits_total 1\n");
    has("crimemap_tile_cache_misses_total 2\n");
    has("crimemap_tile_cache_entries 2\n");
    has("crimemap_tile_cache_bytes ");
    has("crimemap_tile_size_bytes_count 2\n");
    has("crimemap_tiles_coarsened_total 1\n");
    has("crimemap_snapshot_version 7\n");
    has("crimemap_snapshot_age_seconds ");
    has("crimemap_snapshot_loaded 1\n");
    has("# TYPE crimemap_http_request_duration_seconds histogram\n");
}

TEST_F(AppTest, CorsAllowlist) {
    Config c;
    c.cors_origins = {"https://www.gov.uk", "https://news.example"};
    make_app(c);
    auto allowed = handle(get("/tiles/crimes/14/8100/5430.mvt", {{"Origin", "https://www.gov.uk"}}));
    EXPECT_EQ(header(allowed, "Access-Control-Allow-Origin"), "https://www.gov.uk");
    EXPECT_NE(header(allowed, "Vary").find("Origin"), std::string::npos);
    auto other = handle(get("/tiles/crimes/14/8100/5430.mvt", {{"Origin", "https://evil.example"}}));
    EXPECT_EQ(other.status, 200);
    EXPECT_EQ(header(other, "Access-Control-Allow-Origin"), "");
    EXPECT_EQ(header(handle(get("/health")), "Access-Control-Allow-Origin"), "");
}

TEST_F(AppTest, PreflightRequests) {
    auto res = handle(request(Method::options, "/tiles/crimes/1/0/0.mvt",
                              {{"Origin", "https://a.example"},
                               {"Access-Control-Request-Method", "GET"},
                               {"Access-Control-Request-Headers", "if-none-match"}}));
    EXPECT_EQ(res.status, 204);
    EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(header(res, "Access-Control-Allow-Methods"), "GET, HEAD, OPTIONS");
    EXPECT_EQ(header(res, "Access-Control-Allow-Headers"), "if-none-match");
    EXPECT_EQ(header(res, "Access-Control-Max-Age"), "86400");
    EXPECT_EQ(renderer->calls.load(), 0) << "a preflight does not render";
    EXPECT_EQ(handle(request(Method::options, "/nope")).status, 404);

    Config c;
    c.cors_origins = {"https://www.gov.uk"};
    make_app(c);
    auto refused =
        handle(request(Method::options, "/tiles/crimes/1/0/0.mvt",
                       {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}}));
    EXPECT_EQ(header(refused, "Access-Control-Allow-Origin"), "");
}

TEST_F(AppTest, NoRendererMeans503) {
    app->context().set_renderer(nullptr);
    expect_error(handle(get("/tiles/crimes/14/8100/5430.mvt")), 503, "not ready");
    EXPECT_EQ(handle(get("/ready")).status, 503);
}
