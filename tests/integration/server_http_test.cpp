// crimemapd end to end over HTTP against a database seeded with data/sample: headers, 304, gzip,
// 204, every error status, /ready, /metrics, TileJSON, catalog, graceful SIGTERM, and a database
// that is empty or unreachable.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "geo/tile.hpp"
#include "server/gzip.hpp"
#include "support/mvt_decode.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using crimemap::testing::HttpConnection;
using crimemap::testing::ServerProcess;
using nlohmann::json;

namespace {
// Central Hereford, where the sample has crimes in every month.
std::string hereford_tile(int z) {
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), static_cast<std::uint8_t>(z));
    return std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y);
}

class ServerHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        db = new test::TestDatabase();
        db->seed_sample();
        version = db->count("SELECT max(version) FROM dataset_versions");
        server = new ServerProcess(db->url(), {"--max-header-bytes", "8K", "--max-body-bytes", "4K"});
        ASSERT_TRUE(server->wait_ready()) << server->log();
    }
    static void TearDownTestSuite() {
        delete server;
        server = nullptr;
        delete db;
        db = nullptr;
    }
    static json body_json(const crimemap::testing::HttpResponse& r) { return json::parse(r.body); }
    static void expect_error(const std::optional<crimemap::testing::HttpResponse>& r, int status,
                             const std::string& fragment) {
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, status) << r->body;
        EXPECT_EQ(r->header("content-type"), "application/json");
        auto j = json::parse(r->body);
        EXPECT_EQ(j["status"], status);
        EXPECT_NE(j["error"].get<std::string>().find(fragment), std::string::npos) << j["error"];
    }

    static inline test::TestDatabase* db = nullptr;
    static inline ServerProcess* server = nullptr;
    static inline long long version = 0;
};
}  // namespace

TEST_F(ServerHttp, ReadyAndHealth) {
    auto ready = server->get("/ready");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status, 200);
    auto j = body_json(*ready);
    EXPECT_EQ(j["dataset_version"], version);
    EXPECT_EQ(j["last_month"], "2019-02");
    EXPECT_EQ(j["engine"], "memory");
    EXPECT_GT(j["located_crimes"].get<long long>(), 40000);
    auto health = server->get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
}

TEST_F(ServerHttp, TileJsonPointsAtVersionedTiles) {
    auto res = server->get("/tiles/crimes.json?category=burglary");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->header("access-control-allow-origin"), "*");
    auto j = body_json(*res);
    EXPECT_EQ(j["tilejson"], "3.0.0");
    const std::string url = j["tiles"][0];
    const std::string expected_prefix =
        "http://127.0.0.1/tiles/crimes/{z}/{x}/{y}.mvt?v=" + std::to_string(version);
    EXPECT_EQ(url, expected_prefix + "&category=burglary");
    EXPECT_EQ(j["vector_layers"][0]["id"], "crimes");
    EXPECT_EQ(j["vector_layers"][0]["fields"]["burglary"], "Number");
    EXPECT_NE(j["attribution"].get<std::string>().find("Open Government Licence v3.0"), std::string::npos);
    // The located crimes: around West Mercia (a few police.uk points lie further away), inside GB.
    const double w = j["bounds"][0], s = j["bounds"][1], e = j["bounds"][2], n = j["bounds"][3];
    EXPECT_TRUE(w > -8 && w < -2.72 && e > -2.71 && e < 2) << j["bounds"];
    EXPECT_TRUE(s > 49 && s < 52.05 && n > 52.06 && n < 61) << j["bounds"];
}

TEST_F(ServerHttp, VersionedTileIsImmutableMvt) {
    const std::string path = "/tiles/crimes/" + hereford_tile(14) + ".mvt?v=" + std::to_string(version);
    auto res = server->get(path);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->header("content-type"), "application/vnd.mapbox-vector-tile");
    EXPECT_EQ(res->header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(res->header("vary"), "Accept-Encoding");
    EXPECT_EQ(res->header("access-control-allow-origin"), "*");
    EXPECT_FALSE(res->header("etag").empty());
    auto layers = crimemap::testing::decode_tile(res->body);
    ASSERT_TRUE(layers.count("crimes"));
    EXPECT_GT(layers["crimes"].features.size(), 0u);
    EXPECT_FALSE(layers["crimes"].features[0].text("location").empty());

    auto unversioned = server->get("/tiles/crimes/" + hereford_tile(14) + ".mvt");
    ASSERT_TRUE(unversioned);
    EXPECT_EQ(unversioned->header("cache-control"), "public, max-age=60");
    EXPECT_EQ(unversioned->body, res->body);
    auto pbf = server->get("/tiles/crimes/" + hereford_tile(14) + ".pbf");
    ASSERT_TRUE(pbf);
    EXPECT_EQ(pbf->body, res->body);
}

