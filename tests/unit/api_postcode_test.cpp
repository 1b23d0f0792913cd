// Postcode index and postcodes.io-compatible answers on a small synthetic snapshot (no database).
#include <gtest/gtest.h>

#include "core/api_data.hpp"
#include "core/json_input.hpp"
#include "core/postcode_api.hpp"
#include "core/snapshot_builder.hpp"
#include "core/summary.hpp"

using namespace crimemap;
using namespace crimemap::core;
using nlohmann::json;

namespace {

PostcodeRow row(std::string pc, double lon, double lat, std::string lsoa = "E01014010", std::optional<Month> term = {}) {
    PostcodeRow r;
    r.compact = std::move(pc);
    r.lon = lon;
    r.lat = lat;
    r.eastings = 351000;
    r.northings = 240000;
    r.quality = 1;
    r.introduced = Month::from_year_month(1980, 1);
    r.terminated = term;
    r.codes[static_cast<std::size_t>(PcCode::country)] = "E92000001";
    r.codes[static_cast<std::size_t>(PcCode::region)] = "E12000005";
    r.codes[static_cast<std::size_t>(PcCode::lad)] = "E06000019";
    r.codes[static_cast<std::size_t>(PcCode::lsoa)] = lsoa;
    r.codes[static_cast<std::size_t>(PcCode::pfa)] = "E23000016";
    return r;
}

geo::LonLatMultiPolygon square(double lon0, double lat0, double lon1, double lat1) {
    return {{{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}}};
}

std::shared_ptr<const Snapshot> make_snapshot() {
    SnapshotBuilder b(7, Month::from_year_month(2018, 10), Month::from_year_month(2019, 2));
    b.add_area(AreaKind::neighbourhood, "west-mercia/HR-CITY", "Hereford City (derived)", std::nullopt,
               square(-2.75, 52.04, -2.68, 52.08));
    b.add_area(AreaKind::lsoa, "E01014010", "Herefordshire 020A", 1500, square(-2.72, 52.05, -2.70, 52.07));
    b.add_area(AreaKind::lsoa, "E01014011", "Herefordshire 020B", 1500, square(-2.70, 52.05, -2.68, 52.07));
    auto cat = *category_from_slug("burglary");
    b.add_area_count(AreaKind::lsoa, "E01014010", Month::from_year_month(2019, 2), cat, 4);
    b.add_area_count(AreaKind::lsoa, "E01014010", Month::from_year_month(2018, 11), cat, 1);
    b.add_area_count(AreaKind::lsoa, "E01014011", Month::from_year_month(2019, 2), cat, 9);
    auto snap = b.finish();
    auto api = std::make_shared<ApiData>();
    PostcodeIndexBuilder pcs;
    pcs.add(row("HR11AA", -2.710027, 52.060745));
    pcs.add(row("HR11AB", -2.7105, 52.0610));
    pcs.add(row("HR1 1BA", -2.7090, 52.0620));
    pcs.add(row("hr10 1aa", -2.90, 52.20, "E01014099"));
    pcs.add(row("HR1A1AA", -2.80, 52.10));
    pcs.add(row("HR1 2AA", -2.69, 52.06, "E01014011"));
    pcs.add(row("HR99ZZ", -2.711, 52.0605, "E01014010", Month::from_year_month(2010, 6)));
    api->postcodes = pcs.finish();
    api->forces.push_back({"west-mercia", "West Mercia Police", "E23000016", "", "", "", json::array()});
    api->force_months["west-mercia"] = {Month::from_year_month(2018, 12), Month::from_year_month(2019, 1),
                                        Month::from_year_month(2019, 2)};
    api->index_areas(*snap);
    std::const_pointer_cast<Snapshot>(snap)->api = api;
    return snap;
}

const Snapshot& snap() {
    static auto s = make_snapshot();
    return *s;
}

}  // namespace

