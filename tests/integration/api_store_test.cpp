// The API's data on the real sample in a private PostGIS: the in-memory postcode index and area
// lookups against PostGIS answers, crime listings (CrimeDetails) against SQL counts, and team
// writes with tokens and the audit log (TeamStore).
#include <gtest/gtest.h>

#include <set>

#include "core/api_data.hpp"
#include "core/postcode_api.hpp"
#include "core/secrets.hpp"
#include "core/summary.hpp"
#include "store/api_loader.hpp"
#include "store/crime_details.hpp"
#include "store/pool.hpp"
#include "store/snapshot_loader.hpp"
#include "store/team_repository.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"

using namespace crimemap;

namespace {

class ApiStore : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        db_ = new test::TestDatabase();
        db_->seed_sample();
        auto conn = db_->connect();
        snapshot_ = store::load_snapshot(conn);
    }
    static void TearDownTestSuite() {
        snapshot_.reset();
        delete db_;
        db_ = nullptr;
    }
    static test::TestDatabase* db_;
    static std::shared_ptr<const core::Snapshot> snapshot_;
};
test::TestDatabase* ApiStore::db_ = nullptr;
std::shared_ptr<const core::Snapshot> ApiStore::snapshot_;

}  // namespace

TEST_F(ApiStore, PostcodeIndexHoldsTheDirectory) {
    ASSERT_TRUE(snapshot_->api);
    const auto& idx = snapshot_->api->postcodes;
    EXPECT_EQ(static_cast<long long>(idx.size()), db_->count("SELECT count(*) FROM postcodes"));
    const auto* r = idx.find("HR11AA");
    ASSERT_NE(r, nullptr);
    EXPECT_DOUBLE_EQ(r->lat(), 52.060745);
    EXPECT_DOUBLE_EQ(r->lon(), -2.710027);
    EXPECT_EQ(idx.code(*r, core::PcCode::lsoa), "E01014010");
    auto j = core::lookup_postcode(*snapshot_, "HR1 1AA");
    ASSERT_EQ(j.status, 200);
    EXPECT_EQ(j.body["result"]["admin_district"], "Herefordshire, County of");
    EXPECT_EQ(j.body["result"]["region"], "West Midlands");
    EXPECT_EQ(j.body["result"]["country"], "England");
    EXPECT_EQ(j.body["result"]["pfa"], "West Mercia");
    EXPECT_EQ(snapshot_->api->force("west-mercia")->pfa_code, "E23000016");
    EXPECT_EQ(snapshot_->api->force_months.at("west-mercia").size(), 5u);
}

TEST_F(ApiStore, ReverseGeocodingAgreesWithPostGIS) {
    const auto& idx = snapshot_->api->postcodes;
    auto conn = db_->connect();
    // Points around the sample, including some between towns.
    const std::vector<geo::LonLat> points{{-2.710027, 52.060745}, {-2.4465, 52.6766}, {-2.7200, 52.0500},
                                          {-2.5100, 52.7000},     {-2.9000, 52.2000}, {-2.3900, 52.6000}};
    for (const auto& p : points) {
        auto ours = idx.nearest(p.lon, p.lat, 2000, 25);
        auto sql = conn.query(
            "SELECT postcode, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), "
            "4326)::geography) d FROM postcodes"
            " WHERE terminated IS NULL AND geom IS NOT NULL"
            " AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, 2000)"
            " ORDER BY d, postcode LIMIT 25",
            {std::to_string(p.lon), std::to_string(p.lat)});
        ASSERT_EQ(static_cast<int>(ours.size()), sql.size()) << p.lon << "," << p.lat;
        for (int i = 0; i < sql.size(); ++i) {
            // Sphere vs spheroid: distances within 0.5 %; order may differ only among near-ties.
            EXPECT_NEAR(ours[i].distance, sql.float64(i, 1), std::max(0.5, sql.float64(i, 1) * 0.005)) << i;
        }
        std::set<std::string> a, b;
        for (int i = 0; i + 1 < sql.size(); ++i) b.insert(std::string(sql.text(i, 0)));
        for (std::size_t i = 0; i + 1 < ours.size(); ++i) a.insert(idx.records()[ours[i].index].display());
        std::size_t common = 0;
        for (const auto& x : a) common += b.count(x);
        EXPECT_GE(common + 2, a.size()) << "nearest sets differ at " << p.lon << "," << p.lat;
    }
}

