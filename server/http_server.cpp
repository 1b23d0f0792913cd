// Boost.Beast listener and sessions. The only translation unit of the server that includes Beast.
#include "server/http_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
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
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>  // before Asio: Boost 1.74 with g++ 12 in C++20 needs std::exchange declared
#include <vector>

#include "base/text.hpp"
#include "server/app.hpp"
#include "server/log.hpp"
#include "server/response.hpp"

namespace crimemap::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session;

using strand_type = net::strand<net::io_context::executor_type>;
using socket_type = net::basic_stream_socket<tcp, strand_type>;
using timer_type = net::basic_waitable_timer<std::chrono::steady_clock,
                                             net::wait_traits<std::chrono::steady_clock>, strand_type>;
using clock_rep = std::chrono::steady_clock::rep;

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
    std::optional<net::thread_pool> blocking;          // created by run() when options.blocking_threads > 0
    std::atomic<std::size_t> blocking_load{0};         // blocking requests queued or running

    // Connection accounting (under mutex): open connections per client key, and the idle
    // keep-alive connections that may be closed to make room at the cap.
    std::unordered_map<std::string, std::size_t> per_client;
    std::atomic<std::size_t> idle_keepalive{0};
    std::size_t evictions_pending = 0;
    std::atomic<std::size_t> refused{0};

    void accept();
    void on_accept(socket_type socket);
    void begin_shutdown();
    enum class Admission { admitted, server_full, client_full };
    Admission admit(const std::shared_ptr<Session>& s, const std::string& client);
    void remove(Session* s, const std::string& client);
    void eviction_done() {
        std::lock_guard lock(mutex);
        if (evictions_pending) --evictions_pending;
    }
};

namespace {
// "<6 hex of the process start>-<counter>": unique within a process and, with overwhelming
// likelihood, across the replicas behind one proxy; cheap (no random draw per request).
std::string next_request_id() {
    static const std::string tag = [] {
        const auto seed =
            static_cast<unsigned long long>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
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

// The key a client's connections are counted under: its IPv4 address, or the /64 of an IPv6 one
// (one subscriber usually gets a whole /64, so counting single v6 addresses would cap nothing).
std::string client_key(const net::ip::address& address) {
    if (address.is_v6()) {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, v6).to_string();
        auto bytes = v6.to_bytes();
        std::fill(bytes.begin() + 8, bytes.end(), static_cast<unsigned char>(0));
        return net::ip::address_v6(bytes).to_string() + "/64";
    }
    return address.to_string();
}

// Framing that two HTTP implementations (a proxy in front of us, and us) could read differently,
// which is how request smuggling works. Beast 1.74 already refuses Transfer-Encoding: chunked
// together with Content-Length and unequal Content-Lengths; it accepts several equal ones ("5, 5"
// or two fields), Content-Length with a Transfer-Encoding other than chunked, "gzip, chunked" and
// Transfer-Encoding in HTTP/1.0. We refuse them all: the only body framings are one plain
// Content-Length or Transfer-Encoding exactly "chunked" (HTTP/1.1). Called with the header, and
// again after a chunked body (trailer fields are merged into the header).
template <class Fields>
std::optional<std::string_view> framing_problem(const http::request<http::string_body, Fields>& msg) {
    std::size_t lengths = 0, encodings = 0;
    std::string_view length, encoding;
    for (const auto& field : msg) {
        if (field.name() == http::field::content_length) {
            ++lengths;
            length = field.value();
        } else if (field.name() == http::field::transfer_encoding) {
            ++encodings;
            encoding = field.value();
        }
    }
    if (lengths > 1) return "Several Content-Length fields";
    if (lengths == 1) {
        auto v = base::trim_ows(length);
        if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos)
            return "Invalid Content-Length";
    }
    if (encodings == 0) return std::nullopt;
    if (msg.version() < 11) return "Transfer-Encoding in an HTTP/1.0 request";
    if (encodings > 1) return "Several Transfer-Encoding fields";
    if (!iequals(base::trim_ows(encoding), "chunked")) return "Unsupported Transfer-Encoding (only chunked)";
    if (lengths) return "Content-Length together with Transfer-Encoding";
    return std::nullopt;
}

// Longest chunk extension accepted (";name=value" after a chunk size). Nobody needs them; a long
// one is a way to make us buffer and scan bytes that count against no limit.
constexpr std::size_t max_chunk_extension = 256;
// Bytes of unparsed input a connection may buffer beyond the header limit (chunk lines, trailers,
// pipelined requests): the bound on what a chunk header line can cost.
constexpr std::size_t read_buffer_slack = 64u << 10;

void log_exception(std::string_view where, std::string_view who, std::exception_ptr e) noexcept {
    try {
        std::string what = "unknown exception";
        try {
            std::rethrow_exception(std::move(e));
        } catch (const std::exception& x) {
            what = x.what();
        } catch (...) {
        }
        log_error(std::string(where) + std::string(who) + ": " + what);
    } catch (...) {  // out of memory while logging: nothing more to do
    }
}

// The answer to a connection refused at accept. Static text: building it must not allocate.
constexpr std::string_view refused_response =
    "HTTP/1.1 503 Service Unavailable\r\nServer: crimemapd\r\nContent-Type: application/json\r\n"
    "Cache-Control: no-store\r\nRetry-After: 1\r\nContent-Length: 51\r\nConnection: close\r\n\r\n"
    "{\"status\":503,\"error\":\"Too many open connections\"}\n";
}  // namespace

