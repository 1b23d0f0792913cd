#pragma once
// Thin RAII over libpq. A Connection is not thread-safe: use one per thread (or a pool).
// Parameters are always passed as $n text values; SQL text never contains request data.
//
// Statements run asynchronously (PQsendQuery*) and wait on the socket with poll(), so a caller can
// bound them on the client side: set_query_timeout() (per statement) and set_deadline() (absolute)
// make a statement whose answer does not arrive in time cancel itself (PQcancel, sent from a
// background thread because it blocks against a frozen server), drop the connection and throw
// PgError (SQLSTATE 57014, connection_lost). An interrupt fd (an eventfd that becomes readable at
// shutdown) aborts the same way at once. Without either, a statement waits as long as it takes.
#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crimemap::store {

struct PgError : std::runtime_error {
    using std::runtime_error::runtime_error;
    PgError(const std::string& message, std::string state, bool lost)
        : std::runtime_error(message), sqlstate(std::move(state)), connection_lost(lost) {}
    std::string sqlstate;          // the server's SQLSTATE ("57014"); empty when libpq failed on its own
    bool connection_lost = false;  // the connection was never made or is gone (PQstatus != CONNECTION_OK)
    bool unresponsive = false;  // the server did not answer in time (statement abandoned, connect timed out)
};

struct ConnDeleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};

// A query result; rows and columns by index, values as text (libpq text format).
class Rows {
  public:
    explicit Rows(PGresult* r) : r_(r) {}
    int size() const { return PQntuples(r_.get()); }
    int columns() const { return PQnfields(r_.get()); }
    bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
    std::string_view text(int row, int col) const {
        return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    std::optional<std::string> opt_text(int row, int col) const {
        if (is_null(row, col)) return std::nullopt;
        return std::string(text(row, col));
    }
    long long int64(int row, int col) const;
    double float64(int row, int col) const;
    int column(std::string_view name) const;  // throws PgError when absent
    PGresult* raw() const { return r_.get(); }

  private:
    std::unique_ptr<PGresult, ResultDeleter> r_;
};

using Params = std::vector<std::optional<std::string>>;  // nullopt = SQL NULL

using Clock = std::chrono::steady_clock;

// How a long-lived connection protects itself against a server that stops answering.
struct ConnectOptions {
    std::string application_name;                  // fallback_application_name (pg_stat_activity)
    std::chrono::milliseconds connect_timeout{0};  // whole connection set-up, enforced here; 0 = none
    // Sets libpq's keepalives (idle = this, rounded up to seconds; interval a third of it; 3
    // probes) and tcp_user_timeout (this, in ms): a vanished host or network is noticed within a
    // few multiples of it even while the connection sits idle. 0 = the system defaults.
    std::chrono::milliseconds network_timeout{0};
    int interrupt_fd = -1;  // readable = give up (connecting, and every later statement)
};

// libpq keyword/value pairs for `options` (connect_timeout in whole seconds as a backstop,
// keepalives_*, tcp_user_timeout, fallback_application_name); settings in a URL win over them.
std::vector<std::pair<std::string, std::string>> connection_keywords(const ConnectOptions& options);

class Connection {
  public:
    // Throws PgError (connection_lost) with libpq's message when the connection fails.
    explicit Connection(const std::string& url);
    // The same with a libpq connect_timeout (seconds, 0 = none) and fallback_application_name
    // (shown in pg_stat_activity); settings in the URL win over both.
    Connection(const std::string& url, const std::string& application_name, int connect_timeout_seconds);
    // Connects asynchronously within options.connect_timeout (PgError 08001 beyond), with the
    // keepalive settings of `options`; its interrupt_fd also guards every statement later on.
    Connection(const std::string& url, const ConnectOptions& options);
    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;

