// The in-memory tile engine on synthetic snapshots, decoded with libprotobuf.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "core/snapshot_builder.hpp"
#include "core/tile_engine.hpp"
#include "geo/tile.hpp"
#include "support/mvt_decode.hpp"

using namespace crimemap;
using core::Month;
using testing_t = crimemap::testing::DecodedFeature;

namespace {

struct SyntheticCrime {
    std::int64_t location;
    Month month;
    core::CategoryIndex category;
};

struct Synthetic {
    std::shared_ptr<const core::Snapshot> snapshot;
    std::vector<SyntheticCrime> crimes;
    std::map<std::int64_t, geo::LonLat> where;
};

const Month jan = Month::from_year_month(2019, 1);
const Month mar = Month::from_year_month(2019, 3);

// Crimes at random snap points around Hereford and Telford (two clusters, like the sample),
// some of them exactly on z8/z12 tile edges.
Synthetic make_synthetic(int locations, int crimes, unsigned seed = 42) {
    Synthetic out;
    core::SnapshotBuilder b(7, jan, mar);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> jitter(-0.15, 0.15);
    for (int i = 0; i < locations; ++i) {
        geo::LonLat p = i % 2 ? geo::LonLat{-2.716 + jitter(rng), 52.056 + jitter(rng)}
                              : geo::LonLat{-2.45 + jitter(rng), 52.68 + jitter(rng)};
        if (i % 50 == 0) {  // exactly on a z8 tile corner
            auto t = geo::tile_containing(geo::to_world(p), 8);
            p = geo::from_world(geo::WorldPoint{t.x << 24, t.y << 24});
        }
        out.where[i + 1000] = p;
        b.add_location(i + 1000, p, "On or near Street " + std::to_string(i));
    }
    std::uniform_int_distribution<int> loc(0, locations - 1), month(0, 2), cat(0, 13);
    for (int i = 0; i < crimes; ++i) {
        SyntheticCrime c{loc(rng) + 1000, jan.plus(month(rng)), static_cast<core::CategoryIndex>(cat(rng))};
        out.crimes.push_back(c);
        EXPECT_TRUE(b.add_crimes(c.location, c.month, c.category, 1));
    }
    out.snapshot = b.finish();
    return out;
}

core::TileQuery query(geo::TileId t, core::MonthRange months, std::bitset<core::category_count> cats = {}) {
    if (cats.none()) cats.set();
    core::TileQuery q;
    q.tile = t;
    q.layers.kinds = {core::LayerKind::crimes};
    q.filter.months = months;
    q.filter.categories = cats;
    return q;
}

// Every tile at zoom z covering the synthetic points.
std::set<std::pair<std::uint32_t, std::uint32_t>> covering_tiles(const Synthetic& s, int z) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> tiles;
    for (const auto& [id, p] : s.where) {
        auto t = geo::tile_containing(geo::to_world(p), static_cast<std::uint8_t>(z));
        tiles.emplace(t.x, t.y);
    }
    return tiles;
}

// Sums `count` and per-category counts over features strictly inside the tile extent.
void add_tile_counts(const std::string& mvt, std::map<std::string, std::int64_t>& sums) {
    if (mvt.empty()) return;
    auto layers = crimemap::testing::decode_tile(mvt);
    ASSERT_TRUE(layers.count("crimes"));
    const auto& layer = layers.at("crimes");
    EXPECT_EQ(layer.extent, 4096u);
    EXPECT_EQ(layer.version, 2u);
    for (const auto& f : layer.features) {
        ASSERT_EQ(f.type, 1);
        ASSERT_EQ(f.parts.size(), 1u);
        auto [x, y] = f.parts[0][0];
        ASSERT_TRUE(x >= 0 && x < 4096 && y >= 0 && y < 4096)
            << "feature outside the tile: " << x << "," << y;
        std::int64_t per_category = 0;
        for (const auto& c : core::categories) {
            sums[std::string(c.slug)] += f.integer(std::string(c.slug));
            per_category += f.integer(std::string(c.slug));
        }
        EXPECT_EQ(per_category, f.integer("count"));
        sums["count"] += f.integer("count");
    }
}

