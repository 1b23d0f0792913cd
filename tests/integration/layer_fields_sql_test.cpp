// The reference SQL functions (schema/functions/0001_tiles.sql, ST_AsMVT) against the layer
// registry (core/layers.hpp): their tiles, decoded with libprotobuf, carry exactly the declared
// field names with the declared types, at the declared zooms, and each area feature carries the
// same fields and values as the memory engine's. Real West Mercia sample in a private PostGIS.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "core/layers.hpp"
#include "core/snapshot.hpp"
#include "core/tile_engine.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"
#include "store/postgis_renderer.hpp"
#include "store/snapshot_loader.hpp"
#include "support/layer_fields.hpp"
#include "support/stop_fixtures.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
namespace mvt = crimemap::testing;  // bare `testing` is GoogleTest's

namespace {

struct Sample {
    test::TestDatabase db;
    std::shared_ptr<const core::Snapshot> snapshot;
    std::unique_ptr<core::TileRenderer> memory = core::make_memory_renderer({});
    std::unique_ptr<core::TileRenderer> postgis;
    Sample() {
        db.seed_sample();
        auto conn = db.connect();
        // The sample gives every area a population: take it from every other one, so that both
        // engines write population and per_1000 for some areas and leave them out for the rest
        // (and imd_decile, which only LSOAs with deprivation data carry).
        conn.exec("UPDATE areas SET population = NULL WHERE abs(hashtext(code)) % 2 = 0");
        test::import_synthetic_stops(db, {"2019-01"}, 300);
        snapshot = store::load_snapshot(conn);
        postgis = store::make_postgis_renderer(db.url(), 2);
    }
};

Sample& sample() {
    static Sample s;  // seeded once per process
    return s;
}

core::TileQuery tile_query(const core::Snapshot& s, const std::string& layers, geo::TileId t,
                           core::QueryParams params) {
    auto q = core::parse_tile_query(layers, std::to_string(t.z), std::to_string(t.x), std::to_string(t.y),
                                    params, s);
    if (!q) throw std::runtime_error("bad query: " + q.error().detail);
    return *q;
}

std::string render(core::TileRenderer& engine, const core::Snapshot& s, const core::TileQuery& q) {
    auto tile = engine.render(s, q);
    if (!tile) throw std::runtime_error(std::string(engine.name()) + ": " + tile.error().detail);
    return tile->mvt;
}

// The tile at zoom z holding the most snap locations (busy enough for every field to show).
geo::TileId busiest_tile(const core::Snapshot& s, int z) {
    std::map<std::pair<std::uint32_t, std::uint32_t>, int> n;
    for (const auto& l : s.locations) {
        auto t = geo::tile_containing(l.world, static_cast<std::uint8_t>(z));
        ++n[{t.x, t.y}];
    }
    auto best = std::max_element(n.begin(), n.end(), [](auto& a, auto& b) { return a.second < b.second; });
    return geo::TileId{static_cast<std::uint8_t>(z), best->first.first, best->first.second};
}

std::string where(const core::TileQuery& q) {
    return "postgis " + q.layers.canonical() + " " + std::to_string(q.tile.z) + "/" +
           std::to_string(q.tile.x) + "/" + std::to_string(q.tile.y);
}

}  // namespace

// Clusters up to the registry's cluster zoom, snap points above it: the SQL switches where the
// registry says, and writes only declared fields with their types.
TEST(LayerFieldsSql, CrimesFunctionWritesTheDeclaredFields) {
    auto& f = sample();
    const auto& s = *f.snapshot;
    mvt::SeenFields seen;
    const int cz = core::cluster_max_zoom;
    for (int z : {8, 11, cz, cz + 1, 15}) {
        auto q = tile_query(s, "crimes", busiest_tile(s, z),
                            {{"from", s.first_month.str()}, {"to", s.last_month.str()}});
        const std::string tile = render(*f.postgis, s, q);
        mvt::check_tile_fields(tile, z, seen, where(q));
        auto decoded = mvt::decode_tile(tile);
        ASSERT_TRUE(decoded.count("crimes")) << where(q);
        for (const auto& feature : decoded.at("crimes").features)
            EXPECT_EQ(feature.props.count("location_id") > 0, z > cz)
                << where(q) << ": snap points exactly above z" << cz;
    }
    // Every declared field but the category counts, and a count field for every category in the data.
    for (const auto& field : core::layer_spec(core::LayerKind::crimes).fields)
        EXPECT_TRUE(seen["crimes"].count(std::string(field.name)))
            << "crimes." << field.name << " never appeared";
    auto rows = f.db.connect().query("SELECT DISTINCT category FROM crimes WHERE location_id IS NOT NULL");
    ASSERT_GT(rows.size(), 5);
    for (int i = 0; i < rows.size(); ++i)
        EXPECT_TRUE(seen["crimes"].count(std::string(rows.text(i, 0)))) << "category " << rows.text(i, 0);
}