TEST(ApiPostcodeIndex, FindAndDisplay) {
    const auto& idx = snap().api->postcodes;
    ASSERT_EQ(idx.size(), 7u);
    const auto* r = idx.find("HR11AA");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->display(), "HR1 1AA");
    EXPECT_EQ(r->outcode(), "HR1");
    EXPECT_EQ(r->incode(), "1AA");
    EXPECT_DOUBLE_EQ(r->lat(), 52.060745);
    EXPECT_DOUBLE_EQ(r->lon(), -2.710027);
    EXPECT_EQ(idx.code(*r, PcCode::lsoa), "E01014010");
    EXPECT_EQ(idx.find("HR11ZZ"), nullptr);
}

TEST(ApiPostcodeIndex, NearestIsSortedBoundedAndSkipsTerminated) {
    const auto& idx = snap().api->postcodes;
    auto near = idx.nearest(-2.710027, 52.060745, 200, 10);
    ASSERT_GE(near.size(), 2u);
    EXPECT_EQ(idx.records()[near[0].index].display(), "HR1 1AA");
    EXPECT_NEAR(near[0].distance, 0.0, 0.01);
    for (std::size_t i = 1; i < near.size(); ++i) EXPECT_LE(near[i - 1].distance, near[i].distance);
    for (const auto& n : near) {
        EXPECT_LE(n.distance, 200.0);
        EXPECT_TRUE(idx.records()[n.index].live());
    }
    EXPECT_EQ(idx.nearest(-2.710027, 52.060745, 2000, 1).size(), 1u);
    EXPECT_TRUE(idx.nearest(0.0, 51.0, 2000, 10).empty());
    // Haversine agrees with a known distance: 0.001 deg of latitude is ~111 m.
    EXPECT_NEAR(distance_m(-2.7, 52.0, -2.7, 52.001), 111.19, 0.05);
}

TEST(ApiPostcodeIndex, SearchLikePostcodesIo) {
    const auto& idx = snap().api->postcodes;
    auto names = [&](const std::vector<std::uint32_t>& v) {
        std::vector<std::string> out;
        for (auto i : v) out.push_back(idx.records()[i].display());
        return out;
    };
    // An outcode lists its own postcodes only (not HR10 or HR1A), in display order.
    EXPECT_EQ(names(idx.search("hr1", 10)), (std::vector<std::string>{"HR1 1AA", "HR1 1AB", "HR1 1BA", "HR1 2AA"}));
    EXPECT_EQ(names(idx.search("HR1 1A", 10)), (std::vector<std::string>{"HR1 1AA", "HR1 1AB"}));
    EXPECT_EQ(names(idx.search("hr11aa", 10)), (std::vector<std::string>{"HR1 1AA"}));
    EXPECT_EQ(names(idx.search("HR1", 2)).size(), 2u);
    EXPECT_TRUE(idx.search("HR9", 10).empty());  // only a terminated postcode there
    EXPECT_TRUE(idx.search("H$", 10).empty());
}

TEST(ApiPostcodeApi, LookupAnyCaseAndSpacing) {
    for (const char* q : {"HR1 1AA", "hr11aa", " hr1  1aa "}) {
        auto r = lookup_postcode(snap(), q);
        ASSERT_EQ(r.status, 200) << q;
        const auto& p = r.body["result"];
        EXPECT_EQ(p["postcode"], "HR1 1AA");
        EXPECT_EQ(p["latitude"], 52.060745);
        EXPECT_EQ(p["country"], "England");
        EXPECT_EQ(p["region"], "West Midlands");
        EXPECT_EQ(p["codes"]["lsoa"], "E01014010");
        EXPECT_EQ(p["lsoa"], "Herefordshire 020A");  // name from the snapshot's areas
        EXPECT_EQ(p["date_of_introduction"], "198001");
        EXPECT_EQ(p["neighbourhood"]["force"], "west-mercia");
        EXPECT_EQ(p["neighbourhood"]["id"], "HR-CITY");
        EXPECT_TRUE(p["admin_county"].is_null());
    }
}

