// `crimemap import deprivation`: the IoD2019 "File 2" header as published (UTF-8 BOM, long names,
// a quoted name with a comma) and the pure row parser (no database).
#include <gtest/gtest.h>

#include "support/csv_records.hpp"
#include "tools/deprivation_import.hpp"

using namespace crimemap::tools;
using crimemap::test::read_csv;

namespace {
// The first line of File_2_-_IoD2019_Domains_of_Deprivation.csv, byte for byte, and a real row.
const std::string kHeader =
    "\xEF\xBB\xBFLSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority "
    "District name (2019),Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),Index of "
    "Multiple "
    "Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),Income Rank (where 1 is most deprived),"
    "Income Decile (where 1 is most deprived 10% of LSOAs),Employment Rank (where 1 is most "
    "deprived),Employment "
    "Decile (where 1 is most deprived 10% of LSOAs),\"Education, Skills and Training Rank (where 1 is most "
    "deprived)\",\"Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)\",Health "
    "Deprivation and Disability Rank (where 1 is most deprived),Health Deprivation and Disability Decile "
    "(where 1 "
    "is most deprived 10% of LSOAs),Crime Rank (where 1 is most deprived),Crime Decile (where 1 is most "
    "deprived "
    "10% of LSOAs),Barriers to Housing and Services Rank (where 1 is most deprived),Barriers to Housing and "
    "Services Decile (where 1 is most deprived 10% of LSOAs),Living Environment Rank (where 1 is most "
    "deprived),"
    "Living Environment Decile (where 1 is most deprived 10% of LSOAs)\r\n";
const std::string kRow =
    "E01013986,Herefordshire 012A,E06000019,\"Herefordshire, County "
    "of\",13600,5,12439,4,10019,4,6506,2,12588,4,"
    "21281,7,27583,9,20837,7\r\n";
}  // namespace

TEST(ImportDeprivation, PublishedHeaderMapsEveryColumn) {
    auto rec = read_csv(kHeader + kRow);
    ASSERT_EQ(rec.size(), 2u);
    auto cols = map_deprivation_header(rec[0].views());
    ASSERT_TRUE(cols);
    EXPECT_EQ(cols->lsoa, 0);  // the BOM is not part of the name
    EXPECT_EQ(cols->lad, 2);
    for (std::size_t m = 0; m < deprivation_measures; ++m) {
        EXPECT_EQ(cols->rank[m], static_cast<int>(4 + 2 * m)) << m;
        EXPECT_EQ(cols->decile[m], static_cast<int>(5 + 2 * m)) << m;
    }
    // Any order: the columns are found by name.
    auto reversed = rec[0].views();
    std::reverse(reversed.begin(), reversed.end());
    auto r = map_deprivation_header(reversed);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->lsoa, 19);  // 20 columns
    EXPECT_EQ(r->rank[0], 15);
}

TEST(ImportDeprivation, RealRowParsesToTypedValues) {
    auto rec = read_csv(kHeader + kRow);
    auto cols = *map_deprivation_header(rec[0].views());
    auto parsed = parse_deprivation_row(cols, rec[1].views(), {"f.csv", rec[1].line});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    const auto& row = parsed.row();
    EXPECT_EQ(row.lsoa, "E01013986");
    EXPECT_EQ(row.lad, "E06000019");
    // Independently: the numbers after the four text columns, pairwise rank, decile.
    const std::vector<int> numbers{13600, 5, 12439, 4, 10019, 4, 6506,  2,
                                   12588, 4, 21281, 7, 27583, 9, 20837, 7};
    for (std::size_t m = 0; m < deprivation_measures; ++m) {
        EXPECT_EQ(row.rank[m], numbers[2 * m]) << deprivation_stems[m];
        EXPECT_EQ(row.decile[m], numbers[2 * m + 1]) << deprivation_stems[m];
    }
}

TEST(ImportDeprivation, MissingColumnIsNamed) {
    auto rec = read_csv("LSOA code (2011),Income Rank (where 1 is most deprived)\n");
    std::string missing;
    EXPECT_FALSE(map_deprivation_header(rec[0].views(), &missing));
    EXPECT_EQ(missing, "Index of Multiple Deprivation (IMD) Rank");
    auto none = read_csv("code,rank\n");
    EXPECT_FALSE(map_deprivation_header(none[0].views(), &missing));
    EXPECT_EQ(missing, "LSOA code (2011)");
}

TEST(ImportDeprivation, MalformedRowsGiveFileLineAndReason) {
    auto rec = read_csv(kHeader +
                        ",x,E1,n,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1\n"       // line 2: no code
                        "E01,x,E1,n,abc,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1\n"  // line 3: rank
                        "E01,x,E1,n,1,11,1,1,1,1,1,1,1,1,1,1,1,1,1,1\n"   // line 4: decile 11
                        "E01,x,E1,n,1,1,1,1,1,1,1,1,1,1,1,1,1,1,-5,1\n"   // line 5: negative rank
                        "E01,x,E1,n,1,1\n");                              // line 6: short
    auto cols = *map_deprivation_header(rec[0].views());
    const std::vector<std::string> expected = {
        "in.csv:2: no LSOA code",
        "in.csv:3: unreadable imd rank 'abc' for E01",
        "in.csv:4: imd decile '11' is not 1..10 for E01",
        "in.csv:5: unreadable living_environment rank '-5' for E01",
        "in.csv:6: unreadable income rank '' for E01",
    };
    ASSERT_EQ(rec.size(), expected.size() + 1);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        auto parsed = parse_deprivation_row(cols, rec[i + 1].views(), {"in.csv", rec[i + 1].line});
        ASSERT_FALSE(parsed.ok()) << i;
        EXPECT_EQ(parsed.error().message(), expected[i]);
    }
}
