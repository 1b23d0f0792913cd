// Boost.Beast listener and sessions. The only translation unit of the server that includes Beast.
#include <utility>  // before Asio: Boost 1.74 with g++ 12 in C++20 needs std::exchange declared

#include "server/http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <unistd.h>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/app.hpp"
#include "server/log.hpp"
#include "server/response.hpp"

namespace crimemap::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session;

// Member order matters: the io_context is destroyed before the session registry it points at
// (pending handlers own sessions, whose destructors unregister), and after the acceptor, the timer
// and the blocking pool (whose abandoned jobs own sessions, whose sockets need the io_context).
struct HttpServer::Impl {
    Impl(HttpServerOptions o, App& a) : options(std::move(o)), app(a) {}

    HttpServerOptions options;
    App& app;
    std::atomic<bool> stopping{false};
    std::function<void()> on_shutdown;

    mutable std::mutex mutex;  // guards sessions and stop_requested
    std::condition_variable changed;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
    bool stop_requested = false;

    net::io_context ioc;
    tcp::acceptor acceptor{net::make_strand(ioc)};
    net::steady_timer retry{acceptor.get_executor()};  // re-arms accept after a failure (e.g. EMFILE)
    std::optional<net::thread_pool> blocking;  // created by run() when options.blocking_threads > 0
    std::atomic<std::size_t> blocking_load{0};  // blocking requests queued or running

    void accept();
    void begin_shutdown();
    void add(Session* s, std::weak_ptr<Session> w) {
        std::lock_guard lock(mutex);
        sessions.emplace(s, std::move(w));
    }
    void remove(Session* s) {
        std::lock_guard lock(mutex);
        sessions.erase(s);
        changed.notify_all();
    }
};

namespace {
// "<6 hex of the process start>-<counter>": unique within a process and, with overwhelming
// likelihood, across the replicas behind one proxy; cheap (no random draw per request).
std::string next_request_id() {
    static const std::string tag = [] {
        const auto seed = static_cast<unsigned long long>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                          (static_cast<unsigned long long>(::getpid()) << 20);
        char text[16];
        std::snprintf(text, sizeof text, "%06llx", (seed * 0x9E3779B97F4A7C15ull) >> 40);
        return std::string(text);
    }();
    static std::atomic<unsigned long long> counter{0};
    return tag + "-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

bool is_http_parse_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_target).category();
}
}  // namespace

using strand_type = net::strand<net::io_context::executor_type>;
using socket_type = net::basic_stream_socket<tcp, strand_type>;
using timer_type = net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, strand_type>;

// One connection. Every handler runs on the connection's strand. Timeouts are a deadline checked by
// a coarse per-connection ticker (no timer is re-armed per request, unlike beast::tcp_stream), and
// responses are serialized here into one header buffer plus the body: the hot path for cached
// tiles is then a parse, a hash lookup and one gathered write.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(socket_type socket, HttpServer::Impl* server)
        : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server) {
        auto shortest = std::min(options().read_timeout, options().idle_timeout);
        tick_ = std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    }
    ~Session() { server_->remove(this); }

    void start() {
        beast::error_code ec;
        auto peer = socket_.remote_endpoint(ec);
        if (!ec) peer_address_ = peer.address().to_string();
        server_->add(this, weak_from_this());
        net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
            self->arm_ticker();
            self->wait_for_request();
        });
    }

    // On shutdown: a connection waiting for its next request is closed now; one with a request in
    // progress finishes it and closes after the response.
    void close_if_idle() {
        net::post(socket_.get_executor(), [self = shared_from_this()] {
            if (self->state_ == State::idle) self->close();
        });
    }

