#include "store/pg.hpp"

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <thread>

namespace crimemap::store {

long long Rows::int64(int row, int col) const {
    auto t = text(row, col);
    long long v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc()) throw PgError("not an integer: " + std::string(t));
    return v;
}

double Rows::float64(int row, int col) const {
    return std::strtod(std::string(text(row, col)).c_str(), nullptr);
}

int Rows::column(std::string_view name) const {
    int i = PQfnumber(r_.get(), std::string(name).c_str());
    if (i < 0) throw PgError("no column " + std::string(name));
    return i;
}

namespace {
std::string trimmed(std::string msg) {
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return msg;
}

void check_connected(PGconn* c) {
    if (!c || PQstatus(c) != CONNECTION_OK) {
        std::string msg = c ? trimmed(PQerrorMessage(c)) : "out of memory";
        // 08001: sqlclient_unable_to_establish_sqlconnection (libpq gives no SQLSTATE here).
        throw PgError("cannot connect to the database: " + msg, "08001", true);
    }
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);  // NOTICEs are not errors
}
}  // namespace

Connection::Connection(const std::string& url) : c_(PQconnectdb(url.c_str())) { check_connected(c_.get()); }

std::vector<std::pair<std::string, std::string>> connection_keywords(const ConnectOptions& options) {
    std::vector<std::pair<std::string, std::string>> kv;
    if (options.connect_timeout.count() > 0) {
        // libpq's own limit only matters for blocking connects; ours are polled with a deadline.
        const long long seconds = (options.connect_timeout.count() + 999) / 1000;
        kv.emplace_back("connect_timeout", std::to_string(std::max(2LL, seconds)));
    }
    if (options.network_timeout.count() > 0) {
        const long long ms = options.network_timeout.count();
        const long long idle = std::max(1LL, (ms + 999) / 1000);
        kv.emplace_back("keepalives", "1");
        kv.emplace_back("keepalives_idle", std::to_string(idle));
        kv.emplace_back("keepalives_interval", std::to_string(std::max(1LL, idle / 3)));
        kv.emplace_back("keepalives_count", "3");
        // Data the server does not acknowledge within this long closes the connection: a host
        // that vanished mid-query is noticed instead of waiting for TCP's 15-minute give-up.
        kv.emplace_back("tcp_user_timeout", std::to_string(ms));
    }
    if (!options.application_name.empty())
        kv.emplace_back("fallback_application_name", options.application_name);
    return kv;
}

Connection::Connection(const std::string& url, const ConnectOptions& options)
    : interrupt_fd_(options.interrupt_fd) {
    auto kv = connection_keywords(options);
    std::vector<const char*> keywords, values;
    for (const auto& [k, v] : kv) {
        keywords.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    // Processed in order, the last value wins: the URL (expanded from dbname) overrides ours.
    keywords.push_back("dbname");
    values.push_back(url.c_str());
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    c_.reset(PQconnectStartParams(keywords.data(), values.data(), 1));
    if (!c_ || PQstatus(c_.get()) == CONNECTION_BAD) check_connected(c_.get());
    // PQconnectPoll never blocks on the network (only host name lookup may): a postmaster that
    // accepts TCP but never answers (stopped, overloaded) costs connect_timeout, not forever.
    std::optional<Clock::time_point> until;
    if (options.connect_timeout.count() > 0) until = Clock::now() + options.connect_timeout;
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (state != PGRES_POLLING_OK && state != PGRES_POLLING_FAILED) {
        pollfd fds[2] = {
            {PQsocket(c_.get()), static_cast<short>(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0},
            {interrupt_fd_, POLLIN, 0}};
        int timeout_ms = -1;
        if (until) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(*until - Clock::now()).count();
            if (left <= 0) {
                c_.reset();
                PgError e("cannot connect to the database: no answer from " + server_address(url) +
                              " within " + std::to_string(options.connect_timeout.count()) + " ms",
                          "08001", true);
                e.unresponsive = true;
                throw e;
            }
            timeout_ms = static_cast<int>(std::min<long long>(left + 1, 60000));
        }
        const int n = ::poll(fds, interrupt_fd_ >= 0 ? 2 : 1, timeout_ms);
        if (n < 0 && errno != EINTR) break;  // PQconnectPoll reports the socket's state
        if (n > 0 && interrupt_fd_ >= 0 && (fds[1].revents & POLLIN)) {
            c_.reset();
            throw PgError("cannot connect to the database: interrupted (shutting down)", "08001", true);
        }
        if (n > 0) state = PQconnectPoll(c_.get());
    }
    check_connected(c_.get());
}

Connection::Connection(const std::string& url, const std::string& application_name,
                       int connect_timeout_seconds) {
    // Processed in order, the last value wins: the URL (expanded from dbname) overrides the two.
    const std::string timeout = std::to_string(std::max(0, connect_timeout_seconds));
    const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {connect_timeout_seconds > 0 ? timeout.c_str() : nullptr, application_name.c_str(),
                            url.c_str(), nullptr};
    c_.reset(PQconnectdbParams(keywords, values, 1));
    check_connected(c_.get());
}

Rows Connection::check(PGresult* r, const std::string& sql) {
    Rows rows(r);
    auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_IN && st != PGRES_COPY_OUT) {
        std::string msg = trimmed(r ? PQresultErrorMessage(r) : "");
        if (msg.empty()) msg = trimmed(PQerrorMessage(c_.get()));
        const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        const bool lost = PQstatus(c_.get()) != CONNECTION_OK;
        throw PgError(msg + " [in: " + sql.substr(0, 120) + "]", state ? state : "", lost);
    }
    return rows;
}

