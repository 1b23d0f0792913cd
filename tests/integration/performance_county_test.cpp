// Districts of two-tier areas on the performance layer: Oflog publishes adult-social-care
// indicators for the county (Worcestershire, E10000034), not for its six districts. `crimemap
// refresh` finds each district's county (an ONS lookup from `import lookups`, else the postcode
// directory) and the layer gives those districts the county's value, marked via=county. See also
// sample_districts_test.cpp (the sample as seeded, against the Oflog file read independently).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/area_report.hpp"
#include "core/snapshot.hpp"
#include "core/tile_engine.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"
#include "store/snapshot_loader.hpp"
#include "support/mvt_decode.hpp"
#include "support/performance_tiles.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using crimemap::test::source_path;
using crimemap::test::TestDatabase;
using Feature = crimemap::testing::DecodedFeature;

namespace {

const std::set<std::string> worcestershire = {"E07000234", "E07000235", "E07000236",
                                              "E07000237", "E07000238", "E07000239"};
const std::string county = "E10000034";

// An indicator and period with values for Worcestershire and Herefordshire.
std::pair<std::string, std::string> pick_indicator(const core::Snapshot& s) {
    std::map<std::string, const core::IndicatorSeries*> sorted;
    for (const auto& [code, series] : s.indicators) sorted[code] = &series;
    for (const auto& [code, series] : sorted)
        for (auto p = series->periods.rbegin(); p != series->periods.rend(); ++p) {
            const auto& by_area = series->by_period.at(*p);
            if (by_area.count(county) && by_area.count("E06000019")) return {code, *p};
        }
    return {};
}

std::map<std::string, Feature> performance(const core::Snapshot& s, const std::string& indicator,
                                           const std::string& period) {
    return crimemap::testing::performance_features(s, indicator, period);
}

}  // namespace

TEST(PerformanceCounty, DistrictsShowTheirCountysValue) {
    TestDatabase db;
    db.seed_sample();
    // The sample bundles ONS's lookup rows for its six Worcestershire districts.
    EXPECT_EQ(
        db.count("SELECT count(*) FROM areas WHERE kind = 'lad' AND parent_codes->>'county' = 'E10000034'"),
        6);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind <> 'lad' AND parent_codes ? 'county'"), 0);

    // Without a lookup, from the postcode directory alone: the sample's HR postcodes reach into
    // one Worcestershire district only (Malvern Hills); unitaries have no county.
    db.connect().query("DELETE FROM district_counties");
    auto fallback = db.crimemap({"refresh"});
    ASSERT_EQ(fallback.exit_code, 0) << fallback.describe();
    EXPECT_NE(fallback.out.find("districts with a county (two-tier): 1 of 9"), std::string::npos)
        << fallback.out;
    EXPECT_NE(fallback.out.find("5 two-tier districts (E07) have no county, so county indicators skip them: "
                                "E07000234, E07000236, E07000237, E07000238, E07000239; load ONS's"),
              std::string::npos)
        << fallback.out;
    EXPECT_EQ(
        db.scalar("SELECT parent_codes->>'county' FROM areas WHERE kind = 'lad' AND code = 'E07000235'"),
        county);
    EXPECT_EQ(db.count("SELECT count(*) FROM areas WHERE kind = 'lad' AND parent_codes ? 'county'"), 1);
    {
        auto conn = db.connect();
        auto s = store::load_snapshot(conn);
        auto [indicator, period] = pick_indicator(*s);
        ASSERT_FALSE(indicator.empty()) << "no indicator with a Worcestershire value";
        auto features = performance(*s, indicator, period);
        ASSERT_TRUE(features.count("E07000235"));
        EXPECT_EQ(features.at("E07000235").text("via"), "county");
        // Bromsgrove: no county known, so drawn without a value (no data).
        ASSERT_TRUE(features.count("E07000234"));
        EXPECT_EQ(features.at("E07000234").props.count("value"), 0u);
        EXPECT_EQ(features.at("E07000234").props.count("via"), 0u);
    }

    // An ONS district -> county lookup names the county of all six.
    auto lookup = db.crimemap({"import", "lookups", source_path("tests/fixtures/lad_county_lookup.csv")});
    ASSERT_EQ(lookup.exit_code, 0) << lookup.describe();
    EXPECT_NE(lookup.out.find("6 districts with a county, 1 without (unitary) of 7 rows"), std::string::npos)
        << lookup.out;
    EXPECT_EQ(db.count("SELECT count(*) FROM district_counties"), 6);
    EXPECT_EQ(db.scalar("SELECT name FROM code_names WHERE kind = 'county' AND code = 'E10000034'"),
              "Worcestershire");
    auto again = db.crimemap({"import", "lookups", source_path("tests/fixtures/lad_county_lookup.csv")});
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_EQ(db.count("SELECT count(*) FROM district_counties"), 6);
    auto refresh = db.crimemap({"refresh"});
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    EXPECT_NE(refresh.out.find("districts with a county (two-tier): 6 of 9"), std::string::npos)
        << refresh.out;
    EXPECT_EQ(refresh.out.find("have no county"), std::string::npos) << refresh.out;
    EXPECT_EQ(
        db.count("SELECT count(*) FROM areas WHERE kind = 'lad' AND parent_codes->>'county' = 'E10000034'"),
        6);
    EXPECT_EQ(db.scalar("SELECT parent_codes->>'pfa' FROM areas WHERE kind = 'lad' AND code = 'E07000234'"),
              "E23000016");

    auto conn = db.connect();
    auto s = store::load_snapshot(conn);
    for (const auto& code : worcestershire)
        EXPECT_EQ(s->find_area(core::AreaKind::lad, code)->county, county) << code;
    EXPECT_EQ(s->find_area(core::AreaKind::lad, "E06000019")->county, "");
    auto [indicator, period] = pick_indicator(*s);
    const auto& values = s->indicators.at(indicator).by_period.at(period);
    const auto& county_value = values.at(county);
    auto features = performance(*s, indicator, period);
    for (const auto& code : worcestershire) {
        ASSERT_TRUE(features.count(code)) << code;
        const auto& f = features.at(code);
        EXPECT_EQ(f.text("via"), "county") << code;
        EXPECT_EQ(f.text("area_code"), county) << code;
        EXPECT_DOUBLE_EQ(std::get<double>(f.props.at("value")), county_value.value) << code;
        EXPECT_EQ(f.integer("rank"), county_value.rank) << code;
        EXPECT_EQ(f.text("period"), period);
    }
    // Unitaries keep their own values.
    std::size_t unitaries = 0;
    for (const std::string code : {"E06000019", "E06000020", "E06000051"}) {
        if (!values.count(code)) continue;
        ++unitaries;
        ASSERT_TRUE(features.count(code)) << code;
        EXPECT_EQ(features.at(code).props.count("via"), 0u) << code;
        EXPECT_EQ(features.at(code).text("area_code"), code);
        EXPECT_DOUBLE_EQ(std::get<double>(features.at(code).props.at("value")), values.at(code).value);
    }
    EXPECT_GE(unitaries, 1u);
    std::size_t with_value = 0;
    for (const auto& [code, f] : features) with_value += f.props.count("value");
    EXPECT_EQ(with_value, 6 + unitaries);
    EXPECT_EQ(features.size(), 9u);  // the others drawn without a value

    // A CSV that is not a district -> county lookup is refused with a clear message.
    auto wrong = db.crimemap({"import", "lookups", source_path("tests/fixtures/indicators_long.csv")});
    EXPECT_EQ(wrong.exit_code, 1);
    EXPECT_NE(wrong.err.find("not a district -> county lookup"), std::string::npos) << wrong.err;
}

