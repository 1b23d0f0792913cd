#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "geo/polygon.hpp"

namespace {

using namespace crimemap::geo;

Ring square(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}; }

Ring reversed(Ring r) {
    std::reverse(r.begin(), r.end());
    return r;
}

double distance_to_ring(WorldXY p, const Ring& ring) {
    double best = INFINITY;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const WorldXY a = ring[i];
        const WorldXY b = ring[(i + 1) % ring.size()];
        const double dx = b.x - a.x, dy = b.y - a.y;
        const double len2 = dx * dx + dy * dy;
        const double t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
        best = std::min(best, std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)));
    }
    return best;
}

TEST(GeoPolygon, SignedAreaPositiveForClockwiseOnScreen) {
    // (0,0) -> (10,0) -> (10,10) -> (0,10): right then down, clockwise with y down.
    EXPECT_DOUBLE_EQ(signed_area(square(0, 0, 10, 10)), 100.0);
    EXPECT_DOUBLE_EQ(signed_area(reversed(square(0, 0, 10, 10))), -100.0);
    Ring closed = square(0, 0, 10, 10);
    closed.push_back(closed.front());
    EXPECT_DOUBLE_EQ(signed_area(closed), 100.0);
    EXPECT_DOUBLE_EQ(signed_area(Ring{{0, 0}, {1, 1}}), 0.0);
    // Large world coordinates keep precision.
    EXPECT_DOUBLE_EQ(signed_area(square(4e9, 4e9, 4e9 + 3, 4e9 + 2)), 6.0);
}

TEST(GeoPolygon, AreaSubtractsHoles) {
    const Polygon p{{square(0, 0, 10, 10), square(2, 2, 4, 4)}};
    EXPECT_DOUBLE_EQ(area(p), 96.0);
    const Polygon q{{reversed(square(0, 0, 10, 10)), reversed(square(2, 2, 4, 4))}};
    EXPECT_DOUBLE_EQ(area(q), 96.0);
    EXPECT_DOUBLE_EQ(area(MultiPolygon{p, q}), 192.0);
}

TEST(GeoPolygon, BoundingBox) {
    const MultiPolygon mp{Polygon{{square(0, 0, 10, 10)}}, Polygon{{square(-5, 3, -1, 20)}}};
    const Box b = bounding_box(mp);
    EXPECT_EQ(b.min_x, -5.0);
    EXPECT_EQ(b.min_y, 0.0);
    EXPECT_EQ(b.max_x, 10.0);
    EXPECT_EQ(b.max_y, 20.0);
    EXPECT_TRUE(bounding_box(Ring{}).empty());
}

TEST(GeoPolygon, ContainsRespectsHolesAndMultiplePolygons) {
    const Polygon p{{square(0, 0, 10, 10), reversed(square(2, 2, 4, 4))}};
    EXPECT_TRUE(contains(p, WorldXY{1, 1}));
    EXPECT_TRUE(contains(p, WorldXY{5, 5}));
    EXPECT_FALSE(contains(p, WorldXY{3, 3}));  // in the hole
    EXPECT_FALSE(contains(p, WorldXY{11, 5}));
    EXPECT_FALSE(contains(p, WorldXY{-1, 5}));
    const MultiPolygon mp{p, Polygon{{square(20, 20, 30, 30)}}};
    EXPECT_TRUE(contains(mp, WorldXY{25, 25}));
    EXPECT_FALSE(contains(mp, WorldXY{15, 15}));
    // Concave ring (a U shape), closed form.
    const Ring u{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}};
    EXPECT_TRUE(contains(u, WorldXY{0.5, 2}));
    EXPECT_FALSE(contains(u, WorldXY{1.5, 2}));
    EXPECT_TRUE(contains(u, WorldXY{1.5, 0.5}));
}

TEST(GeoPolygon, ToWorldFromLonLat) {
    const LonLatPolygon ll{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}};
    const Polygon p = to_world_xy(ll);
    ASSERT_EQ(p.rings.size(), 1U);
    ASSERT_EQ(p.rings[0].size(), 4U);
    EXPECT_EQ(p.rings[0][0], (WorldXY{2147483648.0, 2147483648.0}));
    EXPECT_EQ(to_world_xy(LonLatMultiPolygon{ll, ll}).size(), 2U);
}