namespace {
// At most this many cancel requests wait at once: against a frozen postmaster each one blocks its
// thread until the postmaster runs again. Beyond that the cancel is skipped (the connection is
// dropped anyway; the backend ends when it next notices).
constexpr int max_pending_cancels = 4;
std::atomic<int> pending_cancels{0};

void cancel_in_background(PGcancel* cancel) {
    if (!cancel) return;
    if (pending_cancels.fetch_add(1) >= max_pending_cancels) {
        pending_cancels.fetch_sub(1);
        PQfreeCancel(cancel);
        return;
    }
    try {
        std::thread([cancel] {
            char err[256];
            PQcancel(cancel, err, sizeof err);
            PQfreeCancel(cancel);
            pending_cancels.fetch_sub(1);
        }).detach();
    } catch (...) {
        pending_cancels.fetch_sub(1);
        PQfreeCancel(cancel);
    }
}
}  // namespace

std::optional<Clock::time_point> Connection::statement_deadline() const {
    std::optional<Clock::time_point> until = deadline_;
    if (query_timeout_.count() > 0) {
        const auto t = Clock::now() + query_timeout_;
        if (!until || t < *until) until = t;
    }
    return until;
}

void Connection::abandon(const std::string& sql, bool interrupted) {
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - statement_started_);
    if (c_) {
        cancel_in_background(PQgetCancel(c_.get()));
        // Non-blocking, so PQfinish's goodbye cannot wait on a server that reads nothing.
        PQsetnonblocking(c_.get(), 1);
        c_.reset();
    }
    PgError e(std::string(interrupted ? "interrupted (shutting down)" : "no answer from the database") +
                  " after " + std::to_string(waited.count()) +
                  " ms; query cancelled and connection dropped [in: " + sql.substr(0, 120) + "]",
              "57014", true);
    e.unresponsive = gave_up_ = !interrupted;
    throw e;
}

void Connection::wait_socket(short events, std::optional<Clock::time_point> until, const std::string& sql) {
    for (;;) {
        int timeout_ms = -1;
        if (until) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(*until - Clock::now()).count();
            if (left <= 0) abandon(sql, false);
            timeout_ms = static_cast<int>(std::min<long long>(left + 1, 60000));
        }
        pollfd fds[2] = {{PQsocket(c_.get()), events, 0}, {interrupt_fd_, POLLIN, 0}};
        if (fds[0].fd < 0) return;  // broken: libpq reports it
        const int n = ::poll(fds, interrupt_fd_ >= 0 ? 2 : 1, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (n == 0) continue;  // re-check the deadline
        if (interrupt_fd_ >= 0 && (fds[1].revents & POLLIN)) abandon(sql, true);
        return;  // readable, writable, or an error libpq will read
    }
}

PGresult* Connection::finish(bool sent, const std::string& sql, std::optional<Clock::time_point> until) {
    PGconn* c = c_.get();
    if (!sent) return nullptr;  // check() reports PQerrorMessage
    // Blocking mode: PQsend* has flushed the query unless the socket buffer filled up.
    while (PQflush(c) == 1) wait_socket(POLLOUT, until, sql);
    // Collects results the way PQexec does: the last one, the first error kept, a COPY ends it.
    std::unique_ptr<PGresult, ResultDeleter> last;
    for (;;) {
        while (PQisBusy(c)) {
            wait_socket(POLLIN, until, sql);
            c = c_.get();
            if (!PQconsumeInput(c)) break;  // lost: PQgetResult returns the error at once
        }
        PGresult* r = PQgetResult(c);
        if (!r) break;
        const auto st = PQresultStatus(r);
        if (last && PQresultStatus(last.get()) == PGRES_FATAL_ERROR)
            PQclear(r);
        else
            last.reset(r);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH ||
            PQstatus(c) == CONNECTION_BAD)
            break;
    }
    return last.release();
}

void Connection::exec(const std::string& sql) {
    statement_started_ = Clock::now();
    const bool sent = c_ && PQsendQuery(c_.get(), sql.c_str()) == 1;
    check(finish(sent, sql, statement_deadline()), sql);
}

namespace {
bool send_params(PGconn* c, const std::string& sql, const Params& params, int result_format) {
    if (!c) return false;
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, result_format) == 1;
}
}  // namespace

