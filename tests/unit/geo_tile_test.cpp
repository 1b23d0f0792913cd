#include <gtest/gtest.h>

#include <random>

#include "geo/tile.hpp"

namespace {

using namespace crimemap::geo;

TEST(GeoTile, FromZxyAcceptsValidTiles) {
    EXPECT_EQ(TileId::from_zxy(0, 0, 0), (TileId{0, 0, 0}));
    EXPECT_EQ(TileId::from_zxy(14, 8068, 5407), (TileId{14, 8068, 5407}));
    EXPECT_EQ(TileId::from_zxy(24, (1 << 24) - 1, 0), (TileId{24, (1U << 24) - 1, 0}));
    EXPECT_EQ(TileId::from_zxy(32, 4294967295LL, 0, 40), (TileId{32, 4294967295U, 0}));
}

TEST(GeoTile, FromZxyRejectsOutOfRange) {
    EXPECT_FALSE(TileId::from_zxy(-1, 0, 0));
    EXPECT_FALSE(TileId::from_zxy(1, -1, 0));
    EXPECT_FALSE(TileId::from_zxy(1, 0, -1));
    EXPECT_FALSE(TileId::from_zxy(0, 1, 0));
    EXPECT_FALSE(TileId::from_zxy(0, 0, 1));
    EXPECT_FALSE(TileId::from_zxy(3, 8, 0));
    EXPECT_FALSE(TileId::from_zxy(3, 0, 8));
    EXPECT_FALSE(TileId::from_zxy(25, 0, 0));
    EXPECT_FALSE(TileId::from_zxy(15, 0, 0, 14));
    EXPECT_FALSE(TileId::from_zxy(33, 0, 0, 40));
    EXPECT_FALSE(TileId::from_zxy(INT64_MAX, 0, 0, 40));
    EXPECT_FALSE(TileId::from_zxy(20, INT64_MAX, 0));
}

TEST(GeoTile, Equality) {
    EXPECT_EQ((TileId{3, 1, 2}), (TileId{3, 1, 2}));
    EXPECT_NE((TileId{3, 1, 2}), (TileId{3, 2, 1}));
    EXPECT_NE((TileId{3, 1, 2}), (TileId{4, 1, 2}));
}

TEST(GeoTile, WorldBounds) {
    const Box world = world_bounds(TileId{0, 0, 0});
    EXPECT_DOUBLE_EQ(world.min_x, 0.0);
    EXPECT_DOUBLE_EQ(world.max_x, kWorldSize);
    const Box b = world_bounds(TileId{1, 1, 0});
    EXPECT_DOUBLE_EQ(b.min_x, 2147483648.0);
    EXPECT_DOUBLE_EQ(b.max_x, 4294967296.0);
    EXPECT_DOUBLE_EQ(b.min_y, 0.0);
    EXPECT_DOUBLE_EQ(b.max_y, 2147483648.0);
    const Box h = world_bounds(TileId{14, 8068, 5407});
    EXPECT_DOUBLE_EQ(h.max_x - h.min_x, 262144.0);
    EXPECT_DOUBLE_EQ(h.min_y, 5407.0 * 262144.0);
}

TEST(GeoTile, LonLatBounds) {
    // Python, slippy-map inverse formulas.
    const LonLatBounds b = lonlat_bounds(TileId{14, 8068, 5407});
    EXPECT_NEAR(b.west, -2.724609375, 1e-12);
    EXPECT_NEAR(b.east, -2.70263671875, 1e-12);
    EXPECT_NEAR(b.south, 52.05249047600099, 1e-9);
    EXPECT_NEAR(b.north, 52.06600028274636, 1e-9);
    const LonLatBounds w = lonlat_bounds(TileId{0, 0, 0});
    EXPECT_DOUBLE_EQ(w.west, -180.0);
    EXPECT_DOUBLE_EQ(w.east, 180.0);
    EXPECT_NEAR(w.north, kMaxLatitude, 1e-9);
    EXPECT_NEAR(w.south, -kMaxLatitude, 1e-9);
}

TEST(GeoTile, MercatorBounds) {
    const MercatorBounds w = mercator_bounds(TileId{0, 0, 0});
    EXPECT_DOUBLE_EQ(w.min_x, -kMercatorHalf);
    EXPECT_DOUBLE_EQ(w.max_y, kMercatorHalf);
    const MercatorBounds nw = mercator_bounds(TileId{1, 0, 0});
    EXPECT_DOUBLE_EQ(nw.min_x, -kMercatorHalf);
    EXPECT_NEAR(nw.max_x, 0.0, 1e-6);
    EXPECT_NEAR(nw.min_y, 0.0, 1e-6);
    EXPECT_DOUBLE_EQ(nw.max_y, kMercatorHalf);
    const TileId t{14, 8068, 5407};
    const MercatorBounds m = mercator_bounds(t);
    const LonLatBounds ll = lonlat_bounds(t);
    EXPECT_NEAR(m.min_x, to_mercator(LonLat{ll.west, ll.south}).x, 1e-6);
    EXPECT_NEAR(m.min_y, to_mercator(LonLat{ll.west, ll.south}).y, 1e-6);
    EXPECT_NEAR(m.max_y, to_mercator(LonLat{ll.east, ll.north}).y, 1e-6);
}

TEST(GeoTile, TileContaining) {
    EXPECT_EQ(tile_containing(WorldPoint{0, 0}, 0), (TileId{0, 0, 0}));
    EXPECT_EQ(tile_containing(WorldPoint{2147483648U, 2147483647U}, 1), (TileId{1, 1, 0}));
    EXPECT_EQ(tile_containing(WorldPoint{UINT32_MAX, 5}, 32), (TileId{32, UINT32_MAX, 5}));
}

TEST(GeoTile, MortonRangeContainsExactlyTheTilesPoints) {
    std::mt19937_64 rng(2024);
    std::uniform_int_distribution<uint32_t> any;
    for (int z = 1; z <= 32; ++z) {
        for (int t = 0; t < 20; ++t) {
            const TileId tile = tile_containing(WorldPoint{any(rng), any(rng)}, static_cast<uint8_t>(z));
            const auto [lo, hi] = morton_range(tile);
            ASSERT_LT(lo, hi);
            EXPECT_EQ(lo, morton_first(tile));
            const Box b = world_bounds(tile);
            const auto span = static_cast<uint64_t>(b.max_x - b.min_x);
            std::uniform_int_distribution<uint64_t> offset(0, span - 1);
            for (int i = 0; i < 200; ++i) {
                // Half near the tile (inside or just around it), half anywhere.
                WorldPoint p{any(rng), any(rng)};
                if (i % 2 == 0) {
                    const auto jitter = [&](double base) {
                        const uint64_t v =
                            static_cast<uint64_t>(base) + offset(rng) + (i % 4 == 0 ? span / 2 : 0);
                        return static_cast<uint32_t>(std::min<uint64_t>(v, UINT32_MAX));
                    };
                    p = WorldPoint{jitter(b.min_x), jitter(b.min_y)};
                }
                const uint64_t code = morton(p);
                const bool in_range = code >= lo && code < hi;
                EXPECT_EQ(code >= morton_first(tile) && code <= morton_last(tile),
                          tile_containing(p, static_cast<uint8_t>(z)) == tile);
                if (code == UINT64_MAX) {  // the documented saturation point (clamped jitter hits it)
                    EXPECT_FALSE(in_range);
                    continue;
                }
                EXPECT_EQ(in_range, tile_containing(p, static_cast<uint8_t>(z)) == tile)
                    << "z" << z << " p " << p.x << "," << p.y;
            }
        }
    }
}

TEST(GeoTile, MortonRangeSizesAndSaturation) {
    const auto [lo1, hi1] = morton_range(TileId{1, 0, 0});
    EXPECT_EQ(lo1, 0U);
    EXPECT_EQ(hi1, uint64_t{1} << 62);
    const auto [lo2, hi2] = morton_range(TileId{1, 1, 0});  // x is the high bit of each pair
    EXPECT_EQ(lo2, uint64_t{2} << 62);
    EXPECT_EQ(hi2, uint64_t{3} << 62);
    const auto [lo32, hi32] = morton_range(TileId{32, 7, 9});
    EXPECT_EQ(hi32 - lo32, 1U);
    EXPECT_EQ(lo32, morton(WorldPoint{7, 9}));
    // The south-east tile (and z0) cannot express 2^64: saturated, with exact inclusive helpers.
    EXPECT_EQ(morton_range(TileId{0, 0, 0}), (std::pair<uint64_t, uint64_t>{0, UINT64_MAX}));
    EXPECT_EQ(morton_range(TileId{1, 1, 1}).second, UINT64_MAX);
    EXPECT_EQ(morton_last(TileId{1, 1, 1}), UINT64_MAX);
    EXPECT_EQ(morton_last(TileId{0, 0, 0}), UINT64_MAX);
}

TEST(GeoTile, TransformMapsCornersAndBack) {
    const TileId t{14, 8068, 5407};
    const TileTransform tr(t);
    EXPECT_EQ(tr.extent(), 4096U);
    const Box b = world_bounds(t);
    EXPECT_EQ(tr.to_tile(WorldXY{b.min_x, b.min_y}), (TilePoint{0, 0}));
    EXPECT_EQ(tr.to_tile(WorldXY{b.max_x, b.max_y}), (TilePoint{4096, 4096}));
    EXPECT_EQ(tr.to_tile(WorldXY{(b.min_x + b.max_x) / 2, (b.min_y + b.max_y) / 2}), (TilePoint{2048, 2048}));
    // Outside the tile: negative / beyond extent, for buffered geometry.
    EXPECT_EQ(tr.to_tile(WorldXY{b.min_x - 64 * 64.0, b.max_y + 64 * 64.0}), (TilePoint{-64, 4160}));
    EXPECT_DOUBLE_EQ(tr.world_units_per_pixel(), 64.0);
    const Box clip = tr.clip_box(64);
    EXPECT_DOUBLE_EQ(clip.min_x, b.min_x - 4096.0);
    EXPECT_DOUBLE_EQ(clip.max_y, b.max_y + 4096.0);
    EXPECT_EQ(tr.to_world_xy(TilePoint{10, 20}), (WorldXY{b.min_x + 640.0, b.min_y + 1280.0}));

    const WorldPoint hereford = to_world(LonLat{-2.7160, 52.0565});
    const TilePoint px = tr.to_tile(hereford);
    EXPECT_GE(px.x, 0);
    EXPECT_LT(px.x, 4096);
    const WorldXY back = tr.to_world_xy(px);
    EXPECT_LE(std::abs(back.x - hereford.x), 32.0);  // half a pixel
    EXPECT_LE(std::abs(back.y - hereford.y), 32.0);
}

TEST(GeoTile, TransformAtHighZoomAndSaturation) {
    const TileTransform tr(TileId{24, 100, 200}, 4096);
    EXPECT_DOUBLE_EQ(tr.world_units_per_pixel(), 1.0 / 16.0);
    EXPECT_EQ(tr.to_tile(WorldPoint{100U * 256U + 1U, 200U * 256U + 255U}), (TilePoint{16, 4080}));
    const TileTransform z0(TileId{24, 0, 0}, 4096);
    const TilePoint far = z0.to_tile(WorldXY{4e9, -4e9});
    EXPECT_EQ(far.x, INT32_MAX);
    EXPECT_EQ(far.y, INT32_MIN);
}

}  // namespace
