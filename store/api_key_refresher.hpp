#pragma once
// Keeps core::ApiKeyDirectory in step with the api_keys table: a background thread reads the live
// keys (hash, name, rate, burst; never a plain key) every `interval` and on refresh_now(), and
// installs them whole. Requests never wait on it: on a failure the previous keys stay in use and
// the thread retries at the next interval. Every connect and statement has a client-side deadline
// (a frozen server costs at most that), and stop() abandons one in flight at once, then joins:
// start()/stop() from one thread.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/api_keys.hpp"
#include "store/pg.hpp"

namespace crimemap::store {

// The live (not revoked) keys. Throws PgError.
core::ApiKeyMap load_api_keys(Connection& conn);

class ApiKeyRefresher {
  public:
    // log(message, error): one line per state change (loaded N keys / failed: reason).
    using LogFn = std::function<void(const std::string& message, bool error)>;
    ApiKeyRefresher(std::string database_url, std::chrono::milliseconds interval,
                    core::ApiKeyDirectory& directory, LogFn log = {});
    ~ApiKeyRefresher();
    ApiKeyRefresher(const ApiKeyRefresher&) = delete;
    ApiKeyRefresher& operator=(const ApiKeyRefresher&) = delete;

    void start();
    void stop();
    void refresh_now();  // wakes the thread (e.g. after a dataset reload)

  private:
    void run();
    void refresh_once();

    std::string url_;
    std::chrono::milliseconds interval_;
    core::ApiKeyDirectory& directory_;
    LogFn log_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool poke_ = false;
    int stop_fd_ = -1;                  // eventfd: readable after stop(); interrupts a connect or statement
    std::unique_ptr<Connection> conn_;  // used by the thread only
    std::string last_state_;
};

}  // namespace crimemap::store
