// Database faults against real processes: PostgreSQL stopped and restarted, PostgreSQL frozen with
// SIGSTOP, `crimemap import crimes` killed in the middle of its COPY, a dataset version that fails
// to load, and a refresh noticed by polling alone. The tests that stop or freeze the database run
// their own throw-away cluster (pg_cluster.hpp); the others use CRIMEMAP_TEST_DATABASE_URL's.
// Each prints "FAULT-FIGURE name key=value..." lines that bench/faults/run collects.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "faults/pg_cluster.hpp"
#include "support/load_hammer.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"
#include "support/wait.hpp"

using namespace crimemap;
using crimemap::testing::Hammer;
using crimemap::testing::HttpConnection;
using crimemap::testing::PgCluster;
using crimemap::testing::ServerProcess;
using crimemap::testing::wait_until;
using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const std::string street = "/api/crimes-street/all-crime?lat=52.0565&lng=-2.716&date=2019-01";
const std::string postcode = "/postcodes/HR11AA";
const std::string meeting_pack = "/v1/neighbourhoods/west-mercia/HE06/meeting-pack.json?month=2019-01";

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Timed {
    int status = 0;  // 0: no answer
    std::string retry_after;
    std::string body;
    double ms = 0;
};

Timed timed_get(std::uint16_t port, const std::string& path, int timeout_ms = 60000) {
    Timed t;
    const auto t0 = Clock::now();
    try {
        HttpConnection c(port, timeout_ms);
        if (auto r = c.get(path)) {
            t.status = r->status;
            t.retry_after = r->header("retry-after");
            t.body = r->body;
        }
    } catch (const std::exception& e) {
        t.body = e.what();
    }
    t.ms = ms_since(t0);
    return t;
}

json ready_json(ServerProcess& server) {
    auto r = server.get("/ready");
    if (!r || r->status != 200) return json();
    return json::parse(r->body, nullptr, false);
}

long long ready_version(ServerProcess& server) {
    auto j = ready_json(server);
    return j.is_object() ? j.value("dataset_version", -1LL) : -1;
}

// The value of one metric line ("name value" or "name{labels} value"); -1 when absent.
double metric(ServerProcess& server, const std::string& name) {
    auto r = server.get("/metrics");
    if (!r) return -1;
    const std::string& body = r->body;
    for (std::size_t at = body.find(name); at != std::string::npos; at = body.find(name, at + 1)) {
        if (at > 0 && body[at - 1] != '\n') continue;
        const auto space = body.find(' ', at + name.size());
        if (space != at + name.size()) continue;
        return std::strtod(body.c_str() + space + 1, nullptr);
    }
    return -1;
}

// Crimes per force and month, counted in SQL.
std::map<std::string, long long> counts_per_force_month(test::TestDatabase& db) {
    auto conn = db.connect();
    auto rows = conn.query(
        "SELECT force_id || ' ' || to_char(month, 'YYYY-MM'), count(*) FROM crimes GROUP BY 1 ORDER BY 1");
    std::map<std::string, long long> out;
    for (int i = 0; i < rows.size(); ++i) out[std::string(rows.text(i, 0))] = rows.int64(i, 1);
    return out;
}

// Makes the fault tests that own a cluster create their databases on it.
void use_cluster(PgCluster& cluster) { ::setenv("CRIMEMAP_TEST_DATABASE_URL", cluster.url().c_str(), 1); }

// Leaves the cluster running and thawed whatever happens, so that the test database can be dropped.
struct ClusterRestorer {
    PgCluster& cluster;
    bool stopped = false;
    ~ClusterRestorer() {
        cluster.thaw();
        if (stopped) {
            try {
                cluster.start();
            } catch (...) {
            }
        }
    }
};

}  // namespace

