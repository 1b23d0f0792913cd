#pragma once
// Keeps the server's snapshot in step with the database: a background thread that LISTENs on
// crimemap_dataset and also polls the dataset version, and calls `reload` whenever the database's
// version differs from the one last loaded (at start, after a refresh, after reconnecting).
// Connection failures, an empty database and failed loads are reported through `status` and
// retried; nothing here throws into the caller. start()/stop() from one thread; stop() cancels a
// load in progress and joins.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "store/pg.hpp"

namespace crimemap::store {

struct DatasetWatcherOptions {
    std::string database_url;
    std::chrono::milliseconds poll_interval{10000};
    std::chrono::milliseconds retry_delay{2000};  // after a connection or load failure
    std::string channel = "crimemap_dataset";
};

class DatasetWatcher {
public:
    // Loads the current dataset (`version` was just read) using `conn`, on the watcher thread, and
    // installs it; returns the version actually loaded (a refresh may have landed in between).
    // Throw to report a failure (it is retried).
    using ReloadFn = std::function<std::int64_t(Connection& conn, std::int64_t version)>;
    // State changes. `message` is short, fixed text safe to show anyone (/ready shows it): no SQL,
    // no PostgreSQL message, no credentials:
    //   "database unreachable at 127.0.0.1:5432"
    //   "schema missing: run crimemap migrate" / "schema out of date: run crimemap migrate"
    //   "no dataset yet: run crimemap refresh (or crimemap seed for the bundled sample)"
    //   "loading dataset version 3 failed (details in the server log)"
    //   "loading dataset version 3", "serving dataset version 3"
    // `detail` is what happened, for the server log (libpq's or the server's message); often empty.
    using StatusFn = std::function<void(const std::string& message, bool error, const std::string& detail)>;

    DatasetWatcher(DatasetWatcherOptions options, ReloadFn reload, StatusFn status = {});
    ~DatasetWatcher();
    DatasetWatcher(const DatasetWatcher&) = delete;
    DatasetWatcher& operator=(const DatasetWatcher&) = delete;

    void start();
    void stop();
    // Wakes the watcher to check the version now (as a NOTIFY would).
    void check_now();
    std::optional<std::int64_t> loaded_version() const;

private:
    void run();
    // Waits for a notification on `conn`, a wake-up or the poll interval; false when stopping.
    bool wait(Connection* conn, std::chrono::milliseconds timeout);
    void report(const std::string& message, bool error, const std::string& detail = {});

    DatasetWatcherOptions options_;
    ReloadFn reload_;
    StatusFn status_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    int wake_fd_ = -1;  // eventfd: stop() and check_now() interrupt the wait
    mutable std::mutex mutex_;
    PGcancel* cancel_ = nullptr;  // for the current connection, guarded by mutex_
    std::optional<std::int64_t> loaded_;
    std::string last_status_;
};

}  // namespace crimemap::store
