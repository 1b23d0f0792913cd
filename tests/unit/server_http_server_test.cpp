// The Beast server over real loopback sockets (no database): keep-alive and its cap, limits,
// malformed requests and ambiguous framing, timeouts, HEAD, pipelining, graceful shutdown, the
// connection caps and exceptions in jobs.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "core/api_data.hpp"
#include "server/app.hpp"
#include "server/http_server.hpp"
#include "support/http_client.hpp"
#include "support/server_fixtures.hpp"
#include "support/wait.hpp"

using namespace crimemap;
using namespace crimemap::server;
using crimemap::testing::connection_refused;
using crimemap::testing::Gate;
using crimemap::testing::HttpConnection;
using crimemap::testing::status_of;
using crimemap::testing::wait_until;

namespace {
// Tiles at z=4 wait at a gate until the test opens it, so a shutdown can catch a request in flight.
class SlowRenderer : public server::testing::FakeRenderer {
  public:
    core::Result<core::RenderedTile> render(const core::Snapshot& s, const core::TileQuery& q) override {
        if (q.tile.z == 4) gate.pass();
        return FakeRenderer::render(s, q);
    }
    Gate gate;
};

class ServerTest : public ::testing::Test {
  protected:
    void start(HttpServerOptions options = {}) {
        app = std::make_unique<App>(Config{}, snapshots);
        app->context().set_renderer(renderer);
        app->context().swap_snapshot(server::testing::small_snapshot(5));
        options.port = 0;
        options.threads = 2;
        options.handle_signals = false;
        server = std::make_unique<HttpServer>(options, *app);
        port = server->listen();
        done = std::async(std::launch::async, [this] { server->run(); });
    }
    void TearDown() override {
        renderer->gate.open();  // never leave a render blocked, even when a test failed early
        if (server) {
            server->stop();
            EXPECT_EQ(done.wait_for(std::chrono::seconds(15)), std::future_status::ready);
        }
    }

