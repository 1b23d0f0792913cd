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

PostcodeRow row(std::string pc, double lon, double lat, std::string lsoa = "E01014010",
                std::optional<Month> term = {}) {
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
    api->forces.push_back({"west-mercia", "West Mercia Police", "E23000016", "", "", "", json::array(), {}});
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
    EXPECT_EQ(names(idx.search("hr1", 10)),
              (std::vector<std::string>{"HR1 1AA", "HR1 1AB", "HR1 1BA", "HR1 2AA"}));
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
    EXPECT_EQ(reverse(snap(), "-2.71", "52.06", {{"limit", "abc"}}).body["error"],
              "Invalid result limit submitted");
    EXPECT_EQ(reverse(snap(), "-2.71", "52.06", {{"radius", "far"}}).body["error"],
              "Invalid lookup radius submitted");
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
    EXPECT_EQ(over.body["error"],
              "Too many postcodes submitted. Up to 100 postcodes can be bulk requested at a time");
    EXPECT_EQ(bulk(snap(), "not json", none).status, 400);
    EXPECT_EQ(bulk(snap(), R"({"postcodes": "HR1 1AA"})", none).body["error"],
              "Invalid data submitted. You need to provide a JSON array");
    EXPECT_EQ(bulk(snap(), R"({"other": []})", none).status, 400);
    auto geo = bulk(
        snap(), R"({"geolocations": [{"longitude": -2.710027, "latitude": 52.060745, "limit": 2}]})", none);
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
    ASSERT_LE(deep.size(), bulk_body_limits.max_bytes)
        << "the issue's body is within the byte limit: the depth is the problem";
    auto r = bulk(snap(), deep, none);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body["status"], 400);
    EXPECT_EQ(r.body["error"], "JSON nesting deeper than 32 levels");
    // A plain syntax error keeps postcodes.io's message; NULs and oversize bodies name themselves.
    EXPECT_EQ(bulk(snap(), "{\"postcodes\": [", none).body["error"], pcio::invalid_json);
    auto nul = bulk(snap(), R"({"postcodes": ["HR1\u00001AA"]})", none);
    EXPECT_EQ(nul.status, 400);
    EXPECT_EQ(nul.body["error"], "Text contains a NUL character");
    auto big =
        bulk(snap(), R"({"postcodes": [")" + std::string(bulk_body_limits.max_bytes, 'x') + R"("]})", none);
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(big.body["status"], 413);

    // Echoes are short scalars: a nested item (within the depth limit) echoes as null, a long
    // string is cut, and the whole answer stays small.
    json items = json::array(
        {json::parse(std::string(30, '[') + std::string(30, ']')), std::string(5000, 'A'), 42, "HR1 1AA"});
    auto echo = bulk(snap(), json{{"postcodes", items}}.dump(), none);
    ASSERT_EQ(echo.status, 200) << echo.body.dump();
    ASSERT_EQ(echo.body["result"].size(), 4u);
    EXPECT_TRUE(echo.body["result"][0]["query"].is_null());
    EXPECT_EQ(echo.body["result"][1]["query"], std::string(pcio::echo_max_bytes, 'A'));
    EXPECT_EQ(echo.body["result"][2]["query"], 42);
    EXPECT_EQ(echo.body["result"][3]["result"]["postcode"], "HR1 1AA");
    auto geo_echo = bulk(
        snap(),
        R"({"geolocations":[{"longitude":-2.710027,"latitude":52.060745,"limit":1,"radius":[[[[1]]]]}]})",
        none);
    EXPECT_EQ(geo_echo.status, 400) << "an array is no radius";
    auto geo_ok = bulk(
        snap(),
        R"({"geolocations":[{"longitude":"-2.710027","latitude":52.060745,"limit":1,"Radius":{"a":[1]}}]})",
        none);
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
                  "Too many results requested: 100 geolocations ask for up to 10000 postcodes; at most 1000 "
                  "per request "
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
    EXPECT_EQ(search(snap(), {}).body["error"],
              "No postcode query submitted. Remember to include query parameter");
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

// ---------------------------------------------------------------------------------------------
// Issue 10: postcodes.io behaviours through App::handle (no sockets): filter=, outcode reverse
// geocoding, trailing slashes, JSONP, plain OPTIONS, /ping and 404 texts, wideSearch, validation.
// ---------------------------------------------------------------------------------------------
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "server/app.hpp"
#include "support/app_calls.hpp"

