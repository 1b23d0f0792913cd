// Team-write authorisation over HTTP against the real store: a crimemapd process (connected as
// crimemap_server) on the seeded sample, tokens made by `crimemap token create`, and every write
// route and method (POST, PUT, DELETE on priorities and events) tried with no token, an unknown,
// a revoked and an expired token, a token without the scope, and tokens for another force and
// neighbourhood. Then: the audit log holds each refusal (client address, User-Agent, request id
// as answered in X-Request-Id) and each write; no plain token reaches the audit log, crimemapd's
// log or (when the private cluster's log is readable) PostgreSQL's statement log; last_used_at
// moves at most once a minute.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/secrets.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using crimemap::testing::HttpConnection;
using crimemap::testing::HttpResponse;
using crimemap::testing::ServerProcess;
using nlohmann::json;

namespace {

const std::string user_agent = "team-auth-test/1.0 (+audit)";

struct Token {
    std::string plain;
    long long id = 0;
};

class TeamAuthHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        db_ = new test::TestDatabase();
        db_->seed_sample();
        other_nb_ = db_->scalar(
            "SELECT id FROM neighbourhoods WHERE force_id = 'west-mercia' AND id <> 'HE06' ORDER BY id LIMIT "
            "1");
        ASSERT_FALSE(other_nb_.empty());
        // Every statement of every later session is logged, so the test can look for tokens there.
        auto admin = db_->connect();
        admin.exec("ALTER DATABASE " + db_->name() + " SET log_statement = 'all'");
        log_path_ = admin.query("SELECT current_setting('data_directory') || '/../postgres.log'").text(0, 0);
        auto size = admin.query("SELECT (pg_stat_file($1, true)).size", {log_path_});
        log_offset_ = size.opt_text(0, 0) ? std::stoll(std::string(size.text(0, 0))) : -1;

        tokens_["nb"] = create({"--force", "west-mercia", "--neighbourhood", "HE06"});
        tokens_["force"] = create({"--force", "west-mercia", "--expires", "90d"});
        tokens_["priorities"] =
            create({"--force", "west-mercia", "--neighbourhood", "HE06", "--scope", "priorities"});
        tokens_["events"] =
            create({"--force", "west-mercia", "--neighbourhood", "HE06", "--scope", "events"});
        tokens_["other_force"] = create({"--force", "dorset"});
        tokens_["other_nb"] = create({"--force", "west-mercia", "--neighbourhood", other_nb_});
        tokens_["revoked"] = create({"--force", "west-mercia", "--neighbourhood", "HE06"});
        tokens_["expired"] = create({"--force", "west-mercia", "--neighbourhood", "HE06", "--expires", "1h"});
        auto revoked = db_->crimemap({"token", "revoke", std::to_string(tokens_["revoked"].id)});
        ASSERT_EQ(revoked.exit_code, 0) << revoked.describe();
        // An hour is not waited for: the database's clock decides, so move the expiry into the past.
        db_->count("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1 RETURNING 1",
                   {std::to_string(tokens_["expired"].id)});

        server_ = new ServerProcess(db_->url());
        ASSERT_TRUE(server_->wait_ready()) << server_->log();
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
        delete db_;
        db_ = nullptr;
    }

    static Token create(std::vector<std::string> args) {
        args.insert(args.begin(), {"token", "create"});
        auto r = db_->crimemap(args);
        EXPECT_EQ(r.exit_code, 0) << r.describe();
        Token t;
        t.plain = r.out.substr(0, r.out.find('\n'));
        // "token 12 for west-mercia/HE06, ..." on stderr names the row; the stored hash is the
        // token's SHA-256 (sent as a hash: the plain token must not appear in the statement log).
        t.id = std::atoll(r.err.substr(r.err.find("token ") + 6).c_str());
        EXPECT_EQ(db_->count("SELECT id FROM api_tokens WHERE token_hash = $1", {core::sha256_hex(t.plain)}),
                  t.id)
            << r.err;
        return t;
    }

    static HttpResponse send(const std::string& method, const std::string& target, const std::string& body,
                             const std::optional<std::string>& token) {
        HttpConnection c(server_->port());
        std::string raw =
            method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + user_agent + "\r\n";
        if (token) raw += "Authorization: Bearer " + *token + "\r\n";
        if (!body.empty()) raw += "Content-Type: application/json\r\n";
        raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        auto res = c.request(raw);
        EXPECT_TRUE(res) << method << " " << target;
        return res ? *res : HttpResponse{};
    }

    static test::TestDatabase* db_;
    static ServerProcess* server_;
    static std::map<std::string, Token> tokens_;
    static std::string other_nb_;
    static std::string log_path_;
    static long long log_offset_;
};
test::TestDatabase* TeamAuthHttp::db_ = nullptr;
ServerProcess* TeamAuthHttp::server_ = nullptr;
std::map<std::string, Token> TeamAuthHttp::tokens_;
std::string TeamAuthHttp::other_nb_;
std::string TeamAuthHttp::log_path_;
long long TeamAuthHttp::log_offset_ = -1;

