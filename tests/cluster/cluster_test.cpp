// scripts/cluster end to end (ctest label `cluster`): a private primary seeded with data/sample,
// its streaming replica, two crimemapd reading the replica and nginx with docker/nginx.conf, on
// private ports and folders. One cluster for the whole suite (this executable is one ctest test),
// so the cases run in order: tiles through nginx equal each backend's, a refresh on the primary
// reaches both backends through the replica (and only once the replica has replayed it) and
// nginx's TileJSON, team writes reach the primary, a backend killed under load costs no request,
// a stopped replica leaves snapshot routes serving and database routes answering 503, and
// `down` leaves no process behind.
//
// Ports: CRIMEMAP_CLUSTER_TEST_PG_PORT (primary; replica +1) and CRIMEMAP_CLUSTER_TEST_HTTP_PORT
// (backends +0 and +1, nginx +2); unset, the first free block from 27430 and 27480 (choose_ports).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "geo/tile.hpp"
#include "server/gzip.hpp"
#include "support/http_client.hpp"
#include "support/load_hammer.hpp"
#include "support/mvt_decode.hpp"
#include "support/process_tree.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"
#include "support/wait.hpp"

using namespace crimemap;
using crimemap::testing::HttpConnection;
using crimemap::testing::HttpResponse;
using crimemap::testing::wait_until;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
int env_port(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

// True when nothing holds 127.0.0.1:port (bound as a server would, without SO_REUSEADDR).
bool port_free(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// The cluster's five ports, set by choose_ports() before the cluster starts.
int pg_port = 0, http_port = 0;
std::uint16_t backend1 = 0, backend2 = 0, nginx = 0;
const std::string dir = "/tmp/crimemap-cluster-test-" + std::to_string(::getuid());

// The ports from the environment as given, else the first block of free ones from 27430 (PostgreSQL
// primary, replica) and 27480 (backends, nginx) upwards. Below Linux's ephemeral range
// (32768-60999) on purpose: a port in that range can be taken at any moment by another test's
// outgoing connection or free_port() (a fixed 55430 once was, and the whole suite failed).
void choose_ports() {
    pg_port = env_port("CRIMEMAP_CLUSTER_TEST_PG_PORT", 0);
    http_port = env_port("CRIMEMAP_CLUSTER_TEST_HTTP_PORT", 0);
    for (int step = 0; step < 40 && (pg_port == 0 || http_port == 0); ++step) {
        const int pg = 27430 + 100 * step, http = pg + 50;
        if (port_free(pg) && port_free(pg + 1) && port_free(http) && port_free(http + 1) &&
            port_free(http + 2)) {
            pg_port = pg_port ? pg_port : pg;
            http_port = http_port ? http_port : http;
        }
    }
    backend1 = static_cast<std::uint16_t>(http_port);
    backend2 = static_cast<std::uint16_t>(http_port + 1);
    nginx = static_cast<std::uint16_t>(http_port + 2);
}

std::string primary_url() {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(pg_port) + "/crimemap";
}
std::string replica_url() {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(pg_port + 1) + "/crimemap";
}

std::map<std::string, std::string> cluster_env() {
    return {
        {"CRIMEMAP_DB_PORT", std::to_string(pg_port)},
        {"CRIMEMAP_DB_DIR", dir + "/primary"},
        {"CRIMEMAP_REPLICA_PORT", std::to_string(pg_port + 1)},
        {"CRIMEMAP_BACKEND1_PORT", std::to_string(backend1)},
        {"CRIMEMAP_BACKEND2_PORT", std::to_string(backend2)},
        {"CRIMEMAP_CLUSTER_PORT", std::to_string(nginx)},
        {"CRIMEMAP_CLUSTER_DIR", dir},
        {"CRIMEMAP_BIN_DIR", CRIMEMAP_BINARY_DIR},
        // Polling alone would take a minute: a refresh can only arrive in time through the
        // primary's NOTIFY (--notify-url).
        {"CRIMEMAP_POLL_SECONDS", "60"},
        // Tiles unlimited (the load below comes from one address); the JSON APIs' limit so large
        // that it never refuses, but RateLimit-Remaining shows whose bucket a request was charged to.
        {"CRIMEMAP_TILE_RATE_LIMIT", "0"},
        {"CRIMEMAP_RATE_LIMIT", "0.001/1000000"},
        {"CRIMEMAP_THREADS", "2"},
    };
}

test::CommandResult cluster(const std::vector<std::string>& args) {
    return test::run_program(
        "/bin/bash",
        [&] {
            std::vector<std::string> a{test::source_path("scripts/cluster")};
            a.insert(a.end(), args.begin(), args.end());
            return a;
        }(),
        cluster_env());
}

// One GET on a fresh connection, with Host naming the port (TileJSON builds URLs from it).
std::optional<HttpResponse> get(std::uint16_t port, const std::string& target,
                                const std::string& headers = "", const char* source = nullptr) {
    try {
        HttpConnection c(port, 10000, source);
        return c.request("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" +
                         headers + "\r\n");
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string body_of(const HttpResponse& r) {
    if (r.header("content-encoding") == "gzip") return server::gzip_decompress(r.body).value_or("(bad gzip)");
    return r.body;
}

long long dataset_version(std::uint16_t port) {
    auto r = get(port, "/tiles/crimes.json");
    if (!r || r->status != 200) return -1;
    return json::parse(body_of(*r)).value("dataset_version", -1LL);
}

std::string ready_message(std::uint16_t port) {
    auto r = get(port, "/ready");
    if (!r) return "(no answer)";
    return json::parse(r->body).value("message", std::string());
}

std::string hereford_tile(int z) {
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), static_cast<std::uint8_t>(z));
    return std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y);
}

// Decoded tiles, compared layer by layer and feature by feature (same engine, same order).
void expect_same_tile(const std::string& a_bytes, const std::string& b_bytes, const std::string& what) {
    auto a = crimemap::testing::decode_tile(a_bytes), b = crimemap::testing::decode_tile(b_bytes);
    ASSERT_EQ(a.size(), b.size()) << what;
    for (const auto& [name, layer] : a) {
        ASSERT_TRUE(b.count(name)) << what << ": layer " << name;
        const auto& other = b.at(name);
        ASSERT_EQ(layer.features.size(), other.features.size()) << what << ": " << name;
        for (std::size_t i = 0; i < layer.features.size(); ++i) {
            EXPECT_EQ(layer.features[i].type, other.features[i].type) << what;
            EXPECT_EQ(layer.features[i].props, other.features[i].props) << what << ": feature " << i;
            EXPECT_EQ(layer.features[i].parts, other.features[i].parts) << what << ": feature " << i;
        }
    }
}

long long sql_count(const std::string& url, const std::string& sql) {
    store::Connection c(url);
    auto r = c.query(sql);
    return r.is_null(0, 0) ? 0 : r.int64(0, 0);
}

pid_t pid_from(const std::string& file) {
    std::ifstream in(file);
    long long pid = 0;
    in >> pid;
    return static_cast<pid_t>(pid);
}

// Running: exists and is not a zombie (an orphan's parent may be slow to reap it).
bool alive(pid_t pid) {
    if (pid <= 0 || ::kill(pid, 0) != 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// pid and every process under it (nginx workers, PostgreSQL backends); none when pid is not running.
std::vector<pid_t> running_tree(pid_t root) {
    if (!alive(root)) return {};
    return crimemap::testing::process_tree(root);
}

bool port_open(std::uint16_t port) {
    try {
        HttpConnection c(port, 1000);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

class Cluster : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // A previous run that crashed may have left its cluster: stop it (by its pid files) and
        // start afresh on ports free now.
        cluster({"down"});
        choose_ports();
        ASSERT_TRUE(pg_port > 0 && http_port > 0) << "no block of free ports found";
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        const auto t0 = std::chrono::steady_clock::now();
        auto r = cluster({"up"});
        up_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        ASSERT_EQ(r.exit_code, 0) << r.describe();
        std::printf("CLUSTER-FIGURE up_seconds=%.1f\n%s", up_seconds, r.out.c_str());
    }
    static void TearDownTestSuite() {
        if (!down_done) cluster({"down"});
    }
    static inline double up_seconds = 0;
    static inline bool down_done = false;
};
}  // namespace

TEST_F(Cluster, StatusShowsEveryPartUp) {
    auto r = cluster({"status"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    for (const char* part : {"primary", "replica", "backend1", "backend2", "nginx"})
        EXPECT_NE(r.out.find(part), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("hot standby"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("http://127.0.0.1:" + std::to_string(nginx) + "/"), std::string::npos) << r.out;
    // The replica really is a standby streaming from the primary.
    EXPECT_EQ(sql_count(replica_url(), "SELECT pg_is_in_recovery()::int"), 1);
    EXPECT_EQ(sql_count(primary_url(), "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"),
              1);
}

TEST_F(Cluster, TileThroughNginxEqualsTheTileOfEachBackend) {
    std::vector<std::string> tiles;
    for (int z : {8, 11, 14}) {
        tiles.push_back("/tiles/crimes/" + hereford_tile(z) + ".mvt");
        tiles.push_back("/tiles/crimes,areas/" + hereford_tile(z) + ".mvt?from=2018-10&to=2019-01&kind=ward");
    }
    for (const auto& tile : tiles) {
        for (const std::string encoding : {"", "Accept-Encoding: gzip, deflate\r\n"}) {
            auto first = get(nginx, tile, encoding);
            auto again = get(nginx, tile, encoding);
            auto one = get(backend1, tile, encoding);
            auto two = get(backend2, tile, encoding);
            ASSERT_TRUE(first && again && one && two) << tile;
            ASSERT_EQ(first->status, 200) << tile << " " << first->body;
            ASSERT_EQ(one->status, 200) << tile;
            ASSERT_EQ(two->status, 200) << tile;
            EXPECT_EQ(first->header("x-cache-status"), "MISS") << tile << " " << encoding;
            EXPECT_EQ(again->header("x-cache-status"), "HIT") << tile << " " << encoding;
            EXPECT_EQ(first->header("cache-control"), one->header("cache-control"));
            EXPECT_EQ(first->header("content-encoding"), one->header("content-encoding")) << encoding;
            EXPECT_EQ(first->header("etag"), one->header("etag"));
            expect_same_tile(body_of(*first), body_of(*one), "nginx vs backend1 " + tile);
            expect_same_tile(body_of(*again), body_of(*two), "nginx (cached) vs backend2 " + tile);
        }
    }
    // 304 from the cache for a matching ETag.
    auto tile = get(nginx, tiles[0]);
    ASSERT_TRUE(tile);
    auto not_modified = get(nginx, tiles[0], "If-None-Match: " + tile->header("etag") + "\r\n");
    ASSERT_TRUE(not_modified);
    EXPECT_EQ(not_modified->status, 304);

    // TileJSON through nginx hands out nginx's own versioned URLs, cached briefly.
    auto tj = get(nginx, "/tiles/crimes.json");
    ASSERT_TRUE(tj);
    ASSERT_EQ(tj->status, 200);
    EXPECT_EQ(tj->header("cache-control"), "public, max-age=60, s-maxage=5");
    const std::string url = json::parse(body_of(*tj))["tiles"][0];
    EXPECT_EQ(url.rfind("http://127.0.0.1:" + std::to_string(nginx) + "/tiles/crimes/{z}/{x}/{y}.mvt?v=", 0),
              0u)
        << url;
    // The map page, through nginx.
    auto page = get(nginx, "/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->header("content-type").rfind("text/html", 0), 0u) << page->header("content-type");
    // Lookups pass through uncached.
    auto lookup = get(nginx, "/postcodes/HR11AA");
    ASSERT_TRUE(lookup);
    EXPECT_EQ(lookup->status, 200);
    EXPECT_EQ(lookup->header("x-cache-status"), "");
}

TEST_F(Cluster, RateLimitingSeesTheClientBehindNginx) {
    // A client on 127.0.0.2 first calls each backend directly: one token from its bucket there.
    for (auto port : {backend1, backend2}) {
        auto r = get(port, "/postcodes/HR11AA", "", "127.0.0.2");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200);
        EXPECT_EQ(r->header("ratelimit-remaining"), "999999");
    }
    // Through nginx, with a forged X-Forwarded-For: charged to 127.0.0.2's bucket on whichever
    // backend answers (never a fresh one for the forged or for nginx's own address).
    for (int i = 0; i < 4; ++i) {
        auto r = get(nginx, "/postcodes/HR11AA", "X-Forwarded-For: 10.9.9.9\r\n", "127.0.0.2");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200);
        EXPECT_LT(std::stoll(r->header("ratelimit-remaining")), 999999) << "charged to a fresh bucket";
    }
    // Another client behind nginx has a bucket of its own.
    auto other = get(nginx, "/postcodes/HR11AA", "", "127.0.0.3");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->header("ratelimit-remaining"), "999999");
}

TEST_F(Cluster, RefreshOnThePrimaryReachesBothBackendsOnceTheReplicaHasReplayedIt) {
    const long long v0 = dataset_version(backend1);
    ASSERT_GT(v0, 0);
    ASSERT_EQ(dataset_version(backend2), v0);
    const std::map<std::string, std::string> owner{{"CRIMEMAP_DATABASE_URL", primary_url()}};

    // A third server on the replica without --notify-url: it must not try to LISTEN on the
    // standby, and finds new versions by polling it.
    crimemap::testing::ServerProcess polling(
        "postgresql://crimemap_server@127.0.0.1:" + std::to_string(pg_port + 1) + "/crimemap",
        {"--poll-seconds", "1"}, crimemap::testing::ServerProcess::Role::as_given);
    ASSERT_TRUE(polling.wait_ready(60s)) << polling.log();
    EXPECT_NE(polling.log().find("is a hot standby: new versions are noticed by polling it"),
              std::string::npos)
        << polling.log();

    // 1. A refresh reaches both backends through the replica within 15 s (NOTIFY on the primary;
    //    polling is set to a minute).
    auto refresh = test::run_crimemap({"refresh"}, owner);
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    const auto published = std::chrono::steady_clock::now();
    const long long v1 = sql_count(primary_url(), "SELECT max(version) FROM dataset_versions");
    ASSERT_GT(v1, v0);
    ASSERT_TRUE(
        wait_until([&] { return dataset_version(backend1) == v1 && dataset_version(backend2) == v1; }, 15s))
        << "backend1 " << dataset_version(backend1) << " (" << ready_message(backend1) << "), backend2 "
        << dataset_version(backend2);
    std::printf(
        "CLUSTER-FIGURE refresh_to_both_backends_ms=%.0f\n",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - published).count());
    EXPECT_TRUE(wait_until([&] { return dataset_version(polling.port()) == v1; }, 15s)) << polling.log();
    polling.stop();
    // nginx's TileJSON follows within its s-maxage, and its tile URLs name the new version.
    ASSERT_TRUE(wait_until([&] { return dataset_version(nginx) == v1; }, 15s)) << dataset_version(nginx);
    auto tj = get(nginx, "/tiles/crimes.json");
    ASSERT_TRUE(tj);
    const std::string url = json::parse(body_of(*tj))["tiles"][0];
    EXPECT_NE(url.find("?v=" + std::to_string(v1)), std::string::npos) << url;
    const std::string versioned = "/tiles/crimes/" + hereford_tile(12) + ".mvt?v=" + std::to_string(v1);
    auto through = get(nginx, versioned);
    auto direct = get(backend2, versioned);
    ASSERT_TRUE(through && direct);
    EXPECT_EQ(through->header("cache-control"), "public, max-age=31536000, immutable");
    expect_same_tile(body_of(*through), body_of(*direct), versioned);

    // 2. With the replica's replay paused, the NOTIFY arrives but the version is not on the
    //    replica: both backends wait for it, serving the old one, and load it once replayed.
    store::Connection replica(replica_url());
    replica.exec("SELECT pg_wal_replay_pause()");
    ASSERT_TRUE(wait_until(
        [&] {
            return replica.query("SELECT pg_get_wal_replay_pause_state()").text(0, 0) ==
                   std::string("paused");
        },
        15s));
    refresh = test::run_crimemap({"refresh"}, owner);
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    const long long v2 = sql_count(primary_url(), "SELECT max(version) FROM dataset_versions");
    ASSERT_GT(v2, v1);
    const std::string waiting = "waiting for the database to replay version " + std::to_string(v2);
    EXPECT_TRUE(wait_until(
        [&] {
            return ready_message(backend1).find(waiting) != std::string::npos &&
                   ready_message(backend2).find(waiting) != std::string::npos;
        },
        15s))
        << ready_message(backend1) << " / " << ready_message(backend2);
    EXPECT_EQ(sql_count(replica_url(), "SELECT max(version) FROM dataset_versions"), v1);
    EXPECT_EQ(dataset_version(backend1), v1);
    EXPECT_EQ(dataset_version(backend2), v1);
    replica.exec("SELECT pg_wal_replay_resume()");
    EXPECT_TRUE(
        wait_until([&] { return dataset_version(backend1) == v2 && dataset_version(backend2) == v2; }, 15s))
        << ready_message(backend1) << " / " << ready_message(backend2);
}

TEST_F(Cluster, TeamWritesThroughNginxReachThePrimary) {
    auto token = test::run_crimemap({"token", "create", "--force", "west-mercia", "--neighbourhood", "HE06"},
                                    {{"CRIMEMAP_DATABASE_URL", primary_url()}});
    ASSERT_EQ(token.exit_code, 0) << token.describe();
    std::string bearer = token.out;
    while (!bearer.empty() && std::isspace(static_cast<unsigned char>(bearer.back()))) bearer.pop_back();
    const std::string body =
        R"({"issue":"Cluster test: parking on the verge","action":"Patrols","issue-date":"2019-02-01"})";
    HttpConnection c(nginx);
    auto r = c.request(
        "POST /v1/neighbourhoods/west-mercia/HE06/priorities HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Bearer " +
        bearer + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201) << r->body;
    EXPECT_EQ(sql_count(primary_url(),
                        "SELECT count(*) FROM neighbourhood_priorities WHERE issue = 'Cluster test: parking "
                        "on the verge'"),
              1);
}

TEST_F(Cluster, BackendKilledUnderLoadThroughNginxCostsNoRequest) {
    // Uncached routes, so that every request reaches a backend; tiles too.
    std::vector<std::string> paths{"/postcodes/HR11AA",     "/v1/postcodes/HR1%201AA/summary",
                                   "/postcodes/TF11AA",     "/api/forces",
                                   "/api/west-mercia/HE06", "/catalog",
                                   "/outcodes/HR1",         "/postcodes?lon=-2.71&lat=52.06&radius=500"};
    for (const auto& p : crimemap::testing::hereford_tile_paths()) paths.push_back(p);
    crimemap::testing::Hammer hammer(nginx, 4, paths);
    ASSERT_TRUE(wait_until([&] { return hammer.requests() >= 400; }, 60s));
    const pid_t victim = pid_from(dir + "/backend1.pid");
    ASSERT_GT(victim, 0);
    ASSERT_EQ(::kill(victim, SIGKILL), 0);
    const long long at_kill = hammer.requests();
    ASSERT_TRUE(wait_until([&] { return hammer.requests() >= at_kill + 2000; }, 120s));
    hammer.stop();
    EXPECT_EQ(hammer.failed(), 0) << hammer.failures_text();
    std::printf("CLUSTER-FIGURE kill_backend_under_load failed=%lld requests=%lld\n", hammer.failed(),
                hammer.requests());
    EXPECT_FALSE(port_open(backend1));
    // Everything now reached backend2 only; `up` starts backend1 again.
    auto st = cluster({"status"});
    EXPECT_NE(st.exit_code, 0) << st.out;
    auto up = cluster({"up"});
    ASSERT_EQ(up.exit_code, 0) << up.describe();
    EXPECT_EQ(get(backend1, "/ready")->status, 200);
}

TEST_F(Cluster, ReplicaStoppedSnapshotRoutesServeAndDatabaseRoutesAnswer503) {
    const std::string listing = "/api/crimes-street/all-crime?lat=52.060745&lng=-2.710027&date=2019-01";
    auto before = get(nginx, listing);
    ASSERT_TRUE(before);
    ASSERT_EQ(before->status, 200) << before->body;

    auto stop = cluster({"stop", "replica"});
    ASSERT_EQ(stop.exit_code, 0) << stop.describe();
    for (auto port : {backend1, backend2}) {
        EXPECT_TRUE(wait_until([&] {
            auto r = get(port, listing);
            return r && r->status == 503;
        }));
        auto r = get(port, listing);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 503) << r->body;
        EXPECT_FALSE(r->header("retry-after").empty());
    }
    // Through nginx, database routes answer 503 again and again; they must not take the backends
    // out of rotation for everything else.
    for (int i = 0; i < 6; ++i) {
        auto r = get(nginx, listing);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 503) << r->body;
    }
    for (std::uint16_t port : {backend1, backend2, nginx}) {
        for (int i = 0; i < 4; ++i) {
            // A tile no cache has seen (a filter of its own per request).
            const std::string tile = "/tiles/crimes/" + hereford_tile(13) +
                                     ".mvt?category=burglary&from=2018-1" + std::to_string(i % 3) +
                                     "&to=2019-0" + std::to_string(1 + (port % 2));
            auto t = get(port, tile);
            ASSERT_TRUE(t);
            EXPECT_EQ(t->status, 200) << port << " " << tile << " " << t->body;
            auto lookup = get(port, "/postcodes/HR11AA");
            ASSERT_TRUE(lookup);
            EXPECT_EQ(lookup->status, 200) << port;
            auto summary = get(port, "/v1/postcodes/HR1%201AA/summary");
            ASSERT_TRUE(summary);
            EXPECT_EQ(summary->status, 200) << port;
        }
    }
    // `up` starts the replica again; the database routes recover without restarting anything.
    auto up = cluster({"up"});
    ASSERT_EQ(up.exit_code, 0) << up.describe();
    EXPECT_TRUE(wait_until(
        [&] {
            auto r = get(nginx, listing);
            return r && r->status == 200;
        },
        30s));
}

TEST_F(Cluster, DownLeavesNothingRunning) {
    std::vector<pid_t> pids;
    for (const std::string& file :
         {dir + "/backend1.pid", dir + "/backend2.pid", dir + "/nginx/nginx.pid",
          dir + "/primary/data/postmaster.pid", dir + "/replica/data/postmaster.pid"}) {
        const auto tree = running_tree(pid_from(file));
        EXPECT_FALSE(tree.empty()) << file << " names no running process";
        pids.insert(pids.end(), tree.begin(), tree.end());
    }
    auto r = cluster({"down"});
    down_done = true;
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    for (pid_t pid : pids) EXPECT_FALSE(alive(pid)) << "process " << pid << " still runs";
    for (std::uint16_t port : {backend1, backend2, nginx, static_cast<std::uint16_t>(pg_port),
                               static_cast<std::uint16_t>(pg_port + 1)})
        EXPECT_FALSE(port_open(port)) << "port " << port << " still open";
    auto st = cluster({"status"});
    EXPECT_EQ(st.exit_code, 3) << st.out;
    EXPECT_EQ(st.out.find(" up "), std::string::npos) << st.out;
}
