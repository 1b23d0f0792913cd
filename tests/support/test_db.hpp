#pragma once
// Integration-test helpers shared by every module: a private, freshly migrated database per test
// on the PostgreSQL server named by CRIMEMAP_TEST_DATABASE_URL (scripts/test starts one), optionally
// holding the seeded data/sample, and a runner for the `crimemap` binary.
//
//   crimemap::test::TestDatabase db;          // empty, migrated; dropped in the destructor
//   db.seed_sample();                         // now holds data/sample after `crimemap seed`
//   auto conn = db.connect();                 // store::Connection
//   auto r = db.crimemap({"import", "crimes", path});   // CRIMEMAP_DATABASE_URL set to db.url()
//
// The migrated and the seeded databases are built once and kept on the server as template
// databases (named after a hash of the crimemap binary, schema/migrations and data/sample), so each
// test gets its copy with a fast CREATE DATABASE ... TEMPLATE, even across test processes.
// A missing CRIMEMAP_TEST_DATABASE_URL fails the test loudly (it is never skipped).
#include <map>
#include <string>
#include <vector>

#include "store/pg.hpp"

namespace crimemap::test {

// CRIMEMAP_SOURCE_DIR / relative, CRIMEMAP_BINARY_DIR / tools / crimemap.
std::string source_path(const std::string& relative);
std::string crimemap_binary();

// The server URL (CRIMEMAP_TEST_DATABASE_URL); throws std::runtime_error with a clear message
// when unset (after recording a test failure).
std::string test_server_url();
// The same server and credentials with another database name.
std::string url_with_database(const std::string& url, const std::string& database);

struct CommandResult {
    int exit_code = -1;            // -1 when killed by a signal
    int signal = 0;                // the signal that killed it, 0 otherwise
    std::string out;               // stdout
    std::string err;               // stderr
    std::string describe() const;  // "exit 1" / "killed by signal 9", then the output, for assertion messages
};

// Runs a program with extra environment variables (added to / overriding this process's), waits
// for it and captures stdout and stderr.
CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {});
inline CommandResult run_crimemap(const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env = {}) {
    return run_program(crimemap_binary(), args, env);
}

// Runs a CREATE DATABASE ... TEMPLATE or ALTER DATABASE ... RENAME, retrying for up to 2 minutes
// while PostgreSQL refuses it because a session (one that is ending, say) is still in the database.
void exec_when_unused(store::Connection& admin, const std::string& sql);

class TestDatabase {
  public:
    // Creates a uniquely named database with every migration applied.
    TestDatabase();
    // Drops the database (terminating leftover connections).
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }
    store::Connection connect() const { return store::Connection(url_); }

    // Loads data/sample as `crimemap seed` does (refresh included). When no session is connected
    // to the database it is re-created from the cached seeded template (about a second); otherwise
    // (say a server under test is watching it) `crimemap seed` runs into it for real (seconds).
    void seed_sample();

    // Runs crimemap with CRIMEMAP_DATABASE_URL pointing at this database.
    CommandResult crimemap(const std::vector<std::string>& args,
                           std::map<std::string, std::string> env = {}) const;

    // Convenience: the first column of the first row as text ("" for NULL), and as an integer.
    std::string scalar(const std::string& sql, const store::Params& params = {}) const;
    long long count(const std::string& sql, const store::Params& params = {}) const;

  private:
    void recreate_from(const std::string& template_name);
    std::string name_;
    std::string url_;
};

}  // namespace crimemap::test