// PostgreSQL stopped: everything answered from the snapshot stays 200 (0 failed requests under
// load), the routes that query the database answer 503 with Retry-After at once, and after a
// restart they answer again without restarting crimemapd.
TEST(DatabaseStopped, SnapshotAnswersStayUpDatabaseRoutesAnswer503AndRecover) {
    PgCluster cluster;
    use_cluster(cluster);
    test::TestDatabase db;
    db.seed_sample();
    ServerProcess server(db.url(), {"--db-timeout", "2", "--poll-seconds", "1"});
    ASSERT_TRUE(server.wait_ready()) << server.log();
    ASSERT_EQ(timed_get(server.port(), street).status, 200) << server.log();
    const long long version = ready_version(server);

    auto paths = crimemap::testing::hereford_tile_paths();
    paths.push_back(postcode);
    paths.emplace_back("/postcodes/HR11AA/nearest");
    paths.emplace_back("/v1/postcodes/HR1%201AA/summary");
    paths.emplace_back("/health");
    Hammer hammer(server.port(), 3, paths);
    ClusterRestorer restorer{cluster};
    cluster.stop();
    restorer.stopped = true;

    double worst_503 = 0;
    for (int i = 0; i < 4; ++i) {
        auto t = timed_get(server.port(), street);
        EXPECT_EQ(t.status, 503) << t.body;
        EXPECT_FALSE(t.retry_after.empty());
        EXPECT_EQ(t.body.find("SQLSTATE"), std::string::npos) << t.body;
        worst_503 = std::max(worst_503, t.ms);
    }
    EXPECT_LT(worst_503, 3000.0);  // --db-timeout 2 + 1 s (it is refused at once in practice)
    // The meeting pack is still useful without the outcome counts: 200, outcomes left out.
    auto pack = timed_get(server.port(), meeting_pack);
    EXPECT_EQ(pack.status, 200) << pack.body;
    EXPECT_LT(pack.ms, 3000.0);
    EXPECT_TRUE(json::parse(pack.body, nullptr, false)["result"]["outcomes"].is_null()) << pack.body;
    // /ready keeps answering 200 for the loaded snapshot and says what is wrong.
    EXPECT_TRUE(wait_until([&] {
        auto j = ready_json(server);
        return j.is_object() && j.value("message", "").find("database unreachable") != std::string::npos;
    })) << ready_json(server).dump();
    EXPECT_EQ(ready_version(server), version);

    const auto restart = Clock::now();
    cluster.start();
    restorer.stopped = false;
    ASSERT_TRUE(wait_until([&] { return timed_get(server.port(), street).status == 200; }, 60s))
        << server.log();
    const double recovery_ms = ms_since(restart);
    EXPECT_TRUE(wait_until([&] {
        return ready_json(server).value("message", "") ==
               "serving dataset version " + std::to_string(version);
    })) << ready_json(server).dump();
    hammer.stop();
    EXPECT_EQ(hammer.failed(), 0) << hammer.failures_text();
    EXPECT_GT(hammer.requests(), 100);
    std::printf(
        "FAULT-FIGURE database_stopped tile_postcode_requests=%lld failed=%lld street_503_max_ms=%.0f "
        "recovery_after_restart_ms=%.0f\n",
        hammer.requests(), hammer.failed(), worst_503, recovery_ms);
}