    core::SnapshotHolder snapshots;
    std::shared_ptr<SlowRenderer> renderer = std::make_shared<SlowRenderer>();
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
    for (const std::string raw :
         {"GARBAGE\r\n\r\n", "GET /health HTTP/9.9\r\n\r\n", "GET /health HTTP/1.1\r\nBad Header\r\n\r\n",
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
    ASSERT_TRUE(
        c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
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
    ASSERT_TRUE(renderer->gate.wait_arrived(1));  // the slow render has begun
    server->stop();
    EXPECT_TRUE(wait_until([&] { return connection_refused(port); }));  // the shutdown is under way
    renderer->gate.open();
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
                auto res = c.get("/tiles/crimes/14/" + std::to_string(8100 + (i % 5)) + "/" +
                                     std::to_string(5430 + t) + ".mvt",
                                 "Accept-Encoding: gzip\r\n");
                if (res && res->status == 200 && res->header("content-encoding") == "gzip") ok.fetch_add(1);
            }
        });
    for (auto& c : clients) c.join();
    EXPECT_EQ(ok.load(), 400);
}

namespace {
// Sends raw bytes and expects a 400 JSON answer and the connection closed after it.
void expect_400_and_close(std::uint16_t port, const std::string& raw) {
    HttpConnection c(port);
    auto res = c.request(raw);
    ASSERT_TRUE(res) << raw.substr(0, 200);
    EXPECT_EQ(res->status, 400) << raw.substr(0, 200);
    EXPECT_EQ(res->header("content-type"), "application/json") << raw.substr(0, 200);
    EXPECT_EQ(res->header("connection"), "close") << raw.substr(0, 200);
    EXPECT_TRUE(c.closed_by_peer()) << raw.substr(0, 200);
}

// A bulk postcode lookup body, and the request carrying it with a Content-Length or chunked.
const std::string bulk_body = R"({"postcodes":["HR1 1AA","TF1 1AA","nonsense"]})";
std::string with_length(const std::string& body) {
    return "POST /postcodes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}
std::string chunked(const std::string& body, std::size_t piece, const std::string& extension = "") {
    std::string out =
        "POST /postcodes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
        "chunked\r\n\r\n";
    char size[32];
    for (std::size_t i = 0; i < body.size(); i += piece) {
        const auto n = std::min(piece, body.size() - i);
        std::snprintf(size, sizeof size, "%zx", n);
        out += size + extension + "\r\n" + body.substr(i, n) + "\r\n";
    }
    return out + "0\r\n\r\n";
}
}  // namespace

TEST_F(ServerTest, AmbiguousFramingIs400AndClosesTheConnection) {
    start();
    const std::string post = "POST /postcodes HTTP/1.1\r\nHost: x\r\n";
    // Content-Length together with Transfer-Encoding, in both orders and with other codings.
    expect_400_and_close(port, post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    expect_400_and_close(port, post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
    expect_400_and_close(port, post + "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello");
    expect_400_and_close(port, post + "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\nhello");
    // Several Content-Lengths, equal or not, as fields or as a list.
    expect_400_and_close(port, post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
    expect_400_and_close(port, post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    expect_400_and_close(port, post + "Content-Length: 5, 5\r\n\r\nhello");
    expect_400_and_close(port, post + "Content-Length: +5\r\n\r\nhello");
    // Transfer-Encoding other than exactly chunked.
    for (const char* te : {"gzip, chunked", "chunked, gzip", "identity", "xchunked", "chunked;q=1", "gzip"})
        expect_400_and_close(port, post + "Transfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n");
    expect_400_and_close(port,
                         post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    expect_400_and_close(
        port, "POST /postcodes HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    // Bad chunk sizes and chunk lines.
    const std::string te = post + "Transfer-Encoding: chunked\r\n\r\n";
    for (const char* chunk :
         {"zz\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n",
          "5 \r\nhello\r\n0\r\n\r\n", "1ffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
          "5\r\nhelloXX\r\n0\r\n\r\n", "\r\nhello\r\n0\r\n\r\n"})
        expect_400_and_close(port, te + chunk);
    // Chunk extension abuse: one too long, and a chunk line that never ends.
    expect_400_and_close(port, te + "5;" + std::string(1000, 'a') + "\r\nhello\r\n0\r\n\r\n");
    expect_400_and_close(port, te + "5;" + std::string(200000, 'a'));
    // Framing fields smuggled in the trailer.
    expect_400_and_close(port, te + "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n");
    // The server is unharmed.
    EXPECT_EQ(status_of(port, "/health"), 200);
}

TEST_F(ServerTest, ChunkedBodiesWithinTheLimitsAreReadLikeContentLengthOnes) {
    HttpServerOptions o;
    o.max_body_bytes = 1000;
    start(o);
    // Postcode data (empty) so the bulk lookup answers, echoing each query it read from the body.
    auto snap = server::testing::small_snapshot(6);
    std::const_pointer_cast<core::Snapshot>(snap)->api = std::make_shared<core::ApiData>();
    app->context().swap_snapshot(snap);
    HttpConnection c(port);
    auto reference = c.request(with_length(bulk_body));
    ASSERT_TRUE(reference);
    ASSERT_EQ(reference->status, 200) << reference->body;
    ASSERT_NE(reference->body.find("nonsense"), std::string::npos)
        << "the body was read: " << reference->body;
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, bulk_body.size()}) {
        auto res = c.request(chunked(bulk_body, piece));  // same connection: framing stays in sync
        ASSERT_TRUE(res) << piece;
        EXPECT_EQ(res->status, reference->status) << piece;
        EXPECT_EQ(res->body, reference->body) << piece;
    }
    auto with_extension = c.request(chunked(bulk_body, 10, ";name=value"));
    ASSERT_TRUE(with_extension);
    EXPECT_EQ(with_extension->body, reference->body) << "a short chunk extension is allowed";

    HttpConnection big(port);
    auto too_big = big.request(chunked(std::string(3000, ' '), 500));
    ASSERT_TRUE(too_big);
    EXPECT_EQ(too_big->status, 413);
    EXPECT_TRUE(big.closed_by_peer());
}

namespace {
// A renderer that runs on the blocking pool (like the postgis engine) and runs out of memory at
// tile 3/3/3, or throws something that is no std::exception at 3/4/4.
class ExhaustedRenderer : public server::testing::FakeRenderer {
  public:
    bool blocking() const override { return blocking_; }
    explicit ExhaustedRenderer(bool blocking) : blocking_(blocking) {}
    core::Result<core::RenderedTile> render(const core::Snapshot& s, const core::TileQuery& q) override {
        if (q.tile.z == 3 && q.tile.x == 3 && q.tile.y == 3) throw std::bad_alloc();
        if (q.tile.z == 3 && q.tile.x == 4 && q.tile.y == 4) throw 42;
        return FakeRenderer::render(s, q);
    }

  private:
    bool blocking_;
};
}  // namespace

TEST_F(ServerTest, BadAllocInAJobIs500AndTheServerLives) {
    for (bool blocking : {true, false}) {
        HttpServerOptions o;
        o.blocking_threads = 2;
        start(o);
        app->context().set_renderer(std::make_shared<ExhaustedRenderer>(blocking));
        HttpConnection c(port);
        for (const char* tile : {"/tiles/crimes/3/3/3.mvt", "/tiles/crimes/3/4/4.mvt"}) {
            auto res = c.get(tile);
            ASSERT_TRUE(res) << tile << " blocking " << blocking;
            EXPECT_EQ(res->status, 500) << tile;
            EXPECT_EQ(res->header("content-type"), "application/json");
        }
        auto next = c.get("/tiles/crimes/14/8100/5430.mvt");
        ASSERT_TRUE(next);
        EXPECT_EQ(next->status, 200) << "the same connection serves on";
        server->stop();
        ASSERT_EQ(done.wait_for(std::chrono::seconds(15)), std::future_status::ready);
        server.reset();
    }
}

TEST_F(ServerTest, TrickledRequestsAreCutAtTheReadTimeout) {
    HttpServerOptions o;
    o.read_timeout = std::chrono::milliseconds(300);
    start(o);
    HttpConnection c(port);
    const std::string request = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(1000, 'a');
    bool closed = false;
    for (std::size_t i = 0; i < request.size() && !closed; ++i) {
        if (!c.send(request.substr(i, 1)))
            closed = true;  // one byte every 20 ms: 20 s for the whole line
        else
            closed = c.closed_by_peer(20);
    }
    // A read timeout that restarted with every byte would let the whole 20 s line through.
    EXPECT_TRUE(closed) << "a client trickling bytes is still cut at the read timeout";
}

TEST_F(ServerTest, AClientThatNeverReadsIsClosedAtTheWriteDeadline) {
    // A 40 MB file is more than the kernel buffers on both sides hold, so the write cannot finish.
    const auto web =
        std::filesystem::temp_directory_path() / ("crimemap-never-reads-" + std::to_string(::getpid()));
    std::filesystem::create_directories(web / "app");
    std::ofstream(web / "app" / "big.js") << std::string(40u << 20, 'x');
    Config config;
    config.web_dir = web.string();
    app = std::make_unique<App>(config, snapshots);
    HttpServerOptions o;
    o.read_timeout = std::chrono::milliseconds(500);
    o.port = 0;
    o.threads = 2;
    o.handle_signals = false;
    server = std::make_unique<HttpServer>(o, *app);
    port = server->listen();
    done = std::async(std::launch::async, [this] { server->run(); });

    HttpConnection reader(port);  // control: one that reads gets the whole file
    auto whole = reader.get("/app/big.js");
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->body.size(), 40u << 20);

    HttpConnection lazy(port, 10000, nullptr, 4096);
    ASSERT_TRUE(lazy.send("GET /app/big.js HTTP/1.1\r\nHost: x\r\n\r\n"));
    wait_until([&] { return server->open_connections() <= 1; }, std::chrono::seconds(10));
    EXPECT_EQ(server->open_connections(), 1u)
        << "the connection that never reads was closed; the reader's stays";
    std::filesystem::remove_all(web);
}

TEST_F(ServerTest, ConnectionsBeyondTheCapAreRefusedAtOnce) {
    HttpServerOptions o;
    o.max_connections = 5;
    o.max_connections_per_client = 0;
    start(o);
    std::vector<std::unique_ptr<HttpConnection>> held;
    for (int i = 0; i < 5; ++i)
        held.push_back(std::make_unique<HttpConnection>(port));  // no request: not idle keep-alive
    wait_until([&] { return server->open_connections() >= 5; }, std::chrono::seconds(5));
    ASSERT_EQ(server->open_connections(), 5u);

    HttpConnection over(port);
    auto res = over.get("/health");
    if (res) {  // the canned answer, unless the close overtook it
        EXPECT_EQ(res->status, 503);
        EXPECT_EQ(res->header("connection"), "close");
        EXPECT_EQ(res->body, "{\"status\":503,\"error\":\"Too many open connections\"}\n");
    }
    EXPECT_TRUE(over.closed_by_peer()) << "refused and closed at once";
    EXPECT_EQ(server->refused_connections(), 1u);
    EXPECT_EQ(server->open_connections(), 5u);

    held.pop_back();  // a slot frees up
    wait_until([&] { return server->open_connections() <= 4; }, std::chrono::seconds(5));
    EXPECT_EQ(status_of(port, "/health"), 200);
}

TEST_F(ServerTest, IdleKeepAliveConnectionsMakeRoomAtTheCap) {
    HttpServerOptions o;
    o.max_connections = 3;
    o.max_connections_per_client = 0;
    start(o);
    std::vector<std::unique_ptr<HttpConnection>> idle;
    for (int i = 0; i < 3; ++i) {
        idle.push_back(std::make_unique<HttpConnection>(port));
        ASSERT_TRUE(idle.back()->get("/health"));
        // A fixed gap is the point: the connections' idle-since times must differ.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    HttpConnection fresh(port);
    auto res = fresh.get("/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << "let in: an idle keep-alive connection made room";
    EXPECT_TRUE(idle.front()->closed_by_peer()) << "the one idle longest was closed";
    EXPECT_EQ(server->refused_connections(), 0u);
    EXPECT_LE(server->open_connections(), 3u);
}

TEST_F(ServerTest, OneClientAddressCannotTakeEverySlot) {
    HttpServerOptions o;
    o.max_connections = 100;
    o.max_connections_per_client = 3;
    start(o);
    std::vector<std::unique_ptr<HttpConnection>> mine;
    for (int i = 0; i < 3; ++i) mine.push_back(std::make_unique<HttpConnection>(port, 10000, "127.0.0.1"));
    wait_until([&] { return server->open_connections() >= 3; }, std::chrono::seconds(5));
    HttpConnection fourth(port, 10000, "127.0.0.1");
    auto refused = fourth.get("/health");
    EXPECT_TRUE(!refused || refused->status == 503);
    EXPECT_TRUE(fourth.closed_by_peer());
    EXPECT_EQ(status_of(port, "/health", "127.0.0.2"), 200) << "another address still gets in";
    EXPECT_EQ(server->refused_connections(), 1u);
}

TEST(ServerClientGroup, Ipv6IsGroupedBySlash64) {
    EXPECT_EQ(client_group("203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(client_group("::ffff:203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(client_group("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), client_group("2001:db8:1:2::1"));
    EXPECT_NE(client_group("2001:db8:1:2::1"), client_group("2001:db8:1:3::1"));
    EXPECT_EQ(client_group("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(client_group("not an address"), "not an address");
}
