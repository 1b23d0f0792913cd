// Routes that wait on the database, without a database: they run on the server's blocking pool so
// /health and memory answers keep flowing with a single I/O thread; database failures become 503
// (busy, timeout, unreachable) or 500 with generic text; CORS never opens token-guarded team writes
// to "*"; the new command-line options.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/api_data.hpp"
#include "core/crime_details.hpp"
#include "core/database_error.hpp"
#include "core/secrets.hpp"
#include "core/snapshot_builder.hpp"
#include "core/teams.hpp"
#include "server/app.hpp"
#include "server/config.hpp"
#include "server/http_server.hpp"
#include "support/http_client.hpp"
#include "support/server_fixtures.hpp"
#include "support/wait.hpp"

using namespace crimemap;
using namespace crimemap::server;
using crimemap::testing::Gate;
using crimemap::testing::HttpConnection;
using nlohmann::json;
using server::testing::header;
using server::testing::request;

namespace {

using Kind = core::DatabaseError::Kind;

// Renders like FakeRenderer but blocks (as the postgis engine does on a slow query) until opened.
class GatedRenderer : public server::testing::FakeRenderer {
  public:
    bool blocking() const override { return true; }
    core::Result<core::RenderedTile> render(const core::Snapshot& s, const core::TileQuery& q) override {
        gate.pass();
        return FakeRenderer::render(s, q);
    }
    Gate gate;
};

core::CrimeDetail crime() {
    core::CrimeDetail c;
    c.id = 1;
    c.month = core::Month::from_year_month(2019, 2);
    c.category = "burglary";
    c.force_id = "west-mercia";
    c.location_id = 1;
    c.lat = 52.0565;
    c.lon = -2.716;
    c.street = "On or near High Town";
    return c;
}

// Crime listings that wait at a gate, or fail with a chosen error.
struct FakeCrimes : core::CrimeDetails {
    Gate* gate = nullptr;
    std::function<void()> fail;
    void maybe() {
        if (gate) gate->pass();
        if (fail) fail();
    }
    std::vector<core::CrimeDetail> in_area(const core::CrimeArea&, core::Month, std::optional<std::string>,
                                           std::size_t) override {
        maybe();
        return {crime()};
    }
    std::vector<core::CrimeDetail> at_location(std::optional<std::int64_t>, geo::LonLat, core::Month,
                                               std::size_t) override {
        maybe();
        return {crime()};
    }
    std::vector<core::CrimeDetail> no_location(const std::string&, core::Month, std::optional<std::string>,
                                               std::size_t) override {
        maybe();
        return {};
    }
    std::vector<std::pair<std::string, std::uint64_t>> outcomes(const std::string&, const std::string&,
                                                                core::Month, core::Month) override {
        maybe();
        return {};
    }
};

// A team store whose every call fails with a chosen error (or accepts the token "good").
struct FakeTeams : core::TeamStore {
    std::function<void()> fail;
    int writes = 0;
    std::optional<core::StoredToken> find_token(const std::string& hash) override {
        if (fail) fail();
        if (hash != core::sha256_hex("good")) return std::nullopt;
        core::StoredToken t;
        t.scope.token_id = 1;
        t.scope.force_id = "west-mercia";
        t.token_hash = hash;
        return t;
    }
    void record_refusal(const core::RefusedWrite&) override {
        if (fail) fail();
    }
    std::int64_t create_priority(const core::TeamWriter&, const std::string&, const std::string&,
                                 const core::PriorityInput&) override {
        return ++writes;
    }
    bool update_priority(const core::TeamWriter&, const std::string&, const std::string&, std::int64_t,
                         const core::PriorityInput&) override {
        return ++writes, true;
    }
    bool remove_priority(const core::TeamWriter&, const std::string&, const std::string&,
                         std::int64_t) override {
        return ++writes, true;
    }
    std::int64_t create_event(const core::TeamWriter&, const std::string&, const std::string&,
                              const core::EventInput&) override {
        return ++writes;
    }
    bool update_event(const core::TeamWriter&, const std::string&, const std::string&, std::int64_t,
                      const core::EventInput&) override {
        return ++writes, true;
    }
    bool remove_event(const core::TeamWriter&, const std::string&, const std::string&,
                      std::int64_t) override {
        return ++writes, true;
    }
    std::function<std::shared_ptr<const core::TeamDirectory>()> reload;
    std::shared_ptr<const core::TeamDirectory> load_teams() override { return reload(); }
};

// A tile snapshot with one neighbourhood (west-mercia/HE06) and just enough API data: its force
// and its team.
std::shared_ptr<const core::Snapshot> api_snapshot() {
    using core::Month;
    core::SnapshotBuilder b(5, Month::from_year_month(2018, 3), Month::from_year_month(2019, 2));
    b.add_location(1, {-2.7160, 52.0565}, "On or near High Town");
    auto burglary = *core::category_from_slug("burglary");
    b.add_crimes(1, Month::from_year_month(2019, 2), burglary, 2);
    geo::LonLatMultiPolygon square{
        {{{-2.73, 52.05}, {-2.69, 52.05}, {-2.69, 52.07}, {-2.73, 52.07}, {-2.73, 52.05}}}};
    b.add_area(core::AreaKind::neighbourhood, "west-mercia/HE06", "Central", std::nullopt, square);
    b.add_area_count(core::AreaKind::neighbourhood, "west-mercia/HE06", Month::from_year_month(2019, 2),
                     burglary, 2);
    auto snap = b.finish();
    auto api = std::make_shared<core::ApiData>();
    api->forces.push_back(
        {"west-mercia", "West Mercia Police", "E23000016", "", "101", "", json::array(), {}});
    auto teams = std::make_shared<core::TeamDirectory>();
    core::Team t;
    t.force_id = "west-mercia";
    t.id = "HE06";
    t.name = "Central";
    teams->teams.push_back(t);
    api->teams = teams;
    api->index_areas(*snap);
    std::const_pointer_cast<core::Snapshot>(snap)->api = api;
    return snap;
}

const std::string street = "/api/crimes-street/all-crime?lat=52.0565&lng=-2.716&date=2019-02";
const std::string priorities = "/v1/neighbourhoods/west-mercia/HE06/priorities";

class DatabaseRoutes : public ::testing::Test {
  protected:
    void SetUp() override {
        crimes = std::make_shared<FakeCrimes>();
        teams = std::make_shared<FakeTeams>();
        snapshot = api_snapshot();
        teams->reload = [this] { return snapshot->api->teams; };
        make_app(Config{});
    }
    void TearDown() override {
        if (server) {
            server->stop();
            EXPECT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
        }
    }
    void make_app(Config config) {
        config.web_dir.clear();
        app = std::make_unique<App>(std::move(config), snapshots, server::ApiServices{crimes, teams});
        app->context().set_renderer(std::make_shared<server::testing::FakeRenderer>());
        app->context().swap_snapshot(snapshot);
    }
    // One I/O thread: anything blocking it would stall every other request.
    void start(unsigned blocking_threads = 2, std::size_t max_blocking_queue = 256,
               std::chrono::milliseconds max_blocking_wait = std::chrono::seconds(10)) {
        HttpServerOptions o;
        o.port = 0;
        o.threads = 1;
        o.blocking_threads = blocking_threads;
        o.max_blocking_queue = max_blocking_queue;
        o.max_blocking_wait = max_blocking_wait;
        o.handle_signals = false;
        o.shutdown_timeout = std::chrono::milliseconds(3000);
        server = std::make_unique<HttpServer>(o, *app);
        port = server->listen();
        done = std::async(std::launch::async, [this] { server->run(); });
    }
    Response call(Method m, const std::string& target,
                  std::initializer_list<std::pair<std::string, std::string>> headers = {},
                  std::string body = {}) {
        auto req = request(m, target, headers);
        req.body = std::move(body);
        return app->handle(req);
    }
    static std::string get_request(const std::string& target) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    core::SnapshotHolder snapshots;
    std::shared_ptr<const core::Snapshot> snapshot;
    std::shared_ptr<FakeCrimes> crimes;
    std::shared_ptr<FakeTeams> teams;
    std::unique_ptr<App> app;
    std::unique_ptr<HttpServer> server;
    std::future<void> done;
    std::uint16_t port = 0;
};

}  // namespace

