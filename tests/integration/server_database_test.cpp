// The request-time database paths against a real PostgreSQL: the connection pool (bounded wait,
// statement timeout, reconnection after pg_terminate_backend, error kinds), the postgis engine on
// it, and crimemapd end to end: a query stuck on a lock holds no I/O thread (/health answers with
// --threads 1), failures answer 503/500 without the database's text, a killed connection is
// replaced, team writes are not CORS-open to "*", and /ready explains an unreachable, unmigrated
// or empty database in plain words.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/database_error.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"
#include "store/pool.hpp"
#include "store/postgis_renderer.hpp"
#include "store/snapshot_loader.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"
#include "support/wait.hpp"

using namespace crimemap;
using crimemap::testing::HttpConnection;
using crimemap::testing::ServerProcess;
using crimemap::testing::wait_until;
using Kind = core::DatabaseError::Kind;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// The kind of core::DatabaseError fn throws; nullopt when it throws none.
template <class F>
std::optional<Kind> error_kind(F&& fn, std::string* what = nullptr) {
    try {
        fn();
    } catch (const core::DatabaseError& e) {
        if (what) *what = e.what();
        return e.kind();
    }
    return std::nullopt;
}

long long backend_pid(store::Connection& c) { return c.query("SELECT pg_backend_pid()").int64(0, 0); }

// A minute-long statement on the pool, run in the background: the kind of error it ends with.
std::future<std::optional<Kind>> start_sleeper(store::ConnectionPool& pool) {
    return std::async(std::launch::async, [&pool] {
        return error_kind([&] {
            pool.run("sleeper", [](store::Connection& c) { return c.query("SELECT pg_sleep(60)").size(); });
        });
    });
}

// True while backend `pid` runs pg_sleep.
bool sleeping(test::TestDatabase& db, long long pid) {
    return db.count("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int AND query LIKE '%pg_sleep%'",
                    {std::to_string(pid)}) == 1;
}

// Backends of `application_name` in the test database waiting on a lock.
long long waiting_on_lock(test::TestDatabase& db, const std::string& application_name) {
    return db.count(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1"
        " AND wait_event_type = 'Lock'",
        {application_name});
}

long long terminate(test::TestDatabase& db, const std::string& application_name) {
    return db.count(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = $1",
        {application_name});
}

bool gone(test::TestDatabase& db, const std::string& application_name) {
    return db.count(
               "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
               "application_name = $1",
               {application_name}) == 0;
}

store::PoolOptions pool_options(const std::string& url, std::size_t connections,
                                std::chrono::milliseconds timeout) {
    store::PoolOptions o;
    o.url = url;
    o.max_connections = connections;
    o.statement_timeout = timeout;
    o.acquire_timeout = timeout;
    o.application_name = "crimemap-pool-test";
    return o;
}

std::string hereford_tile(int z) {
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), static_cast<std::uint8_t>(z));
    return std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y);
}

const std::string street = "/api/crimes-street/all-crime?lat=52.0565&lng=-2.716&date=2019-01";

std::string get_request(const std::string& target) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

}  // namespace

// ---- store::ConnectionPool ----

TEST(ConnectionPool, WaitingForAFreeConnectionIsBounded) {
    test::TestDatabase db;
    store::ConnectionPool pool(pool_options(db.url(), 1, 300ms));
    std::promise<void> entered, release;
    auto holder = std::async(std::launch::async, [&] {
        return pool.run("holder", [&](store::Connection& c) {
            entered.set_value();
            release.get_future().wait();
            return c.query("SELECT 1").int64(0, 0);
        });
    });
    entered.get_future().wait();
    std::string what;
    EXPECT_EQ(
        error_kind(
            [&] { pool.run("second", [](store::Connection& c) { return c.query("SELECT 1").size(); }); },
            &what),
        Kind::busy);
    EXPECT_NE(what.find("no free database connection"), std::string::npos) << what;
    release.set_value();
    EXPECT_EQ(holder.get(), 1);
    EXPECT_EQ(pool.run("third", [](store::Connection& c) { return c.query("SELECT 2").int64(0, 0); }), 2);
    EXPECT_EQ(pool.open_connections(), 1u);
}

