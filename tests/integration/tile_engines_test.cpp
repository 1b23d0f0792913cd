// The in-memory tile engine against the ST_AsMVT reference engine (schema/functions) and against
// independent SQL counts, on the real West Mercia sample in a private PostGIS. Tiles are compared
// after decoding them with libprotobuf.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "core/layers.hpp"
#include "core/snapshot.hpp"
#include "core/tile_engine.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"
#include "store/postgis_renderer.hpp"
#include "store/snapshot_loader.hpp"
#include "support/mvt_decode.hpp"
#include "support/stop_fixtures.hpp"
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
        test::import_synthetic_stops(db, {"2018-12", "2019-01", "2019-02"});
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

// ---- stops ----

// Sums count and every obj_* / out_* field of the stops layer's features inside the extent.
void add_stops(const std::map<std::string, mvt::DecodedLayer>& tile,
               std::map<std::string, long long>& totals) {
    auto it = tile.find("stops");
    if (it == tile.end()) return;
    for (const auto& f : it->second.features) {
        if (!inside_extent(f, it->second.extent)) continue;
        for (const auto& field : core::layer_spec(core::LayerKind::stops).fields)
            if (field.name == "count" || field.name.starts_with("obj_") || field.name.starts_with("out_"))
                totals[std::string(field.name)] += f.integer(std::string(field.name));
    }
    std::erase_if(totals, [](const auto& kv) { return kv.second == 0; });
}

std::set<std::pair<std::uint32_t, std::uint32_t>> stop_tiles(const core::Snapshot& s, int z) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> tiles;
    for (const auto& l : s.stops.locations) {
        auto t = geo::tile_containing(l.world, static_cast<std::uint8_t>(z));
        tiles.emplace(t.x, t.y);
    }
    return tiles;
}

// Conservation: the sum of `count` over the z8 (and z12) tiles is the number of located stops in
// the database, for all months and for one; the database holds stops of three months.
TEST_F(TileEngines, StopClustersConserveEveryLocatedStop) {
    const long long located = f.db.count("SELECT count(*) FROM stops WHERE location_id IS NOT NULL");
    const long long january =
        f.db.count("SELECT count(*) FROM stops WHERE location_id IS NOT NULL AND month = '2019-01-01'");
    ASSERT_GT(located, 1000);
    ASSERT_GT(f.db.count("SELECT count(*) FROM stops WHERE location_id IS NULL"), 0) << "some unlocated";
    EXPECT_EQ(s.stops.located, static_cast<std::uint64_t>(located));
    for (int z : {8, 12}) {
        std::map<std::string, long long> all, one;
        for (auto [x, y] : stop_tiles(s, z)) {
            geo::TileId t{static_cast<std::uint8_t>(z), x, y};
            add_stops(render(*f.memory, s, tile_query(s, "stops", t, {{"from", first}, {"to", last}})), all);
            add_stops(
                render(*f.memory, s, tile_query(s, "stops", t, {{"from", "2019-01"}, {"to", "2019-01"}})),
                one);
        }
        EXPECT_EQ(all["count"], located) << "z" << z;
        EXPECT_EQ(one["count"], january) << "z" << z;
    }
}

// Per object of search and outcome text as police.uk writes it, the database's located stops
// against the z8 tiles' group fields: each text lands in exactly its group.
TEST_F(TileEngines, StopGroupsCountEachTextInItsGroup) {
    std::map<std::string, long long> tiles;
    for (auto [x, y] : stop_tiles(s, 8))
        add_stops(render(*f.memory, s, tile_query(s, "stops", {8, x, y}, {{"from", first}, {"to", last}})),
                  tiles);
    // Independent of core/stop_groups.cpp: the grouping written out here.
    auto expected = [&](const std::string& column, const std::map<std::string, std::string>& groups,
                        const std::string& prefix) {
        std::map<std::string, long long> out;
        auto rows =
            f.db.connect().query("SELECT coalesce(" + column +
                                 ", ''), count(*) FROM stops WHERE location_id IS NOT NULL GROUP BY 1");
        for (int i = 0; i < rows.size(); ++i) {
            std::string text(rows.text(i, 0));
            for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto g = groups.find(text);
            out[prefix + (g == groups.end() ? "other" : g->second)] +=
                std::stoll(std::string(rows.text(i, 1)));
        }
        return out;
    };
    auto objects = expected("object_of_search",
                            {{"controlled drugs", "drugs"},
                             {"psychoactive substances", "drugs"},
                             {"offensive weapons", "weapons"},
                             {"firearms", "weapons"},
                             {"anything to threaten or harm anyone", "weapons"},
                             {"crossbows", "weapons"},
                             {"stolen goods", "stolen"},
                             {"article for use in theft", "theft"},
                             {"articles for use in criminal damage", "damage"},
                             {"fireworks", "damage"}},
                            "obj_");
    auto outcomes = expected("outcome",
                             {{"a no further action disposal", "nfa"},
                              {"nothing found - no further action", "nfa"},
                              {"arrest", "arrest"},
                              {"suspect arrested", "arrest"},
                              {"summons / charged by post", "summons"},
                              {"suspect summonsed to court", "summons"},
                              {"caution (simple or conditional)", "caution"},
                              {"offender cautioned", "caution"},
                              {"community resolution", "community"},
                              {"local resolution", "community"},
                              {"khat or cannabis warning", "warning"},
                              {"offender given drugs possession warning", "warning"},
                              {"penalty notice for disorder", "penalty"},
                              {"offender given penalty notice", "penalty"}},
                             "out_");
    EXPECT_EQ(objects.size(), 6u) << "every object group occurs";
    EXPECT_EQ(outcomes.size(), 8u) << "every outcome group occurs";
    for (const auto& [k, v] : objects) EXPECT_EQ(tiles[k], v) << k;
    for (const auto& [k, v] : outcomes) EXPECT_EQ(tiles[k], v) << k;
}

