#pragma once
// Keeps the server's snapshot in step with the database: a background thread that LISTENs on
// crimemap_dataset (unless options.listen is off) and also polls the dataset version, and calls
// `reload` whenever the database's version differs from the one last loaded (at start, after a
// refresh, after reconnecting). Connection failures and an empty database are reported through
// `status` and retried every retry_delay. A version that fails to load (its data or the schema,
// not the connection) is retried with exponential backoff, load_retry_initial doubling up to
// load_retry_max, starting afresh when the database's version changes; the loaded snapshot keeps
// serving meanwhile. Version checks and connecting are bounded by check_timeout on the client
// side, so a frozen server is reported rather than waited on. Nothing here throws into the caller.
//
// Replicas: a hot standby cannot LISTEN, so on a standby (pg_is_in_recovery()) the watcher does
// not try; with notify_url (the primary) it LISTENs there instead. Versions are only ever read
// from, and loaded from, database_url: a NOTIFY for version N (or N read from the primary when
// the LISTEN connection is made) only makes the watcher check database_url every
// catch_up_interval until it has replayed N, so a server never loads a version its replica does
// not have yet. Trouble with the notify connection is logged and retried; polling goes on.
// start()/stop() from one thread; stop() abandons a query in progress at once and joins.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "store/pg.hpp"

namespace crimemap::store {

struct DatasetWatcherOptions {
    std::string database_url;
    std::chrono::milliseconds poll_interval{10000};
    std::chrono::milliseconds retry_delay{2000};  // after a connection failure
    std::string channel = "crimemap_dataset";
    bool listen = true;  // LISTEN on channel; false: the poll alone notices new versions
    // LISTEN here rather than on database_url (the primary of a replica); empty: database_url,
    // unless it is a standby. Its versions are never loaded, only awaited on database_url.
    std::string notify_url;
    std::chrono::milliseconds catch_up_interval{250};    // checks while database_url lags a notified version
    std::chrono::milliseconds catch_up_limit{300000};    // then back to poll_interval (logged)
    std::chrono::milliseconds check_timeout{10000};      // connecting and each version check; 0 = none
    std::chrono::milliseconds load_timeout{0};           // each statement of a load (client side); 0 = none
    std::chrono::milliseconds load_retry_initial{2000};  // a version that failed: first retry after this,
    std::chrono::milliseconds load_retry_max{300000};    // doubling up to this
};

// The dataset version that last failed to load (cleared once a load succeeds).
struct DatasetLoadFailure {
    std::int64_t version = 0;
    std::string reason;  // short and safe to show anyone, e.g. "permission denied (SQLSTATE 42501)"
    int attempts = 0;    // consecutive failures of this version
    std::chrono::milliseconds next_attempt_in{0};
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
    //   "loading dataset version 3 failed: permission denied (SQLSTATE 42501); next attempt in 4 s"
    //   "serving dataset version 2; version 3 failed: ...; next attempt in 4 s"
    //   "loading dataset version 3", "serving dataset version 3"
    // While a version is served, failures are prefixed with "serving dataset version N; ".
    // `detail` is what happened, for the server log (libpq's or the server's message); often empty.
    using StatusFn = std::function<void(const std::string& message, bool error, const std::string& detail)>;
    // For the server log only (not /ready): the notify connection's state, a standby noticed.
    using LogFn = std::function<void(const std::string& message, bool warning)>;

    DatasetWatcher(DatasetWatcherOptions options, ReloadFn reload, StatusFn status = {}, LogFn log = {});
    ~DatasetWatcher();
    DatasetWatcher(const DatasetWatcher&) = delete;
    DatasetWatcher& operator=(const DatasetWatcher&) = delete;

    void start();
    void stop();
    // Wakes the watcher to check the version now (as a NOTIFY would).
    void check_now();
    std::optional<std::int64_t> loaded_version() const;
    std::optional<DatasetLoadFailure> load_failure() const;

    // The public reason for a failed load (see StatusFn): SQLSTATE class in words, no server text.
    static std::string safe_reason(const PgError& e);

  private:
    void run();
    // Waits for a notification on `conn`, a wake-up or the poll interval; false when stopping.
    bool wait(Connection* conn, std::chrono::milliseconds timeout);
    void report(const std::string& message, bool error, const std::string& detail = {});
    // The notify connection (watcher thread only): (re)connects when due, drains notifications
    // into awaited_; never throws (trouble is logged and retried after retry_delay).
    void tend_notify_connection();
    void drain_notifications();
    void note_version(std::int64_t version);  // a version the primary has: await it on database_url
    void log(const std::string& message, bool warning);

    DatasetWatcherOptions options_;
    ReloadFn reload_;
    StatusFn status_;
    LogFn log_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    void load_failed(std::int64_t version, const std::string& reason, const std::string& detail);

    int wake_fd_ = -1;  // eventfd: stop() and check_now() interrupt the wait
    int stop_fd_ = -1;  // eventfd: stop() abandons a statement or connect in progress
    mutable std::mutex mutex_;
    std::optional<std::int64_t> loaded_;
    std::optional<DatasetLoadFailure> failure_;         // guarded by mutex_
    std::chrono::steady_clock::time_point retry_at_{};  // watcher thread only
    std::string failure_message_, failure_detail_;      // watcher thread only: the last load failure
    std::string last_status_;
    // Watcher thread only: the LISTEN connection to notify_url, when it may be retried, the
    // version it announced that database_url has not replayed yet, and since when.
    std::unique_ptr<Connection> notify_;
    std::chrono::steady_clock::time_point notify_retry_at_{};
    std::string notify_state_;
    std::optional<std::int64_t> awaited_;
    std::chrono::steady_clock::time_point awaited_since_{};
    bool standby_ = false;
    std::string standby_state_;
};

}  // namespace crimemap::store