TEST(GeoPolygon, ClipSquareCrossingBoxEdge) {
    const MultiPolygon in{Polygon{{square(-50, -50, 50, 50)}}};
    const MultiPolygon out = clip(in, Box{0, 0, 100, 100});
    ASSERT_EQ(out.size(), 1U);
    ASSERT_EQ(out[0].rings.size(), 1U);
    EXPECT_DOUBLE_EQ(area(out), 2500.0);
    const Box b = bounding_box(out);
    EXPECT_EQ(b.min_x, 0.0);
    EXPECT_EQ(b.min_y, 0.0);
    EXPECT_EQ(b.max_x, 50.0);
    EXPECT_EQ(b.max_y, 50.0);
    EXPECT_GT(signed_area(out[0].rings[0]), 0.0);  // orientation preserved
    // Closed input rings are fine and the output stays open.
    Ring closed = square(-50, -50, 50, 50);
    closed.push_back(closed.front());
    const MultiPolygon out2 = clip(MultiPolygon{Polygon{{closed}}}, Box{0, 0, 100, 100});
    ASSERT_EQ(out2.size(), 1U);
    EXPECT_NE(out2[0].rings[0].front(), out2[0].rings[0].back());
    EXPECT_DOUBLE_EQ(area(out2), 2500.0);
}

TEST(GeoPolygon, ClipDropsRingFullyOutside) {
    const MultiPolygon in{Polygon{{square(200, 200, 300, 300)}}, Polygon{{square(10, 10, 20, 20)}}};
    const MultiPolygon out = clip(in, Box{0, 0, 100, 100});
    ASSERT_EQ(out.size(), 1U);
    EXPECT_DOUBLE_EQ(area(out), 100.0);
    // A concave ring whose bounding box overlaps the box but which misses it collapses to nothing.
    const Ring l{{150, -50}, {150, 150}, {-50, 150}, {-50, 120}, {120, 120}, {120, -50}};
    EXPECT_TRUE(clip(MultiPolygon{Polygon{{l}}}, Box{0, 0, 100, 100}).empty());
    // Touching the box along an edge only: zero area, dropped.
    EXPECT_TRUE(clip(MultiPolygon{Polygon{{square(100, 0, 200, 100)}}}, Box{0, 0, 100, 100}).empty());
}

TEST(GeoPolygon, ClipRingInsideIsUnchangedAndCoverBecomesBox) {
    const MultiPolygon in{Polygon{{square(10, 10, 20, 20)}}};
    EXPECT_EQ(clip(in, Box{0, 0, 100, 100})[0].rings[0], in[0].rings[0]);
    const MultiPolygon cover =
        clip(MultiPolygon{Polygon{{square(-1e6, -1e6, 1e6, 1e6)}}}, Box{0, 0, 100, 100});
    ASSERT_EQ(cover.size(), 1U);
    EXPECT_DOUBLE_EQ(area(cover), 10000.0);
    EXPECT_EQ(cover[0].rings[0].size(), 4U);
}

TEST(GeoPolygon, ClipHoles) {
    const Box box{0, 0, 100, 100};
    // Hole inside the box is kept, hole outside is dropped, hole across the edge is cut.
    const Polygon p{{square(-100, -100, 200, 200), reversed(square(10, 10, 20, 20)),
                     reversed(square(150, 150, 160, 160)), reversed(square(90, 40, 110, 60))}};
    const MultiPolygon out = clip(MultiPolygon{p}, box);
    ASSERT_EQ(out.size(), 1U);
    ASSERT_EQ(out[0].rings.size(), 3U);
    EXPECT_DOUBLE_EQ(area(out), 10000.0 - 100.0 - 200.0);
    EXPECT_LT(signed_area(out[0].rings[1]), 0.0);
    EXPECT_TRUE(contains(out, WorldXY{50, 50}));
    EXPECT_FALSE(contains(out, WorldXY{15, 15}));
    EXPECT_FALSE(contains(out, WorldXY{95, 50}));
    // An exterior outside the box takes its holes with it.
    const Polygon gone{{square(200, 200, 300, 300), reversed(square(10, 10, 20, 20))}};
    EXPECT_TRUE(clip(MultiPolygon{gone}, box).empty());
    EXPECT_TRUE(clip(MultiPolygon{p}, Box{}).empty());
}

TEST(GeoPolygon, SimplifyRemovesCollinearPoints) {
    const Ring with_midpoints{{0, 0}, {5, 0}, {10, 0}, {10, 5}, {10, 10}, {5, 10}, {0, 10}, {0, 5}};
    const MultiPolygon in{Polygon{{with_midpoints}}};
    const MultiPolygon out = simplify(in, 1e-6);
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(vertex_count(out), 4U);
    EXPECT_DOUBLE_EQ(area(out), 100.0);
    EXPECT_GT(signed_area(out[0].rings[0]), 0.0);
}

