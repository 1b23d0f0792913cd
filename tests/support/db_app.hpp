#pragma once
// Integration-test helper: server::App over a test database, wired as crimemapd wires it (the
// snapshot loaded from the database, crime details and the team repository on a small pool, no web
// folder), so API tests call routes through App::handle without sockets. Header-only.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "server/app.hpp"
#include "store/crime_details.hpp"
#include "store/pool.hpp"
#include "store/snapshot_loader.hpp"
#include "store/team_repository.hpp"
#include "support/app_calls.hpp"
#include "support/test_db.hpp"

namespace crimemap::test {

class DbApp {
  public:
    explicit DbApp(const TestDatabase& db) {
        auto conn = db.connect();
        holder_.set(store::load_snapshot(conn));
        auto pool = std::make_shared<store::ConnectionPool>(
            store::PoolOptions{.url = db.url(), .max_connections = 2});
        server::Config config;
        config.web_dir.clear();
        app_ = std::make_unique<server::App>(
            config, holder_,
            server::ApiServices{store::make_crime_details(pool), store::make_team_repository(pool)});
    }
    DbApp(const DbApp&) = delete;
    DbApp& operator=(const DbApp&) = delete;

    // target with method m, body and a bearer token (none when empty): testing::app_call.
    server::Response call(server::Method m, const std::string& target, const std::string& body = {},
                          const std::string& bearer = {}) {
        return crimemap::testing::app_call(*app_, m, target, body, crimemap::testing::bearer(bearer));
    }
    server::Response get(const std::string& target) { return call(server::Method::get, target); }
    // The body as JSON (discarded when unparsable); another status than `status` is a test failure.
    nlohmann::json get_json(const std::string& target, int status = 200) {
        return crimemap::testing::json_body(get(target), target, status);
    }

  private:
    core::SnapshotHolder holder_;
    std::unique_ptr<server::App> app_;
};

// A test suite whose cases share one seeded database and its DbApp, built once (they only read).
// A suite that needs more data defines SetUpTestSuite() { open_suite(prepare); }: prepare runs on
// the seeded database before the app loads its snapshot.
class SeededAppSuite : public ::testing::Test {
  protected:
    static void open_suite(const std::function<void(TestDatabase&)>& prepare = {}) {
        db_ = new TestDatabase();
        db_->seed_sample();
        if (prepare) prepare(*db_);
        app_ = new DbApp(*db_);
    }
    static void SetUpTestSuite() { open_suite(); }
    static void TearDownTestSuite() {
        delete app_;
        delete db_;
        app_ = nullptr;
        db_ = nullptr;
    }
    static server::Response get(const std::string& target) { return app_->get(target); }
    static nlohmann::json get_json(const std::string& target, int status = 200) {
        return app_->get_json(target, status);
    }

    static inline TestDatabase* db_ = nullptr;
    static inline DbApp* app_ = nullptr;
};

}  // namespace crimemap::test
