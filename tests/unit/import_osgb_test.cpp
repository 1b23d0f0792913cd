// OSGB36 grid references (EPSG:27700) to WGS84, checked against the coordinates ONS publishes in
// the NSPL (Nov 2021) for the same postcodes.
#include <gtest/gtest.h>

#include "tools/osgb.hpp"

namespace {
struct Known {
    const char* postcode;
    double easting, northing, lat, lon;
};
// Straight from data/sample/postcodes and ../shared/data/postcodes (NSPL_NOV_2021_UK_*.csv).
constexpr Known kKnown[] = {
    {"HR1 1AA", 351418, 240501, 52.060745, -2.710027},
    {"TF1 1AA", 364968, 311472, 52.699797, -2.519838},
    {"SR1 1AA", 439867, 557268, 54.908542, -1.379728},
    {"DT1 1AA", 368730, 90722, 50.715280, -2.444281},
};
}  // namespace

TEST(ImportOsgb, KnownPostcodesWithinTenMetres) {
    crimemap::tools::OsgbToWgs84 osgb;
    for (const auto& k : kKnown) {
        auto ll = osgb.convert(k.easting, k.northing);
        ASSERT_TRUE(ll) << k.postcode;
        EXPECT_NEAR(ll->lat, k.lat, 1e-4) << k.postcode;
        EXPECT_NEAR(ll->lon, k.lon, 1e-4) << k.postcode;
    }
}

TEST(ImportOsgb, FalseOriginIsFarSouthWest) {
    crimemap::tools::OsgbToWgs84 osgb;
    auto ll = osgb.convert(0, 0);  // the grid's false origin lies in the sea south-west of Scilly
    ASSERT_TRUE(ll);
    EXPECT_NEAR(ll->lat, 49.77, 0.05);
    EXPECT_NEAR(ll->lon, -7.56, 0.05);
}