TEST_F(DatabaseRoutes, RoutesThatQueryTheDatabaseAreBlocking) {
    for (const auto& target : {street, std::string("/api/crimes-at-location?location_id=1"),
                               std::string("/api/crimes-no-location?category=all-crime&force=west-mercia"),
                               std::string("/v1/neighbourhoods/west-mercia/HE06/meeting-pack.json")})
        EXPECT_TRUE(app->blocking(request(Method::get, target))) << target;
    EXPECT_TRUE(app->blocking(request(Method::post, "/api/crimes-street/all-crime")));
    EXPECT_TRUE(app->blocking(request(Method::post, priorities)));
    EXPECT_TRUE(app->blocking(request(Method::put, priorities + "/3")));
    EXPECT_TRUE(app->blocking(request(Method::del, "/v1/neighbourhoods/west-mercia/HE06/events/3")));
    // Served from memory: stay on the I/O threads.
    for (const auto& target :
         {"/health", "/ready", "/metrics", "/catalog", "/tiles/crimes.json", "/tiles/crimes/14/8100/5430.mvt",
          "/postcodes/HR11AA", "/api/forces", "/v1/neighbourhoods/west-mercia/HE06/priorities", "/nope"})
        EXPECT_FALSE(app->blocking(request(Method::get, target))) << target;
    EXPECT_FALSE(app->blocking(request(Method::options, priorities)));
    EXPECT_FALSE(app->blocking(request(Method::head, "/health")));
    EXPECT_TRUE(app->blocking(request(Method::head, street)));
    // Tiles follow the renderer: the postgis engine blocks.
    app->context().set_renderer(std::make_shared<GatedRenderer>());
    EXPECT_TRUE(app->blocking(request(Method::get, "/tiles/crimes/14/8100/5430.mvt")));
    EXPECT_FALSE(app->blocking(request(Method::get, "/tiles/crimes.json")));
}