TEST(ApiPostcodeApi, ErrorsUsePostcodesIoMessages) {
    auto bad = lookup_postcode(snap(), "nonsense");
    EXPECT_EQ(bad.status, 404);
    EXPECT_EQ(bad.body, (json{{"status", 404}, {"error", "Invalid postcode"}}));
    auto missing = lookup_postcode(snap(), "HR1 1ZZ");
    EXPECT_EQ(missing.body["error"], "Postcode not found");
    auto term = lookup_postcode(snap(), "HR9 9ZZ");
    EXPECT_EQ(term.status, 404);
    EXPECT_EQ(term.body["error"], "Postcode not found");
    EXPECT_EQ(term.body["terminated"]["year_terminated"], 2010);
    EXPECT_EQ(term.body["terminated"]["month_terminated"], 6);
    EXPECT_EQ(lookup_terminated(snap(), "HR99ZZ").status, 200);
    EXPECT_EQ(lookup_terminated(snap(), "HR11AA").body["error"], "Terminated postcode not found");
    EXPECT_EQ(validate_postcode(snap(), "HR11AA").body["result"], true);
    EXPECT_EQ(validate_postcode(snap(), "HR99ZZ").body["result"], false);
    EXPECT_EQ(validate_postcode(snap(), "zzz").body["result"], false);
}

TEST(ApiPostcodeApi, ReverseGeocodingParameters) {
    QueryParams none;
    auto r = reverse(snap(), "-2.710027", "52.060745", none);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body["result"][0]["postcode"], "HR1 1AA");
    EXPECT_TRUE(r.body["result"][0].contains("distance"));
    EXPECT_EQ(reverse(snap(), "x", "52", none).body["error"], "Invalid longitude/latitude submitted");
    EXPECT_EQ(reverse(snap(), "-2", "95", none).status, 400);
    EXPECT_EQ(reverse(snap(), "-2.71", "52.06", {{"limit", "abc"}}).body["error"], "Invalid result limit submitted");
    EXPECT_EQ(reverse(snap(), "-2.71", "52.06", {{"radius", "far"}}).body["error"], "Invalid lookup radius submitted");
    EXPECT_EQ(reverse(snap(), "-2.71", "52.06", {{"limit", "1"}}).body["result"].size(), 1u);
    // Radius over the maximum is clamped to 2,000 m, as postcodes.io does.
    EXPECT_EQ(reverse(snap(), "-2.71", "52.06", {{"radius", "999999"}}).status, 200);
    EXPECT_TRUE(reverse(snap(), "0.1", "51.0", none).body["result"].is_null());
    // widesearch looks up to 20 km.
    EXPECT_FALSE(reverse(snap(), "-2.80", "52.06", {{"widesearch", "true"}}).body["result"].is_null());
}

TEST(ApiPostcodeApi, BulkLimitsAndShapes) {
    QueryParams none;
    auto r = bulk(snap(), R"({"postcodes": ["HR1 1AA", "XX1 1XX", "nonsense"]})", none);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body["result"].size(), 3u);
    EXPECT_EQ(r.body["result"][0]["query"], "HR1 1AA");
    EXPECT_EQ(r.body["result"][0]["result"]["postcode"], "HR1 1AA");
    EXPECT_TRUE(r.body["result"][1]["result"].is_null());
    json many = json::array();
    for (int i = 0; i < 101; ++i) many.push_back("HR1 1AA");
    auto over = bulk(snap(), json{{"postcodes", many}}.dump(), none);
    EXPECT_EQ(over.status, 400);
    EXPECT_EQ(over.body["error"], "Too many postcodes submitted. Up to 100 postcodes can be bulk requested at a time");
    EXPECT_EQ(bulk(snap(), "not json", none).status, 400);
    EXPECT_EQ(bulk(snap(), R"({"postcodes": "HR1 1AA"})", none).body["error"],
              "Invalid data submitted. You need to provide a JSON array");
    EXPECT_EQ(bulk(snap(), R"({"other": []})", none).status, 400);
    auto geo = bulk(snap(), R"({"geolocations": [{"longitude": -2.710027, "latitude": 52.060745, "limit": 2}]})", none);
    ASSERT_EQ(geo.status, 200);
    EXPECT_EQ(geo.body["result"][0]["query"]["limit"], 2);
    EXPECT_EQ(geo.body["result"][0]["result"].size(), 2u);
    EXPECT_EQ(bulk(snap(), R"({"geolocations": [{"longitude": "x", "latitude": 52}]})", none).body["error"],
              "Invalid longitude/latitude submitted");
}

