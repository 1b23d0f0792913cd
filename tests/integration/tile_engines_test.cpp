// The in-memory tile engine against the ST_AsMVT reference engine (schema/functions) and against
// independent SQL counts, on the real West Mercia sample in a private PostGIS. Tiles are compared
// after decoding them with libprotobuf.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/snapshot.hpp"
#include "core/tile_engine.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"
#include "store/postgis_renderer.hpp"
#include "store/snapshot_loader.hpp"
#include "support/mvt_decode.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
namespace mvt = crimemap::testing;  // bare `testing` is GoogleTest's

namespace {

using CategoryTotals = std::map<std::string, long long>;  // slug -> crimes

struct SampleFixture {
    test::TestDatabase db;
    std::shared_ptr<const core::Snapshot> snapshot;
    std::unique_ptr<core::TileRenderer> memory = core::make_memory_renderer({});
    std::unique_ptr<core::TileRenderer> postgis;

    SampleFixture() {
        db.seed_sample();
        auto conn = db.connect();
        snapshot = store::load_snapshot(conn);
        postgis = store::make_postgis_renderer(db.url(), 2);
    }
};

SampleFixture& sample() {
    static SampleFixture fixture;  // seeding once per process keeps the file quick
    return fixture;
}

core::TileQuery tile_query(const core::Snapshot& s, const std::string& layers, geo::TileId t,
                           core::QueryParams params = {}) {
    auto q = core::parse_tile_query(layers, std::to_string(t.z), std::to_string(t.x), std::to_string(t.y),
                                    params, s);
    if (!q) throw std::runtime_error("bad query: " + q.error().detail);
    return *q;
}

std::map<std::string, mvt::DecodedLayer> render(core::TileRenderer& engine, const core::Snapshot& s,
                                                const core::TileQuery& q) {
    auto tile = engine.render(s, q);
    if (!tile) throw std::runtime_error(std::string(engine.name()) + ": " + tile.error().detail);
    return mvt::decode_tile(tile->mvt);
}

bool inside_extent(const mvt::DecodedFeature& f, std::uint32_t extent) {
    for (const auto& part : f.parts)
        for (auto [x, y] : part)
            if (x < 0 || y < 0 || x >= static_cast<std::int32_t>(extent) ||
                y >= static_cast<std::int32_t>(extent))
                return false;
    return true;
}

// Sums `count` and each category field over the crimes layer's features inside the extent.
void add_crimes(const std::map<std::string, mvt::DecodedLayer>& tile, CategoryTotals& totals) {
    auto it = tile.find("crimes");
    if (it == tile.end()) return;
    for (const auto& f : it->second.features) {
        if (!inside_extent(f, it->second.extent)) continue;
        totals["count"] += f.integer("count");
        for (const auto& c : core::categories) totals[std::string(c.slug)] += f.integer(std::string(c.slug));
    }
    std::erase_if(totals, [](const auto& kv) { return kv.second == 0; });
}

// Every tile at zoom z holding a snap location of the snapshot.
std::set<std::pair<std::uint32_t, std::uint32_t>> covering_tiles(const core::Snapshot& s, int z) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> tiles;
    for (const auto& l : s.locations) {
        auto t = geo::tile_containing(l.world, static_cast<std::uint8_t>(z));
        tiles.emplace(t.x, t.y);
    }
    return tiles;
}

// Tiles at zoom z holding the centre of an area of this kind.
std::set<std::pair<std::uint32_t, std::uint32_t>> area_tiles(const core::Snapshot& s, core::AreaKind kind,
                                                             int z) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> tiles;
    for (auto index : s.areas_by_kind[static_cast<std::size_t>(kind)]) {
        const auto& b = s.areas[index].bounds;
        geo::WorldPoint centre{static_cast<std::uint32_t>((b.min_x + b.max_x) / 2),
                               static_cast<std::uint32_t>((b.min_y + b.max_y) / 2)};
        auto t = geo::tile_containing(centre, static_cast<std::uint8_t>(z));
        tiles.emplace(t.x, t.y);
    }
    return tiles;
}

// The independent answer: located crimes per category straight from the crimes table.
CategoryTotals sql_totals(const test::TestDatabase& db, const std::string& from, const std::string& to) {
    auto conn = db.connect();
    auto rows = conn.query(
        "SELECT category, count(*) FROM crimes WHERE location_id IS NOT NULL"
        " AND month BETWEEN ($1 || '-01')::date AND ($2 || '-01')::date GROUP BY category",
        {from, to});
    CategoryTotals totals;
    long long all = 0;
    for (int i = 0; i < rows.size(); ++i) {
        long long n = std::stoll(std::string(rows.text(i, 1)));
        totals[std::string(rows.text(i, 0))] = n;
        all += n;
    }
    totals["count"] = all;
    return totals;
}

class TileEngines : public ::testing::Test {
  protected:
    SampleFixture& f = sample();
    const core::Snapshot& s = *f.snapshot;
    std::string first = s.first_month.str(), last = s.last_month.str();
};