private:
    enum class State { idle, reading, handling, writing, draining, closed };
    using clock = std::chrono::steady_clock;

    const HttpServerOptions& options() const { return server_->options; }

    void arm_ticker() {
        timer_.expires_after(tick_);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || self->state_ == State::closed) return;
            if (self->state_ != State::handling && clock::now() >= self->deadline_) return self->close();
            self->arm_ticker();
        });
    }

    void wait_for_request() {
        if (server_->stopping.load()) return close();
        if (buffer_.size() > 0) return read_request();  // pipelined bytes already here
        state_ = State::idle;
        deadline_ = clock::now() + (served_ == 0 ? options().read_timeout : options().idle_timeout);
        socket_.async_read_some(buffer_.prepare(8192), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->buffer_.commit(n);
            if (ec) return self->close();
            self->read_request();
        });
    }

    void read_request() {
        state_ = State::reading;
        deadline_ = clock::now() + options().read_timeout;
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options().max_header_bytes, UINT32_MAX)));
        parser_->body_limit(options().max_body_bytes);
        http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->on_read(ec);
        });
    }

    void on_read(beast::error_code ec) {
        if (state_ == State::closed) return;
        if (ec == http::error::end_of_stream || ec == http::error::partial_message) return close();
        if (ec == http::error::header_limit) return reject(431, "Request header fields too large");
        if (ec == http::error::body_limit) return reject(413, "Request body too large");
        if (ec && is_http_parse_error(ec)) return reject(400, "Malformed request");
        if (ec) return close();  // timeout, reset, aborted

        state_ = State::handling;
        auto& msg = parser_->get();
        ++served_;
        keep_alive_ = msg.keep_alive() && served_ < options().keepalive_requests;
        const Method method = method_from_string(msg.method_string());

        const bool head = method == Method::head, http10 = msg.version() == 10;
        auto request = make_request(method, msg.target());
        if (!request) {
            server_->app.record_rejected(400);
            keep_alive_ = false;
            return send(error_response(400, "Invalid request target"), head, http10);
        }
        for (const auto& field : msg) request->headers.add(field.name_string(), field.value());
        request->body = std::move(msg.body());
        request->peer_address = peer_address_;
        request->request_id = next_request_id();
        if (server_->blocking && server_->app.blocking(*request)) return handle_blocking(std::move(*request), head, http10);
        send(server_->app.handle(*request), head, http10);
    }

    static Response busy() {
        auto res = error_response(503, "The server is busy; try again shortly");
        res.headers.set("Retry-After", "2");
        return res;
    }

    // Runs the handler on the blocking pool and writes its answer from the connection's strand.
    // The session stays in `handling` meanwhile (no timeout closes it; a shutdown waits for it).
    void handle_blocking(Request request, bool head, bool http10) {
        if (server_->blocking_load.fetch_add(1) >= options().max_blocking_queue) {
            server_->blocking_load.fetch_sub(1);
            server_->app.record_rejected(503);
            return send(busy(), head, http10);
        }
        const auto queued = clock::now();
        net::post(*server_->blocking, [self = shared_from_this(), request = std::move(request), head, http10, queued]() mutable {
            Response response;
            if (clock::now() - queued > self->options().max_blocking_wait) {
                self->server_->app.record_rejected(503);
                response = busy();
            } else {
                response = self->server_->app.handle(request);
            }
            self->server_->blocking_load.fetch_sub(1);
            net::post(self->socket_.get_executor(), [self, response = std::move(response), head, http10]() mutable {
                if (self->state_ == State::closed) return;
                self->send(std::move(response), head, http10);
            });
        });
    }

    void reject(int status, std::string_view message) {
        server_->app.record_rejected(status);
        keep_alive_ = false;
        lingering_ = true;  // the client may still be sending: drain before closing so it reads the answer
        send(error_response(status, message), false, false);
    }

    static bool safe_header(std::string_view text) { return text.find_first_of("\r\n") == std::string_view::npos; }

    void send(Response response, bool head, bool http10) {
        if (server_->stopping.load()) keep_alive_ = false;  // shutting down: this is the last one
        try {
            head_.clear();
            head_ += http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
            head_ += std::to_string(response.status);
            head_ += ' ';
            head_ += reason_phrase(response.status);
            head_ += "\r\nServer: crimemapd\r\n";
            for (const auto& [name, value] : response.headers.items()) {
                if (!safe_header(name) || !safe_header(value)) continue;  // never split a response
                head_ += name;
                head_ += ": ";
                head_ += value;
                head_ += "\r\n";
            }
            const bool bodiless = response.status == 204 || response.status == 304 || response.status < 200;
            if (!bodiless) {
                head_ += "Content-Length: ";
                head_ += std::to_string(response.body.size());  // HEAD: the length GET would send
                head_ += "\r\n";
            }
            if (!keep_alive_) head_ += "Connection: close\r\n";
            else if (http10) head_ += "Connection: keep-alive\r\n";
            head_ += "\r\n";
            body_ = (bodiless || head) ? std::string() : std::move(response.body);
        } catch (const std::exception& e) {
            log_error(std::string("cannot build a response: ") + e.what());
            return close();
        }
        state_ = State::writing;
        deadline_ = clock::now() + options().read_timeout;
        std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
        net::async_write(socket_, buffers, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->close();
            if (self->lingering_) return self->drain();
            if (!self->keep_alive_) return self->close();
            self->wait_for_request();
        });
    }

    // After refusing a request: stop sending, read and discard what the client still sends (up to a
    // second and 1 MiB), then close, so its kernel does not reset the connection under our answer.
    void drain() {
        beast::error_code ec;
        socket_.shutdown(tcp::socket::shutdown_send, ec);
        state_ = State::draining;
        deadline_ = std::min(deadline_, clock::now() + std::chrono::seconds(1));
        drain_some(1u << 20);
    }
    void drain_some(std::size_t budget) {
        socket_.async_read_some(net::buffer(scratch_), [self = shared_from_this(), budget](beast::error_code ec, std::size_t n) {
            if (ec || n >= budget) return self->close();
            self->drain_some(budget - n);
        });
    }

    void close() {
        if (state_ == State::closed) return;
        state_ = State::closed;
        beast::error_code ec;
        timer_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
    }

    socket_type socket_;
    timer_type timer_;
    HttpServer::Impl* server_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string head_;  // status line and headers of the response being written
    std::string body_;
    std::string peer_address_;
    std::array<char, 4096> scratch_{};
    clock::time_point deadline_ = clock::time_point::max();
    std::chrono::milliseconds tick_{1000};
    State state_ = State::idle;
    unsigned served_ = 0;
    bool keep_alive_ = true;
    bool lingering_ = false;
};