// PostgreSQL frozen (SIGSTOP on the postmaster and every backend: connections stay open and
// nothing answers): database routes answer 503 within --db-timeout + 1 s, /health stays fast,
// and SIGTERM ends crimemapd within --shutdown-timeout even with a query hanging.
TEST(DatabaseFrozen, DatabaseRoutes503WithinTheTimeoutAndSigtermExitsInTime) {
    PgCluster cluster;
    use_cluster(cluster);
    test::TestDatabase db;
    db.seed_sample();
    const double db_timeout_ms = 2000;
    ServerProcess server(db.url(), {"--db-timeout", "2", "--shutdown-timeout", "5"});
    // A second server whose database timeout outlasts its shutdown timeout: SIGTERM must not wait for it.
    ServerProcess patient(db.url(), {"--db-timeout", "30", "--shutdown-timeout", "3"});
    ASSERT_TRUE(server.wait_ready()) << server.log();
    ASSERT_TRUE(patient.wait_ready()) << patient.log();
    ASSERT_EQ(timed_get(server.port(), street).status, 200);  // a pooled connection exists
    ASSERT_EQ(timed_get(patient.port(), street).status, 200);

    ClusterRestorer restorer{cluster};
    cluster.freeze();
    // More requests than --db-connections (4): some wait on the frozen backend, some on a connect
    // the postmaster never answers, some for a free connection. Each must give up in time.
    std::vector<std::future<Timed>> calls;
    calls.reserve(7);
    for (int i = 0; i < 7; ++i)
        calls.push_back(std::async(std::launch::async, [&] { return timed_get(server.port(), street); }));
    auto health = timed_get(server.port(), "/health");
    auto tile = timed_get(server.port(), crimemap::testing::hereford_tile_paths()[0]);
    double worst = 0;
    for (auto& f : calls) {
        auto t = f.get();
        EXPECT_EQ(t.status, 503) << t.body;
        EXPECT_FALSE(t.retry_after.empty());
        worst = std::max(worst, t.ms);
    }
    EXPECT_LT(worst, db_timeout_ms + 1000) << "503 must come within --db-timeout + 1 s";
    EXPECT_EQ(health.status, 200);
    EXPECT_LT(health.ms, 1000.0);  // answered from memory: milliseconds in practice
    EXPECT_EQ(tile.status, 200);
    // Again, now that the pool's connections were dropped: still in time.
    auto again = timed_get(server.port(), street);
    EXPECT_EQ(again.status, 503);
    EXPECT_LT(again.ms, db_timeout_ms + 1000);

    // SIGTERM while a request waits on the frozen database (its budget is 30 s).
    auto hanging = std::async(std::launch::async, [&] { return timed_get(patient.port(), street); });
    ASSERT_EQ(hanging.wait_for(1s), std::future_status::timeout)
        << "the request should be waiting on the database";
    const auto term = Clock::now();
    auto status = patient.stop(SIGTERM, 20s);
    const double exit_ms = ms_since(term);
    ASSERT_TRUE(status) << "crimemapd did not exit after SIGTERM\n" << patient.log();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << patient.log();
    EXPECT_LT(exit_ms, 3000.0 + 1000.0) << "exit within --shutdown-timeout (3 s)\n" << patient.log();
    auto h = hanging.get();
    EXPECT_TRUE(h.status == 503 || h.status == 0) << h.status << " " << h.body;

    const auto thawed = Clock::now();
    cluster.thaw();
    ASSERT_TRUE(wait_until([&] { return timed_get(server.port(), street).status == 200; }, 60s))
        << server.log();
    const double recovery_ms = ms_since(thawed);
    std::printf(
        "FAULT-FIGURE database_frozen db_timeout_ms=%.0f street_503_max_ms=%.0f health_ms=%.1f "
        "sigterm_exit_ms=%.0f shutdown_timeout_ms=3000 recovery_after_thaw_ms=%.0f\n",
        db_timeout_ms, std::max(worst, again.ms), health.ms, exit_ms, recovery_ms);
}

