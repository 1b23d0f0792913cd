// `crimemap import deprivation|classification|population` on the real national files in
// ../shared/data/area_statistics (PROVENANCE.md §6), read as published: every row kept, counts
// against an independent reading, and a second import changes nothing.
#include <gtest/gtest.h>

#include "support/test_db.hpp"

using crimemap::test::TestDatabase;

namespace {
const std::string kShared = "/work/shared/data/area_statistics/";
}

TEST(ImportAreaStatistics, NationalDeprivationFileAsPublished) {
    TestDatabase db;
    const std::string file = kShared + "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz";
    auto r = db.crimemap({"import", "deprivation", file});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("32,844 rows, 32,844 LSOAs (32,844 changed, 0 with a boundary loaded), 0 bad rows"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(db.count("SELECT count(*) FROM lsoa_deprivation"), 32844);
    // Ranks run 1..32,844 (ties share one) for the IMD and every domain; decile 1 holds 3,284.
    for (const char* stem :
         {"imd", "income", "employment", "education", "health", "crime", "barriers", "living_environment"}) {
        const std::string s(stem);
        EXPECT_EQ(db.scalar("SELECT min(" + s + "_rank) || ' ' || max(" + s + "_rank) FROM lsoa_deprivation"),
                  "1 32844")
            << s;
        EXPECT_EQ(db.count("SELECT count(*) FROM lsoa_deprivation WHERE " + s + "_decile = 1"), 3284) << s;
    }
    // The row of the City of London's first LSOA as in the file: 29199,9,32831,10,...
    EXPECT_EQ(db.scalar("SELECT imd_rank || ',' || imd_decile || ',' || income_rank || ',' || lad_code FROM "
                        "lsoa_deprivation WHERE lsoa_code = 'E01000001'"),
              "29199,9,32831,E09000001");
    auto again = db.crimemap({"import", "deprivation", file});
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_NE(again.out.find("32,844 LSOAs (0 changed"), std::string::npos) << again.out;
}

TEST(ImportAreaStatistics, NationalClassificationAndPopulationFiles) {
    TestDatabase db;
    const std::string lookup = kShared + "lsoa11_lookup_MSOA_LAD17_RGN_supergroup.csv.gz";
    auto r = db.crimemap({"import", "classification", lookup});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    // 41,729 rows (Scottish data zones with quoted, comma-holding names included), one per LSOA.
    EXPECT_NE(r.out.find("41,729 rows"), std::string::npos) << r.out;
    EXPECT_EQ(db.count("SELECT count(*) FROM lsoa_classification"), 41729);
    EXPECT_EQ(db.scalar("SELECT group_code || ' ' || group_name || ' ' || supergroup || ' ' || lad_code FROM "
                        "lsoa_classification WHERE lsoa_code = 'E01011966'"),
              "5b Aspiring urban households 5 E06000001");
    EXPECT_EQ(db.count("SELECT count(*) FROM lsoa_classification WHERE lad_code = 'E06000019'"), 116);
    auto again = db.crimemap({"import", "classification", lookup});
    EXPECT_NE(again.out.find("(0 changed"), std::string::npos) << again.out;

    // The ONS population file as published, on a database with no boundaries: every code is
    // unknown, counted and skipped, and the summary says so.
    auto pop = db.crimemap({"import", "population", kShared + "lsoa11_population_mid2019_EW.csv.gz"});
    ASSERT_EQ(pop.exit_code, 0) << pop.describe();
    EXPECT_NE(
        pop.out.find("34,753 rows, 0 areas given a population (0 changed), 34,753 unknown codes, 0 bad rows"),
        std::string::npos)
        << pop.out;
    EXPECT_NE(pop.err.find("unknown area code E01011950 (kind lsoa)"), std::string::npos) << pop.err;
}
