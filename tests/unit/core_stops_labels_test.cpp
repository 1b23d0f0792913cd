// The stops and labels tile layers of the in-memory engine on synthetic snapshots, decoded with
// libprotobuf: stop-and-search groups, conservation of stops per zoom, the month filter, and
// labels per kind and zoom. (Fields against the registry: core_layer_fields_test.cpp; against the
// database: tests/integration/tile_engines_test.cpp.)
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "core/api_data.hpp"
#include "core/layers.hpp"
#include "core/snapshot_builder.hpp"
#include "core/stop_groups.hpp"
#include "core/tile_engine.hpp"
#include "geo/tile.hpp"
#include "support/mvt_decode.hpp"

using namespace crimemap;
using core::LayerKind;
using core::Month;

namespace {

const Month jan = Month::from_year_month(2019, 1);
const Month mar = Month::from_year_month(2019, 3);
const geo::LonLat hereford{-2.716, 52.056};

struct Stop {
    std::int64_t location;
    Month month;
    core::StopObject object;
    core::StopOutcome outcome;
};

struct Synthetic {
    std::shared_ptr<const core::Snapshot> snapshot;
    std::vector<Stop> stops;
    std::map<std::int64_t, geo::LonLat> where;
};

// Stops at random points around Hereford, some in December 2018 (before the crimes' months).
Synthetic make_stops(int locations, int stops, unsigned seed = 3) {
    Synthetic out;
    core::SnapshotBuilder b(1, jan, mar);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> jitter(-0.2, 0.2);
    for (int i = 0; i < locations; ++i) {
        geo::LonLat p{hereford.lon + jitter(rng), hereford.lat + jitter(rng)};
        out.where[i] = p;
        b.add_stop_location(i, p, i % 4 ? "On or near Street " + std::to_string(i) : "");
    }
    std::uniform_int_distribution<int> loc(0, locations - 1), month(-1, 2), obj(0, 5), outcome(0, 7);
    for (int i = 0; i < stops; ++i) {
        Stop s{loc(rng), jan.plus(month(rng)), static_cast<core::StopObject>(obj(rng)),
               static_cast<core::StopOutcome>(outcome(rng))};
        out.stops.push_back(s);
        EXPECT_TRUE(b.add_stops(s.location, s.month, static_cast<std::uint8_t>(s.object),
                                static_cast<std::uint8_t>(s.outcome), 1));
    }
    EXPECT_FALSE(b.add_stops(99999, jan, 0, 0, 1)) << "unknown location";
    out.snapshot = b.finish();
    return out;
}

core::TileQuery query(LayerKind kind, geo::TileId t, core::MonthRange months) {
    core::TileQuery q;
    q.tile = t;
    q.layers.kinds = {kind};
    q.filter.months = months;
    q.filter.categories.set();
    return q;
}

std::map<std::string, crimemap::testing::DecodedLayer> render(const core::Snapshot& s,
                                                              const core::TileQuery& q) {
    auto r = core::make_memory_renderer()->render(s, q);
    if (!r) throw std::runtime_error(r.error().detail);
    return crimemap::testing::decode_tile(r->mvt);
}

const std::array<std::string, core::stop_object_count> object_fields{"obj_drugs", "obj_weapons", "obj_stolen",
                                                                     "obj_theft", "obj_damage",  "obj_other"};
const std::array<std::string, core::stop_outcome_count> outcome_fields{
    "out_nfa",       "out_arrest",  "out_summons", "out_caution",
    "out_community", "out_warning", "out_penalty", "out_other"};

// Sums count and every group field over all tiles of zoom z covering the stops.
std::map<std::string, std::int64_t> tile_sums(const Synthetic& s, int z, core::MonthRange months) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> tiles;
    for (const auto& [id, p] : s.where) {
        auto t = geo::tile_containing(geo::to_world(p), static_cast<std::uint8_t>(z));
        tiles.emplace(t.x, t.y);
    }
    std::map<std::string, std::int64_t> sums;
    for (auto [x, y] : tiles) {
        auto layers = render(*s.snapshot, query(LayerKind::stops, *geo::TileId::from_zxy(z, x, y), months));
        if (!layers.count("stops")) continue;
        for (const auto& f : layers.at("stops").features) {
            std::int64_t objects = 0, outcomes = 0;
            for (const auto& k : object_fields) {
                objects += f.integer(k);
                sums[k] += f.integer(k);
            }
            for (const auto& k : outcome_fields) {
                outcomes += f.integer(k);
                sums[k] += f.integer(k);
            }
            EXPECT_EQ(objects, f.integer("count")) << "obj_* sum to count";
            EXPECT_EQ(outcomes, f.integer("count")) << "out_* sum to count";
            sums["count"] += f.integer("count");
            sums["features"] += 1;
        }
    }
    return sums;
}

