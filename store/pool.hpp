#pragma once
// The one pool of libpq connections used at request time: the JSON APIs' queries (crime listings,
// meeting-pack outcomes, team writes) and the postgis tile engine each own one. Bounded in every
// direction: connections open lazily up to max_connections, each runs with a statement_timeout,
// waiting for a free one gives up after acquire_timeout (PoolTimeout), and connecting gives up
// after connect_timeout. A connection the server closed while it sat idle (restart,
// pg_terminate_backend, idle timeout) is noticed before reuse and replaced by a fresh one; one that
// breaks during a query is dropped when it comes back. Thread-safe.
//
// A hung or vanished server costs a call at most max(acquire_timeout, statement_timeout) +
// client_grace: every with() gets that deadline, which bounds its wait for a connection, its
// connecting (asynchronous) and each of its statements; a statement that has no answer by then
// (statement_timeout + client_grace, or the call's deadline) is cancelled from the client and its
// connection dropped (PgError 57014, connection_lost: 503). TCP keepalives and tcp_user_timeout
// (from statement_timeout) notice a dead host under idle connections. interrupt() makes every
// call in progress and later fail at once (used at shutdown).
//
// Once the server failed to answer in time (a statement abandoned, a connect timed out), the pool
// stops queueing callers behind it: until a call succeeds again, one call per probe_interval
// probes the server with a budget of probe_interval, and the others fail at once (unavailable).
// So requests queued behind the first victims answer 503 at once instead of waiting their turn.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/database_error.hpp"
#include "store/pg.hpp"

namespace crimemap::store {

struct PoolOptions {
    std::string url;
    std::size_t max_connections = 4;
    std::chrono::milliseconds statement_timeout{3000};  // SET statement_timeout on each connection; 0 = none
    std::chrono::milliseconds acquire_timeout{3000};    // waiting for a free connection
    int connect_timeout_seconds = 5;             // connecting, at most (also capped by the call's deadline)
    std::string application_name = "crimemapd";  // in pg_stat_activity (the URL may override it)
    // How long past statement_timeout the client waits for the server's own timeout error before
    // it cancels and drops the connection itself (a frozen or unreachable server never answers).
    std::chrono::milliseconds client_grace{500};
    std::chrono::milliseconds probe_interval{1000};  // see the header comment
};

// Thrown by the pool when no connection freed up within acquire_timeout.
struct PoolTimeout : PgError {
    explicit PoolTimeout(const std::string& message) : PgError(message, "", false) {}
};

class ConnectionPool {
  public:
    explicit ConnectionPool(PoolOptions options);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // Runs fn(Connection&) on a pooled connection and returns what it returns. Exceptions pass
    // through unchanged (PoolTimeout and connection failures are PgErrors too); the connection
    // goes back to the pool only when it is still connected and outside a transaction.
    template <class F>
    decltype(auto) with(F&& fn) {
        const auto deadline = begin_call();
        Lease lease(*this, acquire(deadline), deadline);
        return std::forward<F>(fn)(*lease.conn);
    }

    // The same for request-time callers: a PgError becomes a core::DatabaseError (busy, timeout,
    // unavailable or failed) whose log message starts with `what`.
    template <class F>
    decltype(auto) run(std::string_view what, F&& fn) {
        try {
            return with(std::forward<F>(fn));
        } catch (const PgError& e) {
            throw to_database_error(what, e);
        }
    }

    const PoolOptions& options() const { return options_; }
    std::size_t open_connections() const;  // idle + in use

    // From now on every wait, connect and statement of this pool gives up at once (PgError,
    // unavailable). Thread-safe; for shutdown, when in-flight requests have had their grace.
    void interrupt() noexcept;
    // The longest a with() call can take against a server that never answers.
    std::chrono::milliseconds call_budget() const;

    // How a database failure looks to clients (see core/database_error.hpp).
    static core::DatabaseError::Kind classify(const PgError& e) noexcept;
    static core::DatabaseError to_database_error(std::string_view what, const PgError& e);

  private:
    struct Lease {
        Lease(ConnectionPool& p, std::unique_ptr<Connection> c, Clock::time_point deadline)
            : pool(p), conn(std::move(c)) {
            if (p.options_.statement_timeout.count() > 0)
                conn->set_deadline(deadline);  // 0: no bound on statements
        }
        ~Lease() { pool.release(std::move(conn)); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ConnectionPool& pool;
        std::unique_ptr<Connection> conn;
    };

    // The call's deadline; throws PgError (unavailable) while the server is known not to answer
    // and it is not this call's turn to probe.
    Clock::time_point begin_call();
    void mark_unresponsive() noexcept;  // caller holds mutex_
    std::unique_ptr<Connection> acquire(Clock::time_point deadline);
    void release(std::unique_ptr<Connection> conn) noexcept;
    std::unique_ptr<Connection> open(Clock::time_point deadline);

    PoolOptions options_;
    int interrupt_fd_ = -1;           // eventfd, readable after interrupt(); owned
    bool interrupted_ = false;        // guarded by mutex_
    bool unresponsive_ = false;       // guarded by mutex_: the server did not answer in time lately
    Clock::time_point next_probe_{};  // guarded by mutex_
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::size_t open_ = 0;  // idle + in use + being opened
};

}  // namespace crimemap::store
