#include <gtest/gtest.h>

#include <set>

#include "core/snapshot.hpp"
#include "server/app.hpp"
#include "server/router.hpp"
#include "server/routes.hpp"

using namespace crimemap::server;

namespace {
Router table() {
    Router r;
    auto named = [](std::string name) {
        return [name](const Request&, const RouteParams&) {
            Response res;
            res.body = name;
            return res;
        };
    };
    r.add(Method::get, "/tiles/{layers}/{z}/{x}/{y}.mvt", named("mvt"));
    r.add(Method::get, "/tiles/{layers}/{z}/{x}/{y}.pbf", named("pbf"));
    r.add(Method::get, "/tiles/{layers}.json", named("tilejson"));
    r.add(Method::get, "/health", named("health"));
    r.add(Method::post, "/teams/{id}", named("post team"));
    r.add(Method::get, "/teams/{id}", named("get team"));
    return r;
}

std::vector<std::string> segs(const std::string& path) { return make_request(Method::get, path)->segments; }
}  // namespace

TEST(ServerRouter, MatchesParametersAndSuffixes) {
    Router r = table();
    // Params are views into the segments: keep them alive while the params are read.
    const auto tile_segments = segs("/tiles/crimes,areas/14/8100/5430.mvt");
    auto m = r.match(Method::get, tile_segments);
    ASSERT_EQ(m.outcome, Router::Outcome::matched);
    EXPECT_EQ(m.route->pattern, "/tiles/{layers}/{z}/{x}/{y}.mvt");
    EXPECT_EQ(m.params.get("layers"), "crimes,areas");
    EXPECT_EQ(m.params.get("z"), "14");
    EXPECT_EQ(m.params.get("x"), "8100");
    EXPECT_EQ(m.params.get("y"), "5430");

    auto pbf = r.match(Method::get, segs("/tiles/crimes/1/2/3.pbf"));
    ASSERT_EQ(pbf.outcome, Router::Outcome::matched);
    EXPECT_EQ(pbf.route->pattern, "/tiles/{layers}/{z}/{x}/{y}.pbf");

    const auto tilejson_segments = segs("/tiles/crimes.json");
    auto tj = r.match(Method::get, tilejson_segments);
    ASSERT_EQ(tj.outcome, Router::Outcome::matched);
    EXPECT_EQ(tj.params.get("layers"), "crimes");
}

TEST(ServerRouter, NotFoundCases) {
    Router r = table();
    EXPECT_EQ(r.match(Method::get, segs("/tiles/crimes/1/2/3.png")).outcome, Router::Outcome::not_found);
    EXPECT_EQ(r.match(Method::get, segs("/tiles/crimes/1/2/.mvt")).outcome, Router::Outcome::not_found)
        << "a parameter is never empty";
    EXPECT_EQ(r.match(Method::get, segs("/tiles/crimes/1/2")).outcome, Router::Outcome::not_found);
    EXPECT_EQ(r.match(Method::get, segs("/health//")).outcome, Router::Outcome::not_found)
        << "one slash only";
    EXPECT_EQ(r.match(Method::get, segs("/health/x")).outcome, Router::Outcome::not_found);
    EXPECT_EQ(r.match(Method::get, segs("/teams/")).outcome, Router::Outcome::not_found)
        << "the trailing empty segment is no parameter value";
    EXPECT_EQ(r.match(Method::get, segs("/")).outcome, Router::Outcome::not_found);
    EXPECT_EQ(r.find(Method::get, segs("/")), nullptr);
    EXPECT_EQ(r.match(Method::get, segs("/tiles/.json")).outcome, Router::Outcome::not_found);
}