TEST(PerformanceCounty, IndicatorPolarityTargetsAndBenchmarksFromTheDatabase) {
    TestDatabase db;
    db.seed_sample();
    auto longf = db.crimemap({"import", "indicators", source_path("tests/fixtures/indicators_long.csv")});
    ASSERT_EQ(longf.exit_code, 0) << longf.describe();
    auto conn = db.connect();
    auto s = store::load_snapshot(conn);
    // Oflog's rank_order "None" (ASC7) is neutral in the snapshot, as in the table.
    EXPECT_EQ(db.scalar("SELECT DISTINCT polarity FROM indicators WHERE indicator = 'ASC7'"), "neutral");
    ASSERT_TRUE(s->indicators.count("ASC7"));
    EXPECT_EQ(s->indicators.at("ASC7").polarity, core::Polarity::neutral);
    EXPECT_EQ(s->indicators.at("ASC1").polarity, core::Polarity::higher_is_better);
    // Oflog's MEDIAN is the benchmark; the long format's target column is the target.
    auto r = conn.query(
        "SELECT area_code, indicator, period, value, target, benchmark FROM indicators"
        " WHERE target IS NOT NULL ORDER BY 1, 2, 3 LIMIT 1");
    ASSERT_EQ(r.size(), 1);
    const auto& with_target = s->indicators.at(std::string(r.text(0, 1)))
                                  .by_period.at(std::string(r.text(0, 2)))
                                  .at(std::string(r.text(0, 0)));
    EXPECT_DOUBLE_EQ(with_target.target.value_or(-1), r.float64(0, 4));
    auto b = conn.query(
        "SELECT area_code, indicator, period, benchmark FROM indicators"
        " WHERE benchmark IS NOT NULL AND area_code = 'E06000019' ORDER BY 2, 3 LIMIT 1");
    ASSERT_EQ(b.size(), 1);
    const std::string ind(b.text(0, 1)), period(b.text(0, 2));
    EXPECT_DOUBLE_EQ(s->indicators.at(ind).by_period.at(period).at("E06000019").benchmark.value_or(-1),
                     b.float64(0, 3));
    auto reply = core::area_performance(*s, "E06000019", {{"indicator", ind}});
    ASSERT_EQ(reply.status, 200);
    bool found = false;
    for (const auto& point : reply.body["result"]["indicators"][0]["series"])
        if (point["period"] == period) {
            found = true;
            EXPECT_DOUBLE_EQ(point["benchmark"].get<double>(), b.float64(0, 3));
            EXPECT_TRUE(point.contains("target"));
        }
    EXPECT_TRUE(found);
    auto neutral = core::area_performance(*s, "E06000019", {{"indicator", "ASC7"}});
    ASSERT_EQ(neutral.status, 200) << neutral.body.dump();
    EXPECT_EQ(neutral.body["result"]["indicators"][0]["polarity"], "neutral");
}