    // Client-side bounds for the following statements (see the header comment); 0 / nullopt = none.
    void set_query_timeout(std::chrono::milliseconds timeout) { query_timeout_ = timeout; }
    void set_deadline(std::optional<Clock::time_point> deadline) { deadline_ = deadline; }
    void set_interrupt_fd(int fd) { interrupt_fd_ = fd; }
    std::chrono::milliseconds query_timeout() const { return query_timeout_; }
    // False once a statement was abandoned (or the connection broke): the handle is then unusable.
    bool usable() const { return c_ && PQstatus(c_.get()) == CONNECTION_OK; }
    // True once a statement was abandoned because the server did not answer in time.
    bool gave_up() const { return gave_up_; }

    void exec(const std::string& sql);  // one or more statements, no result
    Rows query(const std::string& sql, const Params& params = {});
    // Same with binary results (e.g. bytea from ST_AsMVT / ST_AsBinary).
    Rows query_binary(const std::string& sql, const Params& params = {});

    // COPY ... FROM STDIN: start, send chunks, finish (throws on a server-side error).
    void copy_begin(const std::string& copy_sql);
    void copy_send(std::string_view data);
    void copy_end();

    // COPY (...) TO STDOUT in text format, streamed: on_line gets each row without its newline.
    // Memory stays flat whatever the result size.
    template <class OnLine>
    void copy_out(const std::string& copy_sql, OnLine&& on_line) {
        copy_out_begin(copy_sql);
        while (auto line = copy_out_next()) on_line(std::string_view(*line));
    }

    // LISTEN support: socket for polling and draining pending notifications.
    struct Notification {
        std::string channel;
        std::string payload;
    };
    int socket() const { return PQsocket(c_.get()); }
    std::vector<Notification> notifications();

    PGconn* raw() const { return c_.get(); }

  private:
    void copy_out_begin(const std::string& copy_sql);
    std::optional<std::string> copy_out_next();  // nullopt at the end
    Rows check(PGresult* r, const std::string& sql);
    // The end of the statement starting now: the sooner of now + query_timeout and the deadline.
    std::optional<Clock::time_point> statement_deadline() const;
    // Sends a query (already queued by PQsend*) and collects its result the way PQexec does.
    PGresult* finish(bool sent, const std::string& sql, std::optional<Clock::time_point> until);
    // Waits until the socket has `events`; abandons the statement at `until` or on an interrupt.
    void wait_socket(short events, std::optional<Clock::time_point> until, const std::string& sql);
    [[noreturn]] void abandon(const std::string& sql, bool interrupted);
    std::unique_ptr<PGconn, ConnDeleter> c_;
    std::chrono::milliseconds query_timeout_{0};
    std::optional<Clock::time_point> deadline_;
    std::optional<Clock::time_point> copy_deadline_;  // of the COPY TO STDOUT being read
    Clock::time_point statement_started_{};
    int interrupt_fd_ = -1;
    bool gave_up_ = false;
};

// RAII transaction: rolls back unless commit() was called.
class Transaction {
  public:
    explicit Transaction(Connection& c, const std::string& begin = "BEGIN") : c_(c) { c_.exec(begin); }
    ~Transaction() {
        if (!done_) {
            try {
                c_.exec("ROLLBACK");
            } catch (...) {
            }
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        c_.exec("COMMIT");
        done_ = true;
    }

  private:
    Connection& c_;
    bool done_ = false;
};

// Splits one COPY text-format line into fields and unescapes them; "\\N" becomes nullopt.
std::vector<std::optional<std::string>> split_copy_line(std::string_view line);

// Escapes a value for COPY text format (tab-separated): backslash, tab, newline, carriage return.
void append_copy_field(std::string& out, std::string_view value);
inline void append_copy_null(std::string& out) { out += "\\N"; }

// "host:port" of the server a URL (or key=value string) names, for messages: no user, password or
// database name. libpq's defaults fill what the URL leaves out ("localhost", 5432).
std::string server_address(const std::string& url);

// The database URL from CRIMEMAP_DATABASE_URL, or the private cluster's default.
std::string database_url_from_env();

}  // namespace crimemap::store
