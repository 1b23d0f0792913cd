// The API routes through App::handle without sockets: postcodes.io and police.uk shapes (compared
// key by key with the real police.uk fixtures in ../shared/data/police_api_json), errors, limits,
// the team-write auth matrix (fake TeamStore) and the meeting pack formats.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/api_data.hpp"
#include "core/crime_details.hpp"
#include "core/json_input.hpp"
#include "core/meeting_pack.hpp"
#include "core/police_api.hpp"
#include "core/secrets.hpp"
#include "core/snapshot_builder.hpp"
#include "core/teams.hpp"
#include "server/app.hpp"
#include "server/gzip.hpp"
#include "support/api_fixture.hpp"
#include "support/app_calls.hpp"
#include "support/police_fixtures.hpp"

using namespace crimemap;
using nlohmann::json;

namespace {

using crimemap::testing::api_snapshot;
using FakeCrimes = crimemap::testing::CannedCrimes;
using FakeTeams = crimemap::testing::RecordingTeams;
using crimemap::testing::app_call;
using crimemap::testing::bearer;
using crimemap::testing::json_body;

class ApiHandlers : public ::testing::Test {
  protected:
    void SetUp() override {
        auto snap = api_snapshot();
        holder.set(snap);
        crimes = std::make_shared<FakeCrimes>();
        teams = std::make_shared<FakeTeams>();
        teams->dir = snap->api->teams;
        server::Config config;
        config.web_dir.clear();
        app = std::make_unique<server::App>(config, holder, server::ApiServices{crimes, teams});
    }

    server::Response call(server::Method m, const std::string& target, const std::string& body = {},
                          const std::string& auth = {}) {
        return app_call(*app, m, target, body, bearer(auth));
    }
    json get_json(const std::string& target, int status = 200) {
        return json_body(call(server::Method::get, target), target, status);
    }

    core::SnapshotHolder holder;
    std::shared_ptr<FakeCrimes> crimes;
    std::shared_ptr<FakeTeams> teams;
    std::unique_ptr<server::App> app;
};

using police_fixtures::expect_same_shape;
using police_fixtures::fixture;

// What an HTML page's <body> holds outside its top-level landmarks (<header>, <nav>, <main>,
// <footer>), whitespace dropped: axe's "region" rule wants it empty. The pages nest no landmark
// of one kind in another of the same kind, so the first closing tag ends each.
std::string outside_landmarks(const std::string& html) {
    auto b = html.find("<body>"), e = html.find("</body>");
    if (b == std::string::npos || e == std::string::npos) return "no <body>";
    std::string body = html.substr(b + 6, e - b - 6), out;
    for (std::size_t i = 0; i < body.size();) {
        bool skipped = false;
        for (const std::string tag : {"header", "nav", "main", "footer"})
            if (body.compare(i, tag.size() + 1, "<" + tag) == 0 &&
                (body[i + tag.size() + 1] == '>' || body[i + tag.size() + 1] == ' ')) {
                auto close = body.find("</" + tag + ">", i);
                if (close == std::string::npos) return "unclosed <" + tag + ">";
                i = close + tag.size() + 3;
                skipped = true;
                break;
            }
        if (skipped) continue;
        if (!std::isspace(static_cast<unsigned char>(body[i]))) out += body[i];
        ++i;
    }
    return out;
}

}  // namespace

