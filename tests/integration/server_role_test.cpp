// Least privilege: the crimemap_server role `crimemap migrate` creates can read what crimemapd
// serves and write the team tables, append to audit_log and note a token's last use, and nothing
// else (each refusal is PostgreSQL's own "permission denied", tried as that role). Also: tokens
// stored before migration 0007 keep working, later tables are readable at once, re-running migrate
// changes nothing, and CRIMEMAP_SERVER_PASSWORD sets a SCRAM password without sending it in clear.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/secrets.hpp"
#include "core/teams.hpp"
#include "store/pool.hpp"
#include "store/team_repository.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
namespace fs = std::filesystem;

namespace {

// Runs sql as the connection's role: "" when it succeeds, else PostgreSQL's message.
std::string attempt(store::Connection& c, const std::string& sql) {
    try {
        store::Transaction tx(c);
        c.exec(sql);
        return "";  // rolled back: nothing is kept
    } catch (const store::PgError& e) {
        return e.what();
    }
}

class ServerRole : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::make_unique<test::TestDatabase>();
        db_->seed_sample();
        role_url_ = crimemap::testing::as_server_role(db_->url());
        ASSERT_NE(role_url_, db_->url());
    }
    std::unique_ptr<test::TestDatabase> db_;
    std::string role_url_;
};

TEST_F(ServerRole, AllowsOnlyWhatTheServerDoes) {
    store::Connection c(role_url_);
    EXPECT_EQ(c.query("SELECT current_user").text(0, 0), "crimemap_server");
    const std::string nb = "('west-mercia', 'HE06'";
    // Allowed: reads of everything served, the team writes, audit inserts, last use, LISTEN.
    for (const std::string& sql : std::vector<std::string>{
             "SELECT count(*) FROM crimes", "SELECT count(*) FROM postcodes", "SELECT count(*) FROM areas",
             "SELECT count(*) FROM neighbourhoods", "SELECT count(*) FROM neighbourhood_people",
             "SELECT count(*) FROM dataset_versions", "SELECT token_hash, scopes, expires_at FROM api_tokens",
             "SELECT count(*) FROM spatial_ref_sys",
             "SELECT length(crimemap_crimes_mvt(10, 505, 338, NULL, NULL, NULL))",
             "INSERT INTO neighbourhood_priorities (force_id, neighbourhood_id, issue) VALUES " + nb +
                 ", 'x')",
             "UPDATE neighbourhood_priorities SET action = 'y'", "DELETE FROM neighbourhood_priorities",
             "INSERT INTO neighbourhood_events (force_id, neighbourhood_id, title, start_date) VALUES " + nb +
                 ", 't', now())",
             "UPDATE neighbourhood_events SET title = 'u'", "DELETE FROM neighbourhood_events",
             "INSERT INTO audit_log (action, entity, outcome) VALUES ('create', 'priority', 'unauthorized')",
             "UPDATE api_tokens SET last_used_at = now()", "LISTEN crimemap_dataset"})
        EXPECT_EQ(attempt(c, sql), "") << sql;

    // Denied: the audit log beyond appending, token hashes and state, every other table, DDL.
    for (const std::string& sql : std::vector<std::string>{
             "SELECT * FROM audit_log",
             "UPDATE audit_log SET reason = 'x'",
             "DELETE FROM audit_log",
             "TRUNCATE audit_log",
             "INSERT INTO audit_log (action, entity) VALUES ('create', 'priority') RETURNING id",
             "UPDATE api_tokens SET revoked_at = NULL",
             "UPDATE api_tokens SET expires_at = now() + interval '9 years'",
             "UPDATE api_tokens SET token_hash = token_hash",
             "UPDATE api_tokens SET scopes = scopes",
             "INSERT INTO api_tokens (token_hash, force_id) VALUES (repeat('a', 64), 'dorset')",
             "DELETE FROM api_tokens",
             "UPDATE crimes SET category = 'x'",
             "DELETE FROM postcodes",
             "INSERT INTO forces (id, name) VALUES ('x', 'y')",
             "INSERT INTO neighbourhoods (force_id, id, name) VALUES ('dorset', 'x', 'y')",
             "DELETE FROM neighbourhood_people",
             "INSERT INTO dataset_versions (crimes, located) VALUES (0, 0)",
             "DELETE FROM schema_migrations",
             "CREATE TABLE mine (x int)",
             "DROP TABLE crimes",
             "ALTER TABLE crimes ADD COLUMN x int",
             "SELECT crimemap_grant_server_role()",
             "CREATE ROLE sneaky",
             "TRUNCATE neighbourhood_priorities"}) {
        const auto error = attempt(c, sql);
        // "must be owner" is PostgreSQL's refusal of DDL on another role's table.
        EXPECT_TRUE(error.find("permission denied") != std::string::npos ||
                    error.find("must be owner") != std::string::npos)
            << sql << ": " << (error.empty() ? "allowed" : error);
    }
    auto r = c.query(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = "
        "current_user");
    for (int col = 0; col < 4; ++col) EXPECT_EQ(r.text(0, col), "f") << col;
}

