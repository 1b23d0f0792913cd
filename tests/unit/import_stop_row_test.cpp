// `crimemap import stops` row parsing (no database) on fixtures in police.uk's published
// stop-and-search layout (header, True/False columns, blank fields, ISO dates with offsets), and
// the police.uk JSON of a stop compared with the real police.uk fixture's keys and types.
#include <gtest/gtest.h>

#include "core/police_stops.hpp"
#include "support/csv_records.hpp"
#include "support/police_fixtures.hpp"
#include "tools/stop_import.hpp"

using namespace crimemap;
using namespace crimemap::tools;
using crimemap::test::read_csv;
using crimemap::test::read_csv_file;

TEST(ImportStopRow, PublishedLayoutParsesToTypedValues) {
    auto recs = read_csv_file("tests/fixtures/stops/2019-01/2019-01-west-mercia-stop-and-search.csv");
    ASSERT_EQ(recs.size(), 5u);
    auto cols = map_stop_header(recs[0].views());
    ASSERT_TRUE(cols);
    EXPECT_EQ(cols->count, 15u);
    EXPECT_EQ(cols->removal, 14);
    auto rows = test::parse_good_rows<StopRow>(*cols, recs, "s.csv", parse_stop_row);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].type, "Person search");
    EXPECT_EQ(rows[0].datetime, "2019-01-04T11:07:00+00:00");
    EXPECT_EQ(rows[0].month.str(), "2019-01");
    EXPECT_EQ(rows[0].operation, false);
    EXPECT_EQ(rows[0].outcome_linked, false);
    EXPECT_DOUBLE_EQ(*rows[0].lat, 52.062029);
    EXPECT_EQ(rows[1].outcome, "Arrest");
    EXPECT_EQ(rows[1].outcome_linked, true);
    // Blank fields: nullopt for True/False columns, empty text otherwise.
    EXPECT_FALSE(rows[2].operation);
    EXPECT_FALSE(rows[2].removal);
    EXPECT_EQ(rows[2].gender, "");
    EXPECT_FALSE(rows[3].lon);
    EXPECT_EQ(rows[3].operation, true);
}

TEST(ImportStopRow, DatesAsPoliceUkWritesThem) {
    auto cols = map_stop_header(read_csv("Type,Date\n")[0].views());
    ASSERT_TRUE(cols);
    auto date = [&](const std::string& d) {
        auto r = parse_stop_row(*cols, read_csv("Person search," + d + "\n")[0].views(), {"d.csv", 2});
        return r.ok() ? r.row().datetime : "error: " + r.error().reason;
    };
    EXPECT_EQ(date("2016-11-01T10:00:00"), "2016-11-01T10:00:00+00:00");  // older files: no offset
    EXPECT_EQ(date("2019-06-30T23:30:00+01:00"), "2019-06-30T23:30:00+01:00");
    EXPECT_EQ(date("2019-06-30T23:30:00.000Z"), "2019-06-30T23:30:00+00:00");
    EXPECT_EQ(date("2019-06-30 23:30:00"), "2019-06-30T23:30:00+00:00");
    EXPECT_EQ(date("30/06/2019 23:30"), "error: unreadable date '30/06/2019 23:30'");
    EXPECT_EQ(date("2019-13-01T00:00:00"), "error: unreadable date '2019-13-01T00:00:00'");
}

TEST(ImportStopRow, EveryBadRowSaysWhereAndWhy) {
    auto recs = read_csv_file("tests/fixtures/stops_bad_rows-stop-and-search.csv");
    auto cols = map_stop_header(recs[0].views());
    ASSERT_TRUE(cols);
    const std::vector<std::string> want = {
        "empty Type",
        "unreadable date '04/01/2019 11:07'",
        "not True/False: 'Maybe'",
        "bad coordinates: only one of longitude/latitude",
        "bad coordinates: outside the UK (-2.708851, 40.0)",
        "wrong column count: got 3 fields, expected 15",
        "field 11 has a NUL byte or is not UTF-8",  // a NUL: COPY would refuse the month
    };
    test::expect_bad_rows(*cols, recs, want, parse_stop_row);
    EXPECT_TRUE(parse_stop_row(*cols, recs.back().views(), {"bad.csv", recs.back().line}).ok());
    EXPECT_FALSE(map_stop_header(read_csv("Crime ID,Month\n")[0].views()));
}

TEST(PoliceStops, JsonHasTheKeysAndTypesOfPoliceUksFixture) {
    core::StopDetail s;
    s.type = "Person search";
    s.datetime = "2019-01-04T11:07:00+00:00";
    s.location_id = 883415;
    s.lat = 52.63625;
    s.lon = -1.133691;
    s.street = "On or near Shopping Area";
    s.gender = "Male";
    s.age_range = "over 34";
    s.self_defined_ethnicity = "White - English/Welsh/Scottish/Northern Irish/British";
    s.officer_defined_ethnicity = "White";
    s.legislation = "Police and Criminal Evidence Act 1984 (section 1)";
    s.object_of_search = "Offensive weapons";
    s.outcome = "A no further action disposal";
    auto j = core::police::stop_json(s);
    auto want = police_fixtures::fixture("police_data_kit_fixtures/stop-and-search.json");
    police_fixtures::expect_same_shape(j, want, "stop");
    EXPECT_EQ(j["outcome_object"], want["outcome_object"]);
    EXPECT_EQ(j["location"]["street"], want["location"]["street"]);
    EXPECT_EQ(j["involved_person"], true);
    EXPECT_TRUE(j["operation"].is_null());
    s.type = "Vehicle search";
    s.location_id.reset();
    s.outcome.clear();
    auto v = core::police::stop_json(s);
    EXPECT_EQ(v["involved_person"], false);
    EXPECT_TRUE(v["location"].is_null());
    EXPECT_TRUE(v["outcome_object"].is_null());
    EXPECT_EQ(core::police::stop_outcome_id("Arrest"), "bu-arrest");
    EXPECT_EQ(core::police::stop_outcome_id("Something New"), "bu-something-new");
}