std::map<std::string, std::int64_t> expected_counts(const Synthetic& s, core::MonthRange months,
                                                    std::bitset<core::category_count> cats) {
    std::map<std::string, std::int64_t> out;
    for (const auto& c : s.crimes) {
        if (!months.contains(c.month) || !cats.test(c.category)) continue;
        out[std::string(core::categories[c.category].slug)] += 1;
        out["count"] += 1;
    }
    return out;
}

void check_conservation(const Synthetic& s, int z, core::MonthRange months,
                        std::bitset<core::category_count> cats) {
    auto renderer = core::make_memory_renderer();
    std::map<std::string, std::int64_t> sums;
    for (auto [x, y] : covering_tiles(s, z)) {
        auto t = geo::TileId::from_zxy(z, x, y).value();
        auto r = renderer->render(*s.snapshot, query(t, months, cats));
        ASSERT_TRUE(r.ok()) << r.error().detail;
        add_tile_counts(r->mvt, sums);
    }
    auto expected = expected_counts(s, months, cats);
    for (auto& [k, v] : expected) EXPECT_EQ(sums[k], v) << k << " at z" << z;
    for (auto& [k, v] : sums) {
        if (!expected.count(k)) {
            EXPECT_EQ(v, 0) << k << " at z" << z;
        }
    }
}

}  // namespace

TEST(TileEngine, ConservesEveryCrimeAtZ8AndZ12) {
    auto s = make_synthetic(400, 5000);
    std::bitset<core::category_count> all;
    all.set();
    check_conservation(s, 8, {jan, mar}, all);
    check_conservation(s, 12, {jan, mar}, all);
    check_conservation(s, 14, {jan, mar}, all);
}

TEST(TileEngine, FiltersByMonthAndCategory) {
    auto s = make_synthetic(300, 3000);
    std::bitset<core::category_count> burglary_and_drugs;
    burglary_and_drugs.set(*core::category_from_slug("burglary"));
    burglary_and_drugs.set(*core::category_from_slug("drugs"));
    check_conservation(s, 10, {jan.plus(1), jan.plus(1)}, burglary_and_drugs);
    std::bitset<core::category_count> all;
    all.set();
    check_conservation(s, 6, {mar, mar}, all);
}

TEST(TileEngine, ClustersAreOnePerGridCell) {
    auto s = make_synthetic(400, 5000);
    auto renderer = core::make_memory_renderer();
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.716, 52.056}), 8);
    auto r = renderer->render(*s.snapshot, query(t, {jan, mar}));
    ASSERT_TRUE(r.ok());
    auto layer = crimemap::testing::decode_tile(r->mvt).at("crimes");
    std::set<std::uint64_t> ids;
    for (const auto& f : layer.features) {
        EXPECT_TRUE(ids.insert(f.id).second) << "duplicate cell id";
        EXPECT_EQ(f.props.count("location"), 0u) << "clusters carry no location";
    }
    EXPECT_LE(layer.features.size(), 64u * 64u);
    EXPECT_EQ(r->features, layer.features.size());
}

TEST(TileEngine, CellsParameterSetsTheGridAndKeepsEveryCrime) {
    auto s = make_synthetic(400, 5000);
    auto renderer = core::make_memory_renderer();
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.716, 52.056}), 9);
    std::map<int, std::set<std::pair<int, int>>> occupied;  // bits -> cells holding a feature
    std::map<int, std::int64_t> totals;
    for (int bits : {4, 6}) {
        auto q = query(t, {jan, mar});
        q.cluster_cell_bits = bits;
        auto r = renderer->render(*s.snapshot, q);
        ASSERT_TRUE(r.ok());
        auto layers = crimemap::testing::decode_tile(r->mvt);
        for (const auto& f : layers.at("crimes").features) {
            auto [x, y] = f.parts[0][0];
            const int cell_px = 4096 >> bits;
            EXPECT_TRUE(occupied[bits].emplace(x / cell_px, y / cell_px).second)
                << "one feature per " << (1 << bits) << "-grid cell, placed inside its cell";
            totals[bits] += f.integer("count");
        }
    }
    EXPECT_LE(occupied[4].size(), 16u * 16u);
    EXPECT_GT(occupied[6].size(), occupied[4].size()) << "a finer grid gives more clusters";
    EXPECT_EQ(totals[4], totals[6]) << "the grid changes the grouping, not the crimes";
    EXPECT_GT(totals[4], 0);
}