namespace {
namespace fs = std::filesystem;

// Rows of the App fixture: three Hereford outcodes near each other, one ~31 km east and TF1
// ~70 km north; their centroids are recomputed by the tests from these rows.
struct TestRow {
    const char* postcode;
    double lon, lat;
};
const std::vector<TestRow>& app_rows() {
    static const std::vector<TestRow> rows{{"HR1 1AA", -2.710027, 52.060745}, {"HR1 1AB", -2.7105, 52.0610},
                                           {"HR1 1BA", -2.7090, 52.0620},     {"HR1A 1AA", -2.7300, 52.0700},
                                           {"HR2 6AA", -2.7400, 52.0400},     {"HR8 1AA", -2.2500, 52.0300},
                                           {"TF1 2BB", -2.4500, 52.7000}};
    return rows;
}

std::shared_ptr<const Snapshot> make_app_snapshot() {
    SnapshotBuilder b(11, Month::from_year_month(2018, 10), Month::from_year_month(2019, 2));
    b.add_area(AreaKind::neighbourhood, "west-mercia/HR-CITY", "Hereford City (derived)", std::nullopt,
               square(-2.75, 52.04, -2.68, 52.08));
    b.add_area(AreaKind::lsoa, "E01014010", "Herefordshire 020A", 1500, square(-2.72, 52.05, -2.70, 52.07));
    auto snap = b.finish();
    auto api = std::make_shared<ApiData>();
    PostcodeIndexBuilder pcs;
    for (const auto& r : app_rows()) pcs.add(row(r.postcode, r.lon, r.lat));
    pcs.add(row("HR99ZZ", -2.711, 52.0605, "E01014010", Month::from_year_month(2010, 6)));
    api->postcodes = pcs.finish();
    api->index_areas(*snap);
    std::const_pointer_cast<Snapshot>(snap)->api = api;
    return snap;
}

// Outcode centroids recomputed from app_rows(): the mean of each outcode's postcodes.
std::map<std::string, std::pair<double, double>> expected_centroids() {
    std::map<std::string, std::pair<double, double>> sum;
    std::map<std::string, int> n;
    for (const auto& r : app_rows()) {
        std::string pc = r.postcode;
        auto oc = pc.substr(0, pc.find(' '));
        sum[oc].first += r.lon;
        sum[oc].second += r.lat;
        ++n[oc];
    }
    for (auto& [oc, c] : sum) c = {c.first / n[oc], c.second / n[oc]};
    return sum;
}

// Haversine on the mean-radius sphere, written again here rather than taken from the index.
double haversine(double lon1, double lat1, double lon2, double lat2) {
    const double rad = 3.14159265358979323846 / 180.0;
    const double a =
        std::pow(std::sin((lat2 - lat1) * rad / 2), 2) +
        std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::pow(std::sin((lon2 - lon1) * rad / 2), 2);
    return 2 * 6371008.8 * std::asin(std::sqrt(a));
}

// Outcodes within radius of a point, nearest first, from the rows alone.
std::vector<std::string> expected_outcodes(double lon, double lat, double radius, std::size_t limit) {
    std::vector<std::pair<double, std::string>> d;
    for (const auto& [oc, c] : expected_centroids()) {
        double m = haversine(lon, lat, c.first, c.second);
        if (m <= radius) d.emplace_back(m, oc);
    }
    std::sort(d.begin(), d.end());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < d.size() && i < limit; ++i) out.push_back(d[i].second);
    return out;
}

class PostcodesIoApp : public ::testing::Test {
  protected:
    void SetUp() override {
        base = fs::temp_directory_path() / ("crimemap-pcio-" + std::to_string(::getpid()));
        fs::remove_all(base);
        fs::create_directories(base / "embed");
        std::ofstream(base / "index.html") << "<!doctype html><title>page</title>";
        std::ofstream(base / "embed" / "index.html") << "embed page";
        holder.set(make_app_snapshot());
        make_app({"*"});
    }
    void TearDown() override { fs::remove_all(base); }
    void make_app(std::vector<std::string> origins) {
        server::Config config;
        config.web_dir = base.string();
        config.cors_origins = std::move(origins);
        app = std::make_unique<server::App>(config, holder);
    }
    server::Response call(server::Method m, const std::string& target, const std::string& body = {},
                          std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
        return crimemap::testing::app_call(*app, m, target, body, crimemap::testing::Headers(headers));
    }
    json get_json(const std::string& target, int status = 200) {
        return crimemap::testing::json_body(call(server::Method::get, target), target, status);
    }
    json post_json(const std::string& target, const std::string& body, int status = 200) {
        return crimemap::testing::json_body(call(server::Method::post, target, body), target, status);
    }
    static std::string header(const server::Response& res, std::string_view name) {
        auto v = res.headers.get(name);
        return v ? std::string(*v) : std::string();
    }

