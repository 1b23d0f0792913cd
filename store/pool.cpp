#include "store/pool.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

namespace crimemap::store {

namespace {
// An idle connection has nothing to read: readable (or hung up) means the server sent something
// unasked, nearly always its goodbye (FATAL 57P01 and EOF after pg_terminate_backend, a restart or
// an idle timeout). Such a connection is replaced rather than trusted.
bool still_good(Connection& c) {
    PGconn* raw = c.raw();
    if (PQstatus(raw) != CONNECTION_OK || PQtransactionStatus(raw) != PQTRANS_IDLE) return false;
    pollfd p{PQsocket(raw), POLLIN, 0};
    if (p.fd < 0) return false;
    return ::poll(&p, 1, 0) == 0;
}
}  // namespace

ConnectionPool::ConnectionPool(PoolOptions options) : options_(std::move(options)) {
    options_.max_connections = std::max<std::size_t>(1, options_.max_connections);
    interrupt_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (interrupt_fd_ < 0) throw PgError("eventfd failed");
}

ConnectionPool::~ConnectionPool() {
    {
        std::lock_guard lock(mutex_);
        idle_.clear();
    }
    ::close(interrupt_fd_);
}

void ConnectionPool::interrupt() noexcept {
    {
        std::lock_guard lock(mutex_);
        interrupted_ = true;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(interrupt_fd_, &one, sizeof one);  // never read: stays readable
    freed_.notify_all();
}

Clock::time_point ConnectionPool::begin_call() {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    auto deadline = now + call_budget();
    if (unresponsive_) {
        if (now < next_probe_)
            throw PgError("the database did not answer lately; failing fast until a probe gets an answer",
                          "08006", true);
        next_probe_ = now + options_.probe_interval;
        deadline = std::min(deadline, now + options_.probe_interval);
    }
    return deadline;
}

void ConnectionPool::mark_unresponsive() noexcept {
    if (!unresponsive_) next_probe_ = Clock::now() + options_.probe_interval;
    unresponsive_ = true;
}

std::chrono::milliseconds ConnectionPool::call_budget() const {
    return std::max(options_.acquire_timeout, options_.statement_timeout) + options_.client_grace;
}

std::size_t ConnectionPool::open_connections() const {
    std::lock_guard lock(mutex_);
    return open_;
}

std::unique_ptr<Connection> ConnectionPool::acquire(Clock::time_point call_deadline) {
    std::unique_lock lock(mutex_);
    const auto deadline = std::min(call_deadline, Clock::now() + options_.acquire_timeout);
    const bool got = freed_.wait_until(
        lock, deadline, [&] { return interrupted_ || !idle_.empty() || open_ < options_.max_connections; });
    if (interrupted_) throw PgError("the server is shutting down", "57P01", true);
    if (!got)
        throw PoolTimeout("no free database connection within " +
                          std::to_string(options_.acquire_timeout.count()) + " ms (all " +
                          std::to_string(options_.max_connections) + " in use)");
    std::vector<std::unique_ptr<Connection>> stale;  // closed outside the lock
    while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        if (still_good(*c)) return c;
        stale.push_back(std::move(c));
        --open_;
    }
    ++open_;  // this slot is ours while we connect
    lock.unlock();
    stale.clear();
    try {
        return open(call_deadline);
    } catch (const PgError& e) {
        lock.lock();
        --open_;
        if (e.unresponsive) mark_unresponsive();
        freed_.notify_one();
        throw;
    } catch (...) {
        lock.lock();
        --open_;
        freed_.notify_one();
        throw;
    }
}

std::unique_ptr<Connection> ConnectionPool::open(Clock::time_point call_deadline) {
    ConnectOptions o;
    o.application_name = options_.application_name;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(call_deadline - Clock::now());
    o.connect_timeout = std::max(
        std::chrono::milliseconds(1),
        std::min(left, std::chrono::milliseconds(1000LL * std::max(1, options_.connect_timeout_seconds))));
    o.network_timeout = options_.statement_timeout.count() > 0
                            ? options_.statement_timeout + options_.client_grace
                            : std::chrono::milliseconds(10000);
    o.interrupt_fd = interrupt_fd_;
    auto c = std::make_unique<Connection>(options_.url, o);
    if (options_.statement_timeout.count() > 0) {
        // The server's own timeout fires first and keeps the connection; the client's is the
        // backstop for a server that cannot answer at all.
        c->set_query_timeout(options_.statement_timeout + options_.client_grace);
        c->set_deadline(call_deadline);
        c->exec("SET statement_timeout = " + std::to_string(options_.statement_timeout.count()));
    }
    return c;
}

void ConnectionPool::release(std::unique_ptr<Connection> conn) noexcept {
    const bool reusable = conn && conn->usable() && PQtransactionStatus(conn->raw()) == PQTRANS_IDLE;
    if (conn) conn->set_deadline(std::nullopt);
    {
        std::lock_guard lock(mutex_);
        if (conn && conn->gave_up())
            mark_unresponsive();
        else if (reusable)
            unresponsive_ = false;  // it answered: stop failing fast
        if (reusable)
            idle_.push_back(std::move(conn));
        else
            --open_;
    }
    freed_.notify_one();
    // A broken connection (if any) closes here, outside the lock.
}

core::DatabaseError::Kind ConnectionPool::classify(const PgError& e) noexcept {
    using Kind = core::DatabaseError::Kind;
    if (dynamic_cast<const PoolTimeout*>(&e)) return Kind::busy;
    const std::string& s = e.sqlstate;
    if (e.connection_lost || s.starts_with("08")) return Kind::unavailable;  // connection exceptions
    if (s == "57P01" || s == "57P02" || s == "57P03")
        return Kind::unavailable;                            // shutdown, crash, starting up
    if (s == "57014" || s == "55P03") return Kind::timeout;  // statement timeout / cancel, lock_not_available
    if (s.starts_with("53") || s == "40001" || s == "40P01")
        return Kind::busy;  // resources, serialization, deadlock
    return Kind::failed;
}

core::DatabaseError ConnectionPool::to_database_error(std::string_view what, const PgError& e) {
    std::string message(what);
    message += ": ";
    message += e.what();
    if (!e.sqlstate.empty()) message += " (SQLSTATE " + e.sqlstate + ")";
    return core::DatabaseError(classify(e), message);
}

}  // namespace crimemap::store
