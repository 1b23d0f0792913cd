// Issue 10, "existing clients work unchanged", on the seeded sample plus the outcome, stop-and-
// search and force fixtures imported with the real `crimemap` CLI: postcodes.io's name and code
// fields filled from the Nov-2021 lookups (compared with the lookup files, read independently),
// outcomes-for-crime from the outcomes file and from the street file's last outcome,
// outcomes-at-location, the four stops-* methods against SQL counts, crimes-street-dates listing
// the stop-and-search force, force details and people, and no police.uk path falling into
// /api/{force}/{neighbourhood}. Routes go through App::handle against a private PostGIS.
#include <gtest/gtest.h>

#include <map>

#include "support/db_app.hpp"
#include "support/police_fixtures.hpp"
#include "support/test_db.hpp"
#include "tools/csv.hpp"

using namespace crimemap;
using nlohmann::json;

namespace {

const std::string pid_outcomes = "2da7f50c5867f557894c562236c59d8a90e4470c0a6ecb8eaae342925193f250";
const std::string pid_street_only = "364c18c42b382b6fddd43f3170391395c1565a63022119a1cf79ae23d43e0469";

// A postcodes.io lookup file (plain or gzipped), read on its own.
json lookup(const std::string& name) {
    const std::string dir = test::source_path("../shared/data/postcodes/postcodes_io/lookups_v14/");
    for (const std::string& path : {dir + name, dir + name + ".gz"}) {
        try {
            auto src = tools::open_file_source(path);
            std::string text;
            char buf[65536];
            while (auto n = src->read(buf, sizeof buf)) text.append(buf, n);
            return json::parse(text);
        } catch (const std::exception&) {
        }
    }
    ADD_FAILURE() << "lookup missing: " << name;
    return json::object();
}

class CompatClients : public test::SeededAppSuite {
  protected:
    static void SetUpTestSuite() {
        open_suite([](test::TestDatabase& db) {
            for (const auto& args : std::vector<std::vector<std::string>>{
                     {"import", "outcomes", test::source_path("tests/fixtures/outcomes")},
                     {"import", "stops", test::source_path("tests/fixtures/stops")},
                     {"import", "forces", test::source_path("tests/fixtures/forces")},
                     {"refresh"}}) {
                auto r = db.crimemap(args);
                ASSERT_EQ(r.exit_code, 0) << r.describe();
                outputs_[args[1 < args.size() ? 1 : 0]] = r.out + r.err;
            }
        });
    }
    static std::string header(const server::Response& r, std::string_view name) {
        auto v = r.headers.get(name);
        return v ? std::string(*v) : std::string();
    }
    static inline std::map<std::string, std::string> outputs_;
};

}  // namespace

TEST_F(CompatClients, Hr11aaCarriesThePostcodesIoNamesOfItsVintage) {
    auto r = get_json("/postcodes/HR11AA")["result"];
    // What postcodes.io gives for the Nov-2021 data.
    EXPECT_EQ(r["parliamentary_constituency"], "Hereford and South Herefordshire");
    EXPECT_EQ(r["ccg"], "NHS Herefordshire and Worcestershire");
    EXPECT_EQ(r["codes"]["ccg_id"], "18C");
    EXPECT_EQ(r["nuts"], "Herefordshire, County of");
    EXPECT_EQ(r["codes"]["nuts"], "TLG11");
    EXPECT_EQ(r["codes"]["lau2"], "E06000019");
    EXPECT_EQ(r["msoa"], "Herefordshire 012");
    EXPECT_EQ(r["admin_ward"], "Widemarsh");
    EXPECT_EQ(r["european_electoral_region"], "West Midlands");
    EXPECT_EQ(r["primary_care_trust"], "Herefordshire");
    EXPECT_EQ(r["nhs_ha"], "West Midlands");
    // Pseudo codes as postcodes.io writes them; no parish column in NSPL, so null.
    EXPECT_EQ(r["codes"]["admin_county"], "E99999999");
    EXPECT_EQ(r["codes"]["ced"], "E99999999");
    EXPECT_TRUE(r["admin_county"].is_null());
    EXPECT_TRUE(r["codes"]["parish"].is_null());
    // TF1 2BB's 2015 ward (E05009978 in this NSPL) has a name of this vintage.
    EXPECT_EQ(get_json("/postcodes/TF12BB")["result"]["codes"]["admin_ward"], "E05009978");
    EXPECT_EQ(get_json("/postcodes/TF12BB")["result"]["admin_ward"], "Haygate");
}

