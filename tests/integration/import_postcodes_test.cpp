// `crimemap import postcodes` and `import lookups`: NSPL and ONSPD layouts, grid-reference
// conversion, terminated postcodes, pseudo codes, idempotence.
#include <gtest/gtest.h>

#include <cmath>

#include "support/test_db.hpp"

using crimemap::test::source_path;
using crimemap::test::TestDatabase;

TEST(ImportPostcodes, Hr11aaHasTheNsplCoordinatesAndCodes) {
    TestDatabase db;
    db.seed_sample();
    auto c = db.connect();
    auto r = c.query(
        "SELECT postcode, outcode, incode, lat, lon, eastings, northings, quality, introduced::text, "
        "terminated, lsoa, msoa,"
        " ward, lad, pfa, pcon, region, country, county, ced, oa, ccg, ST_Y(geom), ST_X(geom)"
        " FROM postcodes WHERE pc_compact = 'HR11AA'");
    ASSERT_EQ(r.size(), 1);
    EXPECT_EQ(r.text(0, 0), "HR1 1AA");
    EXPECT_EQ(r.text(0, 1), "HR1");
    EXPECT_EQ(r.text(0, 2), "1AA");
    EXPECT_DOUBLE_EQ(r.float64(0, 3), 52.060745);  // NSPL lat/long as published
    EXPECT_DOUBLE_EQ(r.float64(0, 4), -2.710027);
    EXPECT_EQ(r.int64(0, 5), 351418);
    EXPECT_EQ(r.int64(0, 6), 240501);
    EXPECT_EQ(r.int64(0, 7), 1);
    EXPECT_EQ(r.text(0, 8), "1990-02-01");
    EXPECT_TRUE(r.is_null(0, 9));
    EXPECT_EQ(r.text(0, 10), "E01014010");
    EXPECT_EQ(r.text(0, 11), "E02002916");
    EXPECT_EQ(r.text(0, 12), "E05009489");
    EXPECT_EQ(r.text(0, 13), "E06000019");
    EXPECT_EQ(r.text(0, 14), "E23000016");
    EXPECT_EQ(r.text(0, 15), "E14000743");
    EXPECT_EQ(r.text(0, 16), "E12000005");
    EXPECT_EQ(r.text(0, 17), "E92000001");
    EXPECT_TRUE(r.is_null(0, 18));  // E99999999 pseudo codes are NULL
    EXPECT_TRUE(r.is_null(0, 19));
    EXPECT_EQ(r.text(0, 20), "E00070724");
    EXPECT_EQ(r.text(0, 21), "E38000236");
    EXPECT_DOUBLE_EQ(r.float64(0, 22), 52.060745);
    EXPECT_DOUBLE_EQ(r.float64(0, 23), -2.710027);
    // Whole files: PROVENANCE.md counts.
    EXPECT_EQ(db.count("SELECT count(*) FROM postcodes"), 7986 + 9342);
    EXPECT_EQ(db.count("SELECT count(*) FROM postcodes WHERE terminated IS NOT NULL"), 1520 + 2261);
    EXPECT_EQ(db.count("SELECT count(*) FROM postcodes WHERE geom IS NULL"), 2 + 7);
    EXPECT_EQ(db.count("SELECT count(*) FROM postcodes WHERE pfa = 'E23000016'"), 7676 + 8988);
    // The codes postcodes.io also answers with, and which columns held a pseudo code.
    EXPECT_EQ(db.scalar("SELECT eer || ' ' || pct || ' ' || itl || ' ' || array_to_string(pseudo_codes, ',')"
                        " FROM postcodes WHERE pc_compact = 'HR11AA'"),
              "E15000005 E16000015 E06000019 county,ced");
    // Names for the codes (postcodes.io lookups).
    EXPECT_EQ(db.scalar("SELECT name FROM code_names WHERE kind = 'lad' AND code = 'E06000019'"),
              "Herefordshire, County of");
    EXPECT_EQ(db.scalar("SELECT name FROM code_names WHERE kind = 'ward' AND code = 'E05009489'"),
              "Widemarsh");
    EXPECT_EQ(db.scalar("SELECT name FROM code_names WHERE kind = 'pfa' AND code = 'E23000016'"),
              "West Mercia");
    EXPECT_EQ(db.count("SELECT count(*) FROM code_names WHERE code LIKE '%99999999' OR code LIKE '%PFA%'"),
              0);
}