TEST_F(ApiHandlers, PostcodeRoutesAnswerLikePostcodesIo) {
    auto j = get_json("/postcodes/hr1%201aa");
    EXPECT_EQ(j["status"], 200);
    EXPECT_EQ(j["result"]["neighbourhood"]["id"], "HE06");
    EXPECT_EQ(get_json("/postcodes/zzz", 404)["error"], "Invalid postcode");
    EXPECT_EQ(get_json("/postcodes?lon=-2.710027&lat=52.060745")["result"].size(), 1u);
    EXPECT_EQ(get_json("/postcodes/lon/-2.710027/lat/52.060745")["result"].size(), 1u);
    EXPECT_EQ(get_json("/postcodes?lon=1&lat=x", 400)["error"], "Invalid longitude/latitude submitted");
    EXPECT_EQ(get_json("/postcodes/HR11AA/validate")["result"], true);
    EXPECT_EQ(get_json("/postcodes/HR1/autocomplete")["result"][0], "HR1 1AA");
    EXPECT_EQ(get_json("/outcodes/HR1")["result"]["outcode"], "HR1");
    const auto random = get_json("/random/postcodes")["result"]["postcode"].get<std::string>();
    EXPECT_TRUE(random == "HR1 1AA" || random == "HR4 9AB" || random == "TF1 1AA") << random;
    auto bulk = call(server::Method::post, "/postcodes", R"({"postcodes":["HR1 1AA"]})");
    EXPECT_EQ(bulk.status, 200);
    // A repeated GET with the ETag is a 304.
    auto first = call(server::Method::get, "/postcodes/HR11AA");
    auto etag = first.headers.get("ETag");
    ASSERT_TRUE(etag);
    auto req = server::make_request(server::Method::get, "/postcodes/HR11AA");
    req->headers.set("If-None-Match", *etag);
    EXPECT_EQ(app->handle(*req).status, 304);
}

TEST_F(ApiHandlers, JsonAnswersAreGzippedForClientsThatAsk) {
    // An answer outside the answer cache (cached ones: server_answer_cache_test.cpp).
    const std::string target = "/postcodes/HR11AA/nearest";
    auto plain = call(server::Method::get, target);
    ASSERT_EQ(plain.status, 200);
    ASSERT_GE(plain.body.size(), 512u) << "big enough to be worth compressing";
    EXPECT_FALSE(plain.headers.get("Content-Encoding"));

    auto req = server::make_request(server::Method::get, target);
    req->headers.set("Accept-Encoding", "gzip, deflate");
    auto gz = app->handle(*req);
    ASSERT_EQ(gz.status, 200);
    ASSERT_TRUE(gz.headers.get("Content-Encoding"));
    EXPECT_EQ(*gz.headers.get("Content-Encoding"), "gzip");
    EXPECT_NE(std::string(*gz.headers.get("Vary")).find("Accept-Encoding"), std::string::npos);
    EXPECT_EQ(server::gzip_decompress(gz.body), plain.body);

    // The weak ETag stands for both encodings: revalidation still gives 304.
    auto etag = gz.headers.get("ETag");
    ASSERT_TRUE(etag);
    EXPECT_TRUE(etag->starts_with("W/"));
    req->headers.set("If-None-Match", *etag);
    EXPECT_EQ(app->handle(*req).status, 304);
}

TEST_F(ApiHandlers, PoliceShapesMatchTheFixtures) {
    auto crimes_j = get_json("/api/crimes-street/all-crime?lat=52.06&lng=-2.71&date=2019-02");
    ASSERT_EQ(crimes_j.size(), 2u);
    auto street =
        fixture("crimes_street_met_2014-08/crimes-street_all-crime_lat51.5017_lng0.0055_2014-08.json");
    if (street.is_array()) {
        // The real response's first element with an outcome.
        for (const auto& c : street)
            if (!c["outcome_status"].is_null()) {
                expect_same_shape(crimes_j[0], c, "crimes-street");
                break;
            }
    }
    expect_same_shape(crimes_j[0], fixture("police_data_kit_fixtures/crime.json"), "crime");
    expect_same_shape(get_json("/api/forces/west-mercia"),
                      fixture("police_data_kit_fixtures/police-force.json"), "force");
    expect_same_shape(get_json("/api/forces"), fixture("policeuk_net_fixtures/Forces.Multiple.json"),
                      "forces");
    auto nb = get_json("/api/west-mercia/HE06");
    auto nb_fixture = fixture("police_data_kit_fixtures/neighbourhood.json");
    ASSERT_TRUE(nb_fixture.is_object());
    nb_fixture.erase("locations");  // we publish no station locations
    expect_same_shape(nb, nb_fixture, "neighbourhood");
    EXPECT_TRUE(nb["population"].is_null() || nb["population"].is_string());
    expect_same_shape(get_json("/api/west-mercia/HE06/priorities")[0],
                      fixture("police_data_kit_fixtures/neighbourhood-priority.json"), "priority");
    expect_same_shape(get_json("/api/west-mercia/HE06/people")[0],
                      fixture("police_data_kit_fixtures/police-officer.json"), "person");
    expect_same_shape(get_json("/api/west-mercia/HE06/events"),
                      fixture("policeuk_net_fixtures/NeighbourhoodEvents.Multiple.json"), "events");
    expect_same_shape(get_json("/api/west-mercia/HE06/boundary"),
                      fixture("policeuk_net_fixtures/NeighbourhoodBoundary.Multiple.json"), "boundary");
    expect_same_shape(get_json("/api/west-mercia/neighbourhoods"),
                      fixture("policeuk_net_fixtures/Neighbourhoods.Multiple.json"), "neighbourhoods");
    expect_same_shape(get_json("/api/locate-neighbourhood?q=52.06,-2.71"),
                      fixture("police_data_kit_fixtures/neighbourhood-policing-team.json"), "locate");
    expect_same_shape(get_json("/api/crime-last-updated"), fixture("policeuk_net_fixtures/LastUpdated.json"),
                      "last-updated");
    expect_same_shape(get_json("/api/crime-categories"),
                      fixture("policeuk_net_fixtures/CrimeCatagories.Multiple.json"), "categories");
    expect_same_shape(get_json("/api/crimes-street-dates")[0],
                      fixture("police_data_kit_fixtures/data-set.json"), "dates");
    auto nl = get_json("/api/crimes-no-location?category=all-crime&force=west-mercia&date=2019-02");
    EXPECT_TRUE(nl[0]["location"].is_null());
}

