// Parsing and validating police.uk street-level rows, and naming forces from files and columns.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tools/crime_import.hpp"
#include "tools/forces.hpp"

using namespace crimemap::tools;

namespace {

const std::vector<std::string_view> kHeader = {
    "Crime ID",  "Month",     "Reported by", "Falls within",          "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type",  "Last outcome category", "Context"};

CrimeColumns columns() {
    std::string error;
    auto c = map_crime_header(kHeader, error);
    EXPECT_TRUE(c) << error;
    return *c;
}

RowProblem parse(std::vector<std::string_view> fields, CrimeRow& row, std::string& detail) {
    return parse_crime_row(columns(), fields, row, detail);
}

}  // namespace

TEST(ImportCrimeRow, HeaderByName) {
    auto c = columns();
    EXPECT_EQ(c.count, 12u);
    EXPECT_EQ(c.crime_type, 9);
    std::vector<std::string_view> shuffled = {"Month", "Crime type", "Longitude", "Latitude", "Falls within"};
    std::string error;
    auto s = map_crime_header(shuffled, error);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->crime_type, 1);
    EXPECT_EQ(s->crime_id, -1);
    std::vector<std::string_view> outcomes = {"Crime ID",  "Month",       "Reported by", "Falls within",
                                              "Longitude", "Latitude",    "Location",    "LSOA code",
                                              "LSOA name", "Outcome type"};
    EXPECT_FALSE(map_crime_header(outcomes, error));
    EXPECT_NE(error.find("Crime type"), std::string::npos);
}

TEST(ImportCrimeRow, GoodRow) {
    CrimeRow row;
    std::string detail;
    ASSERT_EQ(parse({"6a4c09c0", "2018-10", "West Mercia Police", "West Mercia Police", "-1.933685",
                     "52.508325", "On or near Albert Road", "E01009350", "Birmingham 039B",
                     "Violence and sexual offences", "Unable to prosecute suspect", ""},
                    row, detail),
              RowProblem::none)
        << detail;
    EXPECT_EQ(row.month.str(), "2018-10");
    EXPECT_EQ(crimemap::core::categories[row.category].slug, "violent-crime");
    EXPECT_TRUE(row.located());
    EXPECT_EQ(row.longitude, "-1.933685");
    EXPECT_EQ(row.lsoa_code, "E01009350");
    EXPECT_EQ(row.context, "");
}

TEST(ImportCrimeRow, AntiSocialBehaviourWithoutIdAndNoLocation) {
    CrimeRow row;
    std::string detail;
    ASSERT_EQ(parse({"", "2019-02", "West Mercia Police", "West Mercia Police", "", "", "No Location", "", "",
                     "Anti-social behaviour", "", ""},
                    row, detail),
              RowProblem::none)
        << detail;
    EXPECT_TRUE(row.crime_id.empty());
    EXPECT_FALSE(row.located());
    EXPECT_EQ(crimemap::core::categories[row.category].slug, "anti-social-behaviour");
}

TEST(ImportCrimeRow, Problems) {
    CrimeRow row;
    std::string d;
    EXPECT_EQ(parse({"x", "2018-10"}, row, d), RowProblem::column_count);
    EXPECT_NE(d.find("got 2 fields, expected 12"), std::string::npos) << d;
    EXPECT_EQ(parse({"", "2018-13", "", "", "", "", "", "", "", "Burglary", "", ""}, row, d),
              RowProblem::month);
    EXPECT_EQ(parse({"", "Oct 2018", "", "", "", "", "", "", "", "Burglary", "", ""}, row, d),
              RowProblem::month);
    EXPECT_EQ(parse({"", "2018-10", "", "", "2.35", "48.85", "", "", "", "Burglary", "", ""}, row, d),
              RowProblem::coordinates);
    EXPECT_NE(d.find("outside the UK"), std::string::npos) << d;  // Paris
    EXPECT_EQ(parse({"", "2018-10", "", "", "-2.7", "", "", "", "", "Burglary", "", ""}, row, d),
              RowProblem::coordinates);
    EXPECT_EQ(parse({"", "2018-10", "", "", "abc", "52.1", "", "", "", "Burglary", "", ""}, row, d),
              RowProblem::coordinates);
    EXPECT_EQ(parse({"", "2018-10", "", "", "-2.7", "52.1", "", "", "", "Jaywalking", "", ""}, row, d),
              RowProblem::crime_type);
    EXPECT_NE(d.find("Jaywalking"), std::string::npos);
}