TEST(ImportPostcodes, GridReferenceIsConvertedWhenLatitudeIsMissing) {
    TestDatabase db;
    auto r = db.crimemap({"import", "postcodes", source_path("tests/fixtures/postcodes_nspl_grid_only.csv")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("1 located from the grid reference"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("postcodes_nspl_grid_only.csv:5: unreadable postcode 'NOT APC'"), std::string::npos)
        << r.err;
    auto c = db.connect();
    auto hr = c.query("SELECT lat, lon FROM postcodes WHERE pc_compact = 'HR11AA'");
    ASSERT_EQ(hr.size(), 1);
    EXPECT_NEAR(hr.float64(0, 0), 52.060745, 1e-4);  // PROJ (EPSG:27700 -> 4326) against ONS's own value
    EXPECT_NEAR(hr.float64(0, 1), -2.710027, 1e-4);
    EXPECT_EQ(db.scalar("SELECT coalesce(lat::text, 'null') FROM postcodes WHERE pc_compact = 'HR89AA'"),
              "null");
    EXPECT_EQ(db.scalar("SELECT terminated::text FROM postcodes WHERE pc_compact = 'HR89AA'"), "2006-01-01");
    EXPECT_EQ(db.scalar("SELECT terminated::text FROM postcodes WHERE pc_compact = 'HR11BA'"), "2002-10-01");
    EXPECT_EQ(db.count("SELECT count(*) FROM postcodes"), 3);
    // Importing again changes nothing.
    auto again =
        db.crimemap({"import", "postcodes", source_path("tests/fixtures/postcodes_nspl_grid_only.csv")});
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_EQ(db.count("SELECT count(*) FROM postcodes"), 3);
}

TEST(ImportPostcodes, OnspdLayoutByHeaderName) {
    TestDatabase db;
    auto r = db.crimemap({"import", "postcodes", source_path("tests/fixtures/postcodes_onspd_layout.csv")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto c = db.connect();
    auto se = c.query(
        "SELECT postcode, lad, ward, parish, pfa, lsoa, ccg, lat, lon, terminated::text FROM postcodes WHERE "
        "pc_compact = 'SE19ZZ'");
    ASSERT_EQ(se.size(), 1);
    EXPECT_EQ(se.text(0, 0), "SE1 9ZZ");
    EXPECT_EQ(se.text(0, 1), "E09000028");  // oslaua
    EXPECT_EQ(se.text(0, 2), "E05011095");  // osward
    EXPECT_EQ(se.text(0, 3), "E43000218");
    EXPECT_EQ(se.text(0, 4), "E23000001");
    EXPECT_EQ(se.text(0, 5), "E01003934");  // lsoa11
    EXPECT_EQ(se.text(0, 6), "E38000244");  // sicbl
    EXPECT_DOUBLE_EQ(se.float64(0, 7), 51.506903);
    EXPECT_DOUBLE_EQ(se.float64(0, 8), -0.100841);
    EXPECT_EQ(se.text(0, 9), "1998-12-01");
    EXPECT_EQ(db.scalar("SELECT lad FROM postcodes WHERE pc_compact = 'AB10AA'"), "S12000033");
}

TEST(ImportPostcodes, LookupFilesThatAreNotMapsAreSkipped) {
    TestDatabase db;
    auto r = db.crimemap({"import", "lookups", source_path("data/sample/lookups/regions.json"),
                          source_path("tests/fixtures/neighbourhoods/west-mercia/TEST1.json")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(db.count("SELECT count(*) FROM code_names WHERE kind = 'region'"), 9);
    EXPECT_EQ(db.count("SELECT count(*) FROM code_names WHERE kind <> 'region'"),
              0);  // TEST1.json has no GSS keys
}