std::map<std::string, std::int64_t> expected_sums(const Synthetic& s, core::MonthRange months) {
    std::map<std::string, std::int64_t> out;
    for (const auto& st : s.stops) {
        if (!months.contains(st.month)) continue;
        ++out["count"];
        ++out[object_fields[static_cast<std::size_t>(st.object)]];
        ++out[outcome_fields[static_cast<std::size_t>(st.outcome)]];
    }
    return out;
}

}  // namespace

TEST(StopGroups, PoliceUkTextsMapToTheirGroups) {
    using core::StopObject;
    using core::StopOutcome;
    EXPECT_EQ(core::stop_object_group("Controlled drugs"), StopObject::drugs);
    EXPECT_EQ(core::stop_object_group(" offensive WEAPONS "), StopObject::weapons);
    EXPECT_EQ(core::stop_object_group("Anything to threaten or harm anyone"), StopObject::weapons);
    EXPECT_EQ(core::stop_object_group("Stolen goods"), StopObject::stolen);
    EXPECT_EQ(core::stop_object_group("Article for use in theft"), StopObject::theft);
    EXPECT_EQ(core::stop_object_group("Articles for use in criminal damage"), StopObject::damage);
    EXPECT_EQ(core::stop_object_group("Evidence of offences under the Act"), StopObject::other);
    EXPECT_EQ(core::stop_object_group(""), StopObject::other);
    EXPECT_EQ(core::stop_outcome_group("A no further action disposal"), StopOutcome::nfa);
    EXPECT_EQ(core::stop_outcome_group("Arrest"), StopOutcome::arrest);
    EXPECT_EQ(core::stop_outcome_group("Suspect arrested"), StopOutcome::arrest);
    EXPECT_EQ(core::stop_outcome_group("Summons / charged by post"), StopOutcome::summons);
    EXPECT_EQ(core::stop_outcome_group("Caution (simple or conditional)"), StopOutcome::caution);
    EXPECT_EQ(core::stop_outcome_group("Community resolution"), StopOutcome::community);
    EXPECT_EQ(core::stop_outcome_group("Khat or Cannabis warning"), StopOutcome::warning);
    EXPECT_EQ(core::stop_outcome_group("Penalty Notice for Disorder"), StopOutcome::penalty);
    EXPECT_EQ(core::stop_outcome_group("Article found - Detailed outcome unavailable"), StopOutcome::other);
    EXPECT_EQ(core::stop_outcome_group(""), StopOutcome::other);
}

// Each stop of the months is in exactly one cluster of one tile (z8, z12) or at one snap point
// (z14), with its object and outcome groups; stops outside the months (here December, before the
// crimes' first month) count only when asked for.
TEST(StopsLayer, ConservesEveryStopPerGroupAndMonthRange) {
    auto s = make_stops(300, 4000);
    EXPECT_EQ(s.snapshot->stops.located, 4000u);
    for (int z : {8, 12, 14}) {
        for (auto months : {core::MonthRange{jan, mar}, core::MonthRange{mar, mar},
                            core::MonthRange{jan.plus(-1), jan.plus(-1)}}) {
            auto sums = tile_sums(s, z, months);
            const auto features = sums["features"];
            sums.erase("features");
            std::erase_if(sums, [](const auto& kv) { return kv.second == 0; });
            EXPECT_EQ(sums, expected_sums(s, months)) << "z" << z << " " << months.from.str();
            EXPECT_GT(features, 0);
        }
    }
}

TEST(StopsLayer, SnapPointsFromZ14CarryTheirLocation) {
    auto s = make_stops(40, 400);
    for (const auto& [id, p] : s.where) {
        auto t = geo::tile_containing(geo::to_world(p), 14);
        auto layers = render(*s.snapshot, query(LayerKind::stops, t, {jan.plus(-1), mar}));
        ASSERT_TRUE(layers.count("stops"));
        bool found = false;
        for (const auto& f : layers.at("stops").features) {
            if (f.integer("location_id") != id) continue;
            found = true;
            EXPECT_EQ(f.props.count("location") > 0, id % 4 != 0)
                << "a name only where the snap point has one";
        }
        EXPECT_TRUE(found) << "location " << id;
    }
    auto z13 = render(
        *s.snapshot, query(LayerKind::stops, geo::tile_containing(geo::to_world(s.where.begin()->second), 13),
                           {jan.plus(-1), mar}));
    for (const auto& f : z13.at("stops").features)
        EXPECT_FALSE(f.props.count("location_id")) << "z13 clusters";
}