TEST(ConnectionPool, ReplacesAConnectionTheServerClosed) {
    test::TestDatabase db;
    store::ConnectionPool pool(pool_options(db.url(), 1, 5000ms));
    const auto first = pool.run("pid", backend_pid);
    EXPECT_EQ(pool.run("pid", backend_pid), first);  // reused while healthy
    EXPECT_EQ(db.count("SELECT count(pg_terminate_backend($1::int))", {std::to_string(first)}), 1);
    ASSERT_TRUE(wait_until([&] { return gone(db, "crimemap-pool-test"); }));
    // The idle connection is dead: the pool notices before using it and connects afresh.
    long long second = 0;
    EXPECT_NO_THROW(second = pool.run("pid", backend_pid));
    EXPECT_NE(second, first);
    EXPECT_EQ(pool.open_connections(), 1u);
}

TEST(ConnectionPool, ConnectionLostMidQueryIsUnavailableThenReplaced) {
    test::TestDatabase db;
    store::ConnectionPool pool(pool_options(db.url(), 1, 60000ms));
    const auto pid = pool.run("pid", backend_pid);
    auto sleeper = start_sleeper(pool);
    ASSERT_TRUE(wait_until([&] { return sleeping(db, pid); }));
    db.count("SELECT count(pg_terminate_backend($1::int))", {std::to_string(pid)});
    ASSERT_EQ(sleeper.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(sleeper.get(), Kind::unavailable);
    EXPECT_EQ(pool.run("after", [](store::Connection& c) { return c.query("SELECT 3").int64(0, 0); }), 3);
}

TEST(ConnectionPool, StatementTimeoutAndErrorKinds) {
    test::TestDatabase db;
    store::ConnectionPool pool(pool_options(db.url(), 1, 300ms));
    EXPECT_EQ(pool.run("show",
                       [](store::Connection& c) {
                           return std::string(c.query("SHOW statement_timeout").text(0, 0));
                       }),
              "300ms");
    EXPECT_EQ(db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND application_name = 'crimemap-pool-test'"),
              1);
    const auto pid = pool.run("pid", backend_pid);
    std::string what;
    EXPECT_EQ(error_kind(
                  [&] {
                      pool.run("slow",
                               [](store::Connection& c) { return c.query("SELECT pg_sleep(10)").size(); });
                  },
                  &what),
              Kind::timeout);
    EXPECT_NE(what.find("57014"), std::string::npos) << what;
    EXPECT_EQ(pool.run("pid", backend_pid), pid);  // a cancelled statement leaves the connection usable
    EXPECT_EQ(error_kind(
                  [&] {
                      pool.run("bug", [](store::Connection& c) {
                          return c.query("SELECT * FROM no_such_table").size();
                      });
                  },
                  &what),
              Kind::failed);
    EXPECT_NE(what.find("no_such_table"), std::string::npos) << what;  // for the log
    EXPECT_EQ(pool.run("pid", backend_pid), pid);

    // A server nobody listens on.
    store::ConnectionPool nowhere(pool_options(
        "postgresql://postgres@127.0.0.1:" + std::to_string(crimemap::testing::free_port()) + "/x", 1,
        1000ms));
    EXPECT_EQ(error_kind([&] { nowhere.run("x", backend_pid); }), Kind::unavailable);
    EXPECT_EQ(nowhere.open_connections(), 0u);
}

TEST(ConnectionPool, InterruptAbandonsStatementsAndWaitsAtOnce) {
    test::TestDatabase db;
    store::ConnectionPool pool(pool_options(db.url(), 1, 60000ms));
    const auto pid = pool.run("pid", backend_pid);
    auto sleeper = start_sleeper(pool);
    ASSERT_TRUE(wait_until([&] { return sleeping(db, pid); }));
    auto waiter =
        std::async(std::launch::async, [&] { return error_kind([&] { pool.run("waiter", backend_pid); }); });
    pool.interrupt();  // as at shutdown: both give up now, not after their 60 s
    ASSERT_EQ(sleeper.wait_for(10s), std::future_status::ready);
    ASSERT_EQ(waiter.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(sleeper.get(), Kind::unavailable);
    EXPECT_EQ(waiter.get(), Kind::unavailable);
    // The abandoned query was cancelled on the server too (from a background thread).
    EXPECT_TRUE(wait_until([&] {
        return db.count(
                   "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int AND query LIKE '%pg_sleep%' "
                   "AND state = 'active'",
                   {std::to_string(pid)}) == 0;
    }));
    EXPECT_EQ(error_kind([&] { pool.run("later", backend_pid); }), Kind::unavailable);
}

// ---- the postgis engine on the pool ----

TEST(PostgisEngine, TimesOutWithoutLeakingSqlAndRecovers) {
    test::TestDatabase db;
    db.seed_sample();
    auto conn = db.connect();
    auto snapshot = store::load_snapshot(conn);
    auto o = pool_options(db.url(), 1, 500ms);
    o.application_name = "crimemap-tiles-test";
    auto engine = store::make_postgis_renderer(o);
    EXPECT_TRUE(engine->blocking());
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), 14);
    auto query = core::parse_tile_query("crimes", std::to_string(t.z), std::to_string(t.x),
                                        std::to_string(t.y), {}, *snapshot);
    ASSERT_TRUE(query);
    auto ok = engine->render(*snapshot, *query);
    ASSERT_TRUE(ok) << ok.error().detail;
    EXPECT_FALSE(ok->mvt.empty());

    // A lock holds the tile query past its statement timeout: 503 with a generic message.
    auto locker = db.connect();
    locker.exec("BEGIN; LOCK TABLE crimes IN ACCESS EXCLUSIVE MODE");
    auto slow = engine->render(*snapshot, *query);
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().code, core::ErrorCode::unavailable);
    EXPECT_EQ(slow.error().detail, "The database did not answer in time; try again");
    locker.exec("COMMIT");

    // Its connection is killed: the next tile gets a fresh one.
    EXPECT_EQ(terminate(db, "crimemap-tiles-test"), 1);
    ASSERT_TRUE(wait_until([&] { return gone(db, "crimemap-tiles-test"); }));
    auto again = engine->render(*snapshot, *query);
    ASSERT_TRUE(again) << again.error().detail;
    EXPECT_EQ(again->mvt, ok->mvt);
}

