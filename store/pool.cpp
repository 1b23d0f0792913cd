#include "store/pool.hpp"

#include <poll.h>

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
}

std::size_t ConnectionPool::open_connections() const {
    std::lock_guard lock(mutex_);
    return open_;
}

std::unique_ptr<Connection> ConnectionPool::acquire() {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    if (!freed_.wait_until(lock, deadline, [&] { return !idle_.empty() || open_ < options_.max_connections; }))
        throw PoolTimeout("no free database connection within " + std::to_string(options_.acquire_timeout.count()) +
                          " ms (all " + std::to_string(options_.max_connections) + " in use)");
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
        return open();
    } catch (...) {
        lock.lock();
        --open_;
        freed_.notify_one();
        throw;
    }
}

std::unique_ptr<Connection> ConnectionPool::open() {
    auto c = std::make_unique<Connection>(options_.url, options_.application_name, options_.connect_timeout_seconds);
    if (options_.statement_timeout.count() > 0)
        c->exec("SET statement_timeout = " + std::to_string(options_.statement_timeout.count()));
    return c;
}

void ConnectionPool::release(std::unique_ptr<Connection> conn) noexcept {
    const bool reusable = conn && PQstatus(conn->raw()) == CONNECTION_OK && PQtransactionStatus(conn->raw()) == PQTRANS_IDLE;
    {
        std::lock_guard lock(mutex_);
        if (reusable) idle_.push_back(std::move(conn));
        else --open_;
    }
    freed_.notify_one();
    // A broken connection (if any) closes here, outside the lock.
}

core::DatabaseError::Kind ConnectionPool::classify(const PgError& e) noexcept {
    using Kind = core::DatabaseError::Kind;
    if (dynamic_cast<const PoolTimeout*>(&e)) return Kind::busy;
    const std::string& s = e.sqlstate;
    if (e.connection_lost || s.starts_with("08")) return Kind::unavailable;  // connection exceptions
    if (s == "57P01" || s == "57P02" || s == "57P03") return Kind::unavailable;  // shutdown, crash, starting up
    if (s == "57014" || s == "55P03") return Kind::timeout;  // statement timeout / cancel, lock_not_available
    if (s.starts_with("53") || s == "40001" || s == "40P01") return Kind::busy;  // resources, serialization, deadlock
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
