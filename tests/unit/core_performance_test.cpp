// Performance indicators in the snapshot: polarity (neutral stays neutral), targets and benchmarks
// in /v1/areas/{code}/performance, and districts showing their county's value on the performance
// tile layer. Synthetic snapshots; tiles decoded with libprotobuf.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/area_report.hpp"
#include "core/layers.hpp"
#include "core/snapshot_builder.hpp"
#include "core/tile_engine.hpp"
#include "geo/tile.hpp"
#include "support/mvt_decode.hpp"

using namespace crimemap;
using core::Month;
using core::Polarity;
using Feature = crimemap::testing::DecodedFeature;

namespace {

const Month jan = Month::from_year_month(2019, 1);

geo::LonLatMultiPolygon square(double lon, double lat, double d) {
    return {{{{lon - d, lat - d},
              {lon + d, lat - d},
              {lon + d, lat + d},
              {lon - d, lat + d},
              {lon - d, lat - d}}}};
}

// Two unitaries (with values), two districts of one county (one with a value of its own, one
// without), a district of a county without values, and the county values.
std::shared_ptr<const core::Snapshot> make_snapshot() {
    core::SnapshotBuilder b(1, jan, jan);
    b.add_area(core::AreaKind::lad, "E06000019", "Herefordshire", std::nullopt, square(-2.7, 52.06, 0.1));
    b.add_area(core::AreaKind::lad, "E06000020", "Telford and Wrekin", std::nullopt,
               square(-2.45, 52.3, 0.1));
    b.add_area(core::AreaKind::lad, "E07000235", "Malvern Hills", std::nullopt, square(-2.3, 52.1, 0.1));
    b.add_area(core::AreaKind::lad, "E07000237", "Worcester", std::nullopt, square(-2.1, 52.1, 0.1));
    b.add_area(core::AreaKind::lad, "E07000080", "Forest of Dean", std::nullopt, square(-2.5, 51.8, 0.1));
    EXPECT_TRUE(b.set_area_county("E07000235", "E10000034"));
    EXPECT_TRUE(b.set_area_county("E07000237", "E10000034"));
    EXPECT_TRUE(b.set_area_county("E07000080", "E10000013"));  // Gloucestershire: no values here
    EXPECT_FALSE(b.set_area_county("E99999999", "E10000034"));
    const std::string p = "2021-22";
    // A neutral indicator: ranked by value, highest first.
    b.add_indicator_value("ASC7", "Spend per adult", "%", Polarity::neutral, p, "E06000019", 20.0,
                          std::nullopt, 25.0);
    b.add_indicator_value("ASC7", "Spend per adult", "%", Polarity::neutral, p, "E06000020", 30.0,
                          std::nullopt, 25.0);
    b.add_indicator_value("ASC7", "Spend per adult", "%", Polarity::neutral, p, "E10000034", 25.0,
                          std::nullopt, 25.0);
    // Lower is better, with a target.
    b.add_indicator_value("ASC2", "Admissions", "", Polarity::lower_is_better, p, "E06000019", 500, 450.0,
                          520.0);
    b.add_indicator_value("ASC2", "Admissions", "", Polarity::lower_is_better, p, "E06000020", 400, 450.0,
                          520.0);
    b.add_indicator_value("ASC2", "Admissions", "", Polarity::lower_is_better, p, "E10000034", 600,
                          std::nullopt, 520.0);
    b.add_indicator_value("ASC2", "Admissions", "", Polarity::lower_is_better, p, "E07000237", 700);
    // The bool overload (older callers): higher is better.
    b.add_indicator_value("ASC1", "Carer quality of life", "score", true, p, "E06000019", 7.1);
    b.add_indicator_value("ASC1", "Carer quality of life", "score", true, p, "E06000020", 7.9);
    return b.finish();
}

std::map<std::string, Feature> performance_tile(const core::Snapshot& s, const std::string& indicator) {
    core::TileQuery q;
    q.tile = geo::tile_containing(geo::to_world(geo::LonLat{-2.4, 52.1}), 6);
    q.layers.kinds = {core::LayerKind::performance};
    q.filter.months = {jan, jan};
    q.filter.categories.set();
    q.indicator = indicator;
    auto r = core::make_memory_renderer()->render(s, q);
    if (!r) throw std::runtime_error(r.error().detail);
    std::map<std::string, Feature> out;
    auto layers = crimemap::testing::decode_tile(r->mvt);
    if (!layers.count("performance")) return out;
    for (const auto& f : layers.at("performance").features) out[f.text("code")] = f;
    return out;
}

}  // namespace

