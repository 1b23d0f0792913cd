// `crimemap import outcomes` row parsing and the police.uk outcome codes (no database): the
// fixture files in police.uk's outcomes layout, every bad-row reason, and every "Last outcome
// category" name in the real street files mapping to a police.uk code (not a made-up slug).
#include <gtest/gtest.h>

#include <set>

#include "core/police_outcomes.hpp"
#include "support/csv_records.hpp"
#include "tools/crime_import.hpp"
#include "tools/csv.hpp"
#include "tools/outcome_import.hpp"

using namespace crimemap;
using namespace crimemap::tools;
using crimemap::test::read_csv;
using crimemap::test::read_csv_file;

TEST(ImportOutcomeRow, FixtureRowsParseToTypedValues) {
    auto recs = read_csv_file("tests/fixtures/outcomes/2019-01/2019-01-west-mercia-outcomes.csv");
    ASSERT_EQ(recs.size(), 5u);
    auto cols = map_outcome_header(recs[0].views());
    ASSERT_TRUE(cols);
    EXPECT_EQ(cols->count, 10u);
    EXPECT_EQ(cols->outcome_type, 9);
    auto rows = test::parse_good_rows<OutcomeRow>(*cols, recs, "f.csv", parse_outcome_row);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].crime_id, "2da7f50c5867f557894c562236c59d8a90e4470c0a6ecb8eaae342925193f250");
    EXPECT_EQ(rows[0].month.str(), "2019-01");
    ASSERT_TRUE(rows[0].lon);
    EXPECT_DOUBLE_EQ(*rows[0].lon, -2.750561);
    EXPECT_DOUBLE_EQ(*rows[0].lat, 52.299527);
    EXPECT_EQ(rows[0].location, "On or near Damson Close");
    EXPECT_EQ(rows[0].outcome, "Under investigation");
    EXPECT_FALSE(rows[3].lon);  // No Location
    EXPECT_EQ(rows[3].location, "No Location");
    EXPECT_EQ(rows[3].lsoa_code, "");
}

TEST(ImportOutcomeRow, EveryBadRowSaysWhereAndWhy) {
    auto recs = read_csv_file("tests/fixtures/outcomes_bad_rows-outcomes.csv");
    auto cols = map_outcome_header(recs[0].views());
    ASSERT_TRUE(cols);
    const std::vector<std::string> want = {
        "unreadable month '2019-13'",
        "empty Crime ID",
        "empty Outcome type",
        "bad coordinates: only one of longitude/latitude",
        "wrong column count: got 9 fields, expected 10",
        "field 7 has a NUL byte or is not UTF-8"};  // Latin-1 'é': COPY would refuse the month
    test::expect_bad_rows(*cols, recs, want, parse_outcome_row);
    EXPECT_TRUE(parse_outcome_row(*cols, recs.back().views(), {"bad.csv", recs.back().line}).ok());
    auto outside = read_csv("x,2019-01,a,b,-30.0,52.0,l,c,n,Offender fined\n");
    auto r = parse_outcome_row(*cols, outside[0].views(), {"o.csv", 1});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().reason.find("outside the UK"), std::string::npos);
}

TEST(ImportOutcomeRow, HeaderNeedsCrimeIdMonthAndOutcomeType) {
    EXPECT_FALSE(map_outcome_header(read_csv("Crime ID,Month,Crime type\n")[0].views()));
    EXPECT_FALSE(
        map_outcome_header(read_csv("Crime ID,Month,Reported by,Falls "
                                    "within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last "
                                    "outcome category,Context\n")[0]
                               .views()));
    EXPECT_TRUE(map_outcome_header(read_csv("outcome type , MONTH,crime id\n")[0].views()));
}

TEST(ImportOutcomeRow, FileNamesNameForceAndMonth) {
    auto f = force_from_file_name("2018-12-west-mercia-outcomes.csv.gz", "outcomes");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->force_id, "west-mercia");
    EXPECT_EQ(f->month.str(), "2018-12");
    EXPECT_FALSE(force_from_file_name("2018-12-west-mercia-street.csv", "outcomes"));
    auto s = force_from_file_name("2019-01-west-mercia-stop-and-search.csv", "stop-and-search");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->force_id, "west-mercia");
    EXPECT_EQ(force_from_file_name("2018-12-west-mercia-street.csv")->force_id, "west-mercia");
}

TEST(PoliceOutcomes, EveryNameInTheRealStreetFilesHasAPoliceUkCode) {
    // The "Last outcome category" names of the West Mercia files in ../shared/data.
    std::set<std::string> names;
    for (const char* m : {"2018-10", "2018-11", "2018-12", "2019-01", "2019-02"}) {
        std::string path = std::string(CRIMEMAP_SOURCE_DIR) +
                           "/../shared/data/police_uk_street/west-mercia/" + m + "-west-mercia-street.csv";
        CsvReader csv(open_file_source(path));
        ASSERT_TRUE(csv.next()) << path;
        while (csv.next())
            if (csv.size() > 10 && !csv[10].empty()) names.emplace(csv[10]);
    }
    EXPECT_GE(names.size(), 20u);
    std::set<std::string_view> codes;
    for (const auto& c : core::police::outcome_categories()) codes.insert(c.code);
    for (const auto& n : names) EXPECT_TRUE(codes.count(core::police::outcome_code(n))) << n;
    EXPECT_EQ(core::police::outcome_code("Investigation complete; no suspect identified"),
              "no-further-action");
    EXPECT_EQ(core::police::outcome_code("offender FINED"), "fined");
    EXPECT_EQ(core::police::outcome_code("A new outcome, 2030"), "a-new-outcome-2030");
    EXPECT_EQ(core::police::outcome_code(""), "");
}

TEST(PoliceOutcomes, OutcomesForCrimeHasPoliceUksShape) {
    core::CrimeDetail c;
    c.id = 7;
    c.persistent_id = "abc";
    c.month = *core::Month::parse("2019-01");
    c.category = "burglary";
    c.location_id = 12;
    c.lat = 52.1;
    c.lon = -2.7;
    c.street = "On or near X";
    c.outcome = "Offender fined";
    core::OutcomeDetail o{"Offender fined", *core::Month::parse("2019-02"), c};
    auto j = core::police::outcomes_for_crime_json(c, {o});
    EXPECT_EQ(
        j["outcomes"][0],
        nlohmann::json::parse(
            R"({"category":{"code":"fined","name":"Offender fined"},"date":"2019-02","person_id":null})"));
    EXPECT_FALSE(j["crime"].contains("outcome_status"));
    EXPECT_EQ(j["crime"]["location"]["latitude"], "52.100000");
    EXPECT_EQ(j["crime"]["persistent_id"], "abc");
    auto at = core::police::outcome_at_location_json(o);
    EXPECT_EQ(at["crime"]["category"], "burglary");
    EXPECT_TRUE(core::police::plausible_persistent_id(
        "2da7f50c5867f557894c562236c59d8a90e4470c0a6ecb8eaae342925193f250"));
    EXPECT_FALSE(core::police::plausible_persistent_id("zz-no-such-9"));
    EXPECT_FALSE(core::police::plausible_persistent_id(""));
    EXPECT_FALSE(core::police::plausible_persistent_id(std::string(129, 'a')));
}