namespace {

// The centre of the z16 tile over Hereford: every label below stays inside its z15 and z16 tiles.
const geo::LonLat centre = [] {
    auto t = geo::tile_containing(geo::to_world(hereford), 16);
    return geo::from_world(geo::WorldPoint{(t.x << 16) + (1u << 15), (t.y << 16) + (1u << 15)});
}();

std::shared_ptr<const core::Snapshot> make_labels() {
    const geo::LonLat hereford = centre;
    core::SnapshotBuilder b(1, jan, mar);
    b.add_place_label(core::PlaceLabelKind::district, hereford, "Herefordshire, County of", "E06000019");
    b.add_place_label(core::PlaceLabelKind::ward, {hereford.lon + 0.0005, hereford.lat}, "Central",
                      "E05012345");
    // Two snap points of one street in a z15 tile, one of another, one without the prefix.
    b.add_location(30, {hereford.lon + 0.0002, hereford.lat + 0.0002}, "On or near Broad Street");
    b.add_location(20, {hereford.lon + 0.0003, hereford.lat - 0.0002}, "On or near Broad Street");
    b.add_location(40, {hereford.lon - 0.0002, hereford.lat}, "On or near King Street");
    b.add_location(50, {hereford.lon - 0.0003, hereford.lat + 0.0001}, "Supermarket");
    for (std::int64_t id : {20, 30, 40, 50}) EXPECT_TRUE(b.add_crimes(id, jan, 0, 1));
    auto snap = b.finish();
    auto api = std::make_shared<core::ApiData>();
    core::PostcodeIndexBuilder postcodes;
    auto add = [&](const char* pc, double lon, double lat, bool live) {
        core::PostcodeRow row;
        row.compact = pc;
        row.lon = lon;
        row.lat = lat;
        if (!live) row.terminated = jan;
        EXPECT_TRUE(postcodes.add(row));
    };
    add("HR11AA", hereford.lon + 0.0001, hereford.lat + 0.0001, true);
    add("HR11AB", hereford.lon - 0.0001, hereford.lat, true);
    add("HR11ZZ", hereford.lon, hereford.lat - 0.0001, false);  // terminated: no label
    add("HR49AA", hereford.lon + 0.3, hereford.lat, true);      // elsewhere
    api->postcodes = postcodes.finish();
    std::const_pointer_cast<core::Snapshot>(snap)->api = api;
    return snap;
}

// kind -> sorted names in the z tile over Hereford.
std::map<std::string, std::multiset<std::string>> labels_at(const core::Snapshot& s, int z) {
    auto t = geo::tile_containing(geo::to_world(centre), static_cast<std::uint8_t>(z));
    auto layers = render(s, query(LayerKind::labels, t, {jan, jan}));
    std::map<std::string, std::multiset<std::string>> out;
    if (layers.count("labels"))
        for (const auto& f : layers.at("labels").features) out[f.text("kind")].insert(f.text("name"));
    return out;
}

}  // namespace

TEST(LabelsLayer, EachKindAtItsZooms) {
    auto s = make_labels();
    using Names = std::multiset<std::string>;
    const Names district{"Herefordshire, County of"}, ward{"Central"};
    const Names streets{"Broad Street", "King Street", "Supermarket"}, postcodes{"HR1 1AA", "HR1 1AB"};
    EXPECT_EQ(labels_at(*s, 5), (std::map<std::string, Names>{})) << "the layer starts at z6";
    EXPECT_EQ(labels_at(*s, 6), (std::map<std::string, Names>{{"district", district}}));
    EXPECT_EQ(labels_at(*s, 11), (std::map<std::string, Names>{{"district", district}, {"ward", ward}}));
    EXPECT_EQ(labels_at(*s, 12), (std::map<std::string, Names>{{"district", district}, {"ward", ward}}));
    EXPECT_EQ(labels_at(*s, 14), (std::map<std::string, Names>{{"ward", ward}}));
    EXPECT_EQ(labels_at(*s, 15), (std::map<std::string, Names>{{"street", streets}}))
        << "one label per street name, 'On or near ' stripped";
    EXPECT_EQ(labels_at(*s, 16), (std::map<std::string, Names>{{"street", streets}, {"postcode", postcodes}}))
        << "live postcodes whose centroid is in the tile";
}

// A street's label sits at its snap point with the lowest id, so both engines place it alike.
TEST(LabelsLayer, StreetLabelAtTheLowestSnapId) {
    auto s = make_labels();
    const geo::LonLat hereford = centre;
    auto t = geo::tile_containing(geo::to_world(hereford), 15);
    auto layers = render(*s, query(LayerKind::labels, t, {jan, jan}));
    const geo::TileTransform transform(t, 4096);
    auto expected = transform.to_tile(geo::to_world({hereford.lon + 0.0003, hereford.lat - 0.0002}));
    bool found = false;
    for (const auto& f : layers.at("labels").features) {
        if (f.text("name") != "Broad Street") continue;
        found = true;
        EXPECT_EQ(f.parts[0][0].first, expected.x);
        EXPECT_EQ(f.parts[0][0].second, expected.y);
        EXPECT_FALSE(f.props.count("code")) << "streets carry no code";
    }
    EXPECT_TRUE(found);
}
