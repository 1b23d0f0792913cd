#pragma once
// The HTTP/1.1 server (Boost.Beast, in http_server.cpp only): async accept, keep-alive with a
// per-connection request cap, header and body limits, read and idle timeouts, N I/O threads on
// one io_context, graceful shutdown on SIGTERM/SIGINT or stop(). Beast stays out of this header.
//
// Each parsed request goes to App::handle. Requests answered from memory (tiles of the memory
// engine, postcodes, /health, ...) are handled right on the connection's strand. Those whose route
// may wait on PostgreSQL (App::blocking: crime listings, meeting packs, team writes, every tile of
// the postgis engine) are handled on a separate pool of blocking_threads threads, and the answer
// is posted back to the connection's strand to be written; so slow queries never hold an I/O
// thread, and /health and cached tiles keep answering. At most max_blocking_queue such requests
// wait or run at once; beyond that they are refused at once with 503 and Retry-After, as is one
// that waited in the queue longer than max_blocking_wait (its client has likely given up).
//
// Hostile clients: request framing that proxies could read differently (Content-Length with
// Transfer-Encoding, several Content-Lengths, a Transfer-Encoding other than `chunked`, bad chunk
// sizes or long chunk extensions) gets 400 and the connection is closed. At most max_connections
// are open: at the cap the keep-alive connection idle the longest is closed to make room for a new
// one, and when none is idle the new one is answered 503 and closed at once (so the listen queue
// never fills). At most max_connections_per_client per client address (IPv6 grouped by /64). A request must
// arrive whole within read_timeout (slowloris), and each 256 KB piece of an answer be taken within
// read_timeout (a client that never reads is closed; a slow but steady one finishes). An exception
// anywhere in a request's path answers 500 or closes that connection; it never
// ends the process.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace crimemap::server {

class App;

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;             // 0 = any free port
    unsigned threads = 1;                  // I/O threads
    unsigned blocking_threads = 4;         // for handlers that may wait on the database; 0 = run them inline
    std::size_t max_blocking_queue = 256;  // blocking requests queued or running; 503 beyond
    std::chrono::milliseconds max_blocking_wait{10000};  // in the queue; 503 without running it beyond
    std::size_t max_header_bytes = 16u << 10;            // request line + fields; 431 beyond
    std::size_t max_body_bytes = 1u << 20;               // 413 beyond
    std::chrono::milliseconds read_timeout{15000};       // a whole request (and each piece of an answer)
    std::chrono::milliseconds idle_timeout{60000};       // between keep-alive requests
    std::chrono::milliseconds shutdown_timeout{10000};   // for in-flight requests after a stop
    unsigned keepalive_requests = 1000;
    std::size_t max_connections = 10000;           // open at once; beyond: 503 and close
    std::size_t max_connections_per_client = 256;  // per client address (IPv6: per /64); 0 = no cap
    bool handle_signals = true;                    // SIGTERM/SIGINT start a graceful shutdown
};

// What the per-client connection cap counts an address under: an IPv4 address as is (also when
// IPv4-mapped), an IPv6 one by its /64 ("2001:db8:1:2::/64"); text that is no address, unchanged.
std::string client_group(const std::string& address);

class HttpServer {
  public:
    HttpServer(HttpServerOptions options, App& app);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and listens; returns the bound port. Throws std::runtime_error naming the address.
    std::uint16_t listen();
    // Serves until a signal or stop(); then stops accepting, closes idle connections, lets
    // in-flight requests finish (up to shutdown_timeout) and returns. Call listen() first.
    void run();
    // Starts the graceful shutdown; thread-safe, idempotent.
    void stop();
    // Called once when the shutdown begins (from a worker thread).
    void on_shutdown(std::function<void()> callback);
    std::size_t open_connections() const;
    // Connections refused at accept (over max_connections or a client's share) since the start.
    std::size_t refused_connections() const;

    struct Impl;  // defined in http_server.cpp

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace crimemap::server