// The reference engine gives the same totals per group and the same features, tile by tile.
TEST_F(TileEngines, MemoryAndPostgisAgreeOnStops) {
    int compared = 0;
    for (int z : {6, 9, 12, 14, 15}) {
        auto tiles = stop_tiles(s, z);
        std::size_t step = std::max<std::size_t>(1, tiles.size() / 10), i = 0;
        for (auto [x, y] : tiles) {
            if (i++ % step) continue;
            geo::TileId t{static_cast<std::uint8_t>(z), x, y};
            for (const auto& params :
                 std::vector<core::QueryParams>{{{"from", first}, {"to", last}},
                                                {{"to", "2019-02"}},
                                                {{"from", first}, {"to", last}, {"cells", "16"}}}) {
                auto q = tile_query(s, "stops", t, params);
                std::map<std::string, long long> mem, ref;
                auto mem_tile = render(*f.memory, s, q), ref_tile = render(*f.postgis, s, q);
                add_stops(mem_tile, mem);
                add_stops(ref_tile, ref);
                EXPECT_EQ(mem, ref) << "tile " << z << "/" << x << "/" << y;
                EXPECT_EQ(mem_tile.count("stops") ? mem_tile["stops"].features.size() : 0,
                          ref_tile.count("stops") ? ref_tile["stops"].features.size() : 0)
                    << "same cells / snap points in tile " << z << "/" << x << "/" << y;
                ++compared;
            }
        }
    }
    EXPECT_GT(compared, 60);
}

// ---- labels ----

// (kind, name, code) of each label feature, sorted.
std::multiset<std::tuple<std::string, std::string, std::string>> labels_of(
    const std::map<std::string, mvt::DecodedLayer>& tile) {
    std::multiset<std::tuple<std::string, std::string, std::string>> out;
    auto it = tile.find("labels");
    if (it != tile.end())
        for (const auto& f : it->second.features) out.emplace(f.text("kind"), f.text("name"), f.text("code"));
    return out;
}

geo::TileId tile_at(double lon, double lat, int z) {
    return geo::tile_containing(geo::to_world(geo::LonLat{lon, lat}), static_cast<std::uint8_t>(z));
}

// Over Hereford: the z11 tile names the district and its wards; the z12 tile names the wards whose
// label point (independent SQL) lies in it. Herefordshire's ST_PointOnSurface is 6 km north-west
// of the city centre, in the next z12 tile: among the 3 x 3 z12 tiles around Hereford the district
// is named exactly once. Both engines alike.
TEST_F(TileEngines, LabelsOverHerefordNameTheDistrictAndWards) {
    auto kinds_in = [&](geo::TileId t) {
        auto q = tile_query(s, "labels", t, {});
        auto mem = labels_of(render(*f.memory, s, q));
        EXPECT_EQ(mem, labels_of(render(*f.postgis, s, q)))
            << "tile " << int(t.z) << "/" << t.x << "/" << t.y;
        std::map<std::string, std::set<std::string>> out;
        for (const auto& [kind, name, code] : mem)
            out[kind].insert(kind == "district" ? name + " " + code : name);
        return out;
    };
    const std::string herefordshire = "Herefordshire, County of E06000019";
    auto z11 = kinds_in(tile_at(-2.7160, 52.0565, 11));
    EXPECT_TRUE(z11["district"].count(herefordshire)) << ::testing::PrintToString(z11["district"]);
    EXPECT_GE(z11["ward"].size(), 5u);

    const auto t = tile_at(-2.7160, 52.0565, 12);
    auto z12 = kinds_in(t);
    EXPECT_GE(z12["ward"].size(), 3u) << ::testing::PrintToString(z12["ward"]);
    const geo::Box b = geo::world_bounds(t);
    const auto nw = geo::from_world_xy({b.min_x, b.min_y}), se = geo::from_world_xy({b.max_x, b.max_y});
    char box[256];
    std::snprintf(
        box, sizeof box,
        "ST_X(label_point) >= %.12f AND ST_X(label_point) < %.12f AND ST_Y(label_point) <= %.12f AND "
        "ST_Y(label_point) > %.12f",
        nw.lon, se.lon, nw.lat, se.lat);
    auto rows = f.db.connect().query(std::string("SELECT name FROM areas WHERE kind = 'ward' AND ") + box);
    std::set<std::string> expected;
    for (int i = 0; i < rows.size(); ++i) expected.insert(std::string(rows.text(i, 0)));
    EXPECT_EQ(z12["ward"], expected);

    int named = 0;
    for (std::uint32_t dx : {0u, 1u, 2u})
        for (std::uint32_t dy : {0u, 1u, 2u})
            named += static_cast<int>(
                kinds_in(geo::TileId{12, t.x + dx - 1, t.y + dy - 1})["district"].count(herefordshire));
    EXPECT_EQ(named, 1) << "one label per district at a zoom";
}

