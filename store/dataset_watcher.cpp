#include "store/dataset_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "store/snapshot_loader.hpp"

namespace crimemap::store {

DatasetWatcher::DatasetWatcher(DatasetWatcherOptions options, ReloadFn reload, StatusFn status)
    : options_(std::move(options)), reload_(std::move(reload)), status_(std::move(status)) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
}

DatasetWatcher::~DatasetWatcher() {
    stop();
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void DatasetWatcher::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void DatasetWatcher::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    check_now();
    {
        // Abort a query in progress (a long snapshot load) so the thread notices promptly.
        std::lock_guard lock(mutex_);
        if (cancel_) {
            char err[256];
            PQcancel(cancel_, err, sizeof err);
        }
    }
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

void DatasetWatcher::report(const std::string& message, bool error, const std::string& detail) {
    {
        std::lock_guard lock(mutex_);
        std::string state = message + '\n' + detail;
        if (state == last_status_) return;  // say each state once, not every poll
        last_status_ = std::move(state);
    }
    if (status_) status_(message, error, detail);
}

namespace {
// The public text for a failure (see StatusFn): what to do about it, never the server's message.
std::string describe_failure(const PgError& e, const std::string& url, std::optional<std::int64_t> loading) {
    const std::string& state = e.sqlstate;
    if (e.connection_lost || state.starts_with("08") || state.starts_with("57P"))
        return "database unreachable at " + server_address(url);
    if (!loading && (state == "42P01" || state == "3F000"))  // dataset_versions (or its schema) does not exist
        return "schema missing: run crimemap migrate";
    if (state.starts_with("42"))  // undefined column or function: the schema predates this binary
        return "schema out of date: run crimemap migrate";
    if (loading) return "loading dataset version " + std::to_string(*loading) + " failed (details in the server log)";
    return "database error (details in the server log)";
}
}  // namespace

bool DatasetWatcher::wait(Connection* conn, std::chrono::milliseconds timeout) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {conn ? conn->socket() : -1, POLLIN, 0}};
    int rc = ::poll(fds, conn ? 2 : 1, static_cast<int>(timeout.count()));
    if (rc > 0 && (fds[0].revents & POLLIN)) {
        std::uint64_t v;
        [[maybe_unused]] auto n = ::read(wake_fd_, &v, sizeof v);
    }
    return !stopping_.load();
}

void DatasetWatcher::run() {
    std::unique_ptr<Connection> conn;
    auto drop_connection = [&] {
        std::lock_guard lock(mutex_);
        if (cancel_) {
            PQfreeCancel(cancel_);
            cancel_ = nullptr;
        }
        conn.reset();
    };

    std::optional<std::int64_t> loading;  // the version being loaded, for failure messages
    while (!stopping_.load()) {
        loading.reset();
        try {
            if (!conn) {
                conn = std::make_unique<Connection>(options_.database_url, "crimemapd-watcher", 10);
                conn->exec("LISTEN " + options_.channel);
                std::lock_guard lock(mutex_);
                cancel_ = PQgetCancel(conn->raw());
            }
            conn->notifications();  // drain: we check the version anyway
            auto version = current_dataset_version(*conn);
            if (!version) {
                report("no dataset yet: run crimemap refresh (or crimemap seed for the bundled sample)", true);
            } else if (version != loaded_version()) {
                loading = version;
                report("loading dataset version " + std::to_string(*version), false);
                const std::int64_t loaded = reload_(*conn, *version);
                {
                    std::lock_guard lock(mutex_);
                    loaded_ = loaded;
                }
                report("serving dataset version " + std::to_string(loaded), false);
                continue;  // a refresh may have landed during the load: check again at once
            }
            // A NOTIFY, a check_now() or the poll interval, whichever comes first.
            if (!wait(conn.get(), options_.poll_interval)) break;
            if (PQstatus(conn->raw()) != CONNECTION_OK) throw PgError("the database connection was lost", "", true);
        } catch (const PgError& e) {
            if (stopping_.load()) break;
            report(describe_failure(e, options_.database_url, loading), true, e.what());
            drop_connection();
            if (!wait(nullptr, options_.retry_delay)) break;
        } catch (const std::exception& e) {
            if (stopping_.load()) break;
            report(loading ? "loading dataset version " + std::to_string(*loading) + " failed (details in the server log)"
                           : std::string("database error (details in the server log)"),
                   true, e.what());
            drop_connection();
            if (!wait(nullptr, options_.retry_delay)) break;
        }
    }
    drop_connection();
}

}  // namespace crimemap::store