TEST(Performance, PolarityNamesRoundTrip) {
    for (auto p : {Polarity::higher_is_better, Polarity::lower_is_better, Polarity::neutral})
        EXPECT_EQ(core::polarity_from_string(core::to_string(p)), p);
    EXPECT_EQ(core::polarity_from_string(""), Polarity::neutral);  // not stated: no direction implied
    EXPECT_EQ(core::polarity_from_string("sideways"), Polarity::neutral);
}

TEST(Performance, NeutralIndicatorsRankByValueAndStayNeutral) {
    auto s = make_snapshot();
    const auto& series = s->indicators.at("ASC7");
    EXPECT_EQ(series.polarity, Polarity::neutral);
    const auto& by_area = series.by_period.at("2021-22");
    EXPECT_EQ(by_area.at("E06000020").rank, 1);  // highest value first
    EXPECT_EQ(by_area.at("E10000034").rank, 2);
    EXPECT_EQ(by_area.at("E06000019").rank, 3);

    auto reply = core::area_performance(*s, "E06000019", {{"indicator", "ASC7"}});
    ASSERT_EQ(reply.status, 200) << reply.body.dump();
    const auto& ind = reply.body["result"]["indicators"].at(0);
    EXPECT_EQ(ind["polarity"], "neutral");
    EXPECT_EQ(reply.body.dump().find("best"), std::string::npos);
    EXPECT_EQ(reply.body.dump().find("worst"), std::string::npos);

    auto tile = performance_tile(*s, "ASC7");
    ASSERT_TRUE(tile.count("E06000019"));
    EXPECT_EQ(tile.at("E06000019").text("polarity"), "neutral");
    EXPECT_EQ(tile.at("E06000019").props.count("higher_is_better"), 0u);
    EXPECT_EQ(tile.at("E06000019").integer("rank"), 3);
}

TEST(Performance, LowerIsBetterRanksAscending) {
    auto s = make_snapshot();
    const auto& by_area = s->indicators.at("ASC2").by_period.at("2021-22");
    EXPECT_EQ(by_area.at("E06000020").rank, 1);
    EXPECT_EQ(by_area.at("E07000237").rank, 4);
    auto tile = performance_tile(*s, "ASC2");
    EXPECT_EQ(tile.at("E06000020").text("polarity"), "lower_is_better");
    EXPECT_EQ(std::get<bool>(tile.at("E06000020").props.at("higher_is_better")), false);
    auto up = performance_tile(*s, "ASC1");
    EXPECT_EQ(up.at("E06000020").text("polarity"), "higher_is_better");
    EXPECT_EQ(std::get<bool>(up.at("E06000020").props.at("higher_is_better")), true);
    EXPECT_EQ(core::area_performance(*s, "E06000020", {{"indicator", "ASC1"}})
                  .body["result"]["indicators"][0]["polarity"],
              "higher_is_better");
}

TEST(Performance, TargetAndBenchmarkAreReturned) {
    auto s = make_snapshot();
    auto reply = core::area_performance(*s, "E06000019", {});
    ASSERT_EQ(reply.status, 200);
    std::map<std::string, nlohmann::json> by_code;
    for (const auto& ind : reply.body["result"]["indicators"])
        by_code[ind["indicator"].get<std::string>()] = ind["series"].at(0);
    EXPECT_EQ(by_code.at("ASC2")["target"], 450.0);
    EXPECT_EQ(by_code.at("ASC2")["benchmark"], 520.0);
    EXPECT_TRUE(by_code.at("ASC7")["target"].is_null());
    EXPECT_EQ(by_code.at("ASC7")["benchmark"], 25.0);
    EXPECT_TRUE(by_code.at("ASC1")["target"].is_null());
    EXPECT_TRUE(by_code.at("ASC1")["benchmark"].is_null());
}

