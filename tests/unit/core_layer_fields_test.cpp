// The layer registry (core/layers.hpp) against what reads or restates it: tiles of every layer
// from the memory engine, decoded with libprotobuf, carry exactly the declared fields with the
// declared types; README.md's layer table states the registry's layers, zooms and fields.
// (The reference SQL functions: tests/integration/layer_fields_sql_test.cpp; /catalog and TileJSON:
// tests/unit/server_catalog_layers_test.cpp.)
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "core/api_data.hpp"
#include "core/layers.hpp"
#include "core/snapshot_builder.hpp"
#include "core/stop_groups.hpp"
#include "core/tile_engine.hpp"
#include "geo/tile.hpp"
#include "support/layer_fields.hpp"

using namespace crimemap;
using core::LayerKind;
using core::Month;
using core::Polarity;

namespace {

const Month jan = Month::from_year_month(2019, 1);
const Month mar = Month::from_year_month(2019, 3);
const geo::LonLat hereford{-2.716, 52.056};

geo::LonLatMultiPolygon square(geo::LonLat c, double d) {
    return {{{{c.lon - d, c.lat - d},
              {c.lon + d, c.lat - d},
              {c.lon + d, c.lat + d},
              {c.lon - d, c.lat + d},
              {c.lon - d, c.lat - d}}}};
}

// Crimes of every category around Hereford; LSOAs with and without population and with counts in
// January and February; districts with values of their own, and one showing its county's value
// for a polar and a neutral indicator.
std::shared_ptr<const core::Snapshot> make_snapshot() {
    core::SnapshotBuilder b(1, jan, mar);
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> jitter(-0.02, 0.02);
    for (int i = 0; i < 300; ++i)
        b.add_location(i, {hereford.lon + jitter(rng), hereford.lat + jitter(rng)},
                       "On or near Street " + std::to_string(i));
    for (int i = 0; i < 3000; ++i)
        EXPECT_TRUE(b.add_crimes(i % 300, jan.plus(i % 3),
                                 static_cast<core::CategoryIndex>(i % core::category_count), 1));
    b.add_area(core::AreaKind::lsoa, "E01000001", "Hereford 001A", 1500, square(hereford, 0.005));
    b.add_area(core::AreaKind::lsoa, "E01000002", "Hereford 001B", std::nullopt,
               square({hereford.lon + 0.011, hereford.lat}, 0.005));
    for (const char* code : {"E01000001", "E01000002"}) {
        EXPECT_TRUE(b.add_area_count(core::AreaKind::lsoa, code, jan, 2, 4));
        EXPECT_TRUE(b.add_area_count(core::AreaKind::lsoa, code, jan.plus(1), 2, 7));
    }
    core::Deprivation deprivation;
    deprivation.rank.fill(1000);
    deprivation.decile.fill(1);
    deprivation.edition = "IoD2019";
    EXPECT_TRUE(b.set_lsoa_deprivation("E01000001", deprivation));  // imd_decile
    b.add_area(core::AreaKind::lad, "E06000019", "Herefordshire", std::nullopt, square(hereford, 0.1));
    b.add_area(core::AreaKind::lad, "E07000235", "Malvern Hills", std::nullopt, square({-2.45, 52.1}, 0.1));
    EXPECT_TRUE(b.set_area_county("E07000235", "E10000034"));
    for (auto polarity : {Polarity::neutral, Polarity::lower_is_better}) {
        const std::string code = polarity == Polarity::neutral ? "ASC7" : "ASC2";
        b.add_indicator_value(code, "Indicator", "", polarity, "2021-22", "E06000019", 20.0);
        b.add_indicator_value(code, "Indicator", "", polarity, "2021-22", "E10000034", 30.0);
    }
    // Stop and search at 100 locations around Hereford (every tenth without a street name), every
    // object and outcome group, in every month.
    for (int i = 0; i < 100; ++i)
        b.add_stop_location(1000 + i, {hereford.lon + jitter(rng), hereford.lat + jitter(rng)},
                            i % 10 == 0 ? "" : "On or near Street " + std::to_string(i));
    for (int i = 0; i < 600; ++i)
        EXPECT_TRUE(b.add_stops(1000 + i % 100, jan.plus(i % 3),
                                static_cast<std::uint8_t>(i % core::stop_object_count),
                                static_cast<std::uint8_t>(i % core::stop_outcome_count), 1));
    // District and ward labels at Hereford.
    b.add_place_label(core::PlaceLabelKind::district, hereford, "Herefordshire", "E06000019");
    b.add_place_label(core::PlaceLabelKind::ward, {hereford.lon + 0.001, hereford.lat}, "Central",
                      "E05000001");
    auto snap = b.finish();
    // Postcodes for the postcode labels (z16+).
    auto api = std::make_shared<core::ApiData>();
    core::PostcodeIndexBuilder postcodes;
    core::PostcodeRow row;
    row.compact = "HR11AA";
    row.lon = hereford.lon;
    row.lat = hereford.lat;
    EXPECT_TRUE(postcodes.add(row));
    api->postcodes = postcodes.finish();
    std::const_pointer_cast<core::Snapshot>(snap)->api = api;
    return snap;
}

core::TileQuery query(std::vector<LayerKind> kinds, int z, core::MonthRange months) {
    core::TileQuery q;
    q.tile = geo::tile_containing(geo::to_world(hereford), static_cast<std::uint8_t>(z));
    q.layers.kinds = std::move(kinds);
    q.filter.months = months;
    q.filter.categories.set();
    q.area_kind = core::AreaKind::lsoa;
    return q;
}

std::string render(const core::Snapshot& s, const core::TileQuery& q) {
    auto tile = core::make_memory_renderer()->render(s, q);
    if (!tile) throw std::runtime_error(tile.error().detail);
    return tile->mvt;
}

std::string where(const core::TileQuery& q) {
    return q.layers.canonical() + " z" + std::to_string(q.tile.z) +
           (q.indicator.empty() ? "" : " " + q.indicator);
}

}  // namespace