TEST_F(TileEngines, SampleIsLoaded) {
    EXPECT_GT(s.located_crimes, 10000u);
    EXPECT_GE(s.last_month.index() - s.first_month.index(), 4) << "five months of West Mercia crimes";
}

// Conservation: each located crime is in exactly one cluster of exactly one tile, at z8 and z12,
// for every month together and for one month with a category filter.
TEST_F(TileEngines, ClustersConserveEveryLocatedCrime) {
    for (int z : {8, 12}) {
        CategoryTotals all_months, one_month_filtered;
        for (auto [x, y] : covering_tiles(s, z)) {
            geo::TileId t{static_cast<std::uint8_t>(z), x, y};
            add_crimes(render(*f.memory, s, tile_query(s, "crimes", t, {{"from", first}, {"to", last}})),
                       all_months);
            add_crimes(
                render(*f.memory, s,
                       tile_query(s, "crimes", t, {{"to", last}, {"category", "burglary,shoplifting"}})),
                one_month_filtered);
        }
        EXPECT_EQ(all_months, sql_totals(f.db, first, last)) << "z" << z;
        auto expected = sql_totals(f.db, last, last);
        CategoryTotals filtered{{"burglary", expected["burglary"]}, {"shoplifting", expected["shoplifting"]}};
        filtered["count"] = filtered["burglary"] + filtered["shoplifting"];
        EXPECT_EQ(one_month_filtered, filtered) << "z" << z;
    }
}

// The reference engine gives the same totals per category, tile by tile, at cluster and snap-point
// zooms, for several filters.
TEST_F(TileEngines, MemoryAndPostgisAgreeOnCrimeTotals) {
    std::vector<core::QueryParams> filters = {
        {{"from", first}, {"to", last}},
        {{"to", last}, {"category", "violent-crime"}},
        {{"from", first}, {"to", first}, {"category", "anti-social-behaviour,vehicle-crime"}},
        {{"from", first}, {"to", last}, {"cells", "16"}},
    };
    int compared = 0;
    for (int z : {6, 9, 12, 15}) {
        auto tiles = covering_tiles(s, z);
        // At most 12 tiles per zoom, spread over the covering set.
        std::size_t step = std::max<std::size_t>(1, tiles.size() / 12), i = 0;
        for (auto [x, y] : tiles) {
            if (i++ % step) continue;
            geo::TileId t{static_cast<std::uint8_t>(z), x, y};
            for (const auto& params : filters) {
                auto q = tile_query(s, "crimes", t, params);
                CategoryTotals mem, ref;
                auto mem_tile = render(*f.memory, s, q);
                auto ref_tile = render(*f.postgis, s, q);
                add_crimes(mem_tile, mem);
                add_crimes(ref_tile, ref);
                EXPECT_EQ(mem, ref) << "tile " << z << "/" << x << "/" << y;
                std::size_t mem_features = mem_tile.count("crimes") ? mem_tile["crimes"].features.size() : 0;
                std::size_t ref_features = ref_tile.count("crimes") ? ref_tile["crimes"].features.size() : 0;
                EXPECT_EQ(mem_features, ref_features)
                    << "same cells / snap points in tile " << z << "/" << x << "/" << y;
                ++compared;
            }
        }
    }
    EXPECT_GT(compared, 100);
}

// The areas layer: the same area codes with the same crime counts in each tile.
TEST_F(TileEngines, MemoryAndPostgisAgreeOnAreas) {
    int compared = 0;
    for (auto [kind, z] : std::vector<std::pair<std::string, int>>{
             {"lad", 7}, {"ward", 10}, {"lsoa", 12}, {"neighbourhood", 11}}) {
        auto tiles = area_tiles(s, *core::area_kind_from_string(kind), z);
        std::size_t step = std::max<std::size_t>(1, tiles.size() / 6), i = 0;
        for (auto [x, y] : tiles) {
            if (i++ % step) continue;
            geo::TileId t{static_cast<std::uint8_t>(z), x, y};
            auto q = tile_query(s, "areas", t,
                                {{"kind", kind}, {"from", first}, {"to", last}, {"category", "burglary"}});
            std::map<std::string, long long> mem, ref;
            for (auto* engine : {f.memory.get(), f.postgis.get()}) {
                auto tile = render(*engine, s, q);
                auto& out = engine == f.memory.get() ? mem : ref;
                if (tile.count("areas"))
                    for (const auto& feature : tile["areas"].features)
                        out[feature.text("code")] = feature.integer("crimes");
            }
            EXPECT_FALSE(mem.empty()) << kind << " tile " << z << "/" << x << "/" << y;
            EXPECT_EQ(mem, ref) << kind << " tile " << z << "/" << x << "/" << y;
            ++compared;
        }
    }
    EXPECT_GE(compared, 12);
}

}  // namespace