TEST_F(ServerHttp, GzipAndConditionalRequests) {
    const std::string path = "/tiles/crimes,areas/" + hereford_tile(12) + ".mvt?from=2018-10&to=2019-02";
    auto plain = server->get(path);
    auto gz = server->get(path, "Accept-Encoding: gzip, br\r\n");
    ASSERT_TRUE(plain && gz);
    ASSERT_EQ(gz->status, 200);
    EXPECT_EQ(gz->header("content-encoding"), "gzip");
    EXPECT_LT(gz->body.size(), plain->body.size());
    EXPECT_EQ(server::gzip_decompress(gz->body), plain->body);
    auto layers = crimemap::testing::decode_tile(plain->body);
    EXPECT_TRUE(layers.count("crimes"));
    EXPECT_TRUE(layers.count("areas"));

    auto not_modified =
        server->get(path, "Accept-Encoding: gzip\r\nIf-None-Match: " + gz->header("etag") + "\r\n");
    ASSERT_TRUE(not_modified);
    EXPECT_EQ(not_modified->status, 304);
    EXPECT_TRUE(not_modified->body.empty());
    EXPECT_EQ(not_modified->header("etag"), gz->header("etag"));
    EXPECT_EQ(not_modified->header("cache-control"), "public, max-age=60");
    auto changed = server->get(path, "If-None-Match: \"0000\"\r\n");
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, 200);
}

TEST_F(ServerHttp, EmptyTileIs204) {
    // Mid-Atlantic at z14: no crimes.
    auto res = server->get("/tiles/crimes/14/5000/5000.mvt?v=" + std::to_string(version));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 204);
    EXPECT_TRUE(res->body.empty());
    EXPECT_EQ(res->header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(res->header("access-control-allow-origin"), "*");
}

