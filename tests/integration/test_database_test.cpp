// The test database helper itself (tests/support/test_db): copying a database that a session is
// still leaving. That race made the import tests fail by the dozen on a loaded machine (issue 12):
// the crimemap process that built a template had exited, its session had not yet.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/test_db.hpp"

using namespace crimemap;
using namespace std::chrono_literals;

TEST(TestDatabaseHelper, CopyWaitsForASessionStillInTheTemplate) {
    test::TestDatabase source;
    store::Connection admin(test::test_server_url());
    const std::string copy = "cmtest_copy_" + source.name();
    admin.exec("DROP DATABASE IF EXISTS \"" + copy + "\"");
    const std::string create = "CREATE DATABASE \"" + copy + "\" TEMPLATE \"" + source.name() + "\"";

    auto lingering = std::make_unique<store::Connection>(source.url());
    // PostgreSQL on its own gives up after 5 s with 55006, which is what the tests used to do.
    try {
        admin.exec(create);
        FAIL() << "the copy succeeded while a session was in the template";
    } catch (const store::PgError& e) {
        EXPECT_EQ(e.sqlstate, "55006") << e.what();
    }
    // The session leaves while the helper waits, later than PostgreSQL's own 5 s: the copy then
    // succeeds.
    std::thread leave([&] {
        std::this_thread::sleep_for(7s);
        lingering.reset();
    });
    EXPECT_NO_THROW(test::exec_when_unused(admin, create));
    leave.join();
    store::Connection copied(test::url_with_database(test::test_server_url(), copy));
    EXPECT_EQ(copied.query("SELECT count(*) FROM schema_migrations").int64(0, 0),
              source.count("SELECT count(*) FROM schema_migrations"));
    admin.exec("DROP DATABASE \"" + copy + "\" WITH (FORCE)");
}