TEST_F(DatabaseRoutes, SlowQueryDoesNotHoldTheOnlyIoThread) {
    Gate gate;
    crimes->gate = &gate;
    start();
    HttpConnection slow(port);
    ASSERT_TRUE(slow.send(get_request(street)));
    ASSERT_TRUE(gate.wait_arrived(1)) << "the listing never reached the database fake";

    // The query is stuck at the gate (so the slow request cannot have been answered); the single
    // I/O thread still answers everything served from memory.
    for (const std::string target :
         {"/health", "/catalog", "/tiles/crimes/14/8100/5430.mvt", "/api/forces"}) {
        HttpConnection c(port, 5000);
        auto res = c.get(target);
        ASSERT_TRUE(res) << target << " did not answer while a database query was pending";
        EXPECT_EQ(res->status, 200) << target;
    }
    gate.open();
    auto res = slow.read();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(json::parse(res->body)[0]["location"]["street"]["name"], "On or near High Town");
    EXPECT_EQ(res->header("access-control-allow-origin"), "*");
    // The connection stays usable after an answer written from the blocking pool.
    auto again = slow.get("/health");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
}

TEST_F(DatabaseRoutes, BlockingTileEngineDoesNotHoldTheIoThread) {
    auto renderer = std::make_shared<GatedRenderer>();
    app->context().set_renderer(renderer);
    start(1);
    HttpConnection first(port), second(port);
    ASSERT_TRUE(first.send(get_request("/tiles/crimes/14/8100/5430.mvt")));
    ASSERT_TRUE(renderer->gate.wait_arrived(1));
    // The one blocking thread is taken: the next tile queues behind it, /health does not.
    ASSERT_TRUE(second.send(get_request("/tiles/crimes/14/8100/5431.mvt")));
    HttpConnection health(port, 5000);
    auto h = health.get("/health");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);

    renderer->gate.open();
    auto a = first.read(), b = second.read();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(b->status, 200);
    EXPECT_EQ(a->header("content-type"), "application/vnd.mapbox-vector-tile");
}

