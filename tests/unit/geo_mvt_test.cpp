#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "geo/mvt.hpp"
#include "vector_tile.pb.h"

namespace {

using namespace crimemap::geo;
using vector_tile::Tile;

Tile decode(const std::string& bytes) {
    Tile tile;
    EXPECT_TRUE(tile.ParseFromString(bytes));
    return tile;
}

int32_t unzigzag(uint32_t v) { return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1)); }

// Independent decoder of the command stream: the rings (or, for points, one ring of all points).
std::vector<std::vector<TilePoint>> decode_geometry(const Tile::Feature& f) {
    std::vector<std::vector<TilePoint>> rings;
    int32_t x = 0, y = 0;
    int i = 0;
    while (i < f.geometry_size()) {
        const uint32_t cmd = f.geometry(i++);
        const uint32_t id = cmd & 7;
        const uint32_t count = cmd >> 3;
        if (id == 1 || id == 2) {
            if (id == 1 && (f.type() != Tile::POINT || rings.empty())) rings.emplace_back();
            for (uint32_t k = 0; k < count; ++k) {
                EXPECT_LT(i + 1, f.geometry_size());
                x += unzigzag(f.geometry(i++));
                y += unzigzag(f.geometry(i++));
                rings.back().push_back({x, y});
            }
        } else {
            EXPECT_EQ(id, 7U);
            EXPECT_EQ(count, 1U);
        }
    }
    return rings;
}

int64_t twice_area(const std::vector<TilePoint>& r) {
    int64_t s = 0;
    for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
        s += int64_t{r[j].x} * r[i].y - int64_t{r[i].x} * r[j].y;
    }
    return s;
}

std::vector<TilePoint> sq(int32_t x0, int32_t y0, int32_t x1, int32_t y1) {
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};  // clockwise with y down
}

std::vector<TilePoint> rev(std::vector<TilePoint> r) {
    std::reverse(r.begin(), r.end());
    return r;
}

std::string encode(const LayerBuilder& layer) {
    return encode_tile(std::span<const LayerBuilder>(&layer, 1));
}

TEST(GeoMvt, EmptyTileIsEmptyString) {
    std::vector<LayerBuilder> layers;
    layers.emplace_back("crimes");
    layers.emplace_back("areas");
    EXPECT_TRUE(layers[0].empty());
    EXPECT_EQ(encode_tile(layers), "");
    EXPECT_EQ(encode_tile(std::span<const LayerBuilder>()), "");
}

TEST(GeoMvt, LayerHeaderAndEmptyLayersSkipped) {
    std::vector<LayerBuilder> layers;
    layers.emplace_back("empty");
    layers.emplace_back("crimes", 512);
    layers.emplace_back("areas");
    layers[1].add_point(1, 2, {});
    layers[2].add_point(3, 4, {});
    const Tile tile = decode(encode_tile(layers));
    ASSERT_EQ(tile.layers_size(), 2);
    EXPECT_EQ(tile.layers(0).name(), "crimes");
    EXPECT_EQ(tile.layers(0).version(), 2U);
    EXPECT_EQ(tile.layers(0).extent(), 512U);
    EXPECT_EQ(tile.layers(1).name(), "areas");
    EXPECT_EQ(tile.layers(1).extent(), 4096U);
    EXPECT_EQ(layers[1].feature_count(), 1U);

    const std::array<const LayerBuilder*, 3> ptrs{&layers[2], nullptr, &layers[1]};
    const Tile by_ptr = decode(encode_tile(ptrs));
    ASSERT_EQ(by_ptr.layers_size(), 2);
    EXPECT_EQ(by_ptr.layers(0).name(), "areas");
}