TEST(LayerFields, RegistryIsWellFormed) {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < core::layer_specs().size(); ++i) {
        const auto& spec = core::layer_specs()[i];
        EXPECT_EQ(static_cast<std::size_t>(spec.kind), i) << "layer_specs() is indexed by LayerKind";
        EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
        EXPECT_LE(spec.minzoom, spec.maxzoom);
        EXPECT_LE(spec.maxzoom, core::max_zoom);
        std::set<std::string_view> fields;
        for (const auto& f : core::all_fields(spec.kind)) {
            EXPECT_TRUE(fields.insert(f.name).second) << spec.name << "." << f.name << " is declared twice";
            EXPECT_FALSE(f.description.empty()) << spec.name << "." << f.name;
            EXPECT_LE(f.minzoom, f.maxzoom);
        }
        if (spec.cluster_maxzoom >= 0) {
            EXPECT_GE(spec.cluster_maxzoom, spec.minzoom);
            EXPECT_LT(spec.cluster_maxzoom, spec.maxzoom);
        }
    }
    EXPECT_EQ(core::cluster_max_zoom, core::layer_spec(LayerKind::crimes).cluster_maxzoom);
}

// Clusters (up to the cluster zoom and one above, where snap points start), areas with and without
// a previous period and population, performance with polar and neutral indicators and a district
// showing its county's value, and all layers in one tile: exactly the declared fields appear.
TEST(LayerFields, MemoryEngineWritesExactlyTheDeclaredFields) {
    auto s = make_snapshot();
    crimemap::testing::SeenFields seen;
    const int cluster_z = core::cluster_max_zoom;
    std::vector<core::TileQuery> queries;
    for (int z : {8, 11, cluster_z, cluster_z + 1, 16})
        for (auto months : {core::MonthRange{jan, mar}, core::MonthRange{mar, mar}})
            queries.push_back(query({LayerKind::crimes}, z, months));
    for (int z : {10, 13})
        for (auto months : {core::MonthRange{jan, jan}, core::MonthRange{jan.plus(1), jan.plus(1)}})
            queries.push_back(query({LayerKind::areas}, z, months));
    for (const char* indicator : {"ASC7", "ASC2"}) {
        auto q = query({LayerKind::performance}, 7, {jan, jan});
        q.indicator = indicator;
        queries.push_back(q);
    }
    for (int z : {8, 11, cluster_z, cluster_z + 1, 16})
        for (auto months : {core::MonthRange{jan, mar}, core::MonthRange{mar, mar}})
            queries.push_back(query({LayerKind::stops}, z, months));
    for (int z : {6, 11, 12, 14, 15, 16, 18}) queries.push_back(query({LayerKind::labels}, z, {jan, mar}));
    auto all = query(
        {LayerKind::crimes, LayerKind::areas, LayerKind::performance, LayerKind::stops, LayerKind::labels},
        12, {jan, mar});
    all.indicator = "ASC2";
    queries.push_back(all);

    std::set<std::string> layers_seen;
    for (const auto& q : queries) {
        const std::string mvt = render(*s, q);
        for (const auto& [name, layer] : crimemap::testing::decode_tile(mvt)) layers_seen.insert(name);
        crimemap::testing::check_tile_fields(mvt, q.tile.z, seen, where(q));
    }
    for (const auto& spec : core::layer_specs()) {
        EXPECT_TRUE(layers_seen.count(std::string(spec.name))) << spec.name;
        crimemap::testing::expect_every_field_seen(spec.kind, seen);
    }
}

