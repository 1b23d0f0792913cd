// The Beast server over real loopback sockets (no database): keep-alive and its cap, limits,
// malformed requests, timeouts, HEAD, pipelining and graceful shutdown.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "server/app.hpp"
#include "server/http_server.hpp"
#include "server_http_client.hpp"
#include "server_test_support.hpp"

using namespace crimemap;
using namespace crimemap::server;
using crimemap::testing::HttpConnection;

namespace {
// Tiles at z=4 take a while, so a shutdown can catch a request in flight.
class SlowRenderer : public server::testing::FakeRenderer {
public:
    core::Result<core::RenderedTile> render(const core::Snapshot& s, const core::TileQuery& q) override {
        if (q.tile.z == 4) std::this_thread::sleep_for(std::chrono::milliseconds(600));
        return FakeRenderer::render(s, q);
    }
};

class ServerTest : public ::testing::Test {
protected:
    void start(HttpServerOptions options = {}) {
        app = std::make_unique<App>(Config{}, snapshots);
        app->context().set_renderer(std::make_shared<SlowRenderer>());
        app->context().swap_snapshot(server::testing::small_snapshot(5));
        options.port = 0;
        options.threads = 2;
        options.handle_signals = false;
        server = std::make_unique<HttpServer>(options, *app);
        port = server->listen();
        done = std::async(std::launch::async, [this] { server->run(); });
    }
    void TearDown() override {
        if (server) {
            server->stop();
            EXPECT_EQ(done.wait_for(std::chrono::seconds(15)), std::future_status::ready);
        }
    }

    core::SnapshotHolder snapshots;
    std::unique_ptr<App> app;
    std::unique_ptr<HttpServer> server;
    std::future<void> done;
    std::uint16_t port = 0;
};
}  // namespace

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    start();
    HttpConnection c(port);
    for (int i = 0; i < 5; ++i) {
        auto res = c.get("/tiles/crimes/14/8100/5430.mvt");
        ASSERT_TRUE(res) << i;
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->header("content-type"), "application/vnd.mapbox-vector-tile");
        EXPECT_EQ(res->header("server"), "crimemapd");
        EXPECT_EQ(res->body.substr(0, 7), "fake:5:");
    }
    EXPECT_EQ(server->open_connections(), 1u);
}

