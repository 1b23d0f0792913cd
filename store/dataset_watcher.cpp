#include "store/dataset_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <stdexcept>

#include "store/snapshot_loader.hpp"

namespace crimemap::store {

DatasetWatcher::DatasetWatcher(DatasetWatcherOptions options, ReloadFn reload, StatusFn status, LogFn log)
    : options_(std::move(options)),
      reload_(std::move(reload)),
      status_(std::move(status)),
      log_(std::move(log)) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0 || stop_fd_ < 0) throw std::runtime_error("eventfd failed");
}

DatasetWatcher::~DatasetWatcher() {
    stop();
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
}

void DatasetWatcher::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    std::uint64_t v;
    [[maybe_unused]] auto n = ::read(stop_fd_, &v, sizeof v);  // a previous stop() left it readable
    thread_ = std::thread([this] { run(); });
}

void DatasetWatcher::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    check_now();
    // Abandons a query or connect in progress (a long snapshot load, a frozen server): the
    // connection is dropped and its cancel sent from a background thread, since PQcancel itself
    // blocks against a server that does not run.
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one);
    thread_.join();
}

void DatasetWatcher::check_now() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

std::optional<std::int64_t> DatasetWatcher::loaded_version() const {
    std::lock_guard lock(mutex_);
    return loaded_;
}

std::optional<DatasetLoadFailure> DatasetWatcher::load_failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
}

void DatasetWatcher::report(const std::string& message, bool error, const std::string& detail) {
    std::string shown = message;
    {
        std::lock_guard lock(mutex_);
        // Whoever reads /ready while an old version serves should know it still does.
        if (error && loaded_ && !message.starts_with("serving dataset version"))
            shown = "serving dataset version " + std::to_string(*loaded_) + "; " + message;
        std::string state = shown + '\n' + detail;
        if (state == last_status_) return;  // say each state once, not every poll
        last_status_ = std::move(state);
    }
    if (status_) status_(shown, error, detail);
}

namespace {
bool connection_trouble(const PgError& e) {
    return e.connection_lost || e.sqlstate.starts_with("08") || e.sqlstate.starts_with("57P");
}

// The public text for a failure (see StatusFn): what to do about it, never the server's message.
std::string describe_failure(const PgError& e, const std::string& url) {
    const std::string& state = e.sqlstate;
    if (connection_trouble(e)) return "database unreachable at " + server_address(url);
    if (state == "42P01" || state == "3F000")  // dataset_versions (or its schema) does not exist
        return "schema missing: run crimemap migrate";
    if (state == "42501") return "permission denied reading dataset_versions (SQLSTATE 42501)";
    if (state.starts_with("42"))  // undefined column or function: the schema predates this binary
        return "schema out of date: run crimemap migrate";
    return "database error (details in the server log)";
}

std::string seconds_text(std::chrono::milliseconds d) {
    const long long s = (d.count() + 999) / 1000;
    return std::to_string(s) + " s";
}
}  // namespace

std::string DatasetWatcher::safe_reason(const PgError& e) {
    const std::string& s = e.sqlstate;
    // SQLSTATEs are standard codes, safe to show; the server's text may quote data or SQL.
    const std::string code = s.empty() ? std::string() : " (SQLSTATE " + s + ")";
    if (connection_trouble(e)) return "database unreachable" + code;
    if (s == "42501") return "permission denied" + code;
    if (s.starts_with("42")) return "schema out of date, run crimemap migrate" + code;
    if (s.starts_with("22") || s.starts_with("23")) return "invalid data in the database" + code;
    if (s == "57014") return "query cancelled or timed out" + code;
    if (s.starts_with("53")) return "the database ran out of resources" + code;
    return "database error" + code;
}

void DatasetWatcher::load_failed(std::int64_t version, const std::string& reason, const std::string& detail) {
    DatasetLoadFailure f;
    {
        std::lock_guard lock(mutex_);
        if (failure_ && failure_->version == version) {
            f = *failure_;
            f.next_attempt_in = std::min(options_.load_retry_max, f.next_attempt_in * 2);
        } else {
            f.version = version;
            f.next_attempt_in = std::min(options_.load_retry_max, options_.load_retry_initial);
        }
        f.reason = reason;
        ++f.attempts;
        failure_ = f;
    }
    retry_at_ = std::chrono::steady_clock::now() + f.next_attempt_in;
    const std::string text = std::to_string(version) + " failed: " + reason + "; next attempt in " +
                             seconds_text(f.next_attempt_in);
    // report() prefixes "serving dataset version N; " while an older one serves.
    failure_message_ = loaded_version() ? "version " + text : "loading dataset version " + text;
    failure_detail_ = detail;
    report(failure_message_, true, detail);
}