TEST_F(TeamAuthHttp, EveryWriteRouteRefusesAndAuditsBadTokens) {
    const std::string base = "/v1/neighbourhoods/west-mercia/HE06";
    const std::string priority = R"({"issue": "Speeding on the A49", "issue-date": "2019-02-01"})";
    const std::string event =
        R"({"title": "Beat surgery", "start_date": "2019-03-05T18:30", "address": "Library"})";
    // Ids to update and delete, made with a valid token over HTTP.
    auto made_p = send("POST", base + "/priorities", priority, tokens_["nb"].plain);
    ASSERT_EQ(made_p.status, 201) << made_p.body;
    const auto pid = json::parse(made_p.body)["result"]["id"].get<long long>();
    auto made_e = send("POST", base + "/events", event, tokens_["nb"].plain);
    ASSERT_EQ(made_e.status, 201) << made_e.body;
    const auto eid = json::parse(made_e.body)["result"]["id"].get<long long>();
    const long long audit_before = db_->count("SELECT count(*) FROM audit_log");

    struct Route {
        std::string method, path, body;
        bool events;
        int ok_status;
        std::optional<long long> item;
    };
    const std::vector<Route> routes{
        {"POST", base + "/priorities", priority, false, 201, std::nullopt},
        {"PUT", base + "/priorities/" + std::to_string(pid), priority, false, 200, pid},
        {"DELETE", base + "/priorities/" + std::to_string(pid), "", false, 204, pid},
        {"POST", base + "/events", event, true, 201, std::nullopt},
        {"PUT", base + "/events/" + std::to_string(eid), event, true, 200, eid},
        {"DELETE", base + "/events/" + std::to_string(eid), "", true, 204, eid},
    };
    struct Case {
        std::optional<std::string> token;   // nullopt: no Authorization header
        std::optional<long long> token_id;  // as the audit row must name it
        int status;
        std::string says;       // in the error message
        std::string challenge;  // in WWW-Authenticate ("" = none expected)
    };
    const std::string unknown = core::random_secret("cm_");
    std::set<std::string> refused_request_ids;
    long long refusals = 0;
    for (const auto& r : routes) {
        SCOPED_TRACE(r.method + " " + r.path);
        const auto& wrong_scope = tokens_[r.events ? "priorities" : "events"];
        const std::vector<Case> cases{
            {std::nullopt, std::nullopt, 401, "Missing bearer token", "Bearer"},
            {unknown, std::nullopt, 401, "Invalid token", "invalid_token"},
            {tokens_["revoked"].plain, tokens_["revoked"].id, 401, "revoked", "invalid_token"},
            {tokens_["expired"].plain, tokens_["expired"].id, 401, "expired", "invalid_token"},
            {wrong_scope.plain, wrong_scope.id, 403, r.events ? "events" : "priorities",
             "insufficient_scope"},
            {tokens_["other_force"].plain, tokens_["other_force"].id, 403, "another force", ""},
            {tokens_["other_nb"].plain, tokens_["other_nb"].id, 403, "another neighbourhood", ""},
        };
        for (const auto& c : cases) {
            SCOPED_TRACE(c.says);
            auto res = send(r.method, r.path, r.body, c.token);
            EXPECT_EQ(res.status, c.status) << res.body;
            auto body = json::parse(res.body, nullptr, false);
            ASSERT_TRUE(body.is_object()) << res.body;
            EXPECT_EQ(body["status"], c.status);
            EXPECT_NE(body["error"].get<std::string>().find(c.says), std::string::npos) << res.body;
            if (c.challenge.empty()) {
                EXPECT_EQ(res.header("www-authenticate"), "");
            } else {
                EXPECT_NE(res.header("www-authenticate").find(c.challenge), std::string::npos)
                    << res.header("www-authenticate");
            }
            if (c.status == 401) {
                EXPECT_EQ(res.header("www-authenticate").rfind("Bearer", 0), 0u);
            }
            const auto request_id = res.header("x-request-id");
            ASSERT_FALSE(request_id.empty());
            refused_request_ids.insert(request_id);
            ++refusals;
            // Its audit row: the outcome, the token when one was found, who asked; no change.
            EXPECT_EQ(
                db_->count(
                    "SELECT count(*) FROM audit_log WHERE request_id = $1 AND outcome = $2 AND status = $3"
                    " AND client_address = '127.0.0.1' AND user_agent = $4 AND before IS NULL AND after IS "
                    "NULL"
                    " AND token_id IS NOT DISTINCT FROM $5::bigint AND entity = $6 AND force_id = "
                    "'west-mercia'"
                    " AND neighbourhood_id = 'HE06' AND entity_id IS NOT DISTINCT FROM $7::bigint AND action "
                    "= $8",
                    {request_id, c.status == 401 ? "unauthorized" : "forbidden", std::to_string(c.status),
                     user_agent, c.token_id ? std::optional(std::to_string(*c.token_id)) : std::nullopt,
                     r.events ? "event" : "priority",
                     r.item ? std::optional(std::to_string(*r.item)) : std::nullopt,
                     r.method == "POST"  ? "create"
                     : r.method == "PUT" ? "update"
                                         : "delete"}),
                1);
        }
        // Nothing changed: the entity is still there with its first values.
        if (r.item) {
            EXPECT_EQ(db_->count(std::string("SELECT count(*) FROM ") +
                                     (r.events ? "neighbourhood_events" : "neighbourhood_priorities") +
                                     " WHERE id = $1",
                                 {std::to_string(*r.item)}),
                      1);
        }
        // The right token writes: the scope-limited one for its own entity, the force-wide one too.
        auto ok = send(r.method, r.path, r.body, tokens_[r.events ? "events" : "priorities"].plain);
        EXPECT_EQ(ok.status, r.ok_status) << ok.body;
        const auto ok_id = ok.header("x-request-id");
        EXPECT_EQ(
            db_->count(
                "SELECT count(*) FROM audit_log WHERE request_id = $1 AND outcome = 'ok' AND status = $2"
                " AND token_id = $3 AND client_address = '127.0.0.1' AND user_agent = $4",
                {ok_id, std::to_string(r.ok_status),
                 std::to_string(tokens_[r.events ? "events" : "priorities"].id), user_agent}),
            1);
    }
    EXPECT_EQ(refused_request_ids.size(), static_cast<std::size_t>(refusals)) << "request ids are unique";
    EXPECT_EQ(db_->count("SELECT count(*) FROM audit_log") - audit_before,
              refusals + static_cast<long long>(routes.size()));
    EXPECT_EQ(db_->count("SELECT count(*) FROM audit_log WHERE outcome <> 'ok' AND (before IS NOT NULL OR "
                         "after IS NOT NULL)"),
              0);

    // No plain token anywhere: PostgreSQL's statement log (read first: the searches below send the
    // tokens themselves), audit rows, token rows, crimemapd's log.
    if (log_offset_ >= 0) {
        auto admin = db_->connect();
        const auto pg_log = std::string(
            admin
                .query("SELECT pg_read_file($1, $2::bigint, (pg_stat_file($1)).size - $2::bigint)",
                       {log_path_, std::to_string(log_offset_)})
                .text(0, 0));
        // The statement log is on: the server's lookups by hash are in it, the tokens are not.
        EXPECT_NE(pg_log.find(core::sha256_hex(tokens_["revoked"].plain)), std::string::npos)
            << "log_statement = 'all' did not reach " << log_path_;
        for (const auto& [name, t] : tokens_) EXPECT_EQ(pg_log.find(t.plain), std::string::npos) << name;
        EXPECT_EQ(pg_log.find(unknown), std::string::npos);
    } else {
        std::cout << "PostgreSQL's log is not at " << log_path_ << ": statement log not checked\n";
    }
    const auto log = server_->log();
    for (const auto& [name, t] : tokens_) {
        EXPECT_EQ(
            db_->count("SELECT count(*) FROM audit_log a WHERE a::text LIKE '%' || $1 || '%'", {t.plain}), 0)
            << name;
        EXPECT_EQ(
            db_->count("SELECT count(*) FROM api_tokens t WHERE t::text LIKE '%' || $1 || '%'", {t.plain}), 0)
            << name;
        EXPECT_EQ(log.find(t.plain), std::string::npos) << name;
    }
    EXPECT_EQ(log.find(unknown), std::string::npos);
}

