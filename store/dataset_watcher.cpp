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

DatasetWatcher::DatasetWatcher(DatasetWatcherOptions options, ReloadFn reload, StatusFn status)
    : options_(std::move(options)), reload_(std::move(reload)), status_(std::move(status)) {
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
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {conn ? conn->socket() : -1, POLLIN, 0}};
    int rc = ::poll(fds, conn ? 2 : 1, static_cast<int>(std::max<long long>(0, timeout.count())));
    if (rc > 0 && (fds[0].revents & POLLIN)) {
        std::uint64_t v;
        [[maybe_unused]] auto n = ::read(wake_fd_, &v, sizeof v);
    }
    return !stopping_.load();
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
                if (options_.listen) conn->exec("LISTEN " + options_.channel);
            }
            conn->notifications();  // drain: we check the version anyway
            auto version = current_dataset_version(*conn);
            auto next_check = options_.poll_interval;
            if (!version) {
                report("no dataset yet: run crimemap refresh (or crimemap seed for the bundled sample)",
                       true);
            } else if (version == loaded_version()) {
                report("serving dataset version " + std::to_string(*version),
                       false);  // e.g. back after an outage
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