TEST_F(ApiHandlers, PoliceErrorsAndLimits) {
    EXPECT_EQ(get_json("/api/crimes-street/nonsense?lat=52&lng=-2", 400)["status"], 400);
    get_json("/api/crimes-street/all-crime?lat=95&lng=-2", 400);
    get_json("/api/crimes-street/all-crime?lat=52", 400);
    get_json("/api/crimes-street/all-crime?lat=52&lng=-2&date=2019-13", 400);
    get_json("/api/crimes-street/all-crime?poly=52,-2:53,-2", 400);
    std::string poly;
    for (int i = 0; i < 1001; ++i) {
        if (i) poly += ':';
        poly += std::to_string(52 + i * 1e-4);
        poly += ",-2";
    }
    get_json("/api/crimes-street/all-crime?poly=" + poly, 413);
    crimes->rows = core::police::max_crimes + 5;
    EXPECT_NE(
        get_json("/api/crimes-street/all-crime?lat=52&lng=-2", 503)["error"].get<std::string>().find("10000"),
        std::string::npos);
    crimes->rows = 2;
    get_json("/api/forces/nowhere", 404);
    get_json("/api/west-mercia/NOPE", 404);
    get_json("/api/locate-neighbourhood?q=51.5,0.1", 404);
    get_json("/api/locate-neighbourhood?q=garbage", 400);
    get_json("/api/crimes-no-location?category=all-crime&force=nowhere", 404);
    get_json("/api/crimes-at-location?location_id=x", 400);
    // Without the database services the listings answer 503, everything else still works.
    app->context().set_services({});
    get_json("/api/crimes-street/all-crime?lat=52&lng=-2", 503);
    get_json("/api/west-mercia/HE06", 200);
}

