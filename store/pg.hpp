#pragma once
// Thin RAII over libpq. A Connection is not thread-safe: use one per thread (or a pool).
// Parameters are always passed as $n text values; SQL text never contains request data.
#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::store {

struct PgError : std::runtime_error {
    using std::runtime_error::runtime_error;
    PgError(const std::string& message, std::string state, bool lost)
        : std::runtime_error(message), sqlstate(std::move(state)), connection_lost(lost) {}
    std::string sqlstate;          // the server's SQLSTATE ("57014"); empty when libpq failed on its own
    bool connection_lost = false;  // the connection was never made or is gone (PQstatus != CONNECTION_OK)
};

struct ConnDeleter { void operator()(PGconn* c) const noexcept { PQfinish(c); } };
struct ResultDeleter { void operator()(PGresult* r) const noexcept { PQclear(r); } };

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

class Connection {
public:
    // Throws PgError (connection_lost) with libpq's message when the connection fails.
    explicit Connection(const std::string& url);
    // The same with a libpq connect_timeout (seconds, 0 = none) and fallback_application_name
    // (shown in pg_stat_activity); settings in the URL win over both.
    Connection(const std::string& url, const std::string& application_name, int connect_timeout_seconds);
    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;

    void exec(const std::string& sql);                       // one or more statements, no result
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

    // LISTEN support: socket for polling and draining pending notifications (channel names).
    int socket() const { return PQsocket(c_.get()); }
    std::vector<std::string> notifications();

    PGconn* raw() const { return c_.get(); }

private:
    void copy_out_begin(const std::string& copy_sql);
    std::optional<std::string> copy_out_next();  // nullopt at the end
    Rows check(PGresult* r, const std::string& sql);
    std::unique_ptr<PGconn, ConnDeleter> c_;
};

// RAII transaction: rolls back unless commit() was called.
class Transaction {
public:
    explicit Transaction(Connection& c, const std::string& begin = "BEGIN") : c_(c) { c_.exec(begin); }
    ~Transaction() {
        if (!done_) {
            try { c_.exec("ROLLBACK"); } catch (...) {}
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() { c_.exec("COMMIT"); done_ = true; }

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