// Every area kind, a period whose previous period lies inside the data and one whose does not:
// the SQL writes exactly the declared fields, and per area the same fields and values as the
// memory engine.
TEST(LayerFieldsSql, AreasFunctionWritesTheDeclaredFieldsLikeTheMemoryEngine) {
    auto& f = sample();
    const auto& s = *f.snapshot;
    mvt::SeenFields seen;
    int features = 0;
    const std::string first = s.first_month.str(), last = s.last_month.str();
    const std::string second = s.first_month.plus(1).str();
    for (auto [kind, z] : std::vector<std::pair<std::string, int>>{
             {"lsoa", 12}, {"ward", 10}, {"lad", 7}, {"neighbourhood", 11}}) {
        for (const auto& months :
             std::vector<core::QueryParams>{{{"from", first}, {"to", first}},
                                            {{"from", last}, {"to", last}},
                                            {{"from", second}, {"to", last}, {"category", "burglary"}}}) {
            auto params = months;
            params.emplace_back("kind", kind);
            auto q = tile_query(s, "areas", busiest_tile(s, z), params);
            const std::string ref = render(*f.postgis, s, q);
            mvt::check_tile_fields(ref, z, seen, where(q) + " kind=" + kind);
            std::map<std::string, mvt::DecodedFeature> mem_by_code, ref_by_code;
            auto decoded_ref = mvt::decode_tile(ref), decoded_mem = mvt::decode_tile(render(*f.memory, s, q));
            if (decoded_ref.count("areas"))
                for (const auto& feature : decoded_ref.at("areas").features)
                    ref_by_code[feature.text("code")] = feature;
            if (decoded_mem.count("areas"))
                for (const auto& feature : decoded_mem.at("areas").features)
                    mem_by_code[feature.text("code")] = feature;
            EXPECT_FALSE(ref_by_code.empty()) << where(q) << " kind=" << kind;
            for (const auto& [code, r] : ref_by_code) {
                auto m = mem_by_code.find(code);
                if (m == mem_by_code.end())
                    continue;  // clipped away by one engine only: not a field question
                ++features;
                std::set<std::string> mk, rk;
                for (const auto& [k, v] : m->second.props) mk.insert(k);
                for (const auto& [k, v] : r.props) rk.insert(k);
                EXPECT_EQ(mk, rk) << where(q) << " kind=" << kind << " area " << code;
                for (const auto& [k, v] : r.props) {
                    if (!m->second.props.count(k)) continue;
                    const auto& mv = m->second.props.at(k);
                    if (std::holds_alternative<double>(v) && std::holds_alternative<double>(mv))
                        EXPECT_NEAR(std::get<double>(v), std::get<double>(mv), 1e-9) << code << "." << k;
                    else
                        EXPECT_TRUE(v == mv) << where(q) << " area " << code << "." << k << " differs";
                }
            }
        }
    }
    EXPECT_GT(features, 20);
    mvt::expect_every_field_seen(core::LayerKind::areas, seen);
}

// Stops: clusters up to the cluster zoom, snap points above, every declared field (each group
// occurs in the imported stops), only declared fields with their types.
TEST(LayerFieldsSql, StopsFunctionWritesTheDeclaredFields) {
    auto& f = sample();
    const auto& s = *f.snapshot;
    mvt::SeenFields seen;
    const int cz = core::cluster_max_zoom;
    ASSERT_FALSE(s.stops.locations.empty());
    for (int z : {8, 11, cz, cz + 1, 15}) {
        std::map<std::pair<std::uint32_t, std::uint32_t>, int> n;
        for (const auto& l : s.stops.locations) {
            auto t = geo::tile_containing(l.world, static_cast<std::uint8_t>(z));
            ++n[{t.x, t.y}];
        }
        auto best =
            std::max_element(n.begin(), n.end(), [](auto& a, auto& b) { return a.second < b.second; });
        for (auto* engine : {f.postgis.get(), f.memory.get()}) {
            auto q =
                tile_query(s, "stops", {static_cast<std::uint8_t>(z), best->first.first, best->first.second},
                           {{"from", "2019-01"}, {"to", "2019-01"}});
            const std::string tile = render(*engine, s, q);
            if (engine == f.postgis.get()) mvt::check_tile_fields(tile, z, seen, where(q));
            auto decoded = mvt::decode_tile(tile);
            ASSERT_TRUE(decoded.count("stops")) << where(q);
            for (const auto& feature : decoded.at("stops").features)
                EXPECT_EQ(feature.props.count("location_id") > 0, z > cz) << where(q);
        }
    }
    mvt::expect_every_field_seen(core::LayerKind::stops, seen);
}

// Labels: districts and wards, streets and postcodes over Hereford at each label zoom.
TEST(LayerFieldsSql, LabelsFunctionWritesTheDeclaredFields) {
    auto& f = sample();
    const auto& s = *f.snapshot;
    mvt::SeenFields seen;
    std::set<std::string> kinds;
    for (int z : {6, 9, 11, 12, 13, 14, 15, 16, 17}) {
        auto t =
            geo::tile_containing(geo::to_world(geo::LonLat{-2.7160, 52.0565}), static_cast<std::uint8_t>(z));
        auto q = tile_query(s, "labels", t, {});
        const std::string tile = render(*f.postgis, s, q);
        mvt::check_tile_fields(tile, z, seen, where(q));
        auto decoded = mvt::decode_tile(tile);
        ASSERT_TRUE(decoded.count("labels")) << where(q);
        for (const auto& feature : decoded.at("labels").features) kinds.insert(feature.text("kind"));
    }
    EXPECT_EQ(kinds, (std::set<std::string>{"district", "ward", "street", "postcode"}));
    mvt::expect_every_field_seen(core::LayerKind::labels, seen);
}
