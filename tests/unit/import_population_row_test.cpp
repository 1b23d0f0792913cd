// `crimemap import population`: header mapping and the pure row parser (no database).
#include <gtest/gtest.h>

#include "support/csv_records.hpp"
#include "tools/common.hpp"
#include "tools/population_import.hpp"

using namespace crimemap::tools;
using crimemap::test::read_csv;

TEST(ImportPopulationRow, HeaderByNameInAnyOrder) {
    auto c = map_population_header(read_csv("Kind,Population,other,AREA_CODE\n")[0].views());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->kind, 0);
    EXPECT_EQ(c->population, 1);
    EXPECT_EQ(c->code, 3);
    auto code = map_population_header(read_csv("code,population\n")[0].views());
    ASSERT_TRUE(code);
    EXPECT_EQ(code->code, 0);
    EXPECT_EQ(code->kind, -1);
    // area_code wins over code wherever it stands.
    EXPECT_EQ(map_population_header(read_csv("code,population,area_code\n")[0].views())->code, 2);
    EXPECT_FALSE(map_population_header(read_csv("area_code,residents\n")[0].views()));
    EXPECT_FALSE(map_population_header(read_csv("name,population\n")[0].views()));
}

TEST(ImportPopulationRow, GoodRowsParseToTypedValues) {
    auto rec = read_csv("area_code,population,kind\nE01014010,\"1,520\",LSOA\nE05000001,77,\n");
    auto cols = *map_population_header(rec[0].views());
    auto a = parse_population_row(cols, rec[1].views(), std::nullopt, {"p.csv", rec[1].line});
    ASSERT_TRUE(a.ok()) << a.error().message();
    EXPECT_EQ(a.row().code, rec[1].fields[0]);
    EXPECT_EQ(a.row().population, parse_population(rec[1].fields[1]).value());
    EXPECT_EQ(a.row().kind, "lsoa");  // lower-cased
    // No kind in the row: --kind's, else none (every area with the code).
    auto b = parse_population_row(cols, rec[2].views(), std::nullopt, {"p.csv", rec[2].line});
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.row().kind, "");
    auto c = parse_population_row(cols, rec[2].views(), std::string("ward"), {"p.csv", rec[2].line});
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.row().kind, "ward");
}

TEST(ImportPopulationRow, MalformedRowsGiveFileLineAndReason) {
    auto rec = read_csv(
        "area_code,population,kind\n"
        ",10,lsoa\n"      // line 2
        "E1,ten,lsoa\n"   // line 3
        "E1,-5,\n"        // line 4
        "E1,10,county\n"  // line 5
        "E1\n");          // line 6: short row, no population
    auto cols = *map_population_header(rec[0].views());
    const std::vector<std::pair<std::uint64_t, std::string>> expected = {
        {2, "no area code"},
        {3, "unreadable population 'ten' for E1"},
        {4, "unreadable population '-5' for E1"},
        {5, "unknown kind 'county' for E1"},
        {6, "unreadable population '' for E1"},
    };
    ASSERT_EQ(rec.size(), expected.size() + 1);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        auto parsed =
            parse_population_row(cols, rec[i + 1].views(), std::nullopt, {"in/pop.csv", rec[i + 1].line});
        ASSERT_FALSE(parsed.ok()) << i;
        EXPECT_EQ(parsed.error().message(),
                  "in/pop.csv:" + std::to_string(expected[i].first) + ": " + expected[i].second);
    }
}

TEST(ImportPopulationRow, KindsAreTheAreaKinds) {
    for (const char* k : {"lsoa", "msoa", "ward", "lad", "pfa", "neighbourhood"})
        EXPECT_TRUE(is_population_kind(k)) << k;
    for (const char* k : {"", "LSOA", "county", "force"}) EXPECT_FALSE(is_population_kind(k)) << k;
}

TEST(ImportPopulationRow, OnsFileAsPublished) {
    // lsoa11_population_mid2019_EW.csv: the code column names the kind, the population column the period.
    auto rec = read_csv("LSOA11CD,population_mid2019\nE01011950,1257\n");
    auto c = map_population_header(rec[0].views());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->code, 0);
    EXPECT_EQ(c->population, 1);
    EXPECT_EQ(c->header_kind, "lsoa");
    EXPECT_EQ(c->header_period, "mid-2019");
    auto row = parse_population_row(*c, rec[1].views(), c->header_kind, {"p.csv", rec[1].line});
    ASSERT_TRUE(row.ok());
    EXPECT_EQ(row.row().code, "E01011950");
    EXPECT_EQ(row.row().population, 1257);
    EXPECT_EQ(row.row().kind, "lsoa");
    auto wards = map_population_header(read_csv("WD19CD,WD19NM,population_2020\n")[0].views());
    ASSERT_TRUE(wards);
    EXPECT_EQ(wards->header_kind, "ward");
    EXPECT_EQ(wards->header_period, "2020");
    // An explicit code column wins, and then no kind is implied.
    auto both = map_population_header(read_csv("LAD19CD,area_code,population\n")[0].views());
    ASSERT_TRUE(both);
    EXPECT_EQ(both->code, 1);
    EXPECT_EQ(both->header_kind, "");
    EXPECT_FALSE(map_population_header(read_csv("LSOA11NM,population_mid2019\n")[0].views()));
}
