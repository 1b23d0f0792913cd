#include "store/api_key_refresher.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace crimemap::store {

namespace {
// Reading a few dozen key rows: anything slower means the server is stuck, not busy.
constexpr std::chrono::milliseconds key_query_timeout{5000};
}  // namespace

core::ApiKeyMap load_api_keys(Connection& conn) {
    auto r = conn.query("SELECT id, key_hash, name, rate, burst FROM api_keys WHERE revoked_at IS NULL");
    core::ApiKeyMap keys;
    for (int i = 0; i < r.size(); ++i) {
        core::ApiKey k;
        k.id = r.int64(i, 0);
        k.name = std::string(r.text(i, 2));
        k.rate = r.float64(i, 3);
        k.burst = r.float64(i, 4);
        keys.emplace(std::string(r.text(i, 1)), std::move(k));
    }
    return keys;
}

ApiKeyRefresher::ApiKeyRefresher(std::string database_url, std::chrono::milliseconds interval,
                                 core::ApiKeyDirectory& directory, LogFn log)
    : url_(std::move(database_url)), interval_(interval), directory_(directory), log_(std::move(log)) {}

ApiKeyRefresher::~ApiKeyRefresher() {
    stop();
    if (stop_fd_ >= 0) ::close(stop_fd_);
}

void ApiKeyRefresher::start() {
    if (thread_.joinable()) return;
    if (stop_fd_ < 0) {
        stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (stop_fd_ < 0) throw std::runtime_error("eventfd failed");
    }
    thread_ = std::thread([this] { run(); });
}

void ApiKeyRefresher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    // Not PQcancel: against a frozen server it blocks too. The connection gives up at once instead.
    if (stop_fd_ >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one);
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ApiKeyRefresher::refresh_now() {
    {
        std::lock_guard lock(mutex_);
        poke_ = true;
    }
    wake_.notify_all();
}

void ApiKeyRefresher::refresh_once() {
    std::string state;
    bool error = false;
    try {
        if (!conn_) {
            ConnectOptions o;
            o.application_name = "crimemapd-keys";
            o.connect_timeout = key_query_timeout;
            o.network_timeout = key_query_timeout;
            o.interrupt_fd = stop_fd_;
            auto conn = std::make_unique<Connection>(url_, o);
            conn->set_query_timeout(key_query_timeout);
            conn->exec("SET statement_timeout = 5000");
            conn_ = std::move(conn);
        }
        auto keys = load_api_keys(*conn_);
        state = "portal API keys loaded: " + std::to_string(keys.size()) + " live";
        directory_.replace(std::move(keys));
    } catch (const PgError& e) {
        // The previous keys stay in use. An unmigrated database (no api_keys table) has no keys.
        if (e.sqlstate == "42P01") {
            directory_.replace({});
            state = "portal API keys: table api_keys missing (run crimemap migrate)";
        } else {
            state = std::string("portal API keys not refreshed (previous set kept): ") + e.what();
        }
        error = true;
        conn_.reset();
    } catch (const std::exception& e) {
        state = std::string("portal API keys not refreshed (previous set kept): ") + e.what();
        error = true;
    }
    for (auto& c : state)
        if (c == '\n') c = ' ';
    if (state != last_state_ && log_) log_(state, error);
    last_state_ = state;
}

void ApiKeyRefresher::run() {
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        refresh_once();
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, interval_, [&] { return stopping_ || poke_; });
        poke_ = false;
        if (stopping_) break;
    }
    conn_.reset();
}

}  // namespace crimemap::store