TEST_F(ApiStore, NeighbourhoodLocationAgreesWithPostGIS) {
    auto conn = db_->connect();
    auto rows = conn.query(
        "SELECT p.lon, p.lat, coalesce((SELECT a.code FROM areas a WHERE a.kind = 'neighbourhood'"
        " AND ST_Contains(a.geom, p.geom) LIMIT 1), '') FROM postcodes p WHERE p.geom IS NOT NULL"
        " ORDER BY md5(p.pc_compact) LIMIT 300");
    ASSERT_EQ(rows.size(), 300);
    int agree = 0;
    for (int i = 0; i < rows.size(); ++i) {
        auto nb = core::neighbourhood_json(*snapshot_, {rows.float64(i, 0), rows.float64(i, 1)});
        std::string ours =
            nb.is_null() ? "" : nb["force"].get<std::string>() + "/" + nb["id"].get<std::string>();
        agree += ours == rows.text(i, 2);
    }
    EXPECT_GE(agree, 298);  // points exactly on a boundary may go either way
}

TEST_F(ApiStore, SummaryCountsMatchSql) {
    auto r = core::postcode_summary(*snapshot_, *snapshot_->api->teams, "HR1 1AA", {{"months", "2"}},
                                    std::chrono::system_clock::now());
    ASSERT_EQ(r.status, 200);
    const auto& s = r.body["result"];
    EXPECT_EQ(s["crimes"]["total"].get<long long>(),
              db_->count("SELECT count(*) FROM crimes WHERE lsoa_code = 'E01014010' AND month BETWEEN "
                         "'2019-01-01' AND '2019-02-01'"));
    EXPECT_EQ(s["crimes"]["previous_total"].get<long long>(),
              db_->count("SELECT count(*) FROM crimes WHERE lsoa_code = 'E01014010' AND month BETWEEN "
                         "'2018-11-01' AND '2018-12-01'"));
    EXPECT_EQ(
        s["areas"]["neighbourhood"]["crimes"].get<long long>(),
        db_->count("SELECT count(*) FROM crimes WHERE neighbourhood_code = $1 AND month >= '2019-01-01'",
                   {s["areas"]["neighbourhood"]["code"].get<std::string>()}));
    EXPECT_EQ(s["data_quality"]["force_crimes_without_location"].get<long long>(),
              db_->count("SELECT count(*) FROM crimes WHERE location_id IS NULL AND month >= '2019-01-01'"));
}

TEST_F(ApiStore, CrimeDetailsMatchSql) {
    auto pool =
        std::make_shared<store::ConnectionPool>(store::PoolOptions{.url = db_->url(), .max_connections = 2});
    auto details = store::make_crime_details(pool);
    const auto jan = core::Month::from_year_month(2019, 1);
    core::CrimeArea circle;
    circle.centre = {-2.710027, 52.060745};
    circle.radius_m = 1609.344;
    auto rows = details->in_area(circle, jan, std::nullopt, 20000);
    EXPECT_EQ(
        static_cast<long long>(rows.size()),
        db_->count("SELECT count(*) FROM crimes WHERE month = '2019-01-01' AND ST_DWithin(geom::geography,"
                   " ST_SetSRID(ST_MakePoint(-2.710027, 52.060745), 4326)::geography, 1609.344)"));
    EXPECT_GT(rows.size(), 100u);
    auto burglary = details->in_area(circle, jan, std::string("burglary"), 20000);
    for (const auto& c : burglary) EXPECT_EQ(c.category, "burglary");
    EXPECT_EQ(details->in_area(circle, jan, std::nullopt, 5).size(), 5u);
    core::CrimeArea poly;
    poly.polygon = {{-2.73, 52.05}, {-2.73, 52.07}, {-2.69, 52.07}, {-2.69, 52.05}};
    EXPECT_EQ(static_cast<long long>(details->in_area(poly, jan, std::nullopt, 20000).size()),
              db_->count("SELECT count(*) FROM crimes WHERE month = '2019-01-01'"
                         " AND ST_Intersects(geom, ST_MakeEnvelope(-2.73, 52.05, -2.69, 52.07, 4326))"));
    auto none = details->no_location("west-mercia", jan, std::nullopt, 20000);
    EXPECT_EQ(static_cast<long long>(none.size()),
              db_->count("SELECT count(*) FROM crimes WHERE month = '2019-01-01' AND location_id IS NULL"));
    for (const auto& c : none) EXPECT_FALSE(c.location_id);
    auto at = details->at_location(std::nullopt, {-2.710027, 52.060745}, jan, 1000);
    ASSERT_FALSE(at.empty());
    auto by_id = details->at_location(at[0].location_id, {0, 0}, jan, 1000);
    EXPECT_EQ(by_id.size(), at.size());
    const std::string nb = "west-mercia/HE06";
    auto outcomes = details->outcomes("neighbourhood", nb, jan, jan);
    long long sum = 0;
    for (const auto& [o, n] : outcomes) sum += static_cast<long long>(n);
    EXPECT_EQ(sum,
              db_->count("SELECT count(*) FROM crimes WHERE neighbourhood_code = $1 AND month = '2019-01-01'",
                         {nb}));
    EXPECT_TRUE(details->outcomes("bogus", nb, jan, jan).empty());
}