TEST_F(CompatClients, EveryLivePostcodesNamesComeFromTheLookupFiles) {
    const auto wards = lookup("wards.json"), pcon = lookup("constituencies.json"), ccgs = lookup("ccgs.json"),
               nuts = lookup("nuts.json"), msoa = lookup("msoa.json");
    auto rows = db_->connect().query(
        "SELECT postcode, ward, pcon, ccg, itl, msoa FROM postcodes WHERE terminated IS NULL AND lad IN"
        " ('E06000019', 'E06000020') ORDER BY md5(pc_compact) LIMIT 100");
    ASSERT_EQ(rows.size(), 100);
    int ward_names = 0;
    for (int i = 0; i < rows.size(); ++i) {
        auto r = get_json("/postcodes/" + std::string(rows.text(i, 0)))["result"];
        auto expect_name = [&](const json& file, std::string_view code, const json& got, const char* what) {
            auto it = file.find(std::string(code));
            if (it == file.end()) {
                EXPECT_TRUE(got.is_null()) << what << " " << code;
                return;
            }
            EXPECT_EQ(got, it->is_object() ? (*it)["name"] : *it) << what << " " << rows.text(i, 0);
        };
        expect_name(wards, rows.text(i, 1), r["admin_ward"], "ward");
        expect_name(pcon, rows.text(i, 2), r["parliamentary_constituency"], "pcon");
        expect_name(ccgs, rows.text(i, 3), r["ccg"], "ccg");
        expect_name(nuts, rows.text(i, 4), r["nuts"], "nuts");
        expect_name(msoa, rows.text(i, 5), r["msoa"], "msoa");
        EXPECT_EQ(r["codes"]["ccg_id"], ccgs[std::string(rows.text(i, 3))]["ccg19cdh"]);
        EXPECT_EQ(r["codes"]["nuts"], nuts[std::string(rows.text(i, 4))]["code"]);
        if (r["admin_ward"].is_string()) ++ward_names;
    }
    EXPECT_EQ(ward_names, 100);  // was 61 of 100 with the other vintage's names
}

TEST_F(CompatClients, OutcomesForCrimeFromTheOutcomesFile) {
    auto res = get("/api/outcomes-for-crime/" + pid_outcomes);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(header(res, "X-Crimemap-Outcomes-Source"), "outcomes-file");
    auto body = json::parse(res.body);
    police_fixtures::expect_same_shape(
        body, police_fixtures::fixture("police_data_kit_fixtures/case-history.json"), "outcomes-for-crime");
    ASSERT_EQ(body["outcomes"].size(), 2u);  // 2019-01 (.csv) and 2019-02 (.csv.gz)
    EXPECT_EQ(body["outcomes"][0]["category"],
              json({{"code", "under-investigation"}, {"name", "Under investigation"}}));
    EXPECT_EQ(body["outcomes"][0]["date"], "2019-01");
    EXPECT_EQ(body["outcomes"][1]["category"]["code"], "no-further-action");
    EXPECT_EQ(body["outcomes"][1]["date"], "2019-02");
    EXPECT_EQ(body["crime"]["category"], "other-theft");
    EXPECT_EQ(body["crime"]["persistent_id"], pid_outcomes);
    EXPECT_EQ(body["crime"]["location"]["street"]["name"], "On or near Damson Close");
}

TEST_F(CompatClients, OutcomesForCrimeFallsBackToTheStreetFile) {
    // Outcomes files are loaded for West Mercia 2019-01 and 2019-02: a crime of 2019-01 without
    // rows there has none; a crime of 2018-10 (no outcomes file of its month) gets its last outcome.
    auto none = get("/api/outcomes-for-crime/" + pid_street_only);
    ASSERT_EQ(none.status, 200) << none.body;
    EXPECT_EQ(header(none, "X-Crimemap-Outcomes-Source"), "outcomes-file");
    EXPECT_TRUE(json::parse(none.body)["outcomes"].empty());
    auto old_pid = db_->scalar(
        "SELECT crime_id FROM crimes WHERE month = '2018-10-01' AND last_outcome IS NOT NULL ORDER BY id "
        "LIMIT 1");
    auto old_outcome = db_->scalar("SELECT last_outcome FROM crimes WHERE crime_id = $1", {old_pid});
    auto res = get("/api/outcomes-for-crime/" + old_pid);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(header(res, "X-Crimemap-Outcomes-Source"), "street-file");
    auto body = json::parse(res.body);
    ASSERT_EQ(body["outcomes"].size(), 1u);
    EXPECT_EQ(body["outcomes"][0]["category"]["name"], old_outcome);
    EXPECT_EQ(body["outcomes"][0]["date"], "2018-10");
    EXPECT_EQ(get("/api/outcomes-for-crime/" + std::string(64, 'f')).status, 404);
    EXPECT_EQ(get("/api/outcomes-for-crime/not-an-id").status, 404);
}