// ---- crimemapd ----

class ServerDatabase : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        db = new test::TestDatabase();
        db->seed_sample();
    }
    static void TearDownTestSuite() {
        delete db;
        db = nullptr;
    }
    static inline test::TestDatabase* db = nullptr;
};

TEST_F(ServerDatabase, QueryStuckOnALockHoldsNoIoThread) {
    ServerProcess server(db->url(), {"--threads", "1", "--db-timeout", "120"});
    ASSERT_TRUE(server.wait_ready()) << server.log();
    auto locker = db->connect();
    locker.exec("BEGIN; LOCK TABLE crimes IN ACCESS EXCLUSIVE MODE");
    HttpConnection slow(server.port(), 120000);
    ASSERT_TRUE(slow.send(get_request(street)));
    ASSERT_TRUE(wait_until([&] { return waiting_on_lock(*db, "crimemapd-api") == 1; })) << server.log();

    // The listing waits in PostgreSQL (so it cannot have answered); the one I/O thread serves on.
    for (const std::string& target :
         std::vector<std::string>{"/health", "/ready", "/tiles/crimes/" + hereford_tile(14) + ".mvt",
                                  "/postcodes/HR11AA", "/api/forces"}) {
        HttpConnection c(server.port(), 10000);
        auto res = c.get(target);
        ASSERT_TRUE(res) << target << " did not answer while a query was stuck\n" << server.log();
        EXPECT_EQ(res->status, 200) << target << ": " << res->body;
    }
    EXPECT_EQ(waiting_on_lock(*db, "crimemapd-api"), 1);  // still stuck meanwhile

    locker.exec("COMMIT");
    auto res = slow.read();
    ASSERT_TRUE(res) << server.log();
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_GT(json::parse(res->body).size(), 0u);
}