TEST_F(ServerHttp, EveryErrorStatus) {
    expect_error(server->get("/tiles/crimes/z/0/0.mvt"), 400, "tile coordinates");
    expect_error(server->get("/tiles/crimes/2/9/0.mvt"), 400, "tile coordinates");
    expect_error(server->get("/tiles/crimes/30/0/0.mvt"), 400, "zoom");
    expect_error(server->get("/tiles/robberies/2/0/0.mvt"), 404, "Unknown layer");
    expect_error(server->get("/tiles/crimes/12/2017/1352.mvt?from=2019-1"), 400, "from");
    expect_error(server->get("/tiles/crimes/12/2017/1352.mvt?category=arson"), 400, "category");
    expect_error(server->get("/tiles/areas/12/2017/1352.mvt?kind=parish"), 400, "kind");
    expect_error(server->get("/no/such/route"), 404, "Not found");

    HttpConnection post(server->port());
    auto r405 = post.request("POST /tiles/crimes/2/0/0.mvt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    expect_error(r405, 405, "Method not allowed");
    EXPECT_EQ(r405->header("allow"), "GET, HEAD, OPTIONS");

    HttpConnection big_header(server->port());
    expect_error(big_header.get("/health", "X-Filler: " + std::string(10000, 'f') + "\r\n"), 431,
                 "too large");
    HttpConnection big_body(server->port());
    expect_error(big_body.request("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"), 413,
                 "too large");
    HttpConnection garbage(server->port());
    expect_error(garbage.request("NOT HTTP AT ALL\r\n\r\n"), 400, "Malformed");
    EXPECT_TRUE(garbage.closed_by_peer());

    // None of that harmed the server.
    auto health = server->get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
}

TEST_F(ServerHttp, CorsPreflight) {
    HttpConnection c(server->port());
    auto res = c.request(
        "OPTIONS /tiles/crimes/2/0/0.mvt HTTP/1.1\r\nHost: x\r\nOrigin: https://www.gov.uk\r\n"
        "Access-Control-Request-Method: GET\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 204);
    EXPECT_EQ(res->header("access-control-allow-origin"), "*");
    EXPECT_EQ(res->header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
}

TEST_F(ServerHttp, CatalogDescribesTheSample) {
    auto res = server->get("/catalog");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    auto j = body_json(*res);
    EXPECT_EQ(j["dataset_version"], version);
    EXPECT_EQ(j["months"], json::array({"2018-10", "2018-11", "2018-12", "2019-01", "2019-02"}));
    EXPECT_EQ(j["layers"][0]["name"], "crimes");
    bool has_lsoas = false;
    for (const auto& k : j["area_kinds"])
        if (k["kind"] == "lsoa") has_lsoas = k["areas"].get<long long>() > 100;
    EXPECT_TRUE(has_lsoas);
}

TEST_F(ServerHttp, MetricsExposeRequestsCacheAndSnapshot) {
    const std::string path = "/tiles/crimes/" + hereford_tile(13) + ".mvt";
    server->get(path);
    server->get(path);
    auto res = server->get("/metrics");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    EXPECT_EQ(res->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const std::string& m = res->body;
    for (const std::string line :
         {"crimemap_http_requests_total{route=\"/tiles/{layers}/{z}/{x}/{y}.mvt\",status=\"200\"}",
          "crimemap_http_request_duration_seconds_bucket{le=\"0.001\"}", "crimemap_tile_cache_hits_total ",
          "crimemap_tile_cache_misses_total ", "crimemap_tile_cache_bytes ",
          "crimemap_tile_size_bytes_bucket", "crimemap_tiles_coarsened_total ",
          "crimemap_snapshot_age_seconds ", "crimemap_snapshot_loaded 1"})
        EXPECT_NE(m.find(line), std::string::npos) << line;
    EXPECT_NE(m.find("crimemap_snapshot_version " + std::to_string(version) + "\n"), std::string::npos);
}

TEST(ServerLifecycle, SigtermExitsZeroAfterServing) {
    test::TestDatabase db;
    db.seed_sample();
    ServerProcess server(db.url());
    ASSERT_TRUE(server.wait_ready()) << server.log();
    HttpConnection idle(server.port());
    ASSERT_TRUE(idle.get("/health"));
    auto status = server.stop(SIGTERM);
    ASSERT_TRUE(status) << "crimemapd did not exit after SIGTERM\n" << server.log();
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 0) << server.log();
    EXPECT_TRUE(idle.closed_by_peer());
    EXPECT_NE(server.log().find("crimemapd stopped"), std::string::npos) << server.log();
}

TEST(ServerLifecycle, EmptyDatabaseServesHealthButNotReady) {
    test::TestDatabase db;  // migrated, no data
    ServerProcess server(db.url(), {"--poll-seconds", "1"});
    ASSERT_TRUE(server.wait_for("/health", 200, std::chrono::seconds(30))) << server.log();
    // The first poll has found the database empty.
    EXPECT_TRUE(server.wait_for_answer(
        "/ready", [](const auto& res) { return res.body.find("no dataset") != std::string::npos; },
        std::chrono::seconds(30)));
    auto ready = server.get("/ready");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status, 503);
    EXPECT_NE(ready->body.find("no dataset"), std::string::npos) << ready->body;
    auto tile = server.get("/tiles/crimes/2/1/1.mvt");
    ASSERT_TRUE(tile);
    EXPECT_EQ(tile->status, 503);
    EXPECT_NE(server.log().find("no dataset"), std::string::npos) << server.log();

    // Data arrives later: the poll picks it up without a restart.
    db.seed_sample();
    EXPECT_TRUE(server.wait_ready(std::chrono::seconds(60))) << server.log();
    auto status = server.stop();
    ASSERT_TRUE(status);
    EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(ServerLifecycle, UnreachableDatabaseIsReportedNotFatal) {
    const std::string url =
        "postgresql://postgres@127.0.0.1:" + std::to_string(crimemap::testing::free_port()) + "/nothing";
    ServerProcess server(url);
    ASSERT_TRUE(server.wait_for("/health", 200, std::chrono::seconds(30))) << server.log();
    // The first connection attempt has failed.
    EXPECT_TRUE(server.wait_for_answer(
        "/ready", [](const auto& res) { return res.body.find("database unreachable") != std::string::npos; },
        std::chrono::seconds(30)));
    auto ready = server.get("/ready");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status, 503);
    EXPECT_NE(ready->body.find("database unreachable at 127.0.0.1:"), std::string::npos) << ready->body;
    auto status = server.stop();
    ASSERT_TRUE(status) << server.log();
    EXPECT_EQ(WEXITSTATUS(*status), 0) << server.log();
}