TEST_F(ApiHandlers, TeamWriteAuthMatrix) {
    const std::string base = "/v1/neighbourhoods/west-mercia/HE06";
    const std::string body = R"({"issue": "Parking", "issue-date": "2019-02-01"})";
    EXPECT_EQ(call(server::Method::post, base + "/priorities", body).status, 401);
    EXPECT_EQ(call(server::Method::post, base + "/priorities", body, "unknown").status, 401);
    EXPECT_EQ(call(server::Method::post, base + "/priorities", body, "other").status, 403);
    EXPECT_EQ(call(server::Method::post, base + "/priorities", body, "othernb").status, 403);
    EXPECT_EQ(teams->writes, 0);
    EXPECT_EQ(call(server::Method::post, base + "/priorities", R"({"issue": 5})", "good").status, 400);
    EXPECT_EQ(call(server::Method::post, base + "/priorities",
                   R"({"issue": "x", "issue-date": "2019-02-30"})", "good")
                  .status,
              400);
    EXPECT_EQ(call(server::Method::post, base + "/priorities", "{", "good").status, 400);
    auto created = call(server::Method::post, base + "/priorities", body, "good");
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(call(server::Method::post, base + "/priorities", body, "force").status,
              201);  // force-wide token
    EXPECT_EQ(call(server::Method::put, base + "/priorities/7", body, "good").status, 200);
    EXPECT_EQ(call(server::Method::put, base + "/priorities/8", body, "good").status, 404);
    EXPECT_EQ(call(server::Method::del, base + "/priorities/7", "", "good").status, 204);
    EXPECT_EQ(call(server::Method::del, base + "/priorities/abc", "", "good").status, 404);
    EXPECT_EQ(call(server::Method::post, base + "/events", R"({"title": "Surgery"})", "good").status,
              400);  // no start_date
    EXPECT_EQ(
        call(server::Method::post, base + "/events",
             R"({"title": "Surgery", "start_date": "2019-03-01T18:00", "end_date": "2019-03-01T17:00"})",
             "good")
            .status,
        400);
    EXPECT_EQ(call(server::Method::post, base + "/events",
                   R"({"title": "Surgery", "start_date": "2019-03-01T18:00"})", "good")
                  .status,
              201);
    EXPECT_EQ(call(server::Method::post, "/v1/neighbourhoods/west-mercia/NOPE/events",
                   R"({"title": "Surgery", "start_date": "2019-03-01T18:00"})", "force")
                  .status,
              404);
    // Reads are public.
    EXPECT_EQ(get_json(base + "/priorities")["result"][0]["id"], 7);
    EXPECT_EQ(get_json(base + "/events")["result"][0]["title"], "Beat surgery");
}

TEST_F(ApiHandlers, SummaryAreasAndMeetingPack) {
    auto s = get_json("/v1/postcodes/HR11AA/summary?months=1");
    EXPECT_EQ(s["result"]["areas"]["neighbourhood"]["team"]["name"], "Central");
    EXPECT_EQ(s["result"]["priorities"].size(), 1u);
    EXPECT_EQ(s["result"]["next_events"].size(), 1u);
    get_json("/v1/postcodes/HR11AA/summary?months=0", 400);
    // Found by the api_get fuzz smoke: a long non-digit value once overflowed an int while refused.
    get_json("/v1/postcodes/HR11AA/summary?months=" + std::string(40, '\xef') + "3", 400);
    get_json("/v1/areas/west-mercia%2FHE06", 200);
    get_json("/v1/areas/E99999999", 404);
    get_json("/v1/areas/E99999999/performance", 404);
    auto pack = get_json("/v1/neighbourhoods/west-mercia/HE06/meeting-pack.json?month=2019-02")["result"];
    EXPECT_EQ(pack["totals"]["this_month"], 7);
    EXPECT_EQ(pack["totals"]["last_month"], 1);
    EXPECT_EQ(pack["totals"]["same_month_last_year"], 8);
    ASSERT_EQ(pack["top_locations"].size(), 2u);  // the far-away location is outside the boundary
    EXPECT_EQ(pack["top_locations"][0]["location"], "On or near High Town");
    EXPECT_EQ(pack["trend"].size(), 12u);
    EXPECT_EQ(pack["outcomes"].size(), 2u);
    auto html = call(server::Method::get, "/v1/neighbourhoods/west-mercia/HE06/meeting-pack?month=2019-02");
    EXPECT_EQ(html.status, 200);
    EXPECT_NE(html.body.find("<svg"), std::string::npos);
    EXPECT_NE(html.body.find("<main>"), std::string::npos);
    EXPECT_EQ(outside_landmarks(html.body), "");
    EXPECT_EQ(html.body.find("http://"), std::string::npos);  // loads nothing from outside
    EXPECT_EQ(html.body.find("src="), std::string::npos);
    auto csv =
        call(server::Method::get, "/v1/neighbourhoods/west-mercia/HE06/meeting-pack.csv?month=2019-02");
    EXPECT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body.rfind("section,key,label", 0), 0u);
    get_json("/v1/neighbourhoods/west-mercia/HE06/meeting-pack.json?month=2030-01", 400);
    get_json("/v1/neighbourhoods/west-mercia/HE06/meeting-pack.json?month=bad", 400);
    get_json("/v1/neighbourhoods/west-mercia/NOPE/meeting-pack.json", 404);
}

