// Snapshot reloads: `crimemap refresh` (a new dataset version, NOTIFY crimemap_dataset) makes a
// running crimemapd load and swap in the new snapshot; clients hammering tiles during the swap see
// no failed request, and afterwards the new version (and the new data) is served.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "geo/tile.hpp"
#include "support/server_process.hpp"
#include "support/mvt_decode.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using crimemap::testing::HttpConnection;
using crimemap::testing::ServerProcess;
using nlohmann::json;

namespace {
long long ready_version(ServerProcess& server) {
    auto r = server.get("/ready");
    if (!r || r->status != 200) return -1;
    return json::parse(r->body)["dataset_version"].get<long long>();
}

// Clients that fetch tiles (and /ready) in a loop on keep-alive connections until stopped,
// recording anything but 200/204.
class Hammer {
public:
    Hammer(std::uint16_t port, int threads) {
        std::vector<std::string> paths;
        for (int z : {8, 10, 12, 14}) {
            auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), static_cast<std::uint8_t>(z));
            std::string zxy = std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y);
            paths.push_back("/tiles/crimes/" + zxy + ".mvt");
            paths.push_back("/tiles/crimes,areas/" + zxy + ".mvt?from=2018-10&to=2019-01");
            paths.push_back("/tiles/areas/" + zxy + ".mvt?kind=ward");
        }
        paths.push_back("/ready");
        for (int t = 0; t < threads; ++t)
            threads_.emplace_back([this, port, paths, t] {
                std::unique_ptr<HttpConnection> c;
                std::size_t i = static_cast<std::size_t>(t);
                while (!stop_.load()) {
                    const std::string& path = paths[i++ % paths.size()];
                    try {
                        if (!c) c = std::make_unique<HttpConnection>(port);
                        auto res = c->get(path, t % 2 ? "Accept-Encoding: gzip\r\n" : "");
                        if (!res) {
                            fail(path + ": no response");
                            c.reset();
                            continue;
                        }
                        if (res->status != 200 && res->status != 204) fail(path + ": " + std::to_string(res->status) + " " + res->body);
                        if (res->header("connection") == "close") c.reset();
                        requests_.fetch_add(1);
                    } catch (const std::exception& e) {
                        fail(path + ": " + e.what());
                        c.reset();
                    }
                }
            });
    }
    ~Hammer() { stop(); }
    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    long long requests() const { return requests_.load(); }
    std::vector<std::string> failures() {
        std::lock_guard lock(mutex_);
        return failures_;
    }

private:
    void fail(std::string what) {
        std::lock_guard lock(mutex_);
        if (failures_.size() < 20) failures_.push_back(std::move(what));
    }
    std::atomic<bool> stop_{false};
    std::atomic<long long> requests_{0};
    std::mutex mutex_;
    std::vector<std::string> failures_;
    std::vector<std::thread> threads_;
};

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
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto refresh = db.crimemap({"refresh"});
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    const long long v2 = db.count("SELECT max(version) FROM dataset_versions");
    ASSERT_GT(v2, v1);

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (ready_version(server) != v2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(ready_version(server), v2) << server.log();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // keep hammering the new snapshot
    hammer.stop();
    EXPECT_TRUE(hammer.failures().empty()) << join(hammer.failures());
    EXPECT_GT(hammer.requests(), 100);

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
    EXPECT_NE(json::parse(tj->body)["tiles"][0].get<std::string>().find("?v=" + std::to_string(v2)), std::string::npos);

    auto metrics = server.get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("crimemap_snapshot_reloads_total{outcome=\"ok\"} 2"), std::string::npos);
    EXPECT_NE(metrics->body.find("crimemap_snapshot_version " + std::to_string(v2) + "\n"), std::string::npos);
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
    const std::string tile = "/tiles/crimes/10/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".mvt?from=2018-10&to=2019-02";
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
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (ready_version(server) != v2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
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
        " WHERE c.month = DATE '2019-02-01' AND (crimemap_world_x(l.lon) >> 22) = $1 AND (crimemap_world_y(l.lat) >> 22) = $2",
        {std::to_string(t.x), std::to_string(t.y)});
    ASSERT_GT(february_in_tile, 0);
    EXPECT_EQ(count_crimes(after->body), crimes_before + february_in_tile)
        << "the cache was emptied and the new snapshot rendered";
}