    fs::path base;
    SnapshotHolder holder;
    std::unique_ptr<server::App> app;
};

// The keys of `full` named in `names` (an independent filter for comparison).
json pick(const json& full, std::initializer_list<const char*> names) {
    json out = json::object();
    for (const char* n : names)
        if (full.contains(n)) out[n] = full[n];
    return out;
}

}  // namespace

TEST_F(PostcodesIoApp, FilterKeepsOnlyNamedKeysOnLookupsBulkAndReverse) {
    const json full = get_json("/postcodes/HR11AA")["result"];
    ASSERT_TRUE(full.contains("admin_district"));
    // Whitespace and case are ignored; unknown names are dropped.
    auto j = get_json("/postcodes/HR11AA?filter=%20Postcode,LONGITUDE%20,nonsense,latitude");
    EXPECT_EQ(j["status"], 200);
    EXPECT_EQ(j["result"], pick(full, {"postcode", "longitude", "latitude"}));
    EXPECT_EQ(get_json("/postcodes/HR11AA?filter=nonsense")["result"], json::object());
    EXPECT_EQ(get_json("/postcodes/HR11AA?filter=codes")["result"], pick(full, {"codes"}));
    // Errors are untouched.
    EXPECT_EQ(get_json("/postcodes/HR11ZZ?filter=postcode", 404)["error"], "Postcode not found");

    // Bulk lookup: each result filtered, null stays null, queries unchanged.
    auto bulk = post_json("/postcodes?filter=postcode,outcode", R"({"postcodes":["HR1 1AA","HR1 1ZZ"]})");
    ASSERT_EQ(bulk["result"].size(), 2u);
    EXPECT_EQ(bulk["result"][0]["query"], "HR1 1AA");
    EXPECT_EQ(bulk["result"][0]["result"], pick(full, {"postcode", "outcode"}));
    EXPECT_TRUE(bulk["result"][1]["result"].is_null());

    // Reverse geocoding: GET both forms and bulk geolocations filter every postcode of the list.
    const std::string at = "lon=-2.710027&lat=52.060745";
    auto unfiltered = get_json("/postcodes?" + at)["result"];
    ASSERT_GE(unfiltered.size(), 2u);
    for (const std::string& target :
         {"/postcodes?" + at + "&filter=postcode",
          std::string("/postcodes/lon/-2.710027/lat/52.060745?filter=postcode")}) {
        auto r = get_json(target)["result"];
        ASSERT_EQ(r.size(), unfiltered.size()) << target;
        for (std::size_t i = 0; i < r.size(); ++i)
            EXPECT_EQ(r[i], pick(unfiltered[i], {"postcode"})) << target;
    }
    auto geo = post_json(
        "/postcodes?filter=postcode,distance",
        R"({"geolocations":[{"longitude":-2.710027,"latitude":52.060745},{"longitude":0,"latitude":0}]})");
    ASSERT_EQ(geo["result"][0]["result"].size(), unfiltered.size());
    for (std::size_t i = 0; i < unfiltered.size(); ++i)
        EXPECT_EQ(geo["result"][0]["result"][i], pick(unfiltered[i], {"postcode", "distance"}));
    EXPECT_TRUE(geo["result"][1]["result"].is_null());
    // Nearest and search filter too; autocomplete (strings) is unaffected.
    // Each answer is held in a local: a range-for over a member of a temporary would read freed memory.
    const auto nearest = get_json("/postcodes/HR11AA/nearest?filter=postcode");
    ASSERT_FALSE(nearest["result"].empty());
    for (const auto& p : nearest["result"]) EXPECT_EQ(p.size(), 1u);
    const auto search = get_json("/postcodes?q=HR1&filter=incode");
    ASSERT_FALSE(search["result"].empty());
    for (const auto& p : search["result"]) EXPECT_EQ(p.size(), 1u);
    EXPECT_TRUE(get_json("/postcodes/HR1/autocomplete?filter=x")["result"][0].is_string());
}