// Similar areas and league tables through the router: JSON, CSV and the page, and their errors.
TEST_F(ApiHandlers, SimilarAreasAndLeagueRoutes) {
    // The synthetic neighbourhood has no population, so no profile: a 404 with the reason.
    auto none = get_json("/v1/areas/west-mercia%2FHE06/similar", 404);
    EXPECT_NE(none["error"].get<std::string>().find("No similarity profile"), std::string::npos);
    get_json("/v1/areas/E99999999/similar", 404);
    get_json("/v1/areas/west-mercia%2FHE06/similar?n=0", 400);
    get_json("/v1/areas/west-mercia%2FHE06/similar?n=" + std::string(30, '9'), 400);
    get_json("/v1/areas/west-mercia%2FHE06/similar?within=planet", 400);
    auto league = get_json("/v1/league?kind=neighbourhood&from=2019-01&to=2019-02")["result"];
    ASSERT_EQ(league["rows"].size(), 1u);
    EXPECT_EQ(league["rows"][0]["count"], 8);       // 1 in January, 7 in February
    EXPECT_EQ(league["rows"][0]["rank"], nullptr);  // no population: unranked
    EXPECT_EQ(league["rows"][0]["per_1000"], nullptr);
    EXPECT_EQ(league["comparison"]["per_1000"], nullptr);
    for (const char* bad : {"/v1/league?kind=parish", "/v1/league?measure=arrests", "/v1/league?from=2019-13",
                            "/v1/league?within=E99999999", "/v1/league?format=xml",
                            "/v1/league?indicator=NOPE", "/league?order=sideways"}) {
        auto r = call(server::Method::get, bad);
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_EQ(json::parse(r.body)["status"], 400) << bad;
    }
    auto csv = call(server::Method::get, "/v1/league?kind=neighbourhood&format=csv");
    EXPECT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body.rfind("rank,code,name,parent,crimes,population,per_1000", 0), 0u);
    auto page = call(server::Method::get, "/league?kind=neighbourhood");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<table"), std::string::npos);
    EXPECT_EQ(page.body.find("<script"), std::string::npos);
    EXPECT_NE(page.body.find("Central"), std::string::npos);
    EXPECT_EQ(outside_landmarks(page.body), "");
    const auto nav = page.body.find("<nav");
    ASSERT_NE(nav, std::string::npos);
    EXPECT_LT(nav, page.body.find("Back to the map"));
    EXPECT_LT(page.body.find("Back to the map"), page.body.find("</nav>"));
}

