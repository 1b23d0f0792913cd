// The rate limiter inside App::handle, without sockets: 429 with the JSON envelope, Retry-After and
// RateLimit-* headers (on 200s too), CORS on the refusal so browsers can read it, portal keys and
// their 401, and the throttled counter in /metrics.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/secrets.hpp"
#include "server/app.hpp"
#include "support/server_fixtures.hpp"

using namespace crimemap;
using namespace crimemap::server;
using namespace crimemap::server::testing;
using nlohmann::json;

namespace {
constexpr double burst = 3;

class RateLimitAppTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Config config;
        // One token per 1000 s: nothing refills while the test runs, whatever the machine's speed.
        config.rate_limit = 0.001;
        config.rate_burst = burst;
        config.tile_rate_limit = 0.001;
        config.tile_rate_burst = 5;
        app = std::make_unique<App>(std::move(config), snapshots);
        app->context().set_renderer(std::make_shared<FakeRenderer>());
        app->context().swap_snapshot(small_snapshot(7));
    }

    Response from(const std::string& peer, const std::string& target,
                  std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
        auto req = get(target, headers);
        req.peer_address = peer;
        return app->handle(req);
    }

    // The value of `name{labels}` in the /metrics text, 0 when absent.
    long long metric(const std::string& series) {
        auto body = app->handle(get("/metrics")).body;
        auto at = body.find(series + " ");
        return at == std::string::npos ? 0 : std::stoll(body.substr(at + series.size() + 1));
    }

    core::SnapshotHolder snapshots;
    std::unique_ptr<App> app;
};
}  // namespace