TEST_F(ApiStore, TeamWritesTokensAndAudit) {
    auto created = db_->crimemap(
        {"token", "create", "--force", "west-mercia", "--neighbourhood", "HE06", "--label", "it"});
    ASSERT_EQ(created.exit_code, 0) << created.describe();
    std::string token = created.out.substr(0, created.out.find('\n'));
    ASSERT_EQ(token.size(), 67u);
    EXPECT_EQ(db_->count("SELECT count(*) FROM api_tokens WHERE token_hash = encode(sha256(convert_to($1, "
                         "'UTF8')), 'hex')",
                         {token}),
              1);
    EXPECT_EQ(db_->count("SELECT count(*) FROM api_tokens WHERE token_hash = $1", {token}),
              0);  // never stored in clear
    EXPECT_NE(db_->crimemap({"token", "create", "--force", "nowhere"}).exit_code, 0);
    EXPECT_NE(
        db_->crimemap({"token", "create", "--force", "west-mercia", "--neighbourhood", "NOPE"}).exit_code, 0);

    // The repository works with the server role's privileges only.
    auto pool = std::make_shared<store::ConnectionPool>(
        store::PoolOptions{.url = crimemap::testing::as_server_role(db_->url()), .max_connections = 2});
    auto teams = store::make_team_repository(pool);
    EXPECT_FALSE(teams->find_token(core::sha256_hex("cm_wrong")));
    auto found = teams->find_token(core::sha256_hex(token));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->token_hash, core::sha256_hex(token));
    EXPECT_FALSE(found->revoked);
    EXPECT_FALSE(found->expired);
    auto authorized =
        core::authorize(found, core::sha256_hex(token), core::TeamEntity::priority, "west-mercia", "HE06");
    ASSERT_TRUE(authorized);
    const core::TeamWriter writer{*authorized,
                                  core::make_request_origin("192.0.2.1", "api-store-test", "req-1")};
    const auto* scope = &writer.token;
    EXPECT_EQ(scope->force_id, "west-mercia");
    EXPECT_EQ(scope->neighbourhood_id, "HE06");

    core::PriorityInput in{"Parking on verges", "2019-02-01T00:00:00", "Tickets", ""};
    auto id = teams->create_priority(writer, "west-mercia", "HE06", in);
    ASSERT_GT(id, 0);
    in.action = "Tickets issued";
    EXPECT_TRUE(teams->update_priority(writer, "west-mercia", "HE06", id, in));
    EXPECT_FALSE(teams->update_priority(writer, "west-mercia", "HE07", id, in));  // not in that neighbourhood
    auto dir = teams->load_teams();
    const auto* team = dir->find("west-mercia", "HE06");
    ASSERT_NE(team, nullptr);
    ASSERT_FALSE(team->priorities.empty());
    bool seen = false;
    for (const auto& p : team->priorities)
        seen |= p.id == id && p.action == "Tickets issued" && p.issue_date == "2019-02-01T00:00:00";
    EXPECT_TRUE(seen);
    EXPECT_TRUE(teams->remove_priority(writer, "west-mercia", "HE06", id));
    EXPECT_FALSE(teams->remove_priority(writer, "west-mercia", "HE06", id));

    core::EventInput ev;
    ev.title = "Beat surgery";
    ev.start_date = "2019-03-05T18:30:00";
    ev.contact_details = nlohmann::json{{"telephone", "101"}};
    auto eid = teams->create_event(writer, "west-mercia", "HE06", ev);
    ASSERT_GT(eid, 0);
    EXPECT_TRUE(teams->remove_event(writer, "west-mercia", "HE06", eid));

    // Every write is audited with its token, time, before and after.
    EXPECT_EQ(
        db_->count("SELECT count(*) FROM audit_log WHERE token_id = $1", {std::to_string(scope->token_id)}),
        5);
    EXPECT_EQ(
        db_->count(
            "SELECT count(*) FROM audit_log WHERE token_id = $1 AND action = 'update' AND entity = 'priority'"
            " AND before->>'action' = 'Tickets' AND after->>'action' = 'Tickets issued'",
            {std::to_string(scope->token_id)}),
        1);
    EXPECT_EQ(db_->count("SELECT count(*) FROM audit_log WHERE action = 'delete' AND after IS NULL AND "
                         "before IS NOT NULL"),
              2);

    auto revoked = db_->crimemap({"token", "revoke", std::to_string(scope->token_id)});
    EXPECT_EQ(revoked.exit_code, 0) << revoked.describe();
    found = teams->find_token(core::sha256_hex(token));
    ASSERT_TRUE(found);
    EXPECT_TRUE(found->revoked);
    EXPECT_EQ(db_->count("SELECT count(*) FROM audit_log WHERE token_id = $1 AND client_address = '192.0.2.1'"
                         " AND user_agent = 'api-store-test' AND request_id = 'req-1'",
                         {std::to_string(scope->token_id)}),
              5);
}