TEST_F(ServerDatabase, PostgisTileStuckOnALockHoldsNoIoThread) {
    ServerProcess server(db->url(), {"--threads", "1", "--engine", "postgis", "--pg-timeout", "120"});
    ASSERT_TRUE(server.wait_ready()) << server.log();
    auto locker = db->connect();
    locker.exec("BEGIN; LOCK TABLE crimes IN ACCESS EXCLUSIVE MODE");
    HttpConnection slow(server.port(), 120000);
    ASSERT_TRUE(slow.send(get_request("/tiles/crimes/" + hereford_tile(13) + ".mvt")));
    ASSERT_TRUE(wait_until([&] { return waiting_on_lock(*db, "crimemapd-tiles") == 1; })) << server.log();
    for (const std::string target : {"/health", "/catalog", "/tiles/crimes.json"}) {
        HttpConnection c(server.port(), 10000);
        auto res = c.get(target);
        ASSERT_TRUE(res) << target << " did not answer while a tile query was stuck\n" << server.log();
        EXPECT_EQ(res->status, 200) << target;
    }
    locker.exec("COMMIT");
    auto res = slow.read();
    ASSERT_TRUE(res) << server.log();
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->header("content-type"), "application/vnd.mapbox-vector-tile");
}

TEST_F(ServerDatabase, FailuresAnswer503Or500WithoutTheDatabasesText) {
    test::TestDatabase own;  // its schema gets changed under the server
    own.seed_sample();
    ServerProcess server(own.url(), {"--db-timeout", "1", "--db-connections", "2"});
    ASSERT_TRUE(server.wait_ready()) << server.log();
    auto ok = server.get(street);
    ASSERT_TRUE(ok);
    ASSERT_EQ(ok->status, 200) << ok->body;

    // Slow: a lock outlasts the 1 s statement timeout.
    auto locker = own.connect();
    locker.exec("BEGIN; LOCK TABLE crimes IN ACCESS EXCLUSIVE MODE");
    auto slow = server.get(street);
    ASSERT_TRUE(slow);
    EXPECT_EQ(slow->status, 503) << slow->body;
    EXPECT_NE(slow->body.find("did not answer in time"), std::string::npos) << slow->body;
    EXPECT_EQ(slow->header("retry-after"), "2");
    EXPECT_EQ(slow->body.find("cancel"), std::string::npos) << slow->body;
    locker.exec("COMMIT");

    // Broken: the table is gone. 500, generic; the SQL error is in the log only.
    own.connect().exec("ALTER TABLE crimes RENAME TO crimes_elsewhere");
    auto broken = server.get(street);
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->status, 500) << broken->body;
    EXPECT_EQ(json::parse(broken->body)["error"], "Internal server error");
    for (const char* secret : {"crimes", "relation", "SELECT", "ERROR"})
        EXPECT_EQ(broken->body.find(secret), std::string::npos) << secret << " in " << broken->body;
    EXPECT_NE(server.log().find("does not exist"), std::string::npos) << server.log();
    own.connect().exec("ALTER TABLE crimes_elsewhere RENAME TO crimes");

    // Killed connections (a database restart, an operator): the next request reconnects.
    EXPECT_GE(terminate(own, "crimemapd-api"), 1);
    ASSERT_TRUE(wait_until([&] { return gone(own, "crimemapd-api"); }));
    auto after = server.get(street);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200) << after->body << "\n" << server.log();
}