TEST(ApiPostcodeApi, BulkBodiesAreReadWithinLimits) {
    QueryParams none;
    // The request from issue 13: a 400 naming the problem, not a crash.
    const std::string deep = R"({"postcodes":[)" + std::string(200000, '[') + std::string(200000, ']') + "]}";
    ASSERT_LE(deep.size(), bulk_body_limits.max_bytes) << "the issue's body is within the byte limit: the depth is the problem";
    auto r = bulk(snap(), deep, none);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body["status"], 400);
    EXPECT_EQ(r.body["error"], "JSON nesting deeper than 32 levels");
    // A plain syntax error keeps postcodes.io's message; NULs and oversize bodies name themselves.
    EXPECT_EQ(bulk(snap(), "{\"postcodes\": [", none).body["error"], pcio::invalid_json);
    auto nul = bulk(snap(), R"({"postcodes": ["HR1\u00001AA"]})", none);
    EXPECT_EQ(nul.status, 400);
    EXPECT_EQ(nul.body["error"], "Text contains a NUL character");
    auto big = bulk(snap(), R"({"postcodes": [")" + std::string(bulk_body_limits.max_bytes, 'x') + R"("]})", none);
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(big.body["status"], 413);

    // Echoes are short scalars: a nested item (within the depth limit) echoes as null, a long
    // string is cut, and the whole answer stays small.
    json items = json::array({json::parse(std::string(30, '[') + std::string(30, ']')), std::string(5000, 'A'), 42, "HR1 1AA"});
    auto echo = bulk(snap(), json{{"postcodes", items}}.dump(), none);
    ASSERT_EQ(echo.status, 200) << echo.body.dump();
    ASSERT_EQ(echo.body["result"].size(), 4u);
    EXPECT_TRUE(echo.body["result"][0]["query"].is_null());
    EXPECT_EQ(echo.body["result"][1]["query"], std::string(pcio::echo_max_bytes, 'A'));
    EXPECT_EQ(echo.body["result"][2]["query"], 42);
    EXPECT_EQ(echo.body["result"][3]["result"]["postcode"], "HR1 1AA");
    auto geo_echo = bulk(snap(), R"({"geolocations":[{"longitude":-2.710027,"latitude":52.060745,"limit":1,"radius":[[[[1]]]]}]})", none);
    EXPECT_EQ(geo_echo.status, 400) << "an array is no radius";
    auto geo_ok = bulk(snap(), R"({"geolocations":[{"longitude":"-2.710027","latitude":52.060745,"limit":1,"Radius":{"a":[1]}}]})", none);
    ASSERT_EQ(geo_ok.status, 200) << geo_ok.body.dump();
    EXPECT_EQ(geo_ok.body["result"][0]["query"]["longitude"], "-2.710027");
    EXPECT_TRUE(geo_ok.body["result"][0]["query"]["Radius"].is_null());
}