// One connection. Every handler runs on the connection's strand. Timeouts are a deadline checked by
// a coarse per-connection ticker (no timer is re-armed per request, unlike beast::tcp_stream), and
// responses are serialized here into one header buffer plus the body: the hot path for cached
// tiles is then a parse, a hash lookup and one gathered write.
class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(socket_type socket, HttpServer::Impl* server, std::string client)
        : socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          server_(server),
          client_(std::move(client)),
          buffer_(options().max_header_bytes + read_buffer_slack) {
        auto shortest = std::min(options().read_timeout, options().idle_timeout);
        tick_ = std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
        chunk_header_ = [](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
            if (extensions.size() > max_chunk_extension) ec = http::error::bad_chunk_extension;
        };
    }
    ~Session() {
        set_idle(false);
        if (registered_) server_->remove(this, client_);
    }

    const std::string& client() const { return client_; }
    void set_registered() { registered_ = true; }
    bool idle_keepalive() const { return idle_.load(std::memory_order_relaxed); }
    clock_rep idle_since() const { return idle_since_.load(std::memory_order_relaxed); }

    void start(std::string peer_address) {
        peer_address_ = std::move(peer_address);
        net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
            self->guard([&] {
                self->arm_ticker();
                self->wait_for_request();
            });
        });
    }

    // Over a cap: a canned 503 written without blocking, then closed. Called before start(), on
    // the accepting thread; nothing else uses the socket yet. What the client already sent is
    // read first, so closing does not reset the connection under the answer.
    void refuse() noexcept {
        beast::error_code ec;
        socket_.non_blocking(true, ec);
        const int fd = socket_.native_handle();
        for (int i = 0; i < 4 && ::recv(fd, scratch_.data(), scratch_.size(), MSG_DONTWAIT) > 0; ++i) {
        }
        [[maybe_unused]] auto n =
            ::send(fd, refused_response.data(), refused_response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        state_ = State::closed;
    }

    // On shutdown: a connection waiting for its next request is closed now; one with a request in
    // progress finishes it and closes after the response.
    void close_if_idle() {
        net::post(socket_.get_executor(), [self = shared_from_this()] {
            if (self->state_ == State::idle) self->close();
        });
    }

    // At the connection cap: closes this connection if it is still waiting between requests.
    void evict_if_idle() {
        net::post(socket_.get_executor(), [self = shared_from_this()] {
            if (self->state_ == State::idle && self->served_ > 0) self->close();
            self->server_->eviction_done();
        });
    }

  private:
    enum class State { idle, reading, handling, writing, draining, closed };
    using clock = std::chrono::steady_clock;

    const HttpServerOptions& options() const { return server_->options; }

    // Every completion handler runs through here: an exception (std::bad_alloc included) closes
    // this connection, after a 500 when a request is being handled and nothing was written yet.
    template <class F>
    void guard(F&& f) noexcept {
        try {
            f();
        } catch (...) {
            log_exception("connection from ", peer_address_, std::current_exception());
            if (state_ == State::handling) {
                try {
                    keep_alive_ = false;
                    send(error_response(500, "Internal server error"), false, false);
                    return;
                } catch (...) {
                }
            }
            close();
        }
    }

    void set_idle(bool on) noexcept {
        if (idle_.exchange(on, std::memory_order_relaxed) == on) return;
        if (on) {
            idle_since_.store(clock::now().time_since_epoch().count(), std::memory_order_relaxed);
            server_->idle_keepalive.fetch_add(1, std::memory_order_relaxed);
        } else {
            server_->idle_keepalive.fetch_sub(1, std::memory_order_relaxed);
        }
    }

    void arm_ticker() {
        timer_.expires_after(tick_);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || self->state_ == State::closed) return;
            if (self->abandoned_.load()) return self->close();
            if (self->state_ != State::handling && clock::now() >= self->deadline_) return self->close();
            self->guard([&] { self->arm_ticker(); });
        });
    }

    void wait_for_request() {
        if (server_->stopping.load()) return close();
        if (buffer_.size() > 0) return read_request();  // pipelined bytes already here
        state_ = State::idle;
        if (served_ > 0) set_idle(true);
        deadline_ = clock::now() + (served_ == 0 ? options().read_timeout : options().idle_timeout);
        socket_.async_read_some(buffer_.prepare(8192),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->set_idle(false);
                                    self->buffer_.commit(n);
                                    if (ec) return self->close();
                                    self->guard([&] { self->read_request(); });
                                });
    }

    // The header first, checked for ambiguous framing before any body byte is read; then the body.
    // A bodiless request (every GET) is complete after the header: one read, as before.
    void read_request() {
        state_ = State::reading;
        deadline_ = clock::now() + options().read_timeout;
        parser_.emplace();
        parser_->header_limit(
            static_cast<std::uint32_t>(std::min<std::size_t>(options().max_header_bytes, UINT32_MAX)));
        parser_->body_limit(options().max_body_bytes);
        parser_->on_chunk_header(chunk_header_);
        http::async_read_header(socket_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    self->guard([&] { self->on_header(ec); });
                                });
    }

    void on_header(beast::error_code ec) {
        if (state_ == State::closed) return;
        if (ec) return on_read(ec);
        if (auto problem = framing_problem(parser_->get())) return reject(400, *problem);
        if (parser_->is_done()) return on_read(ec);
        http::async_read(socket_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->guard([&] { self->on_read(ec); });
                         });
    }

    void on_read(beast::error_code ec) {
        if (state_ == State::closed) return;
        if (ec == http::error::end_of_stream || ec == http::error::partial_message) return close();
        if (ec == http::error::header_limit) return reject(431, "Request header fields too large");
        if (ec == http::error::body_limit) return reject(413, "Request body too large");
        if (ec == http::error::buffer_overflow) return reject(400, "Request framing too large");
        if (ec && is_http_parse_error(ec)) return reject(400, "Malformed request");
        if (ec) return close();  // timeout, reset, aborted
        if (parser_->chunked())
            if (auto problem = framing_problem(parser_->get()))
                return reject(400, *problem);  // from trailers

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
        parser_.reset();  // the request is copied out; free the parser's copy now
        if (server_->blocking && server_->app.admit_to_blocking_pool(*request))
            return handle_blocking(std::move(*request), head, http10);
        send(server_->app.handle(*request), head, http10);
    }

    static Response busy() {
        auto res = error_response(503, "The server is busy; try again shortly");
        res.headers.set("Retry-After", "2");
        return res;
    }

    // Runs the handler on the blocking pool and writes its answer from the connection's strand.
    // The session stays in `handling` meanwhile (no timeout closes it; a shutdown waits for it).
    // Nothing may escape the pool's job: an exception there would end the process.
    void handle_blocking(Request request, bool head, bool http10) {
        if (server_->blocking_load.fetch_add(1) >= options().max_blocking_queue) {
            server_->blocking_load.fetch_sub(1);
            server_->app.record_rejected(503);
            return send(busy(), head, http10);
        }
        const auto queued = clock::now();
        try {
            net::post(*server_->blocking,
                      [self = shared_from_this(), request = std::move(request), head, http10,
                       queued]() mutable { self->run_blocking(request, head, http10, queued); });
        } catch (...) {
            server_->blocking_load.fetch_sub(1);
            throw;  // guard(): 500 and close
        }
    }

    void run_blocking(const Request& request, bool head, bool http10, clock::time_point queued) noexcept {
        Response response;
        try {
            if (clock::now() - queued > options().max_blocking_wait) {
                server_->app.record_rejected(503);
                response = busy();
            } else {
                response = server_->app.handle(request);
            }
        } catch (...) {
            log_exception("blocking job", "", std::current_exception());
            response = Response{};
            response.status = 500;  // the body stays empty if even the error text cannot be built
            try {
                response = error_response(500, "Internal server error");
            } catch (...) {
            }
        }
        server_->blocking_load.fetch_sub(1);
        try {
            net::post(socket_.get_executor(),
                      [self = shared_from_this(), response = std::move(response), head, http10]() mutable {
                          if (self->state_ == State::closed) return;
                          self->guard([&] { self->send(std::move(response), head, http10); });
                      });
        } catch (...) {
            // Cannot hand the answer back: let the ticker close the connection.
            abandoned_.store(true);
        }
    }

    void reject(int status, std::string_view message) {
        server_->app.record_rejected(status);
        keep_alive_ = false;
        lingering_ = true;  // the client may still be sending: drain before closing so it reads the answer
        send(error_response(status, message), false, false);
    }

    static bool safe_header(std::string_view text) {
        return text.find_first_of("\r\n") == std::string_view::npos;
    }

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
                head_ += std::to_string(response.body_size());  // HEAD: the length GET would send
                head_ += "\r\n";
            }
            if (!keep_alive_)
                head_ += "Connection: close\r\n";
            else if (http10)
                head_ += "Connection: keep-alive\r\n";
            head_ += "\r\n";
            body_ = (bodiless || head) ? std::string() : std::move(response.body);
            file_.reset();
            if (response.file && !bodiless && !head) file_ = std::move(response.file);
        } catch (...) {
            log_exception("cannot build a response", "", std::current_exception());
            return close();
        }
        // From here the deadline covers the write: a client that never reads its answer is closed
        // when it passes, whatever is left unsent.
        state_ = State::writing;
        deadline_ = clock::now() + options().read_timeout;
        body_sent_ = std::min(body_.size(), kWritePiece);
        std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_.data(), body_sent_)};
        net::async_write(socket_, buffers, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->close();
            self->guard([&] { self->written(); });
        });
    }

    // After a write: the next piece of the body or of a file body, or the next request.
    void written() {
        if (body_sent_ < body_.size()) return write_body_piece();
        if (file_ && file_->length > 0) return write_file_piece();
        file_.reset();
        if (lingering_) return drain();
        if (!keep_alive_) return close();
        wait_for_request();
    }

    // A large body goes out in pieces too, each renewing the deadline: a slow but steady reader
    // (or a loaded machine) finishes, and one that stops reading is still closed after read_timeout.
    void write_body_piece() {
        const std::size_t n = std::min(body_.size() - body_sent_, kWritePiece);
        const auto piece = net::buffer(body_.data() + body_sent_, n);
        body_sent_ += n;
        deadline_ = clock::now() + options().read_timeout;
        net::async_write(socket_, piece, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->close();
            self->guard([&] { self->written(); });
        });
    }

    // A file body goes out in pieces read with pread (page cache speed; a large archive is never
    // held in memory). Each piece renews the deadline, so a slow but steady reader finishes.
    void write_file_piece() {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kWritePiece, file_->length));
        body_.resize(n);
        std::size_t got = 0;
        while (got < n) {
            const ssize_t r = ::pread(file_->file->fd(), body_.data() + got, n - got,
                                      static_cast<off_t>(file_->offset + got));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                // Truncated under us: the Content-Length promise cannot be kept; end the connection.
                log_warn("archive shorter than announced while sending it; connection closed");
                return close();
            }
            got += static_cast<std::size_t>(r);
        }
        file_->offset += n;
        file_->length -= n;
        body_sent_ = body_.size();  // body_ is this piece's buffer, written whole below
        deadline_ = clock::now() + options().read_timeout;
        net::async_write(socket_, net::buffer(body_),
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return self->close();
                             self->guard([&] { self->written(); });
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
        socket_.async_read_some(net::buffer(scratch_),
                                [self = shared_from_this(), budget](beast::error_code ec, std::size_t n) {
                                    if (ec || n >= budget) return self->close();
                                    self->guard([&] { self->drain_some(budget - n); });
                                });
    }

    void close() noexcept {
        if (state_ == State::closed) return;
        state_ = State::closed;
        set_idle(false);
        beast::error_code ec;
        try {
            timer_.cancel();
        } catch (...) {
        }
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
    }

    socket_type socket_;
    timer_type timer_;
    HttpServer::Impl* server_;
    std::string client_;         // client_key() of the peer: what the per-client cap counts
    beast::flat_buffer buffer_;  // bounded: header limit + read_buffer_slack
    std::optional<http::request_parser<http::string_body>> parser_;
    std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> chunk_header_;
    std::string head_;  // status line and headers of the response being written
    std::string body_;
    std::size_t body_sent_ = 0;  // bytes of body_ handed to the socket so far
    static constexpr std::size_t kWritePiece = 256u << 10;
    std::optional<FileSlice> file_;  // what is left of a file body being written
    std::string peer_address_;
    std::array<char, 4096> scratch_{};
    clock::time_point deadline_ = clock::time_point::max();
    std::chrono::milliseconds tick_{1000};
    State state_ = State::idle;
    unsigned served_ = 0;
    bool keep_alive_ = true;
    bool lingering_ = false;
    bool registered_ = false;
    std::atomic<bool> abandoned_{false};  // the blocking pool could not post its answer back
    std::atomic<bool> idle_{false};       // between keep-alive requests (may be evicted at the cap)
    std::atomic<clock_rep> idle_since_{0};
};