TEST(TileEngine, SnapPointsAboveZ13CarryTheirLocation) {
    auto s = make_synthetic(50, 400);
    auto renderer = core::make_memory_renderer();
    const auto& [id, where] = *s.where.begin();
    auto t = geo::tile_containing(geo::to_world(where), 16);
    auto r = renderer->render(*s.snapshot, query(t, {jan, mar}));
    ASSERT_TRUE(r.ok());
    auto layer = crimemap::testing::decode_tile(r->mvt).at("crimes");
    bool found = false;
    for (const auto& f : layer.features) {
        if (f.integer("location_id") != id) continue;
        found = true;
        EXPECT_EQ(f.text("location"), "On or near Street 0");
        std::int64_t expected = 0;
        for (const auto& c : s.crimes) expected += c.location == id;
        EXPECT_EQ(f.integer("count"), expected);
    }
    EXPECT_TRUE(found);
}

TEST(TileEngine, EmptyWhereThereAreNoCrimes) {
    auto s = make_synthetic(50, 400);
    auto renderer = core::make_memory_renderer();
    auto r = renderer->render(*s.snapshot, query(geo::TileId::from_zxy(10, 0, 0).value(), {jan, mar}));
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->mvt.empty());
    // Months outside the data: also empty, not an error.
    auto t = geo::tile_containing(geo::to_world(s.where.begin()->second), 8);
    auto later = renderer->render(
        *s.snapshot, query(t, {Month::from_year_month(2020, 1), Month::from_year_month(2020, 2)}));
    ASSERT_TRUE(later.ok());
    EXPECT_TRUE(later->mvt.empty());
}

TEST(TileEngine, OverBudgetTilesCoarsenButKeepEveryCrime) {
    auto s = make_synthetic(2000, 20000);
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.716, 52.056}), 9);
    auto fine = core::make_memory_renderer()->render(*s.snapshot, query(t, {jan, mar}));
    auto coarse = core::make_memory_renderer({2048})->render(*s.snapshot, query(t, {jan, mar}));
    ASSERT_TRUE(fine.ok() && coarse.ok());
    EXPECT_FALSE(fine->coarsened);
    EXPECT_TRUE(coarse->coarsened);
    EXPECT_LT(coarse->mvt.size(), fine->mvt.size());
    std::map<std::string, std::int64_t> a, b;
    add_tile_counts(fine->mvt, a);
    add_tile_counts(coarse->mvt, b);
    EXPECT_EQ(a, b);
}

