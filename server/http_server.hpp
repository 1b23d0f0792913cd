#pragma once
// The HTTP/1.1 server (Boost.Beast, in http_server.cpp only): async accept, keep-alive with a
// per-connection request cap, header and body limits, read and idle timeouts, N worker threads on
// one io_context, graceful shutdown on SIGTERM/SIGINT or stop(). Each parsed request goes to
// App::handle on the connection's strand. Beast stays out of this header.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace crimemap::server {

class App;

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 = any free port
    unsigned threads = 1;
    std::size_t max_header_bytes = 16u << 10;  // request line + fields; 431 beyond
    std::size_t max_body_bytes = 1u << 20;     // 413 beyond
    std::chrono::milliseconds read_timeout{15000};  // a whole request (and a response write)
    std::chrono::milliseconds idle_timeout{60000};  // between keep-alive requests
    std::chrono::milliseconds shutdown_timeout{10000};  // for in-flight requests after a stop
    unsigned keepalive_requests = 1000;
    bool handle_signals = true;  // SIGTERM/SIGINT start a graceful shutdown
};

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

    struct Impl;  // defined in http_server.cpp

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace crimemap::server