TEST_F(PostcodesIoApp, OutcodeReverseGeocodingWithPostcodesIoLimits) {
    const double lon = -2.71, lat = 52.06;
    auto names = [](const json& result) {
        std::vector<std::string> out;
        if (result.is_array())
            for (const auto& o : result) out.push_back(o["outcode"]);
        return out;
    };
    auto r = get_json("/outcodes?lon=-2.71&lat=52.06");
    EXPECT_EQ(names(r["result"]), expected_outcodes(lon, lat, 5000, 10));
    ASSERT_FALSE(r["result"].empty());
    // Each result is the /outcodes/{outcode} object plus its distance to the point.
    const auto centroids = expected_centroids();
    for (const auto& o : r["result"]) {
        json plain = get_json("/outcodes/" + o["outcode"].get<std::string>())["result"];
        json without = o;
        without.erase("distance");
        EXPECT_EQ(without, plain);
        const auto& c = centroids.at(o["outcode"]);
        EXPECT_NEAR(o["distance"].get<double>(), haversine(lon, lat, c.first, c.second), 0.01);
    }
    // longitude=/latitude= work too; radius is clamped to 25 km (HR8 at ~31 km stays out).
    EXPECT_EQ(names(get_json("/outcodes?longitude=-2.71&latitude=52.06&radius=25000")["result"]),
              expected_outcodes(lon, lat, 25000, 10));
    EXPECT_EQ(names(get_json("/outcodes?lon=-2.71&lat=52.06&radius=1000000")["result"]),
              expected_outcodes(lon, lat, 25000, 10));
    EXPECT_EQ(names(get_json("/outcodes?lon=-2.71&lat=52.06&limit=1")["result"]),
              expected_outcodes(lon, lat, 5000, 1));
    EXPECT_TRUE(get_json("/outcodes?lon=0&lat=0")["result"].is_null());
    // postcodes.io's messages.
    EXPECT_EQ(get_json("/outcodes", 400),
              (json{{"status", 400}, {"error", "Invalid longitude/latitude submitted"}}));
    EXPECT_EQ(get_json("/outcodes?lon=-2.71", 400)["error"], "Invalid longitude/latitude submitted");
    EXPECT_EQ(get_json("/outcodes?lon=x&lat=52", 400)["error"], "Invalid longitude/latitude submitted");
    EXPECT_EQ(get_json("/outcodes?lon=-2.71&lat=52.06&limit=x", 400)["error"],
              "Invalid result limit submitted");
    EXPECT_EQ(get_json("/outcodes?lon=-2.71&lat=52.06&radius=x", 400)["error"],
              "Invalid lookup radius submitted");

    // Nearest to an outcode: around its centroid, itself first at distance 0.
    const auto& hr1 = centroids.at("HR1");
    auto n = get_json("/outcodes/hr1/nearest");
    EXPECT_EQ(names(n["result"]), expected_outcodes(hr1.first, hr1.second, 5000, 10));
    EXPECT_EQ(n["result"][0]["outcode"], "HR1");
    EXPECT_NEAR(n["result"][0]["distance"].get<double>(), 0, 1e-6);
    EXPECT_EQ(names(get_json("/outcodes/HR1/nearest?radius=25000&limit=2")["result"]),
              expected_outcodes(hr1.first, hr1.second, 25000, 2));
    EXPECT_EQ(get_json("/outcodes/ZZ9/nearest", 404),
              (json{{"status", 404}, {"error", "Outcode not found"}}));
    EXPECT_EQ(get_json("/outcodes/HR1/nearest?limit=x", 400)["error"], "Invalid result limit submitted");
}