void HttpServer::Impl::accept() {
    auto socket = std::make_shared<socket_type>(strand_type(ioc.get_executor()));
    acceptor.async_accept(*socket, [self = this, socket](beast::error_code ec) {
        if (self->stopping.load() || !self->acceptor.is_open()) return;
        if (ec) {
            // EMFILE and friends: back off briefly rather than spin.
            log_warn("accept failed: " + ec.message());
            self->retry.expires_after(std::chrono::milliseconds(50));
            self->retry.async_wait([self](beast::error_code) {
                if (!self->stopping.load()) self->accept();
            });
            return;
        }
        beast::error_code opt_ec;
        socket->set_option(tcp::no_delay(true), opt_ec);
        std::make_shared<Session>(std::move(*socket), self)->start();
        self->accept();
    });
}

void HttpServer::Impl::begin_shutdown() {
    if (stopping.exchange(true)) return;
    net::post(acceptor.get_executor(), [self = this] {
        beast::error_code ec;
        self->acceptor.close(ec);
        self->retry.cancel();
    });
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(mutex);
        for (auto& [ptr, weak] : sessions)
            if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->close_if_idle();
    live.clear();
    if (on_shutdown) on_shutdown();
    std::lock_guard lock(mutex);
    stop_requested = true;
    changed.notify_all();
}

HttpServer::HttpServer(HttpServerOptions options, App& app) : impl_(std::make_unique<Impl>(std::move(options), app)) {}

HttpServer::~HttpServer() {
    impl_->ioc.stop();
}

std::uint16_t HttpServer::listen() {
    auto& o = impl_->options;
    beast::error_code ec;
    tcp::resolver resolver(impl_->ioc);
    auto results = resolver.resolve(o.host, std::to_string(o.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) throw std::runtime_error("cannot resolve " + o.host + ": " + ec.message());
    tcp::endpoint endpoint = results.begin()->endpoint();
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + ec.message());
    return acceptor.local_endpoint().port();
}

void HttpServer::run() {
    Impl* impl = impl_.get();
    std::optional<net::signal_set> signals;
    if (impl->options.handle_signals) {
        signals.emplace(impl->ioc, SIGINT, SIGTERM);
        signals->async_wait([impl](beast::error_code ec, int signal) {
            if (ec) return;
            log_info(std::string("received ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") + ", shutting down");
            impl->begin_shutdown();
        });
    }
    impl->accept();
    if (impl->options.blocking_threads > 0) impl->blocking.emplace(impl->options.blocking_threads);

    auto guard = net::make_work_guard(impl->ioc);  // keep the threads up until we decide to stop
    std::vector<std::thread> threads;
    const unsigned n = std::max(1u, impl->options.threads);
    for (unsigned i = 0; i < n; ++i)
        threads.emplace_back([impl] {
            for (;;) {
                try {
                    impl->ioc.run();
                    return;
                } catch (const std::exception& e) {
                    log_error(std::string("worker: ") + e.what());
                }
            }
        });

    {
        std::unique_lock lock(impl->mutex);
        impl->changed.wait(lock, [&] { return impl->stop_requested; });
        // Graceful part: wait for the connections still finishing a request.
        auto deadline = std::chrono::steady_clock::now() + impl->options.shutdown_timeout;
        impl->changed.wait_until(lock, deadline, [&] { return impl->sessions.empty(); });
        if (!impl->sessions.empty())
            log_warn(std::to_string(impl->sessions.size()) + " connections still open at the shutdown deadline");
    }
    if (impl->blocking) {
        // Past the deadline: queued database requests are dropped; running ones (bounded by the
        // database timeouts) finish first, while the I/O threads still run to write their answers.
        impl->blocking->stop();
        impl->blocking->join();
    }
    if (signals) {
        net::post(impl->ioc, [&signals] {
            beast::error_code ec;
            signals->cancel(ec);
        });
    }
    guard.reset();
    impl->ioc.stop();
    for (auto& t : threads) t.join();
}

void HttpServer::stop() { impl_->begin_shutdown(); }

void HttpServer::on_shutdown(std::function<void()> callback) { impl_->on_shutdown = std::move(callback); }

std::size_t HttpServer::open_connections() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->sessions.size();
}

}  // namespace crimemap::server
