// Rate limits and portal keys end to end: the real crimemapd on the seeded sample in a private
// PostGIS, keys made, listed and revoked with the real `crimemap key` CLI. A burst of 300 quick
// lookups from one address gets 429s with Retry-After while the same burst with a portal key is
// served; a revoked key is refused within the refresh interval; the plain key reaches neither the
// database nor the server's log.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "core/secrets.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"
#include "support/wait.hpp"

using namespace crimemap;
using crimemap::testing::HttpConnection;
using crimemap::testing::HttpResponse;
using crimemap::testing::ServerProcess;
using crimemap::testing::wait_until;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Burst {
    int ok = 0;
    int throttled = 0;
    int other = 0;
    double seconds = 0;
    std::vector<HttpResponse> refusals;
};

// n GETs, one after another on one keep-alive connection (one client address).
Burst burst(std::uint16_t port, const std::string& target, int n, const std::string& headers = "") {
    Burst b;
    HttpConnection c(port);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        auto res = c.get(target, headers);
        if (!res) throw std::runtime_error("no answer to request " + std::to_string(i));
        if (res->status == 200)
            ++b.ok;
        else if (res->status == 429) {
            ++b.throttled;
            b.refusals.push_back(*res);
        } else
            ++b.other;
        if (res->header("ratelimit-limit").empty() || res->header("ratelimit-remaining").empty() ||
            res->header("ratelimit-reset").empty())
            throw std::runtime_error("request " + std::to_string(i) + " lacks RateLimit-* headers");
    }
    b.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return b;
}

// The value of a series in the /metrics text, 0 when absent.
long long metric(ServerProcess& server, const std::string& series) {
    auto res = server.get("/metrics");
    if (!res) return -1;
    auto at = res->body.find(series + " ");
    return at == std::string::npos ? 0 : std::stoll(res->body.substr(at + series.size() + 1));
}

}  // namespace

TEST(ServerRateLimit, BurstFromOneAddressIsThrottledWhileAPortalKeyIsServedAndARevokeBites) {
    test::TestDatabase db;
    db.seed_sample();
    const std::string postcode =
        db.scalar("SELECT postcode FROM postcodes WHERE lon IS NOT NULL ORDER BY pc_compact LIMIT 1");
    ASSERT_FALSE(postcode.empty());
    const std::string target = "/postcodes/" + postcode.substr(0, postcode.find(' ')) + "%20" +
                               postcode.substr(postcode.find(' ') + 1);

    // A key, through the real CLI: printed once, stored as its SHA-256 only.
    auto created = db.crimemap({"key", "create", "--name", "portal-test", "--rate", "1000/2000"});
    ASSERT_EQ(created.exit_code, 0) << created.describe();
    const std::string key(base::trim(created.out));
    ASSERT_TRUE(key.starts_with("ck_")) << key;
    EXPECT_EQ(db.count("SELECT count(*) FROM api_keys WHERE key_hash = $1 AND name = 'portal-test'",
                       {core::sha256_hex(key)}),
              1);
    EXPECT_EQ(db.count("SELECT count(*) FROM api_keys WHERE key_hash = $1 OR name = $1", {key}), 0);
    auto listed = db.crimemap({"key", "list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.describe();
    EXPECT_NE(listed.out.find("portal-test"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("1000/2000"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find(key), std::string::npos) << "list never shows a key";
    EXPECT_NE(db.crimemap({"key", "create", "--name", "portal-test"}).exit_code, 0) << "names are unique";
    EXPECT_NE(db.crimemap({"key", "create", "--name", "bad name!"}).exit_code, 0);

    ServerProcess server(db.url(), {"--rate-limit", "25/50", "--tile-rate-limit", "200/400",
                                    "--api-key-refresh", "1", "--access-log"});
    ASSERT_TRUE(server.wait_ready()) << server.log();

    // The key is loaded at start; wait for it rather than assume (the refresher runs on its own thread).
    auto keyed = [&](const std::string& t) { return server.get(t, "X-Api-Key: " + key + "\r\n"); };
    wait_until(
        [&] {
            auto res = keyed(target);
            return res && res->status == 200 && res->header("ratelimit-limit") == "2000";
        },
        30s, 100ms);
    ASSERT_EQ(keyed(target)->header("ratelimit-limit"), "2000") << server.log();

    // 300 quick lookups from one address: the burst passes, then 429s.
    const Burst anonymous = burst(server.port(), target, 300);
    EXPECT_GT(anonymous.throttled, 0);
    EXPECT_EQ(anonymous.other, 0);
    EXPECT_GE(anonymous.ok, 50) << "the burst";
    EXPECT_LE(anonymous.ok, 50 + static_cast<int>(25 * anonymous.seconds) + 1)
        << "burst + rate x elapsed (" << anonymous.seconds << " s)";
    for (const auto& r : anonymous.refusals) {
        ASSERT_GE(std::stol(r.header("retry-after")), 1);
        ASSERT_EQ(r.header("ratelimit-limit"), "50");
        ASSERT_EQ(r.header("ratelimit-remaining"), "0");
        ASSERT_EQ(r.header("access-control-allow-origin"), "*");
        auto body = json::parse(r.body);
        ASSERT_EQ(body["status"], 429);
        ASSERT_TRUE(body["error"].is_string());
    }
    EXPECT_EQ(metric(server, "crimemap_throttled_total{route=\"/postcodes/{postcode}\",key=\"anonymous\"}"),
              anonymous.throttled);

    // The same burst from the same address with the key: all served (header and query forms).
    const Burst with_key = burst(server.port(), target, 300, "X-Api-Key: " + key + "\r\n");
    EXPECT_EQ(with_key.ok, 300) << with_key.throttled << " throttled";
    const Burst with_query_key = burst(server.port(), target + "?api_key=" + key, 50);
    EXPECT_EQ(with_query_key.ok, 50);
    // Health checks are never limited, however drained the address is.
    for (int i = 0; i < 100; ++i) ASSERT_EQ(server.get("/health")->status, 200);

    // An unknown key is refused (once the address has a token again).
    std::optional<HttpResponse> bad;
    wait_until(
        [&] {
            bad = server.get(target, "X-Api-Key: ck_0000\r\n");
            return bad && bad->status != 429;
        },
        10s, 100ms);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 401);
    EXPECT_EQ(json::parse(bad->body)["status"], 401);

    // Revoke through the CLI: the server refuses the key within the refresh interval (1 s here).
    auto revoked = db.crimemap({"key", "revoke", "portal-test"});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.describe();
    int status = 0;
    wait_until(
        [&] {
            auto res = keyed(target);
            status = res ? res->status : 0;
            return status == 401;
        },
        15s, 100ms);
    EXPECT_EQ(status, 401) << "a revoked key keeps working";
    EXPECT_NE(db.crimemap({"key", "list"}).out.find("portal-test"), std::string::npos);
    EXPECT_NE(db.crimemap({"key", "revoke", "portal-test"}).exit_code, 0) << "already revoked";

    // The plain key never reached the server's log (the access log shows api_key=***).
    const std::string log = server.log();
    EXPECT_EQ(log.find(key), std::string::npos);
    EXPECT_NE(log.find("api_key=***"), std::string::npos) << log.substr(0, 2000);
}