TEST(ApiPostcodeApi, OutcodeLimitsDefaultTenAndAtMostAHundred) {
    // 120 outcodes within a kilometre: the default answers 10, a limit of 1000 is clamped to 100.
    SnapshotBuilder b(1, Month::from_year_month(2019, 1), Month::from_year_month(2019, 1));
    auto s = b.finish();
    auto api = std::make_shared<ApiData>();
    PostcodeIndexBuilder pcs;
    for (int i = 0; i < 120; ++i) {
        std::string pc(1, static_cast<char>('A' + i / 99));
        pc += std::to_string(i % 99 + 1);
        pc += "1AA";
        pcs.add(row(pc, -2.71 + i * 1e-5, 52.06));
    }
    api->postcodes = pcs.finish();
    std::const_pointer_cast<Snapshot>(s)->api = api;
    EXPECT_EQ(reverse_outcodes(*s, {{"lon", "-2.71"}, {"lat", "52.06"}}).body["result"].size(),
              pcio::outcode_limit_default);
    EXPECT_EQ(
        reverse_outcodes(*s, {{"lon", "-2.71"}, {"lat", "52.06"}, {"limit", "1000"}}).body["result"].size(),
        pcio::outcode_limit_max);
    EXPECT_EQ(nearest_outcodes(*s, "A1", {{"limit", "1000"}}).body["result"].size(), pcio::outcode_limit_max);
}

TEST_F(PostcodesIoApp, TrailingSlashFormsMatchTheirRoutes) {
    auto same = [&](const std::string& with, const std::string& without) {
        auto a = call(server::Method::get, with), b = call(server::Method::get, without);
        EXPECT_EQ(a.status, b.status) << with;
        EXPECT_EQ(a.body, b.body) << with;
    };
    same("/postcodes/?lon=-2.710027&lat=52.060745", "/postcodes?lon=-2.710027&lat=52.060745");
    same("/postcodes/HR11AA/", "/postcodes/HR11AA");
    same("/postcodes/HR11AA/nearest/", "/postcodes/HR11AA/nearest");
    same("/postcodes/HR11AA/validate/", "/postcodes/HR11AA/validate");
    same("/outcodes/HR1/", "/outcodes/HR1");
    same("/outcodes/?lon=-2.71&lat=52.06", "/outcodes?lon=-2.71&lat=52.06");
    same("/terminated_postcodes/HR99ZZ/", "/terminated_postcodes/HR99ZZ");
    same("/ping/", "/ping");
    EXPECT_EQ(post_json("/postcodes/", R"({"postcodes":["HR1 1AA"]})")["result"][0]["result"]["postcode"],
              "HR1 1AA");
    // The page and folder index pages are still static files; two slashes are no route.
    auto page = call(server::Method::get, "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<title>page</title>"), std::string::npos);
    auto embed = call(server::Method::get, "/embed/");
    EXPECT_EQ(embed.status, 200);
    EXPECT_EQ(embed.body, "embed page");
    EXPECT_EQ(get_json("/postcodes//", 404)["error"], "Resource not found");
}

