#include "store/api_pool.hpp"

namespace crimemap::store {

ApiPool::ApiPool(std::string url, std::size_t max_connections, int statement_timeout_ms)
    : url_(std::move(url)), max_(std::max<std::size_t>(1, max_connections)), timeout_ms_(statement_timeout_ms) {}

std::unique_ptr<Connection> ApiPool::acquire() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
    }
    ++open_;
    lock.unlock();
    try {
        auto c = std::make_unique<Connection>(url_);
        c->exec("SET statement_timeout = " + std::to_string(timeout_ms_));
        return c;
    } catch (...) {
        std::lock_guard relock(mutex_);
        --open_;
        cv_.notify_one();
        throw;
    }
}

void ApiPool::release(std::unique_ptr<Connection> conn, bool healthy) {
    std::lock_guard lock(mutex_);
    if (healthy && conn && PQstatus(conn->raw()) == CONNECTION_OK && PQtransactionStatus(conn->raw()) == PQTRANS_IDLE)
        idle_.push_back(std::move(conn));
    else
        --open_;
    cv_.notify_one();
}

}  // namespace crimemap::store