TEST(GeoMvt, KeysAndValuesAreDeduplicated) {
    LayerBuilder layer("crimes");
    for (int i = 0; i < 3; ++i) {
        const std::array<Property, 4> props{Property{"category", std::string("burglary")},
                                            Property{"count", int64_t{5}}, Property{"share", 0.25},
                                            Property{"flag", true}};
        layer.add_point(i, i, props, static_cast<uint64_t>(i + 1));
    }
    const std::array<Property, 5> more{Property{"count", uint64_t{5}}, Property{"delta", int64_t{-3}},
                                       Property{"category", std::string("drugs")}, Property{"flag", false},
                                       Property{"share", 0.25}};
    layer.add_point(9, 9, more);
    const Tile tile = decode(encode(layer));
    const Tile::Layer& l = tile.layers(0);
    ASSERT_EQ(l.features_size(), 4);
    ASSERT_EQ(l.keys_size(), 5);  // category, count, share, flag, delta
    EXPECT_EQ(l.keys(0), "category");
    EXPECT_EQ(l.keys(4), "delta");
    ASSERT_EQ(l.values_size(), 7);  // burglary, 5, 0.25, true, -3, drugs, false
    EXPECT_EQ(l.values(0).string_value(), "burglary");
    EXPECT_TRUE(l.values(1).has_uint_value());
    EXPECT_EQ(l.values(1).uint_value(), 5U);
    EXPECT_DOUBLE_EQ(l.values(2).double_value(), 0.25);
    EXPECT_TRUE(l.values(3).bool_value());
    EXPECT_TRUE(l.values(4).has_sint_value());
    EXPECT_EQ(l.values(4).sint_value(), -3);
    EXPECT_FALSE(l.values(6).bool_value());
    EXPECT_TRUE(l.values(6).has_bool_value());

    // Every feature's tags resolve to its properties.
    for (int f = 0; f < 3; ++f) {
        const Tile::Feature& feat = l.features(f);
        ASSERT_EQ(feat.tags_size(), 8);
        EXPECT_EQ(feat.id(), static_cast<uint64_t>(f + 1));
        EXPECT_EQ(l.keys(static_cast<int>(feat.tags(0))), "category");
        EXPECT_EQ(l.values(static_cast<int>(feat.tags(1))).string_value(), "burglary");
    }
    const Tile::Feature& last = l.features(3);
    EXPECT_FALSE(last.has_id());
    EXPECT_EQ(last.tags(1), l.features(0).tags(3));  // uint64 5 shares int64 5's entry
    EXPECT_EQ(last.tags(9), l.features(0).tags(5));  // 0.25 again
}

TEST(GeoMvt, PointGeometryRoundTrip) {
    LayerBuilder layer("pts");
    layer.add_point(10, 20, {});
    layer.add_point(TilePoint{-5, 4100}, {}, 77);
    const std::array<TilePoint, 3> multi{TilePoint{1, 1}, TilePoint{4000, 3}, TilePoint{1, 1}};
    EXPECT_TRUE(layer.add_points(multi, {}));
    EXPECT_FALSE(layer.add_points(std::span<const TilePoint>(), {}));
    const Tile tile = decode(encode(layer));
    const Tile::Layer& l = tile.layers(0);
    ASSERT_EQ(l.features_size(), 3);
    EXPECT_EQ(l.features(0).type(), Tile::POINT);
    EXPECT_EQ(l.features(0).geometry_size(), 3);
    EXPECT_EQ(l.features(0).geometry(0), 9U);  // MoveTo, count 1
    EXPECT_EQ(decode_geometry(l.features(0)), (std::vector<std::vector<TilePoint>>{{{10, 20}}}));
    EXPECT_EQ(decode_geometry(l.features(1)), (std::vector<std::vector<TilePoint>>{{{-5, 4100}}}));
    EXPECT_EQ(l.features(1).id(), 77U);
    EXPECT_EQ(l.features(2).geometry(0), (3U << 3) | 1U);
    EXPECT_EQ(decode_geometry(l.features(2)),
              (std::vector<std::vector<TilePoint>>{{{1, 1}, {4000, 3}, {1, 1}}}));
}

TEST(GeoMvt, PolygonCommandStream) {
    LayerBuilder layer("areas");
    ASSERT_TRUE(layer.add_polygon({sq(0, 0, 10, 10)}, {}));
    const Tile tile = decode(encode(layer));
    const Tile::Feature& f = tile.layers(0).features(0);
    EXPECT_EQ(f.type(), Tile::POLYGON);
    // MoveTo(1) 0,0  LineTo(3) +10,0 0,+10 -10,0  ClosePath(1)
    const std::vector<uint32_t> expected{9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15};
    EXPECT_EQ(std::vector<uint32_t>(f.geometry().begin(), f.geometry().end()), expected);
    EXPECT_EQ(decode_geometry(f), (std::vector<std::vector<TilePoint>>{sq(0, 0, 10, 10)}));
}

TEST(GeoMvt, WindingExteriorClockwiseHoleCounterClockwise) {
    for (int variant = 0; variant < 4; ++variant) {
        const bool flip_outer = (variant & 1) != 0;
        const bool flip_hole = (variant & 2) != 0;
        std::vector<TilePoint> outer = sq(-64, -64, 4160, 4160);
        std::vector<TilePoint> hole = rev(sq(100, 100, 200, 300));
        if (flip_outer) outer = rev(outer);
        if (flip_hole) hole = rev(hole);
        LayerBuilder layer("areas");
        ASSERT_TRUE(layer.add_polygon({outer, hole}, {}));
        const Tile tile = decode(encode(layer));
        const auto rings = decode_geometry(tile.layers(0).features(0));
        ASSERT_EQ(rings.size(), 2U) << variant;
        EXPECT_EQ(twice_area(rings[0]), 2 * 4224 * 4224) << variant;
        EXPECT_EQ(twice_area(rings[1]), -2 * 100 * 200) << variant;
    }
}