HttpServer::Impl::Admission HttpServer::Impl::admit(const std::shared_ptr<Session>& s,
                                                    const std::string& client) {
    std::shared_ptr<Session> victim;
    {
        std::lock_guard lock(mutex);
        auto& mine = per_client[client];
        if (options.max_connections_per_client && mine >= options.max_connections_per_client) {
            if (mine == 0) per_client.erase(client);
            return Admission::client_full;
        }
        if (sessions.size() >= options.max_connections + evictions_pending) {
            // Make room by closing the connection idle the longest, if any is idle; the new one is
            // let in at once (the count may exceed the cap by the evictions under way).
            if (idle_keepalive.load(std::memory_order_relaxed) <= evictions_pending) {
                if (mine == 0) per_client.erase(client);
                return Admission::server_full;
            }
            Session* oldest = nullptr;
            for (auto& [ptr, weak] : sessions)
                if (ptr->idle_keepalive() && (!oldest || ptr->idle_since() < oldest->idle_since()))
                    oldest = ptr;
            if (oldest) victim = sessions[oldest].lock();
            if (!victim) {
                if (mine == 0) per_client.erase(client);
                return Admission::server_full;
            }
        }
        sessions.emplace(s.get(), s);  // the only step here that can throw: before any count changes
        s->set_registered();
        ++mine;
        if (victim) ++evictions_pending;
    }
    if (victim) victim->evict_if_idle();
    return Admission::admitted;
}