TEST_F(ServerRole, LaterTablesAreReadableAndMigrateIsIdempotent) {
    auto owner = db_->connect();
    owner.exec("CREATE TABLE later_table (x int); INSERT INTO later_table VALUES (1)");
    store::Connection c(role_url_);
    EXPECT_EQ(attempt(c, "SELECT * FROM later_table"), "");
    EXPECT_NE(attempt(c, "INSERT INTO later_table VALUES (2)").find("permission denied"), std::string::npos);
    // Re-running migrate re-applies the grants and changes nothing else.
    const std::string acl =
        "SELECT string_agg(relname || ':' || coalesce(relacl::text, ''), ',' ORDER BY relname) FROM pg_class"
        " WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')";
    const auto before = db_->scalar(acl);
    auto again = db_->crimemap({"migrate"});
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_NE(again.out.find("up to date"), std::string::npos) << again.out;
    EXPECT_EQ(db_->scalar(acl), before);
}

TEST_F(ServerRole, PasswordFromTheEnvironmentIsAScramVerifier) {
    const std::string password = core::random_secret("pw-", 8);
    auto r = db_->crimemap({"migrate"}, {{"CRIMEMAP_SERVER_PASSWORD", password}});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto stored = db_->scalar("SELECT rolpassword FROM pg_authid WHERE rolname = 'crimemap_server'");
    EXPECT_EQ(stored.rfind("SCRAM-SHA-256$", 0), 0u) << stored;
    EXPECT_EQ(stored.find(password), std::string::npos);
    // The private cluster trusts local connections: no password is needed there.
    db_->connect().exec("ALTER ROLE crimemap_server PASSWORD NULL");
    EXPECT_EQ(db_->scalar("SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'crimemap_server'"),
              "t");
}

// A token stored before 0007 (hashed by PostgreSQL, no expiry, no scopes) works after it.
TEST(TokenMigration, TokensFromBeforeExpiryAndScopesKeepWorking) {
    const std::string name = "cmtest_tokmig_" + std::to_string(::getpid());
    const auto url = test::url_with_database(test::test_server_url(), name);
    store::Connection admin(test::test_server_url());
    admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    admin.exec("CREATE DATABASE " + name);
    const fs::path old_schema =
        fs::temp_directory_path() / ("crimemap-old-schema-" + std::to_string(::getpid()));
    fs::remove_all(old_schema);
    fs::create_directories(old_schema / "migrations");
    // No functions: today's would need tables of later migrations (the tile function reads
    // lsoa_deprivation, 0008), and the old schema's tokens need none; the full migrate below
    // installs them.
    fs::create_directories(old_schema / "functions");
    for (const auto& f : fs::directory_iterator(test::source_path("schema/migrations")))
        if (f.path().filename().string() < "0007") fs::copy(f.path(), old_schema / "migrations");
    auto old = test::run_crimemap({"migrate", "--schema-dir", old_schema.string()},
                                  {{"CRIMEMAP_DATABASE_URL", url}});
    ASSERT_EQ(old.exit_code, 0) << old.describe();
    const std::string token = core::random_secret("cm_");
    {
        store::Connection c(url);
        // Exactly how `crimemap token create` stored tokens before 0007.
        c.query(
            "INSERT INTO api_tokens (token_hash, force_id, neighbourhood_id, label) VALUES"
            " (encode(sha256(convert_to($1::text, 'UTF8')), 'hex'), 'west-mercia', NULL, 'old')",
            {token});
    }
    auto now = test::run_crimemap({"migrate"}, {{"CRIMEMAP_DATABASE_URL", url}});
    ASSERT_EQ(now.exit_code, 0) << now.describe();
    EXPECT_NE(now.out.find("0007_tokens_audit_roles.sql"), std::string::npos) << now.out;
    {
        store::Connection c(url);
        auto row = c.query(
            "SELECT expires_at > now() + interval '364 days', array_to_string(scopes, ','), last_used_at IS "
            "NULL"
            " FROM api_tokens WHERE label = 'old'");
        ASSERT_EQ(row.size(), 1);
        EXPECT_EQ(row.text(0, 0), "t");
        EXPECT_EQ(row.text(0, 1), "priorities,events");
        EXPECT_EQ(row.text(0, 2), "t");
        // The server's lookup, as crimemap_server, by the hash computed in the process.
        auto pool = std::make_shared<store::ConnectionPool>(
            store::PoolOptions{.url = crimemap::testing::as_server_role(url), .max_connections = 1});
        auto teams = store::make_team_repository(pool);
        const auto hash = core::sha256_hex(token);
        auto found = teams->find_token(hash);
        ASSERT_TRUE(found);
        EXPECT_TRUE(core::authorize(found, hash, core::TeamEntity::event, "west-mercia", "HE06"));
    }
    fs::remove_all(old_schema);
    admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace
