// Populations, deprivation, similar areas and league tables on the seeded sample (issue 14),
// checked against independent readings of the real ONS and MHCLG files in ../shared/data and
// independent SQL and statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/area_report.hpp"
#include "core/league.hpp"
#include "core/similar.hpp"
#include "core/summary.hpp"
#include "store/snapshot_loader.hpp"
#include "support/gz_text.hpp"
#include "support/poisson_reference.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using crimemap::test::TestDatabase;
using nlohmann::json;

namespace {

const std::string kShared = "/work/shared/data/area_statistics/";

// The lines of a gzipped text file, without line ends.
std::vector<std::string> gz_lines(const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(test::read_gz_text(path));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

std::string field(const std::string& line, std::size_t i) {  // unquoted leading fields only
    std::size_t start = 0;
    for (std::size_t k = 0; k < i; ++k) start = line.find(',', start) + 1;
    return line.substr(start, line.find(',', start) - start);
}

struct Seeded {
    TestDatabase db;
    std::shared_ptr<const core::Snapshot> s;
    Seeded() {
        db.seed_sample();
        auto conn = db.connect();
        s = store::load_snapshot(conn);
    }
};

Seeded& seeded() {
    static Seeded* instance = new Seeded();  // one seeded database for the file's tests
    return *instance;
}

json result(const core::JsonReply& r) {
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body.at("result");
}

}  // namespace

TEST(AreaStatistics, HerefordshirePopulationIsTheSumOfItsLsoasInTheOnsFile) {
    // Independently: Herefordshire's LSOAs from the ONS classification lookup (LAD17CD), their
    // populations from the ONS mid-2019 file, both read here from the published files.
    std::set<std::string> hereford;
    for (const auto& line : gz_lines(kShared + "lsoa11_lookup_MSOA_LAD17_RGN_supergroup.csv.gz"))
        if (line.find(",E06000019,") != std::string::npos) hereford.insert(field(line, 0));
    ASSERT_EQ(hereford.size(), 116u);
    long long sum = 0;
    for (const auto& line : gz_lines(kShared + "lsoa11_population_mid2019_EW.csv.gz"))
        if (hereford.count(field(line, 0))) sum += std::stoll(field(line, 1));
    EXPECT_EQ(sum, 192801);

    auto& d = seeded();
    auto area = result(core::area_report(*d.s, "E06000019"));
    EXPECT_EQ(area["population"].get<long long>(), sum);
    EXPECT_EQ(area["population_source"]["method"], "lsoa_sum");
    EXPECT_EQ(area["population_source"]["period"], "mid-2019");
    EXPECT_EQ(area["population_source"]["lsoas"], 116);
    // A rate comes with its population and period.
    const auto& total = area["crimes_total"];
    EXPECT_EQ(total["from"], d.s->first_month.str());
    EXPECT_NEAR(total["per_1000"].get<double>(),
                total["crimes"].get<double>() * 1000.0 / static_cast<double>(sum), 0.006);
    // West Mercia: every district's sum (PROVENANCE: 1,291,577).
    EXPECT_EQ(d.s->find_area(core::AreaKind::pfa, "E23000016")->population.value_or(0), 1291577);
}

TEST(AreaStatistics, EveryAreaOfTheSampleHasARate) {
    auto& d = seeded();
    for (const auto& a : d.s->areas) {
        if (a.kind == core::AreaKind::msoa) continue;  // the sample has no MSOA boundaries
        EXPECT_TRUE(a.population && *a.population > 0) << to_string(a.kind) << " " << a.code;
        EXPECT_FALSE(a.population_source.method.empty()) << a.code;
    }
    // Wards and neighbourhoods by area share: their sums stay within 0.1 % of the force's.
    for (auto kind : {core::AreaKind::ward, core::AreaKind::neighbourhood}) {
        long long total = 0;
        for (auto i : d.s->areas_by_kind[static_cast<std::size_t>(kind)])
            total += d.s->areas[i].population.value_or(0);
        EXPECT_NEAR(static_cast<double>(total), 1291577.0, 1291.577) << to_string(kind);
    }
    EXPECT_EQ(
        d.db.count("SELECT count(*) FROM areas WHERE kind = 'ward' AND population_method = 'lsoa_share'"),
        257);
}

TEST(AreaStatistics, LsoaDeprivationMatchesTheIodFile) {
    auto& d = seeded();
    std::map<std::string, std::string> rows;  // LSOA -> its line of File 2
    for (const auto& line : gz_lines(kShared + "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"))
        rows[field(line, 0)] = line;
    const std::string code = "E01014010";  // HR1 1AA
    ASSERT_TRUE(rows.count(code));
    // After the quoted district name: the 16 numbers.
    std::string numbers = rows[code].substr(rows[code].rfind('"') + 2);
    std::vector<int> v;
    std::stringstream in(numbers);
    for (std::string x; std::getline(in, x, ',');) v.push_back(std::stoi(x));
    ASSERT_EQ(v.size(), 16u);
    auto area = result(core::area_report(*d.s, code));
    EXPECT_EQ(area["deprivation"]["imd_rank"], v[0]);
    EXPECT_EQ(area["deprivation"]["imd_decile"], v[1]);
    EXPECT_EQ(area["deprivation"]["domains"]["crime"]["decile"], v[11]);
    EXPECT_EQ(area["deprivation"]["domains"]["living_environment"]["rank"], v[14]);
    EXPECT_FALSE(area["classification"]["group"].get<std::string>().empty());

    auto summary = result(
        core::postcode_summary(*d.s, *d.s->api->teams, "HR1 1AA", {}, std::chrono::system_clock::now()));
    EXPECT_EQ(summary["deprivation"]["imd_decile"], v[1]);
    EXPECT_NE(summary["areas"]["lsoa"]["per_1000"], nullptr);
    EXPECT_EQ(summary["areas"]["lsoa"]["population_source"]["period"], "mid-2019");
    const auto& compare = summary["compare"];
    ASSERT_TRUE(compare.is_object()) << summary.dump();
    EXPECT_EQ(compare["area"]["code"], code);
    EXPECT_EQ(compare["similar"].size(), core::summary_similar_areas);
    EXPECT_EQ(compare["period"]["from"], summary["period"]["current"]["from"]);
}

TEST(AreaStatistics, SimilarLsoasComeFromOtherDistrictsNearestFirst) {
    auto& d = seeded();
    const std::string code = "E01014010";
    auto r = result(core::similar_areas(*d.s, code, {{"n", "10"}}));
    const auto& similar = r["similar"];
    ASSERT_EQ(similar.size(), 10u);
    const std::string district = d.s->find_area(core::AreaKind::lsoa, code)->parent(core::AreaKind::lad);
    int elsewhere = 0;
    double last = 0;
    std::uint64_t crimes = 0;
    double population = 0, lo = 1e9, hi = 0;
    for (const auto& a : similar) {
        EXPECT_NE(a["code"], code);
        EXPECT_GE(a["distance"].get<double>(), last);
        last = a["distance"].get<double>();
        if (a["district"]["code"] != district) ++elsewhere;
        // The rate is the period's crimes per 1,000, from an independent SQL count.
        const long long c = d.db.count(
            "SELECT coalesce(sum(crimes), 0) FROM crime_monthly WHERE area_kind = 'lsoa' AND area_code = $1 "
            "AND "
            "month BETWEEN $2::date AND $3::date",
            {a["code"].get<std::string>(), r["period"]["from"].get<std::string>() + "-01",
             r["period"]["to"].get<std::string>() + "-01"});
        EXPECT_EQ(a["crimes"].get<long long>(), c);
        const double pop = a["population"].get<double>();
        EXPECT_NEAR(a["per_1000"].get<double>(), static_cast<double>(c) * 1000.0 / pop, 0.006);
        crimes += static_cast<std::uint64_t>(c);
        population += pop;
        lo = std::min(lo, static_cast<double>(c) * 1000.0 / pop);
        hi = std::max(hi, static_cast<double>(c) * 1000.0 / pop);
    }
    EXPECT_GT(elsewhere, 0) << r.dump();
    EXPECT_NEAR(r["group"]["per_1000"].get<double>(), static_cast<double>(crimes) * 1000.0 / population,
                0.006);
    EXPECT_NEAR(r["group"]["min_per_1000"].get<double>(), lo, 0.006);
    EXPECT_NEAR(r["group"]["max_per_1000"].get<double>(), hi, 0.006);

    // within=force: all in the same force area; wards, districts and neighbourhoods work too.
    auto force = result(core::similar_areas(*d.s, code, {{"within", "force"}, {"n", "3"}}));
    EXPECT_EQ(force["similar"].size(), 3u);
    for (const char* other : {"E05001842", "E06000019", "west-mercia/HE06"}) {
        auto o = core::similar_areas(*d.s, other, {{"n", "4"}});
        EXPECT_EQ(o.status, 200) << other << " " << o.body.dump();
    }
    // Bad parameters are 400s with a reason; unknown areas 404.
    EXPECT_EQ(core::similar_areas(*d.s, code, {{"n", "0"}}).status, 400);
    EXPECT_EQ(core::similar_areas(*d.s, code, {{"n", "abc"}}).status, 400);
    EXPECT_EQ(core::similar_areas(*d.s, code, {{"within", "galaxy"}}).status, 400);
    EXPECT_EQ(core::similar_areas(*d.s, code, {{"from", "2019-13"}}).status, 400);
    EXPECT_EQ(core::similar_areas(*d.s, "E01999999", {}).status, 404);
    EXPECT_EQ(core::similar_areas(*d.s, "E23000016", {{"within", "force"}}).status, 400);
}

TEST(AreaStatistics, DistrictLeagueIsSortedWithIndependentIntervalsAndBands) {
    auto& d = seeded();
    auto q = core::parse_league_query({{"kind", "lad"}, {"measure", "crimes"}}, *d.s);
    ASSERT_TRUE(q) << q.error().detail;
    auto l = core::build_league(*d.s, *q);
    ASSERT_TRUE(l) << l.error().detail;
    auto j = core::league_json(*l);
    const auto& rows = j["rows"];
    ASSERT_EQ(rows.size(), 9u);
    // Independently from SQL: crimes per district over the period, populations, the pooled rate.
    const std::string from = j["period"]["from"].get<std::string>() + "-01";
    const std::string to = j["period"]["to"].get<std::string>() + "-01";
    EXPECT_EQ(j["period"]["from"], d.s->first_month.str());  // the sample has fewer than 12 months
    auto conn = d.db.connect();
    auto sql = conn.query(
        "SELECT a.code, a.population, coalesce((SELECT sum(m.crimes) FROM crime_monthly m WHERE m.area_kind "
        "= 'lad'"
        " AND m.area_code = a.code AND m.month BETWEEN $1::date AND $2::date), 0) FROM areas a WHERE a.kind "
        "= 'lad'",
        {from, to});
    std::map<std::string, std::pair<double, std::uint64_t>> expected;  // code -> population, crimes
    double total_pop = 0, total_crimes = 0;
    for (int i = 0; i < sql.size(); ++i) {
        expected[std::string(sql.text(i, 0))] = {static_cast<double>(sql.int64(i, 1)),
                                                 static_cast<std::uint64_t>(sql.int64(i, 2))};
        total_pop += static_cast<double>(sql.int64(i, 1));
        total_crimes += static_cast<double>(sql.int64(i, 2));
    }
    const double average = total_crimes * 1000.0 / total_pop;
    EXPECT_NEAR(j["comparison"]["per_1000"].get<double>(), average, 0.006);
    double previous_rate = -1;
    int previous_rank = 0;
    std::set<std::string> bands;
    for (const auto& r : rows) {
        const auto& [pop, crimes] = expected.at(r["code"].get<std::string>());
        EXPECT_EQ(r["count"].get<std::uint64_t>(), crimes);
        EXPECT_EQ(r["population"].get<double>(), pop);
        const double rate = static_cast<double>(crimes) * 1000.0 / pop;
        EXPECT_NEAR(r["per_1000"].get<double>(), rate, 0.006);
        EXPECT_GE(rate, previous_rate);  // sorted: rank 1 = the lowest rate
        EXPECT_GT(r["rank"].get<int>(), previous_rank);
        previous_rate = rate;
        previous_rank = r["rank"].get<int>();
        auto [lo, hi] = test::poisson_interval(crimes);
        EXPECT_NEAR(r["ci95"][0].get<double>(), lo * 1000.0 / pop, 0.006);
        EXPECT_NEAR(r["ci95"][1].get<double>(), hi * 1000.0 / pop, 0.006);
        const std::string band = lo * 1000.0 / pop > average   ? "significantly_higher"
                                 : hi * 1000.0 / pop < average ? "significantly_lower"
                                                               : "not_significantly_different";
        EXPECT_EQ(r["band"], band) << r.dump();
        bands.insert(band);
    }
    EXPECT_GE(bands.size(), 2u);  // the districts differ: not everything "not different"
    EXPECT_EQ(rows.front()["rank"], 1);

    // CSV: the same rows in the same order.
    auto csv = core::league_csv(*l);
    std::istringstream lines(csv);
    std::string header, first;
    std::getline(lines, header);
    std::getline(lines, first);
    EXPECT_EQ(header.substr(0, 30), "rank,code,name,parent,crimes,p");
    EXPECT_EQ(first.substr(0, 2 + rows.front()["code"].get<std::string>().size()),
              "1," + rows.front()["code"].get<std::string>());
    // The page: a table row per district, a funnel plot, and no script.
    auto html = core::league_html(*l, *d.s);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    for (const auto& r : rows) EXPECT_NE(html.find(r["code"].get<std::string>()), std::string::npos);
}

TEST(AreaStatistics, LeagueScopesSortsAndRefusesBadParameters) {
    auto& d = seeded();
    auto league = [&](core::QueryParams p) -> std::optional<nlohmann::json> {
        auto q = core::parse_league_query(p, *d.s);
        if (!q) return std::nullopt;
        auto l = core::build_league(*d.s, *q);
        if (!l) return std::nullopt;
        return core::league_json(*l);
    };
    auto lsoas = league({{"kind", "lsoa"},
                         {"within", "E06000019"},
                         {"category", "burglary"},
                         {"from", "2018-12"},
                         {"to", "2019-02"}});
    ASSERT_TRUE(lsoas);
    EXPECT_EQ((*lsoas)["rows"].size(), 116u);
    EXPECT_EQ((*lsoas)["within"]["name"], "Herefordshire, County of");
    auto by_name = league({{"kind", "ward"}, {"sort", "name"}});
    ASSERT_TRUE(by_name);
    for (std::size_t i = 1; i < (*by_name)["rows"].size(); ++i)
        EXPECT_LE((*by_name)["rows"][i - 1]["name"].get<std::string>(),
                  (*by_name)["rows"][i]["name"].get<std::string>());
    auto neighbourhoods = league({{"kind", "neighbourhood"}});
    ASSERT_TRUE(neighbourhoods);
    EXPECT_EQ((*neighbourhoods)["rows"].size(), 62u);
    auto indicator = league({{"indicator", "ASC1"}});
    if (d.s->indicators.count("ASC1")) {
        ASSERT_TRUE(indicator);
        EXPECT_GT((*indicator)["rows"].size(), 100u);
        EXPECT_EQ((*indicator)["rows"][0]["rank"], 1);
    }
    for (core::QueryParams bad :
         std::vector<core::QueryParams>{{{"kind", "county"}},
                                        {{"measure", "robberies"}},
                                        {{"indicator", "NOPE"}},
                                        {{"measure", "crimes"}, {"indicator", "ASC1"}},
                                        {{"from", "2019-02"}, {"to", "2018-10"}},
                                        {{"category", "aliens"}},
                                        {{"kind", "lad"}, {"within", "E01014010"}},
                                        {{"within", "E99999999"}},
                                        {{"sort", "colour"}},
                                        {{"order", "up"}},
                                        {{"format", "xml"}}}) {
        auto q = core::parse_league_query(bad, *d.s);
        const bool refused = !q || !core::build_league(*d.s, *q);
        EXPECT_TRUE(refused) << bad.front().first << "=" << bad.front().second;
    }
}