TEST_F(ServerDatabase, TeamWritesAreNotCorsOpenToAnyOrigin) {
    ServerProcess server(db->url());
    ASSERT_TRUE(server.wait_ready()) << server.log();
    const std::string path = "/v1/neighbourhoods/west-mercia/HE06/priorities";
    auto preflight = [&](const std::string& method) {
        HttpConnection c(server.port());
        return c.request("OPTIONS " + path +
                         " HTTP/1.1\r\nHost: x\r\nOrigin: https://elsewhere.example\r\n"
                         "Access-Control-Request-Method: " +
                         method +
                         "\r\n"
                         "Access-Control-Request-Headers: authorization, content-type\r\n\r\n");
    };
    auto write = preflight("POST");
    ASSERT_TRUE(write);
    EXPECT_EQ(write->status, 204);
    EXPECT_EQ(write->header("access-control-allow-origin"), "");
    EXPECT_EQ(write->header("access-control-allow-methods"), "");
    auto read = preflight("GET");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->header("access-control-allow-origin"), "*");
    EXPECT_EQ(read->header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
}

// ---- /ready in plain words ----

namespace {
// /ready's error once it mentions `fragment` (the watcher's first check may still be running).
std::string ready_error(ServerProcess& server, const std::string& fragment) {
    std::string last;
    wait_until([&] {
        auto r = server.get("/ready");
        if (!r) return false;
        EXPECT_EQ(r->status, 503);
        last = json::parse(r->body)["error"].get<std::string>();
        return last.find(fragment) != std::string::npos;
    });
    return last;
}
}  // namespace

TEST(ServerReady, UnmigratedDatabaseSaysRunMigrate) {
    const std::string name = "cmtest_unmigrated_" + std::to_string(::getpid());
    store::Connection admin(test::test_server_url());
    admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    admin.exec("CREATE DATABASE " + name);
    {
        ServerProcess server(test::url_with_database(test::test_server_url(), name), {"--poll-seconds", "1"});
        ASSERT_TRUE(server.wait_for("/health", 200, 30s)) << server.log();
        const auto error = ready_error(server, "schema missing");
        EXPECT_EQ(error, "Snapshot not loaded: schema missing: run crimemap migrate") << server.log();
        for (const char* secret : {"relation", "dataset_versions", "ERROR", "SELECT"})
            EXPECT_EQ(error.find(secret), std::string::npos) << secret;
        EXPECT_NE(server.log().find("dataset_versions"), std::string::npos)
            << "the details belong in the log";
        auto status = server.stop();
        ASSERT_TRUE(status);
        EXPECT_EQ(WEXITSTATUS(*status), 0);
    }
    admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

TEST(ServerReady, UnreachableDatabaseNamesTheAddressOnly) {
    const auto port = std::to_string(crimemap::testing::free_port());
    ServerProcess server("postgresql://crimemap:s3cret@127.0.0.1:" + port + "/nothing",
                         {"--poll-seconds", "1"});
    ASSERT_TRUE(server.wait_for("/health", 200, 30s)) << server.log();
    const auto error = ready_error(server, "unreachable");
    EXPECT_EQ(error, "Snapshot not loaded: database unreachable at 127.0.0.1:" + port);
    EXPECT_EQ(error.find("s3cret"), std::string::npos);
    EXPECT_EQ(error.find("refused"), std::string::npos);
}

TEST(ServerReady, EmptyDatabaseSaysRunRefresh) {
    test::TestDatabase empty;  // migrated, no data
    ServerProcess server(empty.url(), {"--poll-seconds", "1"});
    ASSERT_TRUE(server.wait_for("/health", 200, 30s)) << server.log();
    const auto error = ready_error(server, "no dataset");
    EXPECT_EQ(error,
              "Snapshot not loaded: no dataset yet: run crimemap refresh (or crimemap seed for the bundled "
              "sample)");
}