TEST_F(PostcodesIoApp, JsonpWrapsSuccessfulAnswersForSafeCallbackNames) {
    const auto plain = call(server::Method::get, "/postcodes/HR11AA");
    std::string plain_json = plain.body;
    while (!plain_json.empty() && plain_json.back() == '\n') plain_json.pop_back();
    for (const std::string cb : {"cb", "jQuery3_1$x", "app.handlers.pc"}) {
        auto res = call(server::Method::get, "/postcodes/HR11AA?callback=" + cb);
        ASSERT_EQ(res.status, 200) << cb;
        EXPECT_EQ(header(res, "Content-Type"), "text/javascript; charset=utf-8");
        EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
        EXPECT_EQ(res.body, "/**/ typeof " + cb + " === 'function' && " + cb + "(" + plain_json + ");");
    }
    // Every postcodes.io route, POST and /ping included.
    auto ping = call(server::Method::get, "/ping?callback=f");
    EXPECT_EQ(ping.body, "/**/ typeof f === 'function' && f({\"result\":\"pong\",\"status\":200});");
    auto bulk = call(server::Method::post, "/postcodes?callback=f", R"({"postcodes":["HR1 1AA"]})");
    EXPECT_TRUE(bulk.body.starts_with("/**/ typeof f === 'function' && f({")) << bulk.body.substr(0, 80);
    // U+2028/U+2029 (here in an echoed query) are escaped: JSON allows them raw, old JavaScript not.
    auto seps = call(server::Method::post, "/postcodes?callback=f", "{\"postcodes\":[\"a\u2028b\u2029c\"]}");
    ASSERT_EQ(seps.status, 200);
    EXPECT_EQ(seps.body.find("\xE2\x80\xA8"), std::string::npos);
    EXPECT_EQ(seps.body.find("\xE2\x80\xA9"), std::string::npos);
    EXPECT_NE(seps.body.find("a\\u2028b\\u2029c"), std::string::npos) << seps.body;
    for (const char* target : {"/outcodes/HR1?callback=f", "/outcodes?lon=-2.71&lat=52.06&callback=f",
                               "/random/postcodes?callback=f", "/terminated_postcodes/HR99ZZ?callback=f",
                               "/postcodes/HR1/autocomplete?callback=f"})
        EXPECT_EQ(header(call(server::Method::get, target), "Content-Type"), "text/javascript; charset=utf-8")
            << target;
    // Errors stay JSON with their status (postcodes.io's error renderer); an empty name is no JSONP.
    auto missing = call(server::Method::get, "/postcodes/HR11ZZ?callback=cb");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(json::parse(missing.body)["error"], "Postcode not found");
    EXPECT_EQ(call(server::Method::get, "/postcodes/HR11AA?callback=").body, plain.body);
    // Unsafe names are a 400 JSON error, never echoed into a script.
    for (const char* bad : {"alert(1)", "a%3Bb", "1abc", "a%20b", "%3C%2Fscript%3E", "a-b", "x%0A"}) {
        auto res = call(server::Method::get, std::string("/postcodes/HR11AA?callback=") + bad);
        EXPECT_EQ(res.status, 400) << bad;
        EXPECT_TRUE(header(res, "Content-Type").starts_with("application/json")) << bad;
        EXPECT_EQ(json::parse(res.body)["status"], 400) << bad;
    }
    EXPECT_EQ(call(server::Method::get, "/postcodes/HR11AA?callback=" + std::string(65, 'a')).status, 400);
    EXPECT_EQ(call(server::Method::get, "/postcodes/HR11AA?callback=" + std::string(64, 'a')).status, 200);
}

TEST_F(PostcodesIoApp, PlainOptionsCarriesPostcodesIoCorsHeaders) {
    for (const char* path : {"/postcodes", "/postcodes/HR11AA", "/outcodes/HR1/nearest", "/ping"}) {
        auto res = call(server::Method::options, path);
        EXPECT_EQ(res.status, 204) << path;
        EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*") << path;
        EXPECT_EQ(header(res, "Access-Control-Allow-Headers"),
                  "X-Requested-With, Content-Type, Accept, Origin")
            << path;
        EXPECT_NE(header(res, "Access-Control-Allow-Methods").find("GET"), std::string::npos) << path;
    }
    EXPECT_NE(
        header(call(server::Method::options, "/postcodes"), "Access-Control-Allow-Methods").find("POST"),
        std::string::npos);
    // Team-write paths: nothing for an unlisted origin, the headers for a listed one.
    const std::string write_path = "/v1/neighbourhoods/west-mercia/HR-CITY/priorities/7";
    auto refused = call(server::Method::options, write_path, {}, {{"Origin", "https://elsewhere.example"}});
    EXPECT_EQ(header(refused, "Access-Control-Allow-Origin"), "");
    EXPECT_EQ(header(refused, "Access-Control-Allow-Methods"), "");
    EXPECT_EQ(header(call(server::Method::options, write_path), "Access-Control-Allow-Origin"), "");
    make_app({"*", "https://admin.example"});
    auto listed = call(server::Method::options, write_path, {}, {{"Origin", "https://admin.example"}});
    EXPECT_EQ(header(listed, "Access-Control-Allow-Origin"), "https://admin.example");
    EXPECT_NE(header(listed, "Access-Control-Allow-Methods").find("PUT"), std::string::npos);
    // A real preflight is answered as before (requested headers echoed).
    auto pre = call(server::Method::options, "/postcodes", {},
                    {{"Origin", "https://x.example"},
                     {"Access-Control-Request-Method", "POST"},
                     {"Access-Control-Request-Headers", "content-type"}});
    EXPECT_EQ(header(pre, "Access-Control-Allow-Headers"), "content-type");
    EXPECT_EQ(header(pre, "Access-Control-Allow-Origin"), "*");
}