// Revoked, expired and out-of-scope tokens on every write route and method; the store sees only
// the token's hash, and every refusal is handed to the audit log with the request's origin.
TEST_F(ApiHandlers, TeamWriteRefusalsOnEveryRoute) {
    const std::string base = "/v1/neighbourhoods/west-mercia/HE06";
    const std::string priority = R"({"issue": "Parking"})",
                      event = R"({"title": "Surgery", "start_date": "2019-03-01T18:00"})";
    struct Route {
        server::Method method;
        std::string path, body;
        bool events;
    };
    const std::vector<Route> routes{{server::Method::post, base + "/priorities", priority, false},
                                    {server::Method::put, base + "/priorities/7", priority, false},
                                    {server::Method::del, base + "/priorities/7", "", false},
                                    {server::Method::post, base + "/events", event, true},
                                    {server::Method::put, base + "/events/9", event, true},
                                    {server::Method::del, base + "/events/9", "", true}};
    std::size_t expected_refusals = 0;
    for (const auto& r : routes) {
        SCOPED_TRACE(r.path + " " + std::string(server::to_string(r.method)));
        for (const char* token : {"revoked", "expired", "unknown"}) {
            auto res = call(r.method, r.path, r.body, token);
            EXPECT_EQ(res.status, 401) << token;
            EXPECT_EQ(json::parse(res.body)["status"], 401);
            EXPECT_NE(res.headers.get("WWW-Authenticate").value_or("").find("invalid_token"),
                      std::string::npos);
        }
        auto res = call(r.method, r.path, r.body);
        EXPECT_EQ(res.status, 401);
        EXPECT_EQ(res.headers.get("WWW-Authenticate").value_or("").rfind("Bearer", 0), 0u);
        // "events" may write events only.
        res = call(r.method, r.path, r.body, "events");
        EXPECT_EQ(res.status, r.events ? (r.method == server::Method::post  ? 201
                                          : r.method == server::Method::put ? 200
                                                                            : 204)
                                       : 403)
            << res.body;
        if (!r.events) {
            EXPECT_EQ(json::parse(res.body)["status"], 403);
            EXPECT_NE(res.headers.get("WWW-Authenticate").value_or("").find("insufficient_scope"),
                      std::string::npos);
        }
        for (const char* token : {"other", "othernb"}) {
            res = call(r.method, r.path, r.body, token);
            EXPECT_EQ(res.status, 403) << token;
            EXPECT_EQ(json::parse(res.body)["status"], 403);
        }
        expected_refusals += 4 + (r.events ? 0 : 1) + 2;
    }
    ASSERT_EQ(teams->refusals.size(), expected_refusals);
    const auto& last = teams->refusals.back();  // othernb on DELETE events/9
    EXPECT_EQ(last.status, 403);
    EXPECT_EQ(last.token_id, 4);
    EXPECT_EQ(last.entity, core::TeamEntity::event);
    EXPECT_EQ(last.action, core::TeamAction::remove);
    EXPECT_EQ(last.entity_id, 9);
    EXPECT_EQ(last.neighbourhood_id, "HE06");
    // Only hashes reached the store.
    for (const auto& h : teams->hashes_seen) {
        EXPECT_EQ(h.size(), 64u);
        for (const char* plain : {"good", "revoked", "expired", "unknown", "events", "other", "othernb"})
            EXPECT_NE(h, plain);
    }
}

TEST(ApiTeams, InputParsingAndScope) {
    EXPECT_EQ(core::normalise_datetime("2019-01-02"), "2019-01-02T00:00:00");
    EXPECT_EQ(core::normalise_datetime("2019-01-02T18:30"), "2019-01-02T18:30:00");
    EXPECT_FALSE(core::normalise_datetime("2019-02-29"));
    EXPECT_FALSE(core::normalise_datetime("2019-01-02T25:00"));
    EXPECT_FALSE(core::normalise_datetime("tomorrow"));
    EXPECT_EQ(core::bearer_token("Bearer abc_123"), "abc_123");
    EXPECT_EQ(core::bearer_token("bearer  tok "), "tok");
    EXPECT_FALSE(core::bearer_token("Basic abc"));
    EXPECT_FALSE(core::bearer_token("Bearer a b"));
    core::TokenScope s{1, "west-mercia", std::string("HE06"), {}};
    EXPECT_FALSE(core::check_scope(s, "west-mercia", "HE06"));
    EXPECT_TRUE(core::check_scope(s, "west-mercia", "HE07"));
    EXPECT_TRUE(core::check_scope(s, "dorset", "HE06"));
    auto p = core::parse_priority_input(json{{"issue", "x"}, {"action_date", "2019-03-01"}});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->action_date, "2019-03-01T00:00:00");
    EXPECT_FALSE(core::parse_priority_input(json{{"issue", std::string(core::max_text_field + 1, 'a')}}));
    EXPECT_FALSE(core::parse_event_input(
        json{{"title", "t"}, {"start_date", "2019-01-01"}, {"contact_details", "x"}}));
}

TEST(ApiPolice, ParsePoly) {
    auto p = core::police::parse_poly("52.0,-2.0:52.1,-2.0:52.1,-2.1:52.0,-2.0");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->size(), 3u);  // closing vertex dropped
    EXPECT_DOUBLE_EQ((*p)[1].lat, 52.1);
    EXPECT_FALSE(core::police::parse_poly("52,-2:52.1"));
    EXPECT_FALSE(core::police::parse_poly(""));
    EXPECT_FALSE(core::police::parse_poly("52,-2:x,y:1,1"));
}

