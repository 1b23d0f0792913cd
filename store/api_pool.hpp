#pragma once
// A small pool of libpq connections for the request-time queries of the JSON APIs (crime listings,
// team writes). Each connection runs with a statement timeout so no request waits long on the
// database; a connection that failed is dropped instead of being reused. Thread-safe.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/pg.hpp"

namespace crimemap::store {

class ApiPool {
public:
    // max_connections are opened lazily; statement_timeout_ms applies to every statement.
    ApiPool(std::string url, std::size_t max_connections, int statement_timeout_ms);

    // Runs fn(Connection&) on a pooled connection. Rethrows fn's exceptions (the connection is
    // discarded when it threw PgError).
    template <class F>
    auto with(F&& fn) {
        auto conn = acquire();
        try {
            auto result = fn(*conn);
            release(std::move(conn), true);
            return result;
        } catch (const PgError&) {
            release(std::move(conn), false);
            throw;
        } catch (...) {
            release(std::move(conn), true);
            throw;
        }
    }

private:
    std::unique_ptr<Connection> acquire();
    void release(std::unique_ptr<Connection> conn, bool healthy);
    std::string url_;
    std::size_t max_;
    int timeout_ms_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::size_t open_ = 0;
};

}  // namespace crimemap::store
