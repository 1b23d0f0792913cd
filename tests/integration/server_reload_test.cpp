// Snapshot reloads: `crimemap refresh` (a new dataset version, NOTIFY crimemap_dataset) makes a
// running crimemapd load and swap in the new snapshot; clients hammering tiles during the swap see
// no failed request, and afterwards the new version (and the new data) is served.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "geo/tile.hpp"
#include "support/load_hammer.hpp"
#include "support/mvt_decode.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"
#include "support/wait.hpp"

using namespace crimemap;
using crimemap::testing::Hammer;
using crimemap::testing::HttpConnection;
using crimemap::testing::ServerProcess;
using crimemap::testing::wait_until;
using nlohmann::json;

namespace {
long long ready_version(ServerProcess& server) {
    auto r = server.get("/ready");
    if (!r || r->status != 200) return -1;
    return json::parse(r->body)["dataset_version"].get<long long>();
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
}
}  // namespace

TEST(ServerReload, RefreshIsPickedUpWithoutAFailedRequest) {
    test::TestDatabase db;
    db.seed_sample();
    // A long poll interval: the NOTIFY from refresh must be what triggers the reload.
    ServerProcess server(db.url(), {"--poll-seconds", "600"});
    ASSERT_TRUE(server.wait_ready()) << server.log();
    const long long v1 = ready_version(server);
    ASSERT_GT(v1, 0);

    Hammer hammer(server.port(), 4);
    ASSERT_TRUE(wait_until([&] { return hammer.requests() >= 50; })) << "the load is running";
    auto refresh = db.crimemap({"refresh"});
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    const long long v2 = db.count("SELECT max(version) FROM dataset_versions");
    ASSERT_GT(v2, v1);

    wait_until([&] { return ready_version(server) == v2; }, std::chrono::seconds(120),
               std::chrono::milliseconds(100));
    EXPECT_EQ(ready_version(server), v2) << server.log();
    const long long seen = hammer.requests();  // keep hammering the new snapshot
    wait_until([&] { return hammer.requests() >= seen + 50; });
    hammer.stop();
    EXPECT_TRUE(hammer.failures().empty()) << join(hammer.failures());
    EXPECT_GT(hammer.requests(), 100);
    // Collected by bench/faults/run.
    std::printf("FAULT-FIGURE reload_under_load failed=%lld requests=%lld\n", hammer.failed(),
                hammer.requests());

    // Tiles under the new version's URL are immutable; the old version's URL is not any more.
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), 14);
    const std::string tile = "/tiles/crimes/14/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".mvt";
    auto fresh = server.get(tile + "?v=" + std::to_string(v2));
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->status, 200);
    EXPECT_EQ(fresh->header("cache-control"), "public, max-age=31536000, immutable");
    auto stale = server.get(tile + "?v=" + std::to_string(v1));
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->header("cache-control"), "public, max-age=60");
    auto tj = server.get("/tiles/crimes.json");
    ASSERT_TRUE(tj);
    EXPECT_NE(json::parse(tj->body)["tiles"][0].get<std::string>().find("?v=" + std::to_string(v2)),
              std::string::npos);

    auto metrics = server.get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("crimemap_snapshot_reloads_total{outcome=\"ok\"} 2"), std::string::npos)
        << metrics->body.substr(metrics->body.find("crimemap_snapshot_reloads_total"), 400);
    EXPECT_NE(metrics->body.find("crimemap_snapshot_version " + std::to_string(v2) + "\n"),
              std::string::npos);
    auto status = server.stop();
    ASSERT_TRUE(status);
    EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(ServerReload, ImportedMonthIsServedAfterTheSwap) {
    test::TestDatabase db;
    db.seed_sample();
    // Start from the sample without its latest month, as if 2019-02 had not been published yet.
    {
        auto conn = db.connect();
        conn.exec("DELETE FROM crimes WHERE month = DATE '2019-02-01'");
    }
    ASSERT_EQ(db.crimemap({"refresh"}).exit_code, 0);
    ServerProcess server(db.url(), {"--poll-seconds", "1"});
    ASSERT_TRUE(server.wait_ready()) << server.log();
    const long long v1 = ready_version(server);

    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), 10);
    const std::string tile = "/tiles/crimes/10/" + std::to_string(t.x) + "/" + std::to_string(t.y) +
                             ".mvt?from=2018-10&to=2019-02";
    auto count_crimes = [&](const std::string& body) {
        long long n = 0;
        auto layers = crimemap::testing::decode_tile(body);  // kept alive: the loop reads into it
        for (const auto& f : layers["crimes"].features) n += f.integer("count");
        return n;
    };
    auto before = server.get(tile);
    ASSERT_TRUE(before);
    ASSERT_EQ(before->status, 200);
    const long long crimes_before = count_crimes(before->body);
    ASSERT_GT(crimes_before, 0);

    // Import the month as an operator would, and publish it, while clients keep asking.
    Hammer hammer(server.port(), 4);
    auto import = db.crimemap({"import", "crimes", test::source_path("data/sample/crimes/2019-02")});
    ASSERT_EQ(import.exit_code, 0) << import.describe();
    auto refresh = db.crimemap({"refresh"});
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    const long long v2 = db.count("SELECT max(version) FROM dataset_versions");
    wait_until([&] { return ready_version(server) == v2; }, std::chrono::seconds(120),
               std::chrono::milliseconds(100));
    ASSERT_EQ(ready_version(server), v2) << server.log();
    ASSERT_NE(v1, v2);
    hammer.stop();
    EXPECT_TRUE(hammer.failures().empty()) << join(hammer.failures());

    auto catalog = server.get("/catalog");
    ASSERT_TRUE(catalog);
    EXPECT_EQ(json::parse(catalog->body)["last_month"], "2019-02");
    EXPECT_EQ(json::parse(catalog->body)["months"].back(), "2019-02");
    auto after = server.get(tile);
    ASSERT_TRUE(after);
    ASSERT_EQ(after->status, 200);
    // The tile grew by exactly the February crimes located in it (counted independently in SQL
    // on the snap points' world coordinates, as the tile engine assigns them).
    const long long february_in_tile = db.count(
        "SELECT count(*) FROM crimes c JOIN snap_locations l ON l.id = c.location_id"
        " WHERE c.month = DATE '2019-02-01' AND (crimemap_world_x(l.lon) >> 22) = $1 AND "
        "(crimemap_world_y(l.lat) >> 22) = $2",
        {std::to_string(t.x), std::to_string(t.y)});
    ASSERT_GT(february_in_tile, 0);
    EXPECT_EQ(count_crimes(after->body), crimes_before + february_in_tile)
        << "the cache was emptied and the new snapshot rendered";
}