TEST(GeoPolygon, SimplifyToleranceZeroKeepsAll) {
    const Ring with_midpoints{{0, 0}, {5, 0}, {10, 0}, {10, 10}, {0, 10}};
    const MultiPolygon in{Polygon{{with_midpoints}}};
    EXPECT_EQ(vertex_count(simplify(in, 0.0)), 5U);
    EXPECT_EQ(vertex_count(simplify(in, -1.0)), 5U);
    EXPECT_EQ(vertex_count(in), 5U);
}

TEST(GeoPolygon, SimplifyNoisyCircleStaysWithinTolerance) {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> noise(-2.0, 2.0);
    Ring circle;
    const int n = 5000;
    for (int i = 0; i < n; ++i) {
        const double a = 2 * std::numbers::pi * i / n;
        circle.push_back({1e9 + 1000 * std::cos(a) + noise(rng), 1e9 + 1000 * std::sin(a) + noise(rng)});
    }
    const Polygon hole_poly{{circle, reversed(square(1e9 - 100, 1e9 - 100, 1e9 + 100, 1e9 + 100))}};
    const MultiPolygon in{hole_poly};
    const double tol = 10.0;
    const MultiPolygon out = simplify(in, tol);
    ASSERT_EQ(out.size(), 1U);
    ASSERT_EQ(out[0].rings.size(), 2U);
    EXPECT_LT(vertex_count(out), vertex_count(in) / 10);
    EXPECT_GE(out[0].rings[0].size(), 8U);
    EXPECT_NEAR(area(out), area(in), area(in) * 0.02);
    for (const WorldXY& p : circle) EXPECT_LE(distance_to_ring(p, out[0].rings[0]), tol + 1e-6);
    // Monotone in tolerance.
    EXPECT_LE(vertex_count(simplify(in, 50.0)), vertex_count(out));
}

TEST(GeoPolygon, SimplifyDropsCollapsedRings) {
    // A hole smaller than the tolerance collapses and is dropped; the exterior stays.
    const Polygon p{{square(0, 0, 1000, 1000), reversed(square(10, 10, 12, 11))}};
    const MultiPolygon out = simplify(MultiPolygon{p}, 5.0);
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0].rings.size(), 1U);
    // An exterior that collapses drops its polygon.
    EXPECT_TRUE(simplify(MultiPolygon{Polygon{{square(0, 0, 2, 1), square(0, 0, 1, 1)}}}, 5.0).empty());
    // A sliver: all points within tolerance of one chord.
    const Ring sliver{{0, 0}, {500, 1}, {1000, 0}, {500, -1}};
    EXPECT_TRUE(simplify(MultiPolygon{Polygon{{sliver}}}, 5.0).empty());
}

TEST(GeoPolygon, SimplifyDeepSplitsAreIterative) {
    // A long saw tooth whose teeth all exceed the tolerance: every vertex is kept and each split
    // peels off about one vertex, so a recursive implementation would nest ~n deep. (This is also
    // Douglas-Peucker's O(n^2) worst case, hence the modest n.)
    Ring ring;
    const int n = 5'000;
    for (int i = 0; i < n; ++i) ring.push_back({static_cast<double>(i), (i % 2) * 100.0});
    ring.push_back({static_cast<double>(n), 1000.0});
    ring.push_back({0.0, 1000.0});
    const MultiPolygon out = simplify(MultiPolygon{Polygon{{ring}}}, 1.0);
    ASSERT_EQ(out.size(), 1U);
    EXPECT_GE(vertex_count(out), ring.size() - 2);  // the last tooth may fall within tolerance
    const std::size_t coarse = vertex_count(simplify(MultiPolygon{Polygon{{ring}}}, 200.0));
    EXPECT_GE(coarse, 4U);
    EXPECT_LE(coarse, 6U);
}

TEST(GeoPolygon, VertexCount) {
    const MultiPolygon mp{Polygon{{square(0, 0, 1, 1), square(0, 0, 1, 1)}}, Polygon{{square(0, 0, 1, 1)}}};
    EXPECT_EQ(vertex_count(mp), 12U);
    EXPECT_EQ(vertex_count(MultiPolygon{}), 0U);
}

}  // namespace