bool DatasetWatcher::wait(Connection* conn, std::chrono::milliseconds timeout) {
    // A negative fd is ignored by poll(): a missing connection simply is not watched.
    pollfd fds[3] = {{wake_fd_, POLLIN, 0},
                     {conn ? conn->socket() : -1, POLLIN, 0},
                     {notify_ ? notify_->socket() : -1, POLLIN, 0}};
    int rc = ::poll(fds, 3, static_cast<int>(std::max<long long>(0, timeout.count())));
    if (rc > 0 && (fds[0].revents & POLLIN)) {
        std::uint64_t v;
        [[maybe_unused]] auto n = ::read(wake_fd_, &v, sizeof v);
    }
    // Drained here, so that a pending notification cannot make every later wait return at once.
    if (rc > 0 && fds[2].revents != 0) drain_notifications();
    return !stopping_.load();
}

void DatasetWatcher::log(const std::string& message, bool warning) {
    if (log_) log_(message, warning);
}

void DatasetWatcher::note_version(std::int64_t version) {
    if (loaded_version() >= version || (awaited_ && *awaited_ >= version)) return;
    if (!awaited_) awaited_since_ = std::chrono::steady_clock::now();
    awaited_ = version;
}

void DatasetWatcher::drain_notifications() {
    if (!notify_) return;
    for (const auto& n : notify_->notifications()) {
        // refresh sends the new version as the payload; anything else is just a wake-up.
        const auto& p = n.payload;
        if (!p.empty() && p.size() < 19 &&
            std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
            note_version(std::stoll(p));
    }
    if (!notify_->usable()) {
        notify_.reset();
        notify_state_ = "lost";
        log("lost the LISTEN connection to " + server_address(options_.notify_url) + "; polling every " +
                seconds_text(options_.poll_interval) + " until it is back",
            true);
        notify_retry_at_ = std::chrono::steady_clock::now() + options_.retry_delay;
    }
}

void DatasetWatcher::tend_notify_connection() {
    if (options_.notify_url.empty() || !options_.listen) return;
    if (notify_) return drain_notifications();
    if (std::chrono::steady_clock::now() < notify_retry_at_) return;
    try {
        ConnectOptions o;
        o.application_name = "crimemapd-notify";
        o.connect_timeout = options_.check_timeout;
        o.network_timeout = options_.check_timeout;
        o.interrupt_fd = stop_fd_;
        auto c = std::make_unique<Connection>(options_.notify_url, o);
        c->set_query_timeout(options_.check_timeout);
        c->exec("LISTEN " + options_.channel);
        // Notifications sent while we were not listening are lost: the primary's version now
        // stands in for them.
        const auto version = current_dataset_version(*c);
        notify_ = std::move(c);
        if (notify_state_ != "up")
            log("listening for new dataset versions on " + server_address(options_.notify_url), false);
        notify_state_ = "up";
        if (version) note_version(*version);
    } catch (const std::exception& e) {
        if (stopping_.load()) return;
        notify_.reset();
        notify_retry_at_ = std::chrono::steady_clock::now() + options_.retry_delay;
        if (notify_state_ != "down")
            log("cannot LISTEN on " + server_address(options_.notify_url) + " (" + e.what() +
                    "); polling every " + seconds_text(options_.poll_interval) + ", retrying every " +
                    seconds_text(options_.retry_delay),
                true);
        notify_state_ = "down";
    }
}

void DatasetWatcher::run() {
    std::unique_ptr<Connection> conn;
    while (!stopping_.load()) {
        try {
            if (!conn) {
                ConnectOptions o;
                o.application_name = "crimemapd-watcher";
                o.connect_timeout = options_.check_timeout;
                o.network_timeout = options_.check_timeout;
                o.interrupt_fd = stop_fd_;
                conn = std::make_unique<Connection>(options_.database_url, o);
                conn->set_query_timeout(options_.check_timeout);
                // A hot standby refuses LISTEN ("cannot execute LISTEN during recovery").
                standby_ = conn->query("SELECT pg_is_in_recovery()").text(0, 0) == std::string("t");
                const std::string state =
                    standby_ ? (options_.notify_url.empty() ? "standby" : "standby+notify") : "";
                if (state != standby_state_ && standby_)
                    log(server_address(options_.database_url) + " is a hot standby: " +
                            (options_.notify_url.empty() || !options_.listen
                                 ? "new versions are noticed by polling it every " +
                                       seconds_text(options_.poll_interval) +
                                       " (set --notify-url to its primary to hear of them at once)"
                                 : "LISTENing on " + server_address(options_.notify_url) +
                                       " instead, loading each version once the standby has replayed it"),
                        false);
                standby_state_ = state;
                if (options_.listen && options_.notify_url.empty() && !standby_)
                    conn->exec("LISTEN " + options_.channel);
            }
            conn->notifications();  // drain: we check the version anyway
            tend_notify_connection();
            auto version = current_dataset_version(*conn);
            auto next_check = options_.poll_interval;
            if (!options_.notify_url.empty() && options_.listen && !notify_)
                next_check =
                    std::min(next_check, std::max(std::chrono::milliseconds(1),
                                                  std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      notify_retry_at_ - std::chrono::steady_clock::now())));
            if (awaited_ && version && *version >= *awaited_) awaited_.reset();
            if (awaited_ && std::chrono::steady_clock::now() - awaited_since_ > options_.catch_up_limit) {
                log(server_address(options_.database_url) + " has not replayed dataset version " +
                        std::to_string(*awaited_) + " within " + seconds_text(options_.catch_up_limit) +
                        "; back to polling every " + seconds_text(options_.poll_interval),
                    true);
                awaited_.reset();
            }
            if (awaited_) next_check = std::min(next_check, options_.catch_up_interval);
            if (!version) {
                report("no dataset yet: run crimemap refresh (or crimemap seed for the bundled sample)",
                       true);
            } else if (version == loaded_version()) {
                // e.g. back after an outage; or a version announced by the primary is on its way
                report("serving dataset version " + std::to_string(*version) +
                           (awaited_
                                ? "; waiting for the database to replay version " + std::to_string(*awaited_)
                                : std::string()),
                       false);
            } else {
                const auto failure = load_failure();
                const auto now = std::chrono::steady_clock::now();
                if (failure && failure->version == *version && now < retry_at_) {
                    // This version failed lately: wait out its backoff (a new version ends it).
                    report(failure_message_, true, failure_detail_);  // again after an outage
                    next_check = std::min(
                        next_check, std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now) +
                                        std::chrono::milliseconds(1));
                } else {
                    report("loading dataset version " + std::to_string(*version), false);
                    conn->set_query_timeout(options_.load_timeout);
                    std::int64_t loaded = 0;
                    try {
                        loaded = reload_(*conn, *version);
                    } catch (const PgError& e) {
                        if (stopping_.load() || connection_trouble(e)) throw;  // not the version's fault
                        load_failed(*version, safe_reason(e), e.what());
                        conn.reset();  // a failed load may leave a COPY or transaction behind
                        continue;      // back off (the check above) unless the version changed
                    } catch (const std::exception& e) {
                        if (stopping_.load()) break;
                        load_failed(*version, "invalid data (details in the server log)", e.what());
                        conn.reset();
                        continue;
                    }
                    {
                        std::lock_guard lock(mutex_);
                        loaded_ = loaded;
                        failure_.reset();
                    }
                    report("serving dataset version " + std::to_string(loaded), false);
                    conn->set_query_timeout(options_.check_timeout);
                    continue;  // a refresh may have landed during the load: check again at once
                }
            }
            // A NOTIFY, a check_now() or the poll interval, whichever comes first.
            if (!wait(conn.get(), next_check)) break;
            if (!conn->usable()) throw PgError("the database connection was lost", "", true);
        } catch (const PgError& e) {
            if (stopping_.load()) break;
            report(describe_failure(e, options_.database_url), true, e.what());
            conn.reset();
            if (!wait(nullptr, options_.retry_delay)) break;
        } catch (const std::exception& e) {
            if (stopping_.load()) break;
            report("database error (details in the server log)", true, e.what());
            conn.reset();
            if (!wait(nullptr, options_.retry_delay)) break;
        }
    }
}

}  // namespace crimemap::store