namespace {

// A district in the tile without a value of its own or its county's: its name, the indicator and
// period, and none of the value fields.
void expect_no_value(const std::map<std::string, Feature>& tile, const std::string& code,
                     const std::string& indicator) {
    ASSERT_TRUE(tile.count(code)) << code;
    const auto& f = tile.at(code);
    EXPECT_EQ(f.text("indicator"), indicator) << code;
    EXPECT_EQ(f.text("period"), "2021-22") << code;
    EXPECT_FALSE(f.text("name").empty()) << code;
    for (const char* field : {"value", "rank", "of", "quintile", "area_code", "via"})
        EXPECT_EQ(f.props.count(field), 0u) << code << " has " << field;
}

}  // namespace

TEST(Performance, DistrictsWithoutAValueShowTheirCountys) {
    auto s = make_snapshot();
    auto tile = performance_tile(*s, "ASC2");
    // Malvern Hills has no value: Worcestershire's, marked as such.
    ASSERT_TRUE(tile.count("E07000235"));
    const auto& malvern = tile.at("E07000235");
    EXPECT_EQ(malvern.text("via"), "county");
    EXPECT_EQ(malvern.text("area_code"), "E10000034");
    EXPECT_EQ(malvern.text("name"), "Malvern Hills");
    EXPECT_DOUBLE_EQ(std::get<double>(malvern.props.at("value")), 600);
    EXPECT_EQ(malvern.integer("rank"), 3);
    EXPECT_EQ(malvern.integer("of"), 4);
    // Worcester has its own value, which wins.
    const auto& worcester = tile.at("E07000237");
    EXPECT_EQ(worcester.props.count("via"), 0u);
    EXPECT_EQ(worcester.text("area_code"), "E07000237");
    EXPECT_DOUBLE_EQ(std::get<double>(worcester.props.at("value")), 700);
    // A unitary: its own value.
    EXPECT_EQ(tile.at("E06000019").text("area_code"), "E06000019");
    EXPECT_EQ(tile.at("E06000019").props.count("via"), 0u);
    // A district whose county has no value is drawn without the value fields (no data).
    expect_no_value(tile, "E07000080", "ASC2");
    // ASC1 has no Worcestershire value: its districts are drawn without a value, the two
    // unitaries with theirs.
    auto asc1 = performance_tile(*s, "ASC1");
    expect_no_value(asc1, "E07000235", "ASC1");
    expect_no_value(asc1, "E07000237", "ASC1");
    expect_no_value(asc1, "E07000080", "ASC1");
    EXPECT_EQ(asc1.size(), 5u);
    std::size_t with_value = 0;
    for (const auto& [code, f] : asc1) with_value += f.props.count("value");
    EXPECT_EQ(with_value, 2u);
    EXPECT_DOUBLE_EQ(std::get<double>(asc1.at("E06000020").props.at("value")), 7.9);
}

TEST(Performance, LayerFieldsListWhatTheEncoderWrites) {
    auto s = make_snapshot();
    const auto& spec = core::layer_spec(core::LayerKind::performance);
    std::set<std::string> declared;
    for (const auto& f : spec.fields) declared.insert(std::string(f.name));
    for (const char* indicator : {"ASC1", "ASC2", "ASC7"})
        for (const auto& [code, f] : performance_tile(*s, indicator))
            for (const auto& [key, value] : f.props)
                EXPECT_TRUE(declared.count(key)) << key << " is not in the field list";
    EXPECT_TRUE(declared.count("via"));
    EXPECT_TRUE(declared.count("area_code"));
    EXPECT_TRUE(declared.count("polarity"));
}