// Snap-point fields start exactly one zoom above the cluster zoom.
TEST(LayerFields, SnapPointsStartAboveTheClusterZoom) {
    auto s = make_snapshot();
    for (int z : {core::cluster_max_zoom, core::cluster_max_zoom + 1}) {
        auto tile = crimemap::testing::decode_tile(render(*s, query({LayerKind::crimes}, z, {jan, mar})));
        ASSERT_TRUE(tile.count("crimes"));
        bool points = !tile.at("crimes").features.empty();
        for (const auto& f : tile.at("crimes").features) points = points && f.props.count("location_id");
        EXPECT_EQ(points, z > core::cluster_max_zoom) << "z" << z;
    }
}

namespace {

struct ReadmeRow {
    std::string layer;
    int minzoom;
    int maxzoom;  // "14+" reads as 14..the layer's maxzoom
    std::string text;
};

// The rows of the table under "## Vector tiles" whose first cell is a `layer`.
std::vector<ReadmeRow> readme_layer_rows() {
    std::ifstream in(std::string(CRIMEMAP_SOURCE_DIR) + "/README.md");
    EXPECT_TRUE(in.good());
    std::string line;
    bool in_section = false;
    std::vector<ReadmeRow> rows;
    // | `crimes` | 0–13 | text |    (en dash or hyphen; "14+" for "from 14 on")
    const std::regex row(R"(^\|\s*`([a-z_]+)`\s*\|\s*(\d+)(?:\s*(?:–|-)\s*(\d+)|(\+))\s*\|(.*)\|\s*$)");
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) in_section = line == "## Vector tiles";
        std::smatch m;
        if (!in_section || !std::regex_match(line, m, row)) continue;
        const std::string name = m[1];
        int maxzoom = -1;
        for (const auto& spec : core::layer_specs())
            if (spec.name == name) maxzoom = spec.maxzoom;
        rows.push_back({name, std::stoi(m[2]), m[3].matched ? std::stoi(m[3]) : maxzoom, m[5]});
    }
    return rows;
}

// Field names a row mentions: `word` and the name part of `word=...`.
std::set<std::string> mentioned(const std::string& text) {
    std::set<std::string> out;
    const std::regex code("`([a-z_0-9]+)(=[^`]*)?`");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), code); it != std::sregex_iterator(); ++it)
        out.insert((*it)[1]);
    return out;
}

}  // namespace

// README.md's layer table restates the registry: the same layers, zoom ranges split at the cluster
// zoom, and in each row every declared field valid at those zooms and no other field.
TEST(LayerFields, ReadmeTableStatesTheRegistry) {
    const auto rows = readme_layer_rows();
    ASSERT_FALSE(rows.empty()) << "no layer table under '## Vector tiles' in README.md";
    for (const auto& spec : core::layer_specs()) {
        std::vector<ReadmeRow> mine;
        for (const auto& r : rows)
            if (r.layer == spec.name) mine.push_back(r);
        ASSERT_FALSE(mine.empty()) << "README.md has no row for layer " << spec.name;
        // The rows cover the layer's zooms in order, split where clusters turn into points.
        std::vector<std::pair<int, int>> expected;
        if (spec.cluster_maxzoom >= 0)
            expected = {{spec.minzoom, spec.cluster_maxzoom}, {spec.cluster_maxzoom + 1, spec.maxzoom}};
        else
            expected = {{spec.minzoom, spec.maxzoom}};
        ASSERT_EQ(mine.size(), expected.size()) << spec.name;
        for (std::size_t i = 0; i < mine.size(); ++i) {
            EXPECT_EQ(std::make_pair(mine[i].minzoom, mine[i].maxzoom), expected[i])
                << spec.name << " row " << i;
            const auto words = mentioned(mine[i].text);
            std::set<std::string> all_names;
            for (const auto& other : core::layer_specs())
                for (const auto& f : other.fields) all_names.insert(std::string(f.name));
            for (const auto& f : spec.fields) {
                const bool valid = f.minzoom <= mine[i].maxzoom && f.maxzoom >= mine[i].minzoom;
                EXPECT_EQ(words.count(std::string(f.name)) > 0, valid)
                    << "README.md, " << spec.name << " row " << i << ": field " << f.name
                    << (valid ? " is not mentioned" : " is mentioned outside its zooms");
            }
            // A field name of another layer only, in backticks, would be a field this layer lacks.
            for (const auto& w : words) {
                bool mine_field = false;
                for (const auto& f : spec.fields) mine_field = mine_field || f.name == w;
                EXPECT_TRUE(mine_field || !all_names.count(w))
                    << "README.md, " << spec.name << " row mentions `" << w << "`";
            }
            if (spec.has_category_fields) {
                EXPECT_NE(mine[i].text.find("categor"), std::string::npos)
                    << spec.name << ": the per-category fields";
            }
        }
    }
    for (const auto& r : rows) {
        bool known = false;
        for (const auto& spec : core::layer_specs()) known = known || spec.name == r.layer;
        EXPECT_TRUE(known) << "README.md lists layer " << r.layer << ", which the registry lacks";
    }
}