TEST(ApiPostcodeApi, BulkReverseGeocodingIsBoundedInTotalResults) {
    QueryParams none;
    auto locations = [](std::size_t n, json limit, bool wide = false) {
        json list = json::array();
        for (std::size_t i = 0; i < n; ++i) {
            json g{{"longitude", -2.710027}, {"latitude", 52.060745}, {"radius", 2000}};
            if (!limit.is_null()) g["limit"] = limit;
            if (wide) g["widesearch"] = true;
            list.push_back(g);
        }
        return json{{"geolocations", list}}.dump();
    };
    // The sum of the (clamped) limits decides: 100 x the default 10 is exactly the budget ...
    static_assert(pcio::bulk_max * pcio::limit_default == pcio::bulk_max_results);
    auto ok = bulk(snap(), locations(pcio::bulk_max, nullptr), none);
    ASSERT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body["result"].size(), pcio::bulk_max);
    // ... 100 x 100 (or a limit of 1000 clamped to 100) is ten times over it.
    for (const json& limit : {json(100), json("1000")}) {
        auto over = bulk(snap(), locations(pcio::bulk_max, limit), none);
        EXPECT_EQ(over.status, 400);
        EXPECT_EQ(over.body["error"],
                  "Too many results requested: 100 geolocations ask for up to 10000 postcodes; at most 1000 per request "
                  "(lower limit or send fewer geolocations)");
    }
    // The query string's default counts the same way as each location's own.
    EXPECT_EQ(bulk(snap(), locations(pcio::bulk_max, nullptr), {{"limit", "11"}}).status, 400);
    EXPECT_EQ(bulk(snap(), locations(10, 100), none).status, 200);
    EXPECT_EQ(bulk(snap(), locations(11, 100), none).status, 400);
    // widesearch returns at most 10 each, whatever the limit.
    EXPECT_EQ(bulk(snap(), locations(pcio::bulk_max, 100, true), none).status, 200);
}

TEST(ApiPostcodeApi, AutocompleteSearchOutcodeNearest) {
    auto ac = autocomplete(snap(), "HR1 1", {});
    ASSERT_EQ(ac.status, 200);
    EXPECT_EQ(ac.body["result"], (json{"HR1 1AA", "HR1 1AB", "HR1 1BA"}));
    EXPECT_TRUE(autocomplete(snap(), "ZZ9", {}).body["result"].is_null());
    EXPECT_EQ(search(snap(), {}).body["error"], "No postcode query submitted. Remember to include query parameter");
    EXPECT_EQ(search(snap(), {{"q", "HR1 1AB"}}).body["result"].size(), 1u);
    auto oc = lookup_outcode(snap(), "hr1");
    ASSERT_EQ(oc.status, 200);
    EXPECT_EQ(oc.body["result"]["outcode"], "HR1");
    EXPECT_EQ(oc.body["result"]["admin_district"].size(), 0u);  // no name known for E06000019 here
    EXPECT_EQ(oc.body["result"]["country"], (json{"England"}));
    EXPECT_EQ(lookup_outcode(snap(), "ZZ9").body["error"], "Outcode not found");
    EXPECT_EQ(nearest_to_postcode(snap(), "HR11AA", {}).body["result"][0]["postcode"], "HR1 1AA");
    EXPECT_EQ(nearest_to_postcode(snap(), "HR11ZZ", {}).status, 404);
}

TEST(ApiSummary, CountsPeriodsRankAndQuality) {
    TeamDirectory teams;
    auto now = std::chrono::system_clock::now();
    auto r = postcode_summary(snap(), teams, "hr11aa", {{"months", "3"}}, now);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    const auto& s = r.body["result"];
    EXPECT_EQ(s["period"]["current"]["from"], "2018-12");
    EXPECT_EQ(s["period"]["previous"]["to"], "2018-11");
    EXPECT_EQ(s["crimes"]["total"], 4);
    EXPECT_EQ(s["crimes"]["previous_total"], 1);
    EXPECT_EQ(s["crimes"]["by_category"][0]["category"], "burglary");
    EXPECT_DOUBLE_EQ(s["crimes"]["per_1000"].get<double>(), 2.7);
    EXPECT_EQ(s["rank"]["rank"], 1);
    EXPECT_EQ(s["rank"]["of"], 2);  // both LSOAs are in E06000019 by their postcodes
    EXPECT_EQ(s["areas"]["neighbourhood"]["id"], "HR-CITY");
    EXPECT_EQ(s["data_quality"]["force_months_missing"], (json{"2018-09", "2018-10", "2018-11"}));
    EXPECT_EQ(postcode_summary(snap(), teams, "hr11aa", {{"months", "13"}}, now).status, 400);
    EXPECT_EQ(postcode_summary(snap(), teams, "hr11aa", {{"months", "x"}}, now).status, 400);
    EXPECT_EQ(postcode_summary(snap(), teams, "bad", {}, now).body["error"], "Invalid postcode");
}