// PostgreSQL refuses a NUL byte or malformed UTF-8 in a text column, and one such row would fail
// COPY for its whole (force, month): the parser reports the row instead, naming the field.
TEST(ImportCrimeRow, NulOrMalformedUtf8IsABadRowNotAFailedCopy) {
    using namespace std::string_literals;
    const std::string nul = "On or near \0High Town"s, latin1 = "On or near Caf\xE9 Street";
    for (const std::string& location : {nul, latin1}) {
        CrimeRow row;
        std::string detail;
        EXPECT_EQ(parse({"id", "2019-01", "West Mercia Police", "West Mercia Police", "-2.7", "52.05",
                         location, "E01013999", "Herefordshire 999Z", "Burglary", "", ""},
                        row, detail),
                  RowProblem::text);
        EXPECT_EQ(detail, "field 7 has a NUL byte or is not UTF-8");
    }
    CrimeRow row;
    std::string detail;
    EXPECT_EQ(parse({"id", "2019-01", "West Mercia Police", "West Mercia Police", "-2.7", "52.05",
                     "On or near Ffordd Glyndŵr", "W01000001", "Wrecsam 001A", "Burglary", "", ""},
                    row, detail),
              RowProblem::none)
        << "well-formed UTF-8 is kept: " << detail;
    EXPECT_EQ(problem_name(RowProblem::text), "bad text");
}

TEST(ImportCrimeRow, UkBox) {
    EXPECT_TRUE(inside_uk(-2.71, 52.06));  // Hereford
    EXPECT_TRUE(inside_uk(-5.93, 54.60));  // Belfast
    EXPECT_TRUE(inside_uk(-1.29, 60.15));  // Shetland
    EXPECT_FALSE(inside_uk(2.35, 48.85));  // Paris
    EXPECT_FALSE(inside_uk(0.0, 0.0));
}

TEST(ImportCrimeRow, ForceAndMonthFromFileName) {
    auto f = force_from_file_name("2018-10-west-mercia-street.csv");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->force_id, "west-mercia");
    EXPECT_EQ(f->month.str(), "2018-10");
    auto g = force_from_file_name("2019-02-btp-street.csv.gz");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->force_id, "btp");
    EXPECT_FALSE(force_from_file_name("2018-10-west-mercia-outcomes.csv"));
    EXPECT_FALSE(force_from_file_name("crimes.csv"));
    EXPECT_FALSE(force_from_file_name("2018-1x-dorset-street.csv"));
}

TEST(ImportCrimeRow, ForceFromName) {
    EXPECT_EQ(force_id_from_name("West Mercia Police"), "west-mercia");
    EXPECT_EQ(force_id_from_name(" metropolitan police service "), "metropolitan");
    EXPECT_EQ(force_id_from_name("Devon & Cornwall Police"), "devon-and-cornwall");
    EXPECT_EQ(force_id_from_name("Hampshire & Isle of Wight Constabulary"), "hampshire");
    EXPECT_EQ(force_id_from_name("Police Service of Northern Ireland"), "northern-ireland");
    EXPECT_EQ(force_id_from_name("Made-up Shire Constabulary"), "made-up-shire");
    EXPECT_EQ(force_id_from_name(""), "");
}

TEST(ImportCrimeRow, BuiltInForces) {
    auto forces = known_forces();
    EXPECT_EQ(forces.size(), 45u);  // 43 territorial forces of England and Wales, BTP, PSNI
    std::set<std::string_view> ids, pfas;
    for (const auto& f : forces) {
        ids.insert(f.id);
        if (!f.pfa_code.empty()) pfas.insert(f.pfa_code);
        EXPECT_EQ(force_id_from_name(f.name), f.id) << f.name;
    }
    EXPECT_EQ(ids.size(), 45u);
    EXPECT_EQ(pfas.size(), 43u);
    ASSERT_NE(find_force("west-mercia"), nullptr);
    EXPECT_EQ(find_force("west-mercia")->name, "West Mercia Police");
    EXPECT_EQ(find_force("west-mercia")->pfa_code, "E23000016");
    EXPECT_EQ(find_force("nowhere"), nullptr);
}