TEST_F(CompatClients, OutcomesAtLocationAgreeWithSql) {
    auto loc = db_->scalar("SELECT location_id FROM outcomes WHERE crime_id = $1 AND month = '2019-01-01'",
                           {pid_outcomes});
    ASSERT_FALSE(loc.empty());
    auto res = get("/api/outcomes-at-location?date=2019-01&location_id=" + loc);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(header(res, "X-Crimemap-Outcomes-Source"), "outcomes-file");
    auto at = json::parse(res.body);
    EXPECT_EQ(
        static_cast<long long>(at.size()),
        db_->count("SELECT count(*) FROM outcomes WHERE month = '2019-01-01' AND location_id = $1", {loc}));
    ASSERT_FALSE(at.empty());
    EXPECT_EQ(at[0]["crime"]["persistent_id"], pid_outcomes);
    police_fixtures::expect_same_shape(
        at[0], police_fixtures::fixture("police_data_kit_fixtures/outcome.json"), "outcomes-at-location");
    // Within a mile of a point: 3 located rows of the fixture lie within 1 km of each other.
    auto near = get_json("/api/outcomes-at-location?date=2019-01&lat=52.3&lng=-2.75");
    EXPECT_EQ(
        static_cast<long long>(near.size()),
        db_->count("SELECT count(*) FROM outcomes WHERE month = '2019-01-01' AND ST_DWithin(geom::geography,"
                   " ST_SetSRID(ST_MakePoint(-2.75, 52.3), 4326)::geography, 1609.344)"));
    EXPECT_EQ(near.size(), 3u);
    auto poly = get_json(
        "/api/outcomes-at-location?date=2019-01&poly=52.29,-2.76:52.31,-2.76:52.31,-2.74:52.29,-2.74");
    EXPECT_EQ(poly.size(), 3u);
    // A month without an outcomes file: the street file's last outcomes.
    auto old = get("/api/outcomes-at-location?date=2018-10&lat=52.3&lng=-2.75");
    ASSERT_EQ(old.status, 200);
    EXPECT_EQ(header(old, "X-Crimemap-Outcomes-Source"), "street-file");
    EXPECT_EQ(
        static_cast<long long>(json::parse(old.body).size()),
        db_->count("SELECT count(*) FROM crimes WHERE month = '2018-10-01' AND last_outcome IS NOT NULL AND "
                   "ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(-2.75, 52.3), 4326)::geography, "
                   "1609.344)"));
    EXPECT_EQ(get("/api/outcomes-at-location?date=2019-01").status, 400);
    EXPECT_EQ(get("/api/outcomes-at-location?location_id=abc").status, 400);
}

TEST_F(CompatClients, StopsThroughTheFourMethods) {
    EXPECT_EQ(db_->count("SELECT count(*) FROM stops"), 4);
    auto force = get_json("/api/stops-force?force=west-mercia&date=2019-01");
    ASSERT_EQ(force.size(), 4u);
    police_fixtures::expect_same_shape(
        force[0], police_fixtures::fixture("police_data_kit_fixtures/stop-and-search.json"), "stop");
    EXPECT_EQ(force[0]["datetime"], "2019-01-04T11:07:00+00:00");
    EXPECT_EQ(force[1]["outcome_object"], json({{"id", "bu-arrest"}, {"name", "Arrest"}}));
    EXPECT_EQ(force[2]["involved_person"], false);
    auto no_loc = get_json("/api/stops-no-location?force=west-mercia&date=2019-01");
    ASSERT_EQ(no_loc.size(), 1u);
    EXPECT_TRUE(no_loc[0]["location"].is_null());
    auto street = get_json("/api/stops-street?lat=52.0607&lng=-2.71&date=2019-01");
    ASSERT_EQ(street.size(), 2u);
    // Tied to the crimes' snap location at that point (same street id and name).
    auto loc = street[0]["location"]["street"]["id"].get<long long>();
    EXPECT_EQ(db_->scalar("SELECT name FROM snap_locations WHERE id = $1", {std::to_string(loc)}),
              street[0]["location"]["street"]["name"]);
    EXPECT_GT(db_->count("SELECT count(*) FROM crimes WHERE location_id = $1", {std::to_string(loc)}), 0);
    auto at = get_json("/api/stops-at-location?location_id=" + std::to_string(loc) + "&date=2019-01");
    EXPECT_EQ(at.size(), 2u);
    EXPECT_TRUE(get_json("/api/stops-force?force=west-mercia&date=2018-12").empty());
    EXPECT_EQ(get("/api/stops-force?force=nowhere").status, 404);
    EXPECT_EQ(get("/api/stops-at-location").status, 400);
    EXPECT_EQ(get("/api/stops-street?date=2019-01").status, 400);
}