TEST_F(PostcodesIoApp, PingAndNotFoundTexts) {
    EXPECT_EQ(get_json("/ping"), (json{{"status", 200}, {"result", "pong"}}));
    const json resource{{"status", 404}, {"error", "Resource not found"}};
    for (const char* path : {"/postcodes/HR11AA/elsewhere", "/outcodes/HR1/x/y", "/terminated_postcodes",
                             "/random", "/random/nothing", "/ping/pong", "/postcodes/a/b/c/d/e"})
        EXPECT_EQ(get_json(path, 404), resource) << path;
    // Other paths keep our message.
    EXPECT_EQ(get_json("/nothing-here", 404), (json{{"status", 404}, {"error", "Not found"}}));
}

TEST_F(PostcodesIoApp, WideSearchEitherSpellingInBulkGeolocations) {
    // 5 km from any postcode: nothing within the default 100 m, the nearest ones with widesearch.
    const std::string far = R"("longitude":-2.71,"latitude":52.105)";
    auto answer = post_json("/postcodes", "{\"geolocations\":[{" + far + "},{" + far +
                                              R"(,"widesearch":true},{)" + far + R"(,"wideSearch":true}]})");
    ASSERT_EQ(answer["result"].size(), 3u);
    EXPECT_TRUE(answer["result"][0]["result"].is_null());
    ASSERT_TRUE(answer["result"][1]["result"].is_array());
    EXPECT_EQ(answer["result"][2]["result"], answer["result"][1]["result"]);
    EXPECT_EQ(answer["result"][2]["query"]["wideSearch"], true);  // echoed under the client's spelling
    // As a query parameter too, and on GET reverse geocoding.
    auto q = post_json("/postcodes?wideSearch=true", "{\"geolocations\":[{" + far + "}]}");
    EXPECT_EQ(q["result"][0]["result"], answer["result"][1]["result"]);
    EXPECT_FALSE(get_json("/postcodes?lon=-2.71&lat=52.105&wideSearch=true")["result"].is_null());
}

TEST_F(PostcodesIoApp, PostcodeValidationIsTheSameOnEveryRoute) {
    const json invalid{{"status", 404}, {"error", "Invalid postcode"}};
    EXPECT_EQ(get_json("/terminated_postcodes/%20HR%201%20%201BA", 404), invalid);
    EXPECT_EQ(get_json("/terminated_postcodes/HR9%209ZZ")["result"]["postcode"], "HR9 9ZZ");
    EXPECT_EQ(get_json("/postcodes/HR%201%201AA", 404), invalid);
    EXPECT_EQ(get_json("/postcodes/%20hr1%20%201aa%20")["result"]["postcode"], "HR1 1AA");
    EXPECT_EQ(get_json("/postcodes/HR%201%201AA/validate")["result"], false);
    EXPECT_EQ(get_json("/postcodes/HR11AA/validate")["result"], true);
    EXPECT_EQ(get_json("/postcodes/HR%201%201AA/nearest", 404)["error"], "Postcode not found");
    auto bulk = post_json("/postcodes", R"({"postcodes":["HR 1 1AA","hr1 1aa"]})");
    EXPECT_TRUE(bulk["result"][0]["result"].is_null());
    EXPECT_EQ(bulk["result"][1]["result"]["postcode"], "HR1 1AA");
}

TEST(ApiPostcodeApi, ShapeTestMatchesPostcodesIoRegex) {
    // postcodes.io's `postcode` package: /^[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}$/i on the trimmed text.
    const std::regex pattern(R"(^[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}$)", std::regex::icase);
    auto trim = [](std::string s) {
        const char* ws = " \t\r\n\f\v";
        s.erase(0, s.find_first_not_of(ws));
        s.erase(s.find_last_not_of(ws) + 1);
        return s;
    };
    for (const char* t :
         {"HR1 1AA",  "hr11aa",   " HR1  1AA ", "HR 1  1BA", "HR1 1A",    "W1A 1AA",  "EC1A1BB",
          "M1 1AE",   "M11AE",    "B33 8TH",    "CR2 6XH",   "DN55 1PT",  "A 1 1AA",  "AB1C 1AA",
          "ABC1 1AA", "HR1 1AAA", "HR1-1AA",    "1HR 1AA",   "HR1\t1AA",  "",         "   ",
          "HR1 1A1",  "HR1 AAA",  "HR11 1AA",   "H1 1AA",    "HR1A\n1AA", "HR1 1AA x"})
        EXPECT_EQ(postcodes_io_shaped(t), std::regex_match(trim(t), pattern)) << '"' << t << '"';
}