TEST_F(DatabaseRoutes, FullBlockingQueueIsRefusedAtOnce) {
    Gate gate;
    crimes->gate = &gate;
    start(1, 1);
    HttpConnection first(port);
    ASSERT_TRUE(first.send(get_request(street)));
    ASSERT_TRUE(gate.wait_arrived(1));
    HttpConnection second(port);
    auto refused = second.get(street);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
    EXPECT_EQ(refused->header("retry-after"), "2");
    EXPECT_NE(refused->body.find("busy"), std::string::npos) << refused->body;
    gate.open();
    auto ok = first.read();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    // Capacity is given back.
    auto later = second.get(street);
    ASSERT_TRUE(later);
    EXPECT_EQ(later->status, 200);
}

TEST_F(DatabaseRoutes, RequestThatWaitedTooLongInTheQueueIsNotRun) {
    Gate gate;
    crimes->gate = &gate;
    start(1, 256, std::chrono::milliseconds(200));
    HttpConnection first(port), second(port);
    ASSERT_TRUE(first.send(get_request(street)));
    ASSERT_TRUE(gate.wait_arrived(1));
    ASSERT_TRUE(second.send(get_request(street)));  // queued behind the first on the one blocking thread
    HttpConnection health(port);
    ASSERT_TRUE(health.get("/health"));  // the I/O thread has read what was sent before
    // A fixed wait is the point here: the queued request must outstay max_blocking_wait (200 ms).
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    gate.open();
    auto a = first.read(), b = second.read();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(b->status, 503);
    EXPECT_EQ(b->header("retry-after"), "2");
    auto fresh = second.get(street);  // a request that did not wait runs normally
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->status, 200);
}

TEST_F(DatabaseRoutes, ShutdownWaitsForARunningQuery) {
    Gate gate;
    crimes->gate = &gate;
    start(1);
    HttpConnection slow(port);
    ASSERT_TRUE(slow.send(get_request(street)));
    ASSERT_TRUE(gate.wait_arrived(1));
    server->stop();
    // The shutdown is under way (no longer accepting) while the query still runs; then it ends.
    EXPECT_TRUE(crimemap::testing::wait_until([&] { return crimemap::testing::connection_refused(port); }));
    gate.open();
    auto res = slow.read();
    ASSERT_TRUE(res) << "the in-flight request was cut off by the shutdown";
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("connection"), "close");
    EXPECT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    server.reset();
}

TEST_F(DatabaseRoutes, DatabaseFailuresAreMappedWithoutTheirText) {
    const std::string secret = "ERROR: relation \"crimes\" does not exist [in: SELECT c.id FROM crimes c]";
    struct Case {
        Kind kind;
        int status;
        std::string message;
    };
    for (const auto& c :
         {Case{Kind::busy, 503, "busy"}, Case{Kind::timeout, 503, "did not answer in time"},
          Case{Kind::unavailable, 503, "unavailable"}, Case{Kind::failed, 500, "Internal server error"}}) {
        crimes->fail = [&] { throw core::DatabaseError(c.kind, secret); };
        for (const auto& target :
             {street, std::string("/api/crimes-at-location?location_id=1"),
              std::string("/api/crimes-no-location?category=all-crime&force=west-mercia")}) {
            auto res = call(Method::get, target);
            EXPECT_EQ(res.status, c.status) << target;
            EXPECT_NE(res.body.find(c.message), std::string::npos) << res.body;
            EXPECT_EQ(res.body.find("relation"), std::string::npos) << res.body;
            EXPECT_EQ(res.body.find("SELECT"), std::string::npos) << res.body;
            EXPECT_EQ(header(res, "Retry-After"), c.status == 503 ? "2" : "");
            EXPECT_EQ(header(res, "Cache-Control"), "no-store");
        }
        teams->fail = crimes->fail;
        auto write =
            call(Method::post, priorities, {{"Authorization", "Bearer good"}}, R"({"issue": "Parking"})");
        EXPECT_EQ(write.status, c.status) << write.body;
        EXPECT_EQ(write.body.find("relation"), std::string::npos) << write.body;
        teams->fail = nullptr;
    }
    // Any other exception from the database layer is a 500 with the generic text too.
    crimes->fail = [&] { throw std::runtime_error(secret); };
    auto res = call(Method::get, street);
    EXPECT_EQ(res.status, 500);
    EXPECT_EQ(res.body.find("relation"), std::string::npos) << res.body;
    // The meeting pack leaves its outcome counts out rather than failing.
    crimes->fail = [&] { throw core::DatabaseError(Kind::timeout, secret); };
    auto pack = call(Method::get, "/v1/neighbourhoods/west-mercia/HE06/meeting-pack.json?month=2019-02");
    EXPECT_EQ(pack.status, 200) << pack.body;
    EXPECT_EQ(pack.body.find("relation"), std::string::npos);
}