// `crimemap import crimes` killed with SIGKILL while its COPY streams rows: nothing of it is
// committed, every force-month keeps its count.
TEST(ImportKilled, MidCopyLeavesThePreviousDataIntact) {
    test::TestDatabase db;
    db.seed_sample();
    const auto before = counts_per_force_month(db);
    ASSERT_FALSE(before.empty());

    // A big file replacing west-mercia 2019-01: the real rows, repeated with fresh crime IDs.
    auto sample = test::run_program(
        "/bin/gzip",
        {"-dc", test::source_path("data/sample/crimes/2019-01/2019-01-west-mercia-street.csv.gz")});
    ASSERT_EQ(sample.exit_code, 0) << sample.describe();
    const auto dir =
        std::filesystem::temp_directory_path() / ("crimemap-faults-import-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "2019-01-west-mercia-street.csv";
    long long rows = 0;
    {
        std::istringstream in(sample.out);
        std::string header, line;
        std::getline(in, header);
        std::vector<std::string> lines;
        while (std::getline(in, line))
            if (!line.empty()) lines.push_back(line);
        std::ofstream out(file);
        out << header << "\n";
        for (int copy = 0; copy < 40; ++copy)
            for (const auto& l : lines) {
                char id[32];
                std::snprintf(id, sizeof id, "%02x%012llx", copy, static_cast<unsigned long long>(rows++));
                // Crime IDs are 64 hex digits (empty for anti-social behaviour): make each one new.
                out << (l.find(',') == 64 ? std::string(id) + l.substr(14) : l) << "\n";
            }
    }

    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::setenv("CRIMEMAP_DATABASE_URL", db.url().c_str(), 1);
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        ::execl(test::crimemap_binary().c_str(), "crimemap", "import", "crimes", file.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Wait until the COPY is under way (rows already in the server), then kill -9.
    long long copied = 0;
    const bool copying = wait_until(
        [&] {
            copied = db.count(
                "SELECT coalesce(max(p.tuples_processed), 0) FROM pg_stat_progress_copy p"
                " JOIN pg_database d ON d.oid = p.datid WHERE d.datname = $1",
                {db.name()});
            return copied > 20000;
        },
        60s);
    ::kill(pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(copying) << "the import never reached its COPY";
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "the import ended before the kill";

    // The server ends the orphaned COPY when it sees the client gone; nothing of it committed.
    EXPECT_TRUE(wait_until([&] {
        return db.count(
                   "SELECT count(*) FROM pg_stat_progress_copy p JOIN pg_database d ON d.oid = p.datid"
                   " WHERE d.datname = $1",
                   {db.name()}) == 0;
    }));
    const auto after = counts_per_force_month(db);
    EXPECT_EQ(after, before);
    long long total = 0;
    for (const auto& [k, v] : after) total += v;
    std::printf(
        "FAULT-FIGURE import_killed file_rows=%lld rows_copied_at_kill=%lld crimes_before_and_after=%lld "
        "intact=%d\n",
        rows, copied, total, after == before ? 1 : 0);
}

// A dataset version that cannot be loaded (here: the server's role lost SELECT on a table the
// snapshot reads) leaves the old one serving, is counted in /metrics, explained by /ready and
// retried with backoff (2 s, 4 s, 8 s ...); once fixed, it loads.
TEST(DatasetVersionFails, OldVersionServesFailureIsCountedAndRetriedWithBackoff) {
    test::TestDatabase db;
    db.seed_sample();
    const std::string role = "cm_faults_" + db.name();
    auto admin = db.connect();
    admin.exec("CREATE ROLE " + role + " LOGIN");
    admin.exec("GRANT USAGE ON SCHEMA public TO " + role +
               "; GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role);
    struct DropRole {
        test::TestDatabase& db;
        std::string role;
        ~DropRole() {
            try {
                auto c = db.connect();
                c.exec("DROP OWNED BY " + role + "; DROP ROLE " + role);
            } catch (...) {
            }
        }
    } drop_role{db, role};
    // The same database as that role (db.url() is a key=value string: the last setting wins).
    const std::string url = db.url() + " user=" + role;
    // As that role, not crimemap_server: the revoke below must bite the server's own sessions.
    ServerProcess server(url, {"--poll-seconds", "1"}, ServerProcess::Role::as_given);
    ASSERT_TRUE(server.wait_ready()) << server.log();
    const long long v1 = ready_version(server);
    ASSERT_GT(v1, 0);

    admin.exec("REVOKE SELECT ON indicators FROM " + role);
    auto refresh = db.crimemap({"refresh"});
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    const long long v2 = db.count("SELECT max(version) FROM dataset_versions");
    ASSERT_GT(v2, v1);
    // refresh may have re-created tables: give back everything but indicators.
    admin.exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role +
               "; REVOKE SELECT ON indicators FROM " + role);

    const auto first_seen = Clock::now();
    ASSERT_TRUE(wait_until([&] {
        return metric(server, "crimemap_snapshot_reloads_total{outcome=\"failed\"}") >= 1;
    })) << server.log();
    auto ready = ready_json(server);
    EXPECT_EQ(ready.value("dataset_version", -1LL), v1) << ready.dump();
    EXPECT_EQ(ready.value("failed_version", -1LL), v2) << ready.dump();
    const std::string message = ready.value("message", "");
    EXPECT_EQ(message.rfind("serving dataset version " + std::to_string(v1) + "; version " +
                                std::to_string(v2) + " failed: permission denied (SQLSTATE 42501)",
                            0),
              0u)
        << message;
    EXPECT_EQ(message.find("indicators"), std::string::npos) << "no server text in /ready: " << message;
    EXPECT_EQ(metric(server, "crimemap_snapshot_failed_version"), static_cast<double>(v2));
    EXPECT_EQ(metric(server, "crimemap_snapshot_version"), static_cast<double>(v1));
    auto tile = server.get(crimemap::testing::hereford_tile_paths()[0]);
    ASSERT_TRUE(tile);
    EXPECT_EQ(tile->status, 200);

    // Backoff: the third failure schedules the next attempt 8 s later (2 s and 4 s before it),
    // where a fixed 2 s retry would have failed about six times by then.
    ASSERT_TRUE(wait_until(
        [&] {
            return ready_json(server).value("message", "").find("next attempt in 8 s") != std::string::npos;
        },
        60s))
        << ready_json(server).dump() << server.log();
    const double waited_ms = ms_since(first_seen);
    EXPECT_EQ(metric(server, "crimemap_snapshot_reloads_total{outcome=\"failed\"}"), 3.0);
    EXPECT_GE(waited_ms, 5000.0);  // 2 s + 4 s between the three attempts, less polling slack

    // Fixed: the same version loads at its next attempt.
    admin.exec("GRANT SELECT ON indicators TO " + role);
    const auto fixed = Clock::now();
    ASSERT_TRUE(wait_until([&] { return ready_version(server) == v2; }, 40s)) << server.log();
    const double load_after_fix_ms = ms_since(fixed);
    // The swap comes first, the watcher's state a moment later.
    EXPECT_TRUE(wait_until([&] {
        return ready_json(server).value("message", "") == "serving dataset version " + std::to_string(v2);
    })) << ready_json(server).dump();
    EXPECT_TRUE(ready_json(server)["failed_version"].is_null());
    EXPECT_EQ(metric(server, "crimemap_snapshot_failed_version"), 0.0);
    std::printf("FAULT-FIGURE failed_version attempts_in_first_%.0f_ms=3 loaded_after_fix_ms=%.0f\n",
                waited_ms, load_after_fix_ms);
}

// With LISTEN off and no NOTIFY sent (a version row inserted by hand, as a replica or a pooler that
// drops notifications would show it), the poll alone picks up the new version, under load and
// without a failed request.
TEST(PollingOnly, NewVersionWithoutNotifyIsPickedUpUnderLoad) {
    test::TestDatabase db;
    db.seed_sample();
    ServerProcess server(db.url(), {"--poll-seconds", "1", "--listen-notify=false"});
    ASSERT_TRUE(server.wait_ready()) << server.log();
    const long long v1 = ready_version(server);
    Hammer hammer(server.port(), 4);
    ASSERT_TRUE(wait_until([&] { return hammer.requests() >= 50; }))
        << "the load runs before the version moves";
    const long long v2 = db.count(
        "INSERT INTO dataset_versions (crimes, located, first_month, last_month, note, stats)"
        " SELECT crimes, located, first_month, last_month, 'fault test: no NOTIFY', stats FROM "
        "dataset_versions"
        " WHERE version = $1 RETURNING version",
        {std::to_string(v1)});
    ASSERT_GT(v2, v1);
    const auto inserted = Clock::now();
    ASSERT_TRUE(wait_until([&] { return ready_version(server) == v2; }, 60s)) << server.log();
    const double picked_up_ms = ms_since(inserted);
    hammer.stop();
    EXPECT_EQ(hammer.failed(), 0) << hammer.failures_text();
    EXPECT_GT(hammer.requests(), 100);
    std::printf("FAULT-FIGURE polling_only picked_up_ms=%.0f poll_ms=1000 requests=%lld failed=%lld\n",
                picked_up_ms, hammer.requests(), hammer.failed());
}