TEST_F(ApiHandlers, HostileBodiesAre400sAndTheAppKeepsAnswering) {
    // The request from issue 13: {"postcodes":[ then 200,000 '[' and as many ']'.
    const std::string deep = R"({"postcodes":[)" + std::string(200000, '[') + std::string(200000, ']') + "]}";
    auto res = call(server::Method::post, "/postcodes", deep);
    EXPECT_EQ(res.status, 400);
    auto j = json::parse(res.body);
    EXPECT_EQ(j["status"], 400);
    EXPECT_EQ(j["error"], "JSON nesting deeper than 32 levels");
    EXPECT_EQ(get_json("/postcodes/HR11AA")["result"]["postcode"], "HR1 1AA")
        << "and the App keeps answering";

    // Bulk work is bounded in total: 100 locations x 100 results is refused before any is looked up.
    json many = json::array();
    for (int i = 0; i < 100; ++i)
        many.push_back(json{{"longitude", -2.71}, {"latitude", 52.06}, {"limit", 100}, {"radius", 2000}});
    auto work = call(server::Method::post, "/postcodes", json{{"geolocations", many}}.dump());
    EXPECT_EQ(work.status, 400);
    EXPECT_NE(json::parse(work.body)["error"].get<std::string>().find("at most 1000"), std::string::npos)
        << work.body;

    // Team writes: the same reader, the team limits; nothing is written.
    const std::string base = "/v1/neighbourhoods/west-mercia/HE06/priorities";
    const int writes = teams->writes;
    auto expect_refused = [&](const std::string& body, int status, const std::string& message) {
        auto r = call(server::Method::post, base, body, "good");
        EXPECT_EQ(r.status, status) << r.body;
        auto e = json::parse(r.body, nullptr, false);
        EXPECT_EQ(e["status"], status);
        EXPECT_EQ(e["error"], message) << r.body;
    };
    expect_refused(std::string(40, '[') + std::string(40, ']'), 400, "JSON nesting deeper than 32 levels");
    expect_refused(R"({"issue": "Street\u0000drinking"})", 400, "Text contains a NUL character");
    expect_refused(R"({"issue": "Street\u0007drinking"})", 400,
                   "Invalid issue: control characters are not allowed");
    const std::string unclosed = R"({"issue": "Street drinking", "issue-date": "2019-02-01")";
    std::size_t byte = 0;
    try {
        auto parsed = json::parse(unclosed);
        ADD_FAILURE() << parsed.dump();
    } catch (const json::parse_error& e) {
        byte = e.byte;
    }
    expect_refused(unclosed, 400, "Body is not valid JSON at byte " + std::to_string(byte));
    expect_refused(R"({"issue": ")" + std::string(core::team_body_limits.max_bytes, 'a') + R"("})", 413,
                   "Body larger than " + std::to_string(core::team_body_limits.max_bytes) + " bytes");
    EXPECT_EQ(teams->writes, writes);

    // police.uk's crimes-street poly body: bounded, and a malformed one is refused, not ignored.
    auto poly_big = call(server::Method::post, "/api/crimes-street/all-crime",
                         "poly=" + std::string(core::form_body_max_bytes, '1'));
    EXPECT_EQ(poly_big.status, 413);
    auto poly_nul = call(server::Method::post, "/api/crimes-street/all-crime",
                         "poly=52,-2:52.1,-2:52.1,-2.1%00&date=2019-02");
    EXPECT_EQ(poly_nul.status, 400);
    EXPECT_NE(poly_nul.body.find("Invalid form body"), std::string::npos) << poly_nul.body;
    auto poly_ok = call(server::Method::post, "/api/crimes-street/all-crime",
                        "poly=52,-2:52.1,-2:52.1,-2.1&date=2019-02");
    EXPECT_EQ(poly_ok.status, 200) << poly_ok.body;
    // Query strings and paths with a NUL never become a request (percent_decode refuses it).
    EXPECT_FALSE(server::make_request(server::Method::get, "/postcodes?q=HR1%00"));
    EXPECT_FALSE(server::make_request(server::Method::get, "/postcodes/HR1%001AA"));
    EXPECT_EQ(get_json("/postcodes/HR11AA")["status"], 200);
}

