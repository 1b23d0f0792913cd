#include "store/pg.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

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
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // NOTICEs are not errors
}
}  // namespace

Connection::Connection(const std::string& url) : c_(PQconnectdb(url.c_str())) { check_connected(c_.get()); }

Connection::Connection(const std::string& url, const std::string& application_name, int connect_timeout_seconds) {
    // Processed in order, the last value wins: the URL (expanded from dbname) overrides the two.
    const std::string timeout = std::to_string(std::max(0, connect_timeout_seconds));
    const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {connect_timeout_seconds > 0 ? timeout.c_str() : nullptr, application_name.c_str(), url.c_str(),
                            nullptr};
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

void Connection::exec(const std::string& sql) { check(PQexec(c_.get(), sql.c_str()), sql); }

namespace {
PGresult* exec_params(PGconn* c, const std::string& sql, const Params& params, int result_format) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return PQexecParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                        nullptr, result_format);
}
}  // namespace

Rows Connection::query(const std::string& sql, const Params& params) {
    return check(exec_params(c_.get(), sql, params, 0), sql);
}

Rows Connection::query_binary(const std::string& sql, const Params& params) {
    return check(exec_params(c_.get(), sql, params, 1), sql);
}

void Connection::copy_begin(const std::string& copy_sql) {
    auto rows = check(PQexec(c_.get(), copy_sql.c_str()), copy_sql);
    if (PQresultStatus(rows.raw()) != PGRES_COPY_IN) throw PgError("not a COPY FROM STDIN: " + copy_sql);
}

void Connection::copy_send(std::string_view data) {
    if (PQputCopyData(c_.get(), data.data(), static_cast<int>(data.size())) != 1)
        throw PgError(std::string("COPY failed: ") + PQerrorMessage(c_.get()));
}

void Connection::copy_end() {
    if (PQputCopyEnd(c_.get(), nullptr) != 1) throw PgError(std::string("COPY end failed: ") + PQerrorMessage(c_.get()));
    while (PGresult* r = PQgetResult(c_.get())) check(r, "COPY");
}

void Connection::copy_out_begin(const std::string& copy_sql) {
    auto rows = check(PQexec(c_.get(), copy_sql.c_str()), copy_sql);
    if (PQresultStatus(rows.raw()) != PGRES_COPY_OUT) throw PgError("not a COPY TO STDOUT: " + copy_sql);
}

std::optional<std::string> Connection::copy_out_next() {
    char* buf = nullptr;
    int n = PQgetCopyData(c_.get(), &buf, 0);
    if (n >= 0) {
        std::string line(buf, static_cast<std::size_t>(n));
        PQfreemem(buf);
        if (!line.empty() && line.back() == '\n') line.pop_back();
        return line;
    }
    if (n == -2) throw PgError(std::string("COPY OUT failed: ") + PQerrorMessage(c_.get()));
    while (PGresult* r = PQgetResult(c_.get())) check(r, "COPY OUT");
    return std::nullopt;
}

std::vector<std::optional<std::string>> split_copy_line(std::string_view line) {
    std::vector<std::optional<std::string>> fields;
    std::string cur;
    bool is_null = false;
    for (std::size_t i = 0; i <= line.size(); ++i) {
        if (i == line.size() || line[i] == '\t') {
            if (is_null) fields.emplace_back(std::nullopt); else fields.emplace_back(std::move(cur));
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

std::vector<std::string> Connection::notifications() {
    std::vector<std::string> out;
    PQconsumeInput(c_.get());
    while (PGnotify* n = PQnotifies(c_.get())) {
        out.emplace_back(n->relname);
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
        if (k == "host") host = o->val;
        else if (k == "hostaddr") hostaddr = o->val;
        else if (k == "port") port = o->val;
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