TEST_F(DatabaseRoutes, CommittedWriteIsNotReportedAsFailedWhenTheReReadFails) {
    teams->reload = []() -> std::shared_ptr<const core::TeamDirectory> {
        throw core::DatabaseError(Kind::unavailable, "connection lost");
    };
    auto res = call(Method::post, priorities, {{"Authorization", "Bearer good"}}, R"({"issue": "Parking"})");
    EXPECT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(json::parse(res.body)["result"]["id"], 1);
    EXPECT_EQ(teams->writes, 1);
}

TEST_F(DatabaseRoutes, AnyOriginDoesNotOpenTeamWrites) {
    auto preflight = [&](const std::string& target, const std::string& method, const std::string& origin) {
        return call(Method::options, target,
                    {{"Origin", origin},
                     {"Access-Control-Request-Method", method},
                     {"Access-Control-Request-Headers", "authorization, content-type"}});
    };
    // Default "*": reads stay open to every page...
    auto read = preflight(priorities, "GET", "https://evil.example");
    EXPECT_EQ(read.status, 204);
    EXPECT_EQ(header(read, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(header(read, "Access-Control-Allow-Methods"), "GET, HEAD, OPTIONS");  // POST not offered
    EXPECT_EQ(header(read, "Allow"), "GET, HEAD, POST, OPTIONS");
    // ...writes are not: no CORS headers at all, so the browser refuses to send them.
    for (const auto& [target, method] :
         {std::pair{priorities, "POST"}, std::pair{priorities + "/3", "PUT"},
          std::pair{priorities + "/3", "DELETE"},
          std::pair{std::string("/v1/neighbourhoods/west-mercia/HE06/events"), "POST"}}) {
        auto res = preflight(target, method, "https://evil.example");
        EXPECT_EQ(res.status, 204) << target;
        EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "") << target << " " << method;
        EXPECT_EQ(header(res, "Access-Control-Allow-Methods"), "") << target;
        EXPECT_EQ(header(res, "Access-Control-Allow-Headers"), "") << target;
    }
    auto write =
        call(Method::post, priorities, {{"Origin", "https://evil.example"}, {"Authorization", "Bearer good"}},
             R"({"issue": "Parking"})");
    EXPECT_EQ(write.status, 201) << write.body;  // CORS is browser policy: the server still serves curl
    EXPECT_EQ(header(write, "Access-Control-Allow-Origin"), "");
    // Public POST lookups keep "*" (postcodes.io and police.uk clients call them from browsers).
    EXPECT_EQ(header(preflight("/postcodes", "POST", "https://evil.example"), "Access-Control-Allow-Origin"),
              "*");
    EXPECT_EQ(header(preflight("/api/crimes-street/all-crime", "POST", "https://evil.example"),
                     "Access-Control-Allow-Origin"),
              "*");
    EXPECT_EQ(header(call(Method::get, priorities, {{"Origin", "https://evil.example"}}),
                     "Access-Control-Allow-Origin"),
              "*");
}

TEST_F(DatabaseRoutes, ListedOriginsMayWrite) {
    Config c;
    c.cors_origins = {"*", "https://admin.example"};
    make_app(c);
    auto ok = call(Method::options, priorities,
                   {{"Origin", "https://admin.example"},
                    {"Access-Control-Request-Method", "POST"},
                    {"Access-Control-Request-Headers", "authorization, content-type"}});
    EXPECT_EQ(ok.status, 204);
    EXPECT_EQ(header(ok, "Access-Control-Allow-Origin"), "https://admin.example");
    EXPECT_EQ(header(ok, "Access-Control-Allow-Methods"), "GET, HEAD, POST, OPTIONS");
    EXPECT_EQ(header(ok, "Access-Control-Allow-Headers"), "authorization, content-type");
    EXPECT_NE(header(ok, "Vary").find("Origin"), std::string::npos);
    auto write = call(Method::post, priorities,
                      {{"Origin", "https://admin.example"}, {"Authorization", "Bearer good"}},
                      R"({"issue": "Parking"})");
    EXPECT_EQ(write.status, 201);
    EXPECT_EQ(header(write, "Access-Control-Allow-Origin"), "https://admin.example");
    EXPECT_NE(header(write, "Vary").find("Origin"), std::string::npos);
    // Others still only read.
    auto other = call(Method::options, priorities,
                      {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(header(other, "Access-Control-Allow-Origin"), "");
    EXPECT_EQ(header(call(Method::get, "/health", {{"Origin", "https://evil.example"}}),
                     "Access-Control-Allow-Origin"),
              "*");

    // Without "*" at all, the listed origin may write too.
    c.cors_origins = {"https://admin.example"};
    make_app(c);
    auto only = call(Method::options, priorities + "/3",
                     {{"Origin", "https://admin.example"}, {"Access-Control-Request-Method", "DELETE"}});
    EXPECT_EQ(header(only, "Access-Control-Allow-Origin"), "https://admin.example");
    EXPECT_EQ(header(only, "Access-Control-Allow-Methods"), "PUT, DELETE, OPTIONS");
}

TEST(DatabaseRouteOptions, BlockingThreadsAndTimeouts) {
    auto parse = [](std::vector<const char*> args) {
        args.insert(args.begin(), "crimemapd");
        return parse_config(static_cast<int>(args.size()), args.data(), {},
                            [](const char*) -> const char* { return nullptr; });
    };
    auto d = parse({});
    ASSERT_TRUE(d.error.empty()) << d.error;
    EXPECT_EQ(d.config.db_connections, 4);
    EXPECT_EQ(d.config.db_timeout, 3);
    EXPECT_EQ(d.config.pg_timeout, 30);
    EXPECT_EQ(blocking_threads(d.config), 4u);  // --db-connections
    auto pg = parse({"--engine", "postgis", "--pg-connections", "3", "--db-connections", "2"});
    ASSERT_TRUE(pg.error.empty()) << pg.error;
    EXPECT_EQ(blocking_threads(pg.config), 5u);
    auto set = parse({"--blocking-threads", "7", "--db-timeout", "0.5", "--pg-timeout", "60"});
    ASSERT_TRUE(set.error.empty()) << set.error;
    EXPECT_EQ(blocking_threads(set.config), 7u);
    EXPECT_EQ(set.config.db_timeout, 0.5);
    EXPECT_EQ(set.config.pg_timeout, 60);
    EXPECT_FALSE(parse({"--db-timeout", "0"}).error.empty());
    EXPECT_FALSE(parse({"--db-connections", "0"}).error.empty());
    for (const char* flag : {"--blocking-threads", "--db-connections", "--db-timeout", "--pg-timeout"})
        EXPECT_NE(d.help_text.find(flag), std::string::npos) << flag;
    EXPECT_NE(d.help_text.find("team writes (POST/PUT/DELETE)"), std::string::npos);
}