TEST_F(ApiHandlers, TeamTextIsTextEverywhereItIsShown) {
    // Runs last in this file: it leaves the payload in the directory re-read after a write.
    const std::string payload = "<img src=x onerror=alert(1)> & \"quotes\" 'too'";
    const std::string escaped = "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;too&#39;";
    auto dir = std::make_shared<core::TeamDirectory>(*teams->dir);
    auto& team = dir->teams.front();
    team.priorities = {{7, payload, "2019-02-01T00:00:00", payload, ""}};
    team.events = {{9, payload, payload, payload, "meeting", "2999-03-05T18:30:00", "", json::object()}};
    teams->dir = dir;
    // A write makes the handler re-read the (fake) store, as after a real write.
    const json body{{"issue", payload}, {"action", payload}};
    auto written =
        call(server::Method::post, "/v1/neighbourhoods/west-mercia/HE06/priorities", body.dump(), "good");
    ASSERT_EQ(written.status, 201) << written.body;
    EXPECT_EQ(json::parse(written.body)["result"]["issue"], payload)
        << "/v1/ answers carry the text as written";

    // police.uk-compatible JSON: the fields police.uk defines as HTML are escaped text.
    auto prios = get_json("/api/west-mercia/HE06/priorities");
    ASSERT_EQ(prios.size(), 1u);
    EXPECT_EQ(prios[0]["issue"], escaped);
    EXPECT_EQ(prios[0]["action"], escaped);
    auto events = get_json("/api/west-mercia/HE06/events");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["description"], escaped);
    EXPECT_EQ(events[0]["title"], payload) << "police.uk titles are plain text";
    EXPECT_EQ(get_json("/v1/neighbourhoods/west-mercia/HE06/priorities")["result"][0]["issue"], payload);
    EXPECT_EQ(get_json("/v1/postcodes/HR11AA/summary?months=1")["result"]["priorities"][0]["issue"], payload);

    // The HTML meeting pack shows it as text: never a live tag, escaped wherever it appears.
    auto html = call(server::Method::get, "/v1/neighbourhoods/west-mercia/HE06/meeting-pack?month=2019-02");
    ASSERT_EQ(html.status, 200);
    EXPECT_EQ(html.body.find("<img"), std::string::npos);
    EXPECT_EQ(html.body.find(payload), std::string::npos);
    EXPECT_NE(html.body.find(escaped), std::string::npos);
    EXPECT_EQ(core::html_escape(payload), escaped);
}

TEST(ApiPolice, ParsePolyIsBoundedOnHostileText) {
    // 2.5 million vertices of text: refused at vertex 1,001, whatever follows.
    std::string huge;
    for (int i = 0; i < 2500000; ++i) huge += "52,-2:";
    auto r = core::police::parse_poly(huge);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::ErrorCode::payload_too_large);
    EXPECT_NE(r.error().detail.find(std::to_string(core::police::max_poly_vertices)), std::string::npos);
    // Exactly the limit (plus a repeated closing vertex) is fine.
    std::string at_limit;
    for (std::size_t i = 0; i < core::police::max_poly_vertices; ++i)
        at_limit += std::to_string(52 + static_cast<double>(i) * 1e-4) + ",-2:";
    at_limit += "52.000000,-2";
    auto ok = core::police::parse_poly(at_limit);
    ASSERT_TRUE(ok) << ok.error().detail;
    EXPECT_EQ(ok->size(), core::police::max_poly_vertices);
    for (const char* bad : {"nan,nan:52,-2:52.1,-2", "52,-2:1e400,-2:52.1,-2.1", "52,-2:inf,-2:52.1,-2.1",
                            ":::", "52,-2::52.1,-2:52,-2.1", "52,-2,7:52.1,-2:52,-2.1"})
        EXPECT_FALSE(core::police::parse_poly(bad)) << bad;
}
