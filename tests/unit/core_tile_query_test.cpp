// Parsing tile requests into typed values, and the errors users see.
#include <gtest/gtest.h>

#include "core/snapshot_builder.hpp"
#include "core/tile_query.hpp"

using namespace crimemap::core;

namespace {
std::shared_ptr<const Snapshot> snapshot() {
    SnapshotBuilder b(1, Month::from_year_month(2018, 10), Month::from_year_month(2019, 2));
    return b.finish();
}
Result<TileQuery> parse(std::string_view layers, std::string_view z, std::string_view x, std::string_view y,
                        QueryParams params = {}) {
    static auto s = snapshot();
    return parse_tile_query(layers, z, x, y, params, *s);
}
}  // namespace

TEST(TileQuery, DefaultsToTheLatestMonthAndEveryCategory) {
    auto q = parse("crimes", "8", "126", "84");
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->filter.months.from.str(), "2019-02");
    EXPECT_EQ(q->filter.months.to.str(), "2019-02");
    EXPECT_TRUE(q->filter.all_categories());
    EXPECT_EQ(q->tile, (crimemap::geo::TileId{8, 126, 84}));
}

TEST(TileQuery, ParsesFiltersAndLayerSets) {
    auto q =
        parse("areas,crimes,crimes", "8", "1", "2",
              {{"from", "2018-11"}, {"to", "2019-01"}, {"category", "burglary,drugs"}, {"kind", "ward"}});
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->layers.canonical(), "crimes,areas");
    EXPECT_EQ(q->filter.months.length(), 3);
    EXPECT_EQ(q->filter.categories.count(), 2u);
    EXPECT_EQ(q->area_kind, AreaKind::ward);
    EXPECT_EQ(
        q->cache_key(),
        parse("crimes,areas", "8", "1", "2",
              {{"category", "drugs,burglary"}, {"kind", "ward"}, {"to", "2019-01"}, {"from", "2018-11"}})
            ->cache_key());
    EXPECT_NE(q->cache_key(), parse("crimes,areas", "8", "1", "2", {{"kind", "ward"}})->cache_key());
}

TEST(TileQuery, RejectsBadCoordinates) {
    for (auto [z, x, y] : std::vector<std::array<std::string_view, 3>>{{"-1", "0", "0"},
                                                                       {"a", "0", "0"},
                                                                       {"1.5", "0", "0"},
                                                                       {"23", "0", "0"},
                                                                       {"2", "4", "0"},
                                                                       {"2", "0", "4"},
                                                                       {"", "0", "0"},
                                                                       {"99999999999", "0", "0"},
                                                                       {"2", "+1", "0"}}) {
        auto q = parse("crimes", z, x, y);
        ASSERT_FALSE(q.ok()) << z << "/" << x << "/" << y;
        EXPECT_EQ(q.error().code, ErrorCode::bad_request);
        EXPECT_NE(q.error().detail.find("tile coordinates"), std::string::npos);
    }
}

TEST(TileQuery, NamesTheBadParameter) {
    struct Case {
        QueryParams params;
        std::string message;
    };
    for (const auto& c : std::vector<Case>{
             {{{"from", "2019-13"}}, "Invalid from"},
             {{{"to", "19-01"}}, "Invalid to"},
             {{{"from", "2019-02"}, {"to", "2019-01"}}, "Invalid from"},
             {{{"from", "2000-01"}, {"to", "2019-01"}}, "Invalid from"},
             {{{"category", "burglary,nonsense"}}, "Invalid category: nonsense"},
             {{{"kind", "county"}}, "Invalid kind"},
             {{{"cells", "12"}}, "Invalid cells"},
             {{{"cells", ""}}, "Invalid cells"},
         }) {
        auto q = parse("crimes,areas", "1", "0", "0", c.params);
        ASSERT_FALSE(q.ok()) << c.message;
        EXPECT_EQ(q.error().code, ErrorCode::bad_request);
        EXPECT_EQ(q.error().detail.rfind(c.message, 0), 0u) << q.error().detail;
        EXPECT_EQ(http_status(q.error().code), 400);
    }
}

TEST(TileQuery, CellsSetsTheClusterGridAndTheCacheKey) {
    auto fine = parse("crimes", "8", "1", "2");
    auto coarse = parse("crimes", "8", "1", "2", {{"cells", "16"}});
    ASSERT_TRUE(fine.ok() && coarse.ok());
    EXPECT_EQ(fine->cluster_cell_bits, 6);
    EXPECT_EQ(coarse->cluster_cell_bits, 4);
    EXPECT_NE(fine->cache_key(), coarse->cache_key());
    EXPECT_EQ(fine->cache_key(), parse("crimes", "8", "1", "2", {{"cells", "64"}})->cache_key());
}

TEST(TileQuery, UnknownLayerIsNotFound) {
    auto q = parse("crimes,bogus", "1", "0", "0");
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.error().code, ErrorCode::not_found);
    EXPECT_EQ(q.error().detail, "Unknown layer: bogus");
    EXPECT_EQ(parse("", "1", "0", "0").error().code, ErrorCode::bad_request);
}

TEST(TileQuery, PerformanceNeedsAnIndicator) {
    EXPECT_FALSE(parse("performance", "1", "0", "0").ok());
    auto q = parse("performance", "1", "0", "0", {{"indicator", "ASC1"}, {"period", "2021-22"}});
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->indicator, "ASC1");
    EXPECT_FALSE(parse("performance", "1", "0", "0", {{"indicator", "A;DROP"}}).ok());
}

TEST(Month, ParsesStrictly) {
    EXPECT_EQ(Month::parse("2019-01")->str(), "2019-01");
    EXPECT_FALSE(Month::parse("2019-1"));
    EXPECT_FALSE(Month::parse("2019-00"));
    EXPECT_FALSE(Month::parse("201901"));
    MonthRange r{*Month::parse("2019-01"), *Month::parse("2019-03")};
    EXPECT_EQ(r.previous().from.str(), "2018-10");
    EXPECT_EQ(r.previous().to.str(), "2018-12");
}

TEST(Category, MapsNamesAndSlugs) {
    EXPECT_EQ(categories[*category_from_name("Violence and sexual offences")].slug, "violent-crime");
    EXPECT_EQ(categories[*category_from_name(" anti-social behaviour ")].slug, "anti-social-behaviour");
    EXPECT_EQ(categories[*category_from_name("Violent crime")].slug, "violent-crime");
    EXPECT_FALSE(category_from_name("Jaywalking"));
    EXPECT_EQ(categories[*category_from_slug("criminal-damage-arson")].name, "Criminal damage and arson");
}