TEST_F(TeamAuthHttp, LastUseMovesAtMostOncePerMinute) {
    const auto& t = tokens_["force"];
    const std::string id = std::to_string(t.id);
    EXPECT_EQ(db_->scalar("SELECT last_used_at IS NULL FROM api_tokens WHERE id = $1::bigint", {id}), "t");
    const std::string target = "/v1/neighbourhoods/west-mercia/" + other_nb_ + "/priorities";
    auto first = send("POST", target, R"({"issue": "Litter"})", t.plain);
    ASSERT_EQ(first.status, 201) << first.body;
    const auto used = db_->scalar("SELECT last_used_at FROM api_tokens WHERE id = $1::bigint", {id});
    ASSERT_FALSE(used.empty());
    EXPECT_EQ(
        db_->scalar("SELECT last_used_at > now() - interval '1 minute' FROM api_tokens WHERE id = $1::bigint",
                    {id}),
        "t");
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(send("POST", target, R"({"issue": "Litter"})", t.plain).status, 201);
    EXPECT_EQ(db_->scalar("SELECT last_used_at FROM api_tokens WHERE id = $1::bigint", {id}), used)
        << "a burst within a minute writes last_used_at once";
    // Once it is older than a minute, the next use moves it.
    db_->count(
        "UPDATE api_tokens SET last_used_at = last_used_at - interval '2 minutes' WHERE id = $1::bigint "
        "RETURNING 1",
        {id});
    ASSERT_EQ(send("POST", target, R"({"issue": "Litter"})", t.plain).status, 201);
    EXPECT_EQ(
        db_->scalar("SELECT last_used_at > now() - interval '1 minute' FROM api_tokens WHERE id = $1::bigint",
                    {id}),
        "t");
    // Refused attempts are no use of a token.
    EXPECT_EQ(db_->scalar("SELECT last_used_at IS NULL FROM api_tokens WHERE id = $1::bigint",
                          {std::to_string(tokens_["other_force"].id)}),
              "t");
    // The CLI lists scopes, expiry, last use and state.
    auto list = db_->crimemap({"token", "list"});
    ASSERT_EQ(list.exit_code, 0) << list.describe();
    for (const char* column :
         {"scopes", "expires", "last used", "state", "revoked ", "expired", "live", "priorities,events"})
        EXPECT_NE(list.out.find(column), std::string::npos) << column << "\n" << list.out;
}

TEST_F(TeamAuthHttp, ServerSessionsRunAsTheServerRole) {
    // Every crimemapd session on this database is crimemap_server; the admin sessions are not.
    EXPECT_GT(
        db_->count("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND usename = 'crimemap_server'",
                   {db_->name()}),
        0);
    EXPECT_EQ(
        db_->count(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'crimemapd%'"
            " AND usename <> 'crimemap_server'",
            {db_->name()}),
        0);
    EXPECT_EQ(db_->scalar("SELECT rolsuper FROM pg_roles WHERE rolname = 'crimemap_server'"), "f");
}

}  // namespace