TEST_F(RateLimitAppTest, BeyondTheBurstAnswers429WithHeadersAndCors) {
    const std::string path = "/api/crime-categories";
    for (int i = 0; i < static_cast<int>(burst); ++i) {
        auto res = from("203.0.113.7", path, {{"Origin", "https://portal.example"}});
        ASSERT_NE(res.status, 429)
            << res.body;  // the handler's answer (503 here: no police.uk data in this snapshot)
        EXPECT_EQ(header(res, "RateLimit-Limit"), "3");
        EXPECT_EQ(header(res, "RateLimit-Remaining"), std::to_string(static_cast<int>(burst) - 1 - i));
        EXPECT_GE(std::stol(header(res, "RateLimit-Reset")), 1);
        EXPECT_EQ(header(res, "Retry-After"), "");
    }
    auto res = from("203.0.113.7", path, {{"Origin", "https://portal.example"}});
    EXPECT_EQ(res.status, 429);
    EXPECT_EQ(header(res, "Content-Type"), "application/json");
    auto body = json::parse(res.body);
    EXPECT_EQ(body["status"], 429);
    EXPECT_NE(body["error"].get<std::string>().find("Too many requests"), std::string::npos);
    const long retry = std::stol(header(res, "Retry-After"));
    EXPECT_GE(retry, 1);
    EXPECT_LE(retry, 1000) << "one token at 0.001/s";
    EXPECT_EQ(header(res, "RateLimit-Remaining"), "0");
    EXPECT_EQ(header(res, "RateLimit-Limit"), "3");
    EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*")
        << "a browser page must be able to read the 429";
    const std::string exposed = header(res, "Access-Control-Expose-Headers");
    for (auto h : {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"})
        EXPECT_NE(exposed.find(h), std::string::npos) << h;
    EXPECT_EQ(metric("crimemap_throttled_total{route=\"" + path + "\",key=\"anonymous\"}"), 1);
    EXPECT_EQ(app->context().metrics().requests(app->context().metrics().route_index(path), 429), 1u);

    // Others are unaffected: another address, the tile class, the health checks.
    EXPECT_NE(from("203.0.113.8", path).status, 429);
    EXPECT_EQ(from("203.0.113.7", "/tiles/crimes/14/8100/5430.mvt").status, 200);
    EXPECT_EQ(header(from("203.0.113.7", "/tiles/crimes/14/8100/5430.mvt"), "RateLimit-Limit"), "5");
    for (int i = 0; i < 10; ++i) {
        auto health = from("203.0.113.7", "/health");
        EXPECT_EQ(health.status, 200);
        EXPECT_EQ(header(health, "RateLimit-Limit"), "");
    }
    // The same /64 is the same client.
    for (int i = 0; i < static_cast<int>(burst); ++i) from("2001:db8:5:6::1", path);
    EXPECT_EQ(from("2001:db8:5:6::ffff", path).status, 429);
    EXPECT_NE(from("2001:db8:5:7::1", path).status, 429);
}

TEST_F(RateLimitAppTest, PortalKeysGetTheirOwnLimitAndBadKeysA401) {
    const std::string key = core::random_secret("ck_");
    app->context().rate_limiter().keys().replace(
        {{core::sha256_hex(key), core::ApiKey{1, "council", 0.001, 50}}});
    const std::string path = "/postcodes/lon/-2.716/lat/52.0565";
    for (int i = 0; i < static_cast<int>(burst); ++i) from("203.0.113.9", path);
    ASSERT_EQ(from("203.0.113.9", path).status, 429);
    for (int i = 0; i < 50; ++i) {
        auto res =
            from("203.0.113.9", i % 2 ? path + "?api_key=" + key : path, {{"X-Api-Key", i % 2 ? "" : key}});
        ASSERT_NE(res.status, 429) << i;
        ASSERT_NE(res.status, 401) << i;
        EXPECT_EQ(header(res, "RateLimit-Limit"), "50");
    }
    auto over = from("203.0.113.9", path, {{"X-Api-Key", key}});
    EXPECT_EQ(over.status, 429);
    EXPECT_EQ(metric("crimemap_throttled_total{route=\"/postcodes/lon/{lon}/lat/{lat}\",key=\"council\"}"),
              1);

    auto bad = from("198.51.100.3", path, {{"X-Api-Key", "ck_not_a_key"}});
    EXPECT_EQ(bad.status, 401);
    auto body = json::parse(bad.body);
    EXPECT_EQ(body["status"], 401);
    EXPECT_NE(body["error"].get<std::string>().find("API key"), std::string::npos);
    EXPECT_EQ(header(bad, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(header(bad, "RateLimit-Remaining"), std::to_string(static_cast<int>(burst) - 1))
        << "a bad key is charged to the address";
}

TEST_F(RateLimitAppTest, OffMeansNoHeadersAndNoRefusals) {
    Config config;
    config.rate_limit = 0;
    config.tile_rate_limit = 0;
    App off(std::move(config), snapshots);
    off.context().set_renderer(std::make_shared<FakeRenderer>());
    for (int i = 0; i < 200; ++i) {
        auto req = get("/tiles/crimes/14/8100/5430.mvt");
        req.peer_address = "203.0.113.7";
        auto res = off.handle(req);
        ASSERT_EQ(res.status, 200);
        req = get("/api/crime-categories");
        req.peer_address = "203.0.113.7";
        res = off.handle(req);
        ASSERT_NE(res.status, 429);
        ASSERT_EQ(header(res, "RateLimit-Limit"), "");
    }
}

// Routes that wait on the database are charged on the I/O thread before they reach the blocking
// pool (once: the pool's handle() reuses the decision), and refused there when over the limit, so
// one client's flood of throttled database requests never queues ahead of other clients' work.
TEST_F(RateLimitAppTest, DatabaseRoutesAreChargedOnceBeforeTheBlockingPoolAndRefusedInline) {
    const std::string path = "/api/crimes-street/all-crime?lat=52.06&lng=-2.71";
    ASSERT_TRUE(app->blocking(get(path)));
    for (int i = 0; i < static_cast<int>(burst); ++i) {
        auto req = get(path);
        req.peer_address = "198.51.100.9";
        ASSERT_TRUE(app->admit_to_blocking_pool(req)) << i;
        ASSERT_TRUE(req.rate_limit.has_value());
        auto res = app->handle(req);
        EXPECT_NE(res.status, 429);
        EXPECT_EQ(header(res, "RateLimit-Remaining"), std::to_string(static_cast<int>(burst) - 1 - i))
            << "charged once per request, not again on the pool";
    }
    auto req = get(path);
    req.peer_address = "198.51.100.9";
    EXPECT_FALSE(app->admit_to_blocking_pool(req)) << "a throttled request is answered on the I/O thread";
    auto res = app->handle(req);
    EXPECT_EQ(res.status, 429);
    EXPECT_GE(std::stol(header(res, "Retry-After")), 1);
    EXPECT_EQ(metric("crimemap_throttled_total{route=\"/api/crimes-street/{category}\",key=\"anonymous\"}"),
              1);

    // A route that never waits on the database is not charged early.
    auto memory = get("/api/crime-categories");
    memory.peer_address = "198.51.100.9";
    EXPECT_FALSE(app->admit_to_blocking_pool(memory));
    EXPECT_FALSE(memory.rate_limit.has_value());
}