TEST_F(ServerTest, RequestCapClosesTheConnection) {
    HttpServerOptions o;
    o.keepalive_requests = 3;
    start(o);
    HttpConnection c(port);
    auto r1 = c.get("/health");
    auto r2 = c.get("/health");
    auto r3 = c.get("/health");
    ASSERT_TRUE(r1 && r2 && r3);
    EXPECT_NE(r2->header("connection"), "close");
    EXPECT_EQ(r3->header("connection"), "close");
    EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
    start();
    HttpConnection c(port);
    auto res = c.get("/health", "Connection: close\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, Http10WithoutKeepAliveCloses) {
    start();
    HttpConnection c(port);
    auto res = c.request("GET /health HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, OversizedHeadersGet431AndOthersAreUnharmed) {
    HttpServerOptions o;
    o.max_header_bytes = 4096;
    start(o);
    HttpConnection good(port);
    ASSERT_TRUE(good.get("/health"));
    HttpConnection bad(port);
    auto res = bad.get("/health", "X-Big: " + std::string(8000, 'a') + "\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 431);
    EXPECT_EQ(res->header("content-type"), "application/json");
    EXPECT_EQ(res->body, "{\"status\":431,\"error\":\"Request header fields too large\"}\n");
    EXPECT_TRUE(bad.closed_by_peer());
    auto still = good.get("/health");
    ASSERT_TRUE(still);
    EXPECT_EQ(still->status, 200);

    HttpConnection long_url(port);
    auto url = long_url.get("/tiles/" + std::string(10000, 'c') + "/1/0/0.mvt");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->status, 431);
}

TEST_F(ServerTest, OversizedBodiesGet413) {
    HttpServerOptions o;
    o.max_body_bytes = 1000;
    start(o);
    HttpConnection c(port);
    auto res = c.request("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
    EXPECT_TRUE(c.closed_by_peer());

    HttpConnection small(port);
    auto ok = small.request("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 405) << "a small body is read; the route only takes GET";
    EXPECT_EQ(ok->header("allow"), "GET, HEAD, OPTIONS");
}

TEST_F(ServerTest, MalformedRequestsGet400) {
    start();
    for (const std::string raw : {"GARBAGE\r\n\r\n", "GET /health HTTP/9.9\r\n\r\n", "GET /health HTTP/1.1\r\nBad Header\r\n\r\n",
                                  "GET /health HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
        HttpConnection c(port);
        auto res = c.request(raw);
        ASSERT_TRUE(res) << raw;
        EXPECT_EQ(res->status, 400) << raw;
        EXPECT_TRUE(c.closed_by_peer()) << raw;
    }
    HttpConnection c(port);
    auto res = c.request("GET http://example.com/health HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    auto bad_escape = HttpConnection(port).get("/tiles/crimes/1/0/%zz.mvt");
    ASSERT_TRUE(bad_escape);
    EXPECT_EQ(bad_escape->status, 400);
}

TEST_F(ServerTest, SlowClientsTimeOut) {
    HttpServerOptions o;
    o.read_timeout = std::chrono::milliseconds(300);
    o.idle_timeout = std::chrono::milliseconds(400);
    start(o);
    HttpConnection partial(port);
    ASSERT_TRUE(partial.send("GET /health HTTP/1.1\r\nHost: x\r\n"));
    EXPECT_TRUE(partial.closed_by_peer(3000)) << "an incomplete request is dropped after the read timeout";

    HttpConnection idle(port);
    ASSERT_TRUE(idle.get("/health"));
    EXPECT_TRUE(idle.closed_by_peer(3000)) << "an idle keep-alive connection is closed";
}

TEST_F(ServerTest, HeadSendsHeadersOnly) {
    start();
    HttpConnection c(port);
    auto get = c.get("/tiles/crimes/14/8100/5430.mvt");
    ASSERT_TRUE(get);
    auto head = c.request("HEAD /tiles/crimes/14/8100/5430.mvt HTTP/1.1\r\nHost: x\r\n\r\n", true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-length"), std::to_string(get->body.size()));
    // The connection is still in sync: no stray body bytes.
    auto after = c.get("/health");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
    start();
    HttpConnection c(port);
    ASSERT_TRUE(c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /tiles/crimes/1/0/0.mvt HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto a = c.read(), b = c.read(), d = c.read();
    ASSERT_TRUE(a && b && d);
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(b->status, 404);
    EXPECT_EQ(d->status, 204);
}

TEST_F(ServerTest, HandlerExceptionsAre500AndTheConnectionLives) {
    start();
    HttpConnection c(port);
    auto res = c.get("/tiles/crimes/2/1/1.mvt");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 500);
    EXPECT_EQ(res->body, "{\"status\":500,\"error\":\"Internal server error\"}\n");
    auto next = c.get("/health");
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequests) {
    start();
    HttpConnection idle(port);
    ASSERT_TRUE(idle.get("/health"));
    HttpConnection busy(port);
    ASSERT_TRUE(busy.send("GET /tiles/crimes/4/7/5.mvt HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // the slow render has begun
    server->stop();
    auto res = busy.read();
    ASSERT_TRUE(res) << "the in-flight request completes";
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->header("connection"), "close");
    EXPECT_TRUE(idle.closed_by_peer());
    EXPECT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_THROW(HttpConnection late(port), std::runtime_error) << "no longer accepting";
    server.reset();
}

TEST_F(ServerTest, ManyConcurrentClients) {
    start();
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t)
        clients.emplace_back([&, t] {
            HttpConnection c(port);
            for (int i = 0; i < 50; ++i) {
                auto res = c.get("/tiles/crimes/14/" + std::to_string(8100 + (i % 5)) + "/" + std::to_string(5430 + t) + ".mvt",
                                 "Accept-Encoding: gzip\r\n");
                if (res && res->status == 200 && res->header("content-encoding") == "gzip") ok.fetch_add(1);
            }
        });
    for (auto& c : clients) c.join();
    EXPECT_EQ(ok.load(), 400);
}