TEST_F(CompatClients, StreetDatesListTheStopAndSearchForce) {
    auto dates = get_json("/api/crimes-street-dates");
    for (const auto& d : dates) {
        if (d["date"] == "2019-01")
            EXPECT_EQ(d["stop-and-search"], json::array({"west-mercia"}));
        else
            EXPECT_EQ(d["stop-and-search"], json::array()) << d;
    }
}

TEST_F(CompatClients, ForceDetailsAndPeople) {
    auto f = get_json("/api/forces/leicestershire");
    auto want = police_fixtures::fixture("police_data_kit_fixtures/police-force.json");
    EXPECT_EQ(f, want);
    auto people = get_json("/api/forces/leicestershire/people");
    EXPECT_EQ(people,
              json::array({police_fixtures::fixture("police_data_kit_fixtures/police-officer.json")}));
    EXPECT_EQ(get_json("/api/forces/west-mercia/people"), json::array());
}

TEST_F(CompatClients, NeighbourhoodAnswersCarryPoliceUksFieldsOnly) {
    auto nb = get_json("/api/west-mercia/HE06");
    EXPECT_FALSE(nb.contains("demo"));
    police_fixtures::expect_same_shape(
        nb, police_fixtures::fixture("policeuk_net_fixtures/Neighbourhood.json"), "neighbourhood");
    // population: a number in a string, or null without LSOA populations.
    EXPECT_TRUE(nb["population"].is_null() || nb["population"].is_string());
}

TEST_F(CompatClients, NoPolicePathFallsIntoForceAndNeighbourhood) {
    for (const std::string path :
         {"/api/outcomes-for-crime/", "/api/stops-street/x", "/api/crimes-street/burglary/people",
          "/api/outcomes-at-location/x", "/api/stops-force/boundary", "/api/forces/west-mercia/x"}) {
        auto res = get(path);
        EXPECT_EQ(res.status, 404) << path;
        EXPECT_EQ(res.body.find("Neighbourhood not found"), std::string::npos) << path << ": " << res.body;
    }
}

TEST_F(CompatClients, ImportsReportBadRowsLikeCrimes) {
    test::TestDatabase fresh;  // a month replaced here must not change the other tests' data
    auto out = fresh.crimemap(
        {"import", "outcomes", test::source_path("tests/fixtures/outcomes_bad_rows-outcomes.csv")});
    EXPECT_EQ(out.exit_code, 0) << out.describe();
    EXPECT_NE(out.err.find("outcomes_bad_rows-outcomes.csv:2: unreadable month '2019-13'"), std::string::npos)
        << out.err;
    EXPECT_NE(out.out.find("1 rows loaded, 6 skipped"), std::string::npos) << out.out;
    auto strict = fresh.crimemap({"import", "stops", "--force", "west-mercia", "--strict",
                                  test::source_path("tests/fixtures/stops_bad_rows-stop-and-search.csv")});
    EXPECT_EQ(strict.exit_code, 3) << strict.describe();
    EXPECT_NE(strict.err.find("stops_bad_rows-stop-and-search.csv:3: unreadable date '04/01/2019 11:07'"),
              std::string::npos)
        << strict.err;
    EXPECT_NE(
        strict.err.find("stops_bad_rows-stop-and-search.csv:8: field 11 has a NUL byte or is not UTF-8"),
        std::string::npos)
        << strict.err;
    auto no_force = fresh.crimemap(
        {"import", "stops", test::source_path("tests/fixtures/stops_bad_rows-stop-and-search.csv")});
    EXPECT_EQ(no_force.exit_code, 1);
    EXPECT_NE(no_force.err.find("use --force"), std::string::npos) << no_force.err;
}