TEST(ServerRouter, OneTrailingSlashIsIgnored) {
    // postcodes.io (Express, non-strict routing) answers "/postcodes/" as "/postcodes".
    Router r = table();
    auto h = r.match(Method::get, segs("/health/"));
    ASSERT_EQ(h.outcome, Router::Outcome::matched);
    EXPECT_EQ(h.route->pattern, "/health");
    // Parameters are views into the request's segments: they must outlive the match.
    const auto team_path = segs("/teams/7/"), mvt_path = segs("/tiles/crimes/1/2/3.mvt/");
    auto t = r.match(Method::get, team_path);
    ASSERT_EQ(t.outcome, Router::Outcome::matched);
    EXPECT_EQ(t.route->pattern, "/teams/{id}");
    EXPECT_EQ(t.params.get("id"), "7");
    auto mvt = r.match(Method::get, mvt_path);
    ASSERT_EQ(mvt.outcome, Router::Outcome::matched);
    EXPECT_EQ(mvt.params.get("y"), "3");
    EXPECT_EQ(r.match(Method::del, segs("/teams/7/")).outcome, Router::Outcome::method_not_allowed);
    ASSERT_NE(r.find(Method::post, segs("/teams/7/")), nullptr);
    EXPECT_EQ(r.find(Method::post, segs("/teams/7/"))->pattern, "/teams/{id}");
}

TEST(ServerRouter, WrongMethodListsAllowedOnes) {
    Router r = table();
    auto m = r.match(Method::post, segs("/health"));
    EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/health");
    EXPECT_EQ(Router::allow_header(m.allowed), "GET, HEAD, OPTIONS");

    auto del = r.match(Method::del, segs("/teams/7"));
    EXPECT_EQ(del.outcome, Router::Outcome::method_not_allowed);
    EXPECT_EQ(Router::allow_header(del.allowed), "POST, GET, HEAD, OPTIONS");

    const auto team_segments = segs("/teams/7");
    auto post = r.match(Method::post, team_segments);
    ASSERT_EQ(post.outcome, Router::Outcome::matched);
    EXPECT_EQ(post.params.get("id"), "7");
    EXPECT_EQ(post.route->handler(Request{}, post.params).body, "post team");
}

TEST(ServerRouter, HeadUsesGetRoutes) {
    Router r = table();
    auto m = r.match(Method::head, segs("/health"));
    ASSERT_EQ(m.outcome, Router::Outcome::matched);
    EXPECT_EQ(m.route->handler(Request{}, m.params).body, "health");
}

TEST(ServerRouter, RejectsMalformedPatterns) {
    Router r;
    auto h = [](const Request&, const RouteParams&) { return Response{}; };
    EXPECT_THROW(r.add(Method::get, "health", h), std::invalid_argument);
    EXPECT_THROW(r.add(Method::get, "/{}", h), std::invalid_argument);
    EXPECT_THROW(r.add(Method::get, "/{open", h), std::invalid_argument);
}

// The route table is the only list of routes: the App's router holds exactly its entries, in
// order, and /metrics has a label for each pattern.

TEST(RouteTable, RouterAndMetricsFollowTheTable) {
    crimemap::core::SnapshotHolder holder;
    crimemap::server::Config config;
    config.web_dir.clear();
    crimemap::server::App app(config, holder);
    const auto table = crimemap::server::route_table();
    const auto& routes = app.router().routes();
    ASSERT_EQ(routes.size(), table.size());
    std::set<std::pair<int, std::string_view>> seen;
    for (std::size_t i = 0; i < table.size(); ++i) {
        EXPECT_EQ(routes[i].pattern, table[i].pattern);
        EXPECT_EQ(routes[i].method, table[i].method);
        EXPECT_FALSE(table[i].name.empty()) << table[i].pattern;
        EXPECT_TRUE(seen.emplace(static_cast<int>(table[i].method), table[i].pattern).second)
            << "duplicate route " << table[i].pattern;
        EXPECT_NE(app.context().metrics().route_index(std::string(table[i].pattern)),
                  app.context().metrics().route_index("none"))
            << table[i].pattern;
    }
    std::set<std::string_view> names;
    for (const auto& r : table) names.insert(r.name);
    EXPECT_EQ(names.size(), table.size()) << "route names must be unique";
}