TEST(GeoMvt, MultiPolygonKeepsCursorAcrossPolygons) {
    LayerBuilder layer("areas");
    const std::vector<TilePolygon> polys{{rev(sq(0, 0, 10, 10))}, {sq(20, 20, 30, 30), sq(22, 22, 24, 24)}};
    ASSERT_TRUE(layer.add_multi_polygon(polys, {}, 5));
    const Tile tile = decode(encode(layer));
    const auto rings = decode_geometry(tile.layers(0).features(0));
    ASSERT_EQ(rings.size(), 3U);
    EXPECT_GT(twice_area(rings[0]), 0);
    EXPECT_EQ(rings[1], sq(20, 20, 30, 30));
    EXPECT_LT(twice_area(rings[2]), 0);
    EXPECT_EQ(tile.layers(0).features(0).id(), 5U);
}

TEST(GeoMvt, DegenerateRingsAreDropped) {
    LayerBuilder layer("areas");
    // Two distinct points after duplicate removal (closing vertex repeated): exterior dropped, so the
    // whole polygon goes, including its (valid) hole.
    EXPECT_FALSE(layer.add_polygon({{{0, 0}, {0, 0}, {5, 5}, {5, 5}, {0, 0}}, sq(1, 1, 2, 2)}, {}));
    // Collinear: zero area.
    EXPECT_FALSE(layer.add_polygon({{{0, 0}, {5, 5}, {10, 10}}}, {}));
    EXPECT_FALSE(layer.add_polygon({}, {}));
    EXPECT_EQ(layer.feature_count(), 0U);
    EXPECT_TRUE(layer.empty());

    // A degenerate hole is dropped, the polygon kept; duplicates and the closing vertex removed.
    std::vector<TilePoint> outer{{0, 0}, {10, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 10}, {0, 0}};
    ASSERT_TRUE(layer.add_polygon({outer, {{3, 3}, {3, 3}, {4, 4}}}, {}));
    // In a multipolygon, only the degenerate member disappears.
    ASSERT_TRUE(layer.add_multi_polygon({{{{0, 0}, {1, 1}}}, {sq(5, 5, 6, 6)}}, {}));
    const Tile tile = decode(encode(layer));
    ASSERT_EQ(tile.layers(0).features_size(), 2);
    const auto rings = decode_geometry(tile.layers(0).features(0));
    ASSERT_EQ(rings.size(), 1U);
    EXPECT_EQ(rings[0], sq(0, 0, 10, 10));
    EXPECT_EQ(decode_geometry(tile.layers(0).features(1)),
              (std::vector<std::vector<TilePoint>>{sq(5, 5, 6, 6)}));
    // Properties of dropped features did not leak into the tables.
    EXPECT_EQ(tile.layers(0).keys_size(), 0);
}

TEST(GeoMvt, WorldPolygonThroughClipSimplifyAndTransform) {
    const TileId t{14, 8068, 5407};
    const TileTransform tr(t);
    const Box b = world_bounds(t);
    // A triangle much larger than the tile, given counter-clockwise in world coordinates.
    const MultiPolygon world{Polygon{
        {{{b.min_x - 1e6, b.min_y - 1e6}, {b.min_x + 1e6, b.max_y + 1e6}, {b.max_x + 2e6, b.min_y - 1e6}}}}};
    const MultiPolygon clipped = simplify(clip(world, tr.clip_box(64)), tr.world_units_per_pixel());
    ASSERT_EQ(clipped.size(), 1U);
    LayerBuilder layer("areas");
    const std::array<Property, 1> props{Property{"code", std::string("E01013950")}};
    ASSERT_TRUE(layer.add_multi_polygon(to_tile_polygons(clipped, tr), props));
    const Tile tile = decode(encode(layer));
    const auto rings = decode_geometry(tile.layers(0).features(0));
    ASSERT_EQ(rings.size(), 1U);
    EXPECT_GT(twice_area(rings[0]), 0);
    for (const TilePoint& p : rings[0]) {
        EXPECT_GE(p.x, -64);
        EXPECT_LE(p.x, 4160);
        EXPECT_GE(p.y, -64);
        EXPECT_LE(p.y, 4160);
    }
}

TEST(GeoMvt, ExtremeCoordinatesAreClampedNotOverflowed) {
    LayerBuilder layer("pts");
    layer.add_point(INT32_MIN, INT32_MAX, {});
    layer.add_points(std::array<TilePoint, 2>{TilePoint{INT32_MAX, 0}, TilePoint{INT32_MIN, 0}}, {});
    const Tile tile = decode(encode(layer));
    const int32_t m = (1 << 30) - 1;
    EXPECT_EQ(decode_geometry(tile.layers(0).features(0))[0][0], (TilePoint{-m, m}));
    EXPECT_EQ(decode_geometry(tile.layers(0).features(1))[0], (std::vector<TilePoint>{{m, 0}, {-m, 0}}));
}

}  // namespace