namespace {
// A square area around Hereford and a neighbour, with monthly counts.
std::shared_ptr<const core::Snapshot> make_area_snapshot() {
    core::SnapshotBuilder b(3, jan, mar);
    auto square = [](double lon, double lat, double d) {
        return geo::LonLatMultiPolygon{{{{lon - d, lat - d},
                                         {lon + d, lat - d},
                                         {lon + d, lat + d},
                                         {lon - d, lat + d},
                                         {lon - d, lat - d}}}};
    };
    b.add_area(core::AreaKind::lsoa, "E01000001", "Hereford 001A", 1500, square(-2.716, 52.056, 0.01));
    b.add_area(core::AreaKind::lsoa, "E01000002", "Hereford 001B", std::nullopt, square(-2.69, 52.056, 0.01));
    b.add_area(core::AreaKind::lad, "E06000019", "Herefordshire", std::nullopt, square(-2.7, 52.06, 0.3));
    b.add_area(core::AreaKind::lad, "E06000020", "Telford and Wrekin", std::nullopt,
               square(-2.45, 52.68, 0.2));
    auto burglary = *core::category_from_slug("burglary");
    auto drugs = *core::category_from_slug("drugs");
    b.add_area_count(core::AreaKind::lsoa, "E01000001", jan, burglary, 4);
    b.add_area_count(core::AreaKind::lsoa, "E01000001", jan.plus(1), burglary, 6);
    b.add_area_count(core::AreaKind::lsoa, "E01000001", jan.plus(1), drugs, 3);
    b.add_area_count(core::AreaKind::lsoa, "E01000002", jan.plus(1), drugs, 2);
    b.add_indicator_value("ASC1", "Carer quality of life", "score", true, "2021-22", "E06000019", 7.1);
    b.add_indicator_value("ASC1", "Carer quality of life", "score", true, "2021-22", "E06000020", 7.9);
    b.add_indicator_value("ASC1", "Carer quality of life", "score", true, "2021-22", "E09000001", 7.5);
    b.add_indicator_value("ASC1", "Carer quality of life", "score", true, "2020-21", "E06000019", 7.3);
    return b.finish();
}
}  // namespace

TEST(TileEngine, AreasCarryCountsChangeAndRate) {
    auto s = make_area_snapshot();
    auto t = geo::tile_containing(geo::to_world(geo::LonLat{-2.716, 52.056}), 12);
    core::TileQuery q = query(t, {jan.plus(1), jan.plus(1)});
    q.layers.kinds = {core::LayerKind::areas};
    auto r = core::make_memory_renderer()->render(*s, q);
    ASSERT_TRUE(r.ok());
    auto layer = crimemap::testing::decode_tile(r->mvt).at("areas");
    std::map<std::string, testing_t> by_code;
    for (const auto& f : layer.features) by_code[f.text("code")] = f;
    ASSERT_TRUE(by_code.count("E01000001"));
    const auto& a = by_code.at("E01000001");
    EXPECT_EQ(a.text("name"), "Hereford 001A");
    EXPECT_EQ(a.integer("crimes"), 9);    // 6 burglary + 3 drugs in February
    EXPECT_EQ(a.integer("previous"), 4);  // January
    EXPECT_DOUBLE_EQ(std::get<double>(a.props.at("change")), 125.0);
    EXPECT_DOUBLE_EQ(std::get<double>(a.props.at("per_1000")), 6.0);
    EXPECT_EQ(a.type, 3);
    ASSERT_FALSE(a.parts.empty());
    EXPECT_GT(crimemap::testing::ring_area(a.parts[0]), 0)
        << "exterior rings are clockwise in tile coordinates";
    if (by_code.count("E01000002")) {
        EXPECT_EQ(by_code.at("E01000002").props.count("per_1000"), 0u);
    }
}

TEST(TileEngine, PerformanceLayerRanksAgainstEveryArea) {
    auto s = make_area_snapshot();
    core::TileQuery q = query(geo::TileId::from_zxy(6, 31, 21).value(), {jan, jan});
    q.layers.kinds = {core::LayerKind::performance};
    q.indicator = "ASC1";
    auto r = core::make_memory_renderer()->render(*s, q);
    ASSERT_TRUE(r.ok()) << r.error().detail;
    auto layer = crimemap::testing::decode_tile(r->mvt).at("performance");
    std::map<std::string, testing_t> by_code;
    for (const auto& f : layer.features) by_code[f.text("code")] = f;
    ASSERT_EQ(by_code.size(), 2u);
    EXPECT_EQ(by_code.at("E06000020").integer("rank"), 1);
    EXPECT_EQ(by_code.at("E06000019").integer("rank"), 3);
    EXPECT_EQ(by_code.at("E06000019").integer("of"), 3);
    EXPECT_EQ(by_code.at("E06000019").text("period"), "2021-22");  // latest period by default

    q.indicator = "NOPE";
    auto missing = core::make_memory_renderer()->render(*s, q);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, core::ErrorCode::not_found);
}