Rows Connection::query(const std::string& sql, const Params& params) {
    statement_started_ = Clock::now();
    return check(finish(send_params(c_.get(), sql, params, 0), sql, statement_deadline()), sql);
}

Rows Connection::query_binary(const std::string& sql, const Params& params) {
    statement_started_ = Clock::now();
    return check(finish(send_params(c_.get(), sql, params, 1), sql, statement_deadline()), sql);
}

void Connection::copy_begin(const std::string& copy_sql) {
    statement_started_ = Clock::now();
    const bool sent = c_ && PQsendQuery(c_.get(), copy_sql.c_str()) == 1;
    auto rows = check(finish(sent, copy_sql, statement_deadline()), copy_sql);
    if (PQresultStatus(rows.raw()) != PGRES_COPY_IN) throw PgError("not a COPY FROM STDIN: " + copy_sql);
}

void Connection::copy_send(std::string_view data) {
    if (PQputCopyData(c_.get(), data.data(), static_cast<int>(data.size())) != 1)
        throw PgError(std::string("COPY failed: ") + PQerrorMessage(c_.get()));
}

void Connection::copy_end() {
    if (PQputCopyEnd(c_.get(), nullptr) != 1)
        throw PgError(std::string("COPY end failed: ") + PQerrorMessage(c_.get()));
    check(finish(true, "COPY", statement_deadline()), "COPY");
}

void Connection::copy_out_begin(const std::string& copy_sql) {
    statement_started_ = Clock::now();
    copy_deadline_ = statement_deadline();  // bounds the whole stream
    const bool sent = c_ && PQsendQuery(c_.get(), copy_sql.c_str()) == 1;
    auto rows = check(finish(sent, copy_sql, copy_deadline_), copy_sql);
    if (PQresultStatus(rows.raw()) != PGRES_COPY_OUT) throw PgError("not a COPY TO STDOUT: " + copy_sql);
}

std::optional<std::string> Connection::copy_out_next() {
    for (;;) {
        char* buf = nullptr;
        const int n = PQgetCopyData(c_.get(), &buf, 1);
        if (n > 0) {
            std::string line(buf, static_cast<std::size_t>(n));
            PQfreemem(buf);
            if (!line.empty() && line.back() == '\n') line.pop_back();
            return line;
        }
        if (n == 0) {  // no whole row buffered yet
            wait_socket(POLLIN, copy_deadline_, "COPY OUT");
            if (!PQconsumeInput(c_.get()))
                throw PgError(std::string("COPY OUT failed: ") + PQerrorMessage(c_.get()), "", true);
            continue;
        }
        if (n == -2)
            throw PgError(std::string("COPY OUT failed: ") + PQerrorMessage(c_.get()), "", !usable());
        check(finish(true, "COPY OUT", copy_deadline_), "COPY OUT");
        return std::nullopt;
    }
}

std::vector<std::optional<std::string>> split_copy_line(std::string_view line) {
    std::vector<std::optional<std::string>> fields;
    std::string cur;
    bool is_null = false;
    for (std::size_t i = 0; i <= line.size(); ++i) {
        if (i == line.size() || line[i] == '\t') {
            if (is_null)
                fields.emplace_back(std::nullopt);
            else
                fields.emplace_back(std::move(cur));
            cur.clear();
            is_null = false;
            continue;
        }
        char c = line[i];
        if (c == '\\' && i + 1 < line.size()) {
            char e = line[++i];
            switch (e) {
                case 'N': is_null = true; break;
                case 't': cur.push_back('\t'); break;
                case 'n': cur.push_back('\n'); break;
                case 'r': cur.push_back('\r'); break;
                default: cur.push_back(e);
            }
        } else {
            cur.push_back(c);
        }
    }
    return fields;
}

std::vector<Connection::Notification> Connection::notifications() {
    std::vector<Notification> out;
    PQconsumeInput(c_.get());
    while (PGnotify* n = PQnotifies(c_.get())) {
        out.push_back({n->relname, n->extra ? n->extra : ""});
        PQfreemem(n);
    }
    return out;
}

void append_copy_field(std::string& out, std::string_view value) {
    for (char ch : value) {
        switch (ch) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out.push_back(ch);
        }
    }
}

std::string server_address(const std::string& url) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (error) PQfreemem(error);
    if (!options) return "(unparsable database URL)";
    std::string host, hostaddr, port;
    for (auto* o = options; o->keyword; ++o) {
        if (!o->val) continue;
        std::string_view k = o->keyword;
        if (k == "host")
            host = o->val;
        else if (k == "hostaddr")
            hostaddr = o->val;
        else if (k == "port")
            port = o->val;
    }
    PQconninfoFree(options);
    if (host.empty()) host = hostaddr.empty() ? "localhost" : hostaddr;
    if (port.empty()) port = "5432";
    return host + ":" + port;
}

std::string database_url_from_env() {
    if (const char* url = std::getenv("CRIMEMAP_DATABASE_URL"); url && *url) return url;
    return "postgresql://postgres@127.0.0.1:54329/crimemap";
}

}  // namespace crimemap::store