void HttpServer::Impl::remove(Session* s, const std::string& client) {
    std::lock_guard lock(mutex);
    sessions.erase(s);
    if (auto it = per_client.find(client); it != per_client.end() && --it->second == 0) per_client.erase(it);
    changed.notify_all();
}

void HttpServer::Impl::on_accept(socket_type socket) {
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto peer = socket.remote_endpoint(ec);
    std::string peer_address = ec ? std::string() : peer.address().to_string();
    std::string client = ec ? std::string() : client_key(peer.address());
    auto session = std::make_shared<Session>(std::move(socket), this, std::move(client));
    const auto admission = admit(session, session->client());
    if (admission != Admission::admitted) {
        const auto n = refused.fetch_add(1) + 1;
        session->refuse();
        app.record_rejected(503);
        // One line per power of two, so a flood does not flood the log too.
        if ((n & (n - 1)) == 0)
            log_warn(std::string(admission == Admission::server_full ? "--max-connections"
                                                                     : "--max-connections-per-client") +
                     " reached; " + std::to_string(n) + " connections refused so far (latest from " +
                     peer_address + ")");
        return;
    }
    session->start(std::move(peer_address));
}

void HttpServer::Impl::accept() {
    try {
        acceptor.async_accept(net::make_strand(ioc), [self = this](beast::error_code ec, socket_type socket) {
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
            try {
                self->on_accept(std::move(socket));
            } catch (...) {  // e.g. std::bad_alloc: this connection is dropped (its socket closes), the
                             // server goes on
                log_exception("accepting a connection", "", std::current_exception());
            }
            self->accept();
        });
    } catch (...) {
        log_exception("accept", "", std::current_exception());
        try {
            retry.expires_after(std::chrono::milliseconds(50));
            retry.async_wait([self = this](beast::error_code) {
                if (!self->stopping.load()) self->accept();
            });
        } catch (...) {
        }
    }
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

std::string client_group(const std::string& address) {
    beast::error_code ec;
    auto parsed = net::ip::make_address(address, ec);
    return ec ? address : client_key(parsed);
}

HttpServer::HttpServer(HttpServerOptions options, App& app)
    : impl_(std::make_unique<Impl>(std::move(options), app)) {}

HttpServer::~HttpServer() { impl_->ioc.stop(); }

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
    if (ec)
        throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                                 ec.message());
    return acceptor.local_endpoint().port();
}

void HttpServer::run() {
    Impl* impl = impl_.get();
    std::optional<net::signal_set> signals;
    if (impl->options.handle_signals) {
        signals.emplace(impl->ioc, SIGINT, SIGTERM);
        signals->async_wait([impl](beast::error_code ec, int signal) {
            if (ec) return;
            log_info(std::string("received ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") +
                     ", shutting down");
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
                } catch (...) {
                    log_exception("worker", "", std::current_exception());
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
            log_warn(std::to_string(impl->sessions.size()) +
                     " connections still open at the shutdown deadline");
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

std::size_t HttpServer::refused_connections() const { return impl_->refused.load(); }

std::size_t HttpServer::open_connections() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->sessions.size();
}

}  // namespace crimemap::server
