#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "geo/coords.hpp"
#include "geo/tile.hpp"

namespace {

using namespace crimemap::geo;

constexpr uint32_t kHalf = 2147483648U;  // 2^31

TEST(GeoCoords, OriginMapsToCentreOfWorld) {
    const WorldXY w = to_world_xy(LonLat{0.0, 0.0});
    EXPECT_DOUBLE_EQ(w.x, 2147483648.0);
    EXPECT_DOUBLE_EQ(w.y, 2147483648.0);
    EXPECT_EQ(to_world(LonLat{0.0, 0.0}), (WorldPoint{kHalf, kHalf}));
}

TEST(GeoCoords, CornersAndOutOfRangeClampToGrid) {
    const WorldPoint nw = to_world(LonLat{-180.0, 90.0});
    EXPECT_EQ(nw.x, 0U);
    EXPECT_LE(nw.y, 1U);  // lat clamped to the Mercator limit, i.e. the top edge
    const WorldPoint se = to_world(LonLat{180.0, -90.0});
    EXPECT_EQ(se, (WorldPoint{UINT32_MAX, UINT32_MAX}));
    EXPECT_EQ(to_world(LonLat{-200.0, 0.0}).x, 0U);
    EXPECT_EQ(to_world(LonLat{200.0, 0.0}).x, UINT32_MAX);
    EXPECT_EQ(to_world(LonLat{0.0, 89.0}), to_world(LonLat{0.0, kMaxLatitude}));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(to_world(LonLat{nan, nan}), (WorldPoint{0, 0}));
}

TEST(GeoCoords, HerefordFallsInKnownZ14Tile) {
    const LonLat hereford{-2.7160, 52.0565};
    // Independent slippy-map formula (OSM wiki form: ln(tan + sec)).
    const double n = 16384.0;
    const double lat = hereford.lat * std::numbers::pi / 180.0;
    const auto tx = static_cast<uint32_t>(std::floor((hereford.lon + 180.0) / 360.0 * n));
    const auto ty = static_cast<uint32_t>(
        std::floor((1.0 - std::log(std::tan(lat) + 1.0 / std::cos(lat)) / std::numbers::pi) / 2.0 * n));
    EXPECT_EQ(tx, 8068U);
    EXPECT_EQ(ty, 5407U);
    EXPECT_EQ(tile_containing(to_world(hereford), 14), (TileId{14, 8068, 5407}));

    const WorldXY w = to_world_xy(hereford);
    EXPECT_NEAR(w.x, 2115080505.8446221, 1e-3);  // python: (lon + 180) / 360 * 2^32
    EXPECT_NEAR(w.y, 1417596959.5553663, 1e-3);
}

TEST(GeoCoords, WorldRoundTrip) {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lon(-180.0, 180.0);
    std::uniform_real_distribution<double> lat(-kMaxLatitude, kMaxLatitude);
    std::uniform_int_distribution<uint32_t> any;
    for (int i = 0; i < 10000; ++i) {
        const LonLat p{lon(rng), lat(rng)};
        const LonLat back = from_world(to_world(p));
        EXPECT_NEAR(back.lon, p.lon, 1e-7);  // one world unit is 8.4e-8 degrees of longitude
        EXPECT_NEAR(back.lat, p.lat, 1e-7);
        const LonLat exact = from_world_xy(to_world_xy(p));
        EXPECT_NEAR(exact.lon, p.lon, 1e-9);
        EXPECT_NEAR(exact.lat, p.lat, 1e-9);

        const WorldPoint w{any(rng), any(rng)};
        EXPECT_EQ(to_world(from_world(w)), w);
    }
}

TEST(GeoCoords, MercatorKnownValuesAndRoundTrip) {
    const Mercator m = to_mercator(LonLat{-2.7160, 52.0565});
    EXPECT_NEAR(m.x, -302343.73699453106, 1e-4);  // python: R * lon_rad, R * ln(tan(pi/4 + lat/2))
    EXPECT_NEAR(m.y, 6810347.83320509, 1e-4);
    EXPECT_NEAR(to_mercator(LonLat{180.0, 0.0}).x, kMercatorHalf, 1e-6);
    EXPECT_NEAR(to_mercator(LonLat{0.0, kMaxLatitude}).y, kMercatorHalf, 1.0);

    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> lon(-180.0, 180.0);
    std::uniform_real_distribution<double> lat(-kMaxLatitude, kMaxLatitude);
    for (int i = 0; i < 1000; ++i) {
        const LonLat p{lon(rng), lat(rng)};
        const LonLat back = from_mercator(to_mercator(p));
        EXPECT_NEAR(back.lon, p.lon, 1e-9);
        EXPECT_NEAR(back.lat, p.lat, 1e-9);
        // Mercator and world are the same projection up to a linear map.
        const WorldXY a = to_world_xy(to_mercator(p));
        const WorldXY b = to_world_xy(p);
        EXPECT_NEAR(a.x, b.x, 1e-3);
        EXPECT_NEAR(a.y, b.y, 1e-3);
        const Mercator c = to_mercator(b);
        EXPECT_NEAR(c.x, to_mercator(p).x, 1e-6);
        EXPECT_NEAR(c.y, to_mercator(p).y, 1e-6);
    }
}

TEST(GeoCoords, MortonInterleavesXHighYLow) {
    EXPECT_EQ(morton(WorldPoint{0, 0}), 0U);
    EXPECT_EQ(morton(WorldPoint{1, 0}), 2U);
    EXPECT_EQ(morton(WorldPoint{0, 1}), 1U);
    EXPECT_EQ(morton(WorldPoint{3, 0}), 0b1010U);
    EXPECT_EQ(morton(WorldPoint{UINT32_MAX, 0}), 0xAAAAAAAAAAAAAAAAULL);
    EXPECT_EQ(morton(WorldPoint{0, UINT32_MAX}), 0x5555555555555555ULL);
    EXPECT_EQ(morton(WorldPoint{UINT32_MAX, UINT32_MAX}), UINT64_MAX);
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<uint32_t> any;
    for (int i = 0; i < 1000; ++i) {
        const WorldPoint p{any(rng), any(rng)};
        EXPECT_EQ(from_morton(morton(p)), p);
    }
}

TEST(GeoCoords, BoxBasics) {
    Box b;
    EXPECT_TRUE(b.empty());
    b.expand({1.0, 2.0});
    EXPECT_FALSE(b.empty());
    b.expand({-1.0, 5.0});
    EXPECT_DOUBLE_EQ(b.min_x, -1.0);
    EXPECT_DOUBLE_EQ(b.max_y, 5.0);
    EXPECT_TRUE(b.contains(WorldXY{0.0, 3.0}));
    EXPECT_FALSE(b.contains(WorldXY{2.0, 3.0}));
    EXPECT_TRUE(b.intersects(Box{0.5, 4.0, 10.0, 10.0}));
    EXPECT_FALSE(b.intersects(Box{1.5, 4.0, 10.0, 10.0}));
    EXPECT_TRUE(b.buffered(1.0).contains(Box{-2.0, 1.0, 2.0, 6.0}));
}

}  // namespace