// At z16 the postcode labels are exactly the live postcodes whose centroid lies in the tile
// (independent SQL on the postcodes table), in both engines; streets start at z15.
TEST_F(TileEngines, PostcodeLabelsAtZ16AreThePostcodesInTheTile) {
    int tiles = 0;
    for (const char* pc : {"HR1 1AA", "HR4 9AA", "TF1 1AA"}) {
        auto where = f.db.connect().query("SELECT lon, lat FROM postcodes WHERE postcode = $1", {pc});
        if (where.size() == 0) continue;
        const auto t =
            tile_at(std::stod(std::string(where.text(0, 0))), std::stod(std::string(where.text(0, 1))), 16);
        ++tiles;
        const geo::Box b = geo::world_bounds(t);
        const auto nw = geo::from_world_xy({b.min_x, b.min_y}), se = geo::from_world_xy({b.max_x, b.max_y});
        char box[256];
        std::snprintf(box, sizeof box, "lon >= %.12f AND lon < %.12f AND lat <= %.12f AND lat > %.12f",
                      nw.lon, se.lon, nw.lat, se.lat);
        auto rows = f.db.connect().query(
            std::string("SELECT postcode FROM postcodes WHERE terminated IS NULL AND ") + box);
        std::multiset<std::string> expected;
        for (int i = 0; i < rows.size(); ++i) expected.insert(std::string(rows.text(i, 0)));
        ASSERT_TRUE(expected.count(pc)) << pc;
        auto q = tile_query(s, "labels", t, {});
        auto mem = labels_of(render(*f.memory, s, q));
        std::multiset<std::string> postcodes;
        bool streets = false;
        for (const auto& [kind, name, code] : mem) {
            if (kind == "postcode") postcodes.insert(name);
            streets = streets || kind == "street";
        }
        EXPECT_EQ(postcodes, expected) << pc;
        EXPECT_TRUE(streets) << pc << ": street labels from z15";
        EXPECT_EQ(mem, labels_of(render(*f.postgis, s, q))) << pc;
        for (const auto& [kind, name, code] :
             labels_of(render(*f.memory, s, tile_query(s, "labels", geo::TileId{15, t.x / 2, t.y / 2}, {}))))
            EXPECT_NE(kind, "postcode") << "no postcodes at z15";
    }
    EXPECT_GE(tiles, 2);
}

// Both engines write the same labels (kind, name, code) in tiles of every label zoom.
TEST_F(TileEngines, MemoryAndPostgisAgreeOnLabels) {
    int compared = 0, labels = 0;
    for (int z : {6, 8, 11, 12, 14, 15, 16}) {
        std::set<std::pair<std::uint32_t, std::uint32_t>> tiles;
        for (const auto& l : s.place_labels) {
            auto t = geo::tile_containing(l.world, static_cast<std::uint8_t>(z));
            tiles.emplace(t.x, t.y);
        }
        for (auto t : covering_tiles(s, z)) tiles.insert(t);
        std::size_t step = std::max<std::size_t>(1, tiles.size() / 8), i = 0;
        for (auto [x, y] : tiles) {
            if (i++ % step) continue;
            auto q = tile_query(s, "labels", geo::TileId{static_cast<std::uint8_t>(z), x, y}, {});
            auto mem = labels_of(render(*f.memory, s, q));
            EXPECT_EQ(mem, labels_of(render(*f.postgis, s, q))) << "tile " << z << "/" << x << "/" << y;
            labels += static_cast<int>(mem.size());
            ++compared;
        }
    }
    EXPECT_GT(compared, 30);
    EXPECT_GT(labels, 50);
}

}  // namespace
