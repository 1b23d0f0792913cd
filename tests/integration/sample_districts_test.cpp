// The sample's nine districts after `crimemap seed data/sample`: each has the county ONS gives it
// or is a unitary authority, and the `performance` layer shows each Worcestershire district the
// value the Oflog file gives Worcestershire County Council (E10000034); a district the file has
// no value for is drawn without one ("no value" on the map). Expected values come from reading
// the Oflog CSV here with zlib and a CSV split of our own, not through the importer.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "core/area_report.hpp"
#include "core/snapshot.hpp"
#include "core/tile_engine.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"
#include "store/snapshot_loader.hpp"
#include "support/gz_text.hpp"
#include "support/mvt_decode.hpp"
#include "support/performance_tiles.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using crimemap::test::source_path;
using crimemap::test::TestDatabase;
using Feature = crimemap::testing::DecodedFeature;

namespace {

// ONS: the six districts of Worcestershire (county E10000034) and the three unitary authorities
// of West Mercia. E06 is ONS's entity code for unitary authorities, E07 for non-metropolitan
// districts, every one of which lies in a county.
const std::string worcestershire = "E10000034";
const std::map<std::string, std::string> two_tier = {
    {"E07000234", "Bromsgrove"}, {"E07000235", "Malvern Hills"}, {"E07000236", "Redditch"},
    {"E07000237", "Worcester"},  {"E07000238", "Wychavon"},      {"E07000239", "Wyre Forest"}};
const std::set<std::string> unitary = {"E06000019", "E06000020", "E06000051"};

// One CSV line's fields; double quotes group commas, "" is a quote.
std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            out.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            out.emplace_back();
        } else if (c != '\r') {
            out.back() += c;
        }
    }
    return out;
}

// The Oflog file's cells: (code, financial year, local authority code) -> Value text ("" when
// the council reported none).
using OflogCells = std::map<std::tuple<std::string, std::string, std::string>, std::string>;
OflogCells read_oflog() {
    std::istringstream in(
        test::read_gz_text(source_path("data/sample/indicators/oflog_adult_social_care_by_la.csv.gz")));
    std::string line;
    std::getline(in, line);
    auto header = split_csv(line);
    auto col = [&](const std::string& name) {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name) return i;
        throw std::runtime_error("no column " + name);
    };
    const auto year = col("Financial year"), la = col("Local authority code"), code = col("Code"),
               value = col("Value");
    OflogCells cells;
    while (std::getline(in, line)) {
        auto f = split_csv(line);
        if (f.size() != header.size()) throw std::runtime_error("bad line: " + line);
        cells[{f[code], f[year], f[la]}] = f[value];
    }
    return cells;
}

std::map<std::string, Feature> performance(const core::Snapshot& s, const std::string& indicator,
                                           const std::string& period) {
    return crimemap::testing::performance_features(s, indicator, period);
}

}  // namespace

TEST(SampleDistricts, EachHasItsOnsCountyOrIsUnitary) {
    TestDatabase db;
    db.seed_sample();
    auto rows = db.connect().query(
        "SELECT code, name, coalesce(parent_codes->>'county', '') FROM areas WHERE kind = 'lad' ORDER BY "
        "code");
    ASSERT_EQ(rows.size(), 9);
    for (int i = 0; i < rows.size(); ++i) {
        const std::string code(rows.text(i, 0)), county(rows.text(i, 2));
        if (two_tier.count(code)) {
            EXPECT_EQ(rows.text(i, 1), two_tier.at(code));
            EXPECT_EQ(county, worcestershire) << code;
        } else {
            EXPECT_TRUE(unitary.count(code)) << code << " is neither a Worcestershire district nor a unitary";
            EXPECT_EQ(code.substr(0, 3), "E06") << code;
            EXPECT_EQ(county, "") << code << " is a unitary authority: no county";
        }
    }
    // The relation came from the bundled ONS lookup, not from the postcodes (which reach only
    // Malvern Hills).
    EXPECT_EQ(db.count("SELECT count(*) FROM district_counties WHERE county = 'E10000034'"
                       " AND source = 'LAD20_CTY20_EN_LU_West_Mercia.csv'"),
              6);
    EXPECT_EQ(db.scalar("SELECT name FROM code_names WHERE kind = 'county' AND code = 'E10000034'"),
              "Worcestershire");
}

TEST(SampleDistricts, WorcestershireDistrictsCarryTheCountysOflogValue) {
    const auto cells = read_oflog();
    TestDatabase db;
    db.seed_sample();
    auto conn = db.connect();
    auto s = store::load_snapshot(conn);
    // Every indicator at its latest period with a Worcestershire value in the file, plus one
    // earlier period of ASC5.
    std::map<std::string, std::string> latest;  // code -> latest financial year with a value
    for (const auto& [key, value] : cells) {
        const auto& [code, year, la] = key;
        if (la == worcestershire && !value.empty() && year > latest[code]) latest[code] = year;
    }
    ASSERT_EQ(latest.size(), 7u);  // ASC1 .. ASC7
    std::vector<std::pair<std::string, std::string>> checks(latest.begin(), latest.end());
    checks.emplace_back("ASC5", "2018-19");
    for (const auto& [indicator, period] : checks) {
        const double expected = std::stod(cells.at({indicator, period, worcestershire}));
        auto features = performance(*s, indicator, period);
        EXPECT_EQ(features.size(), 9u) << indicator << " " << period;
        for (const auto& [code, name] : two_tier) {
            ASSERT_TRUE(features.count(code)) << name << " " << indicator << " " << period;
            const auto& f = features.at(code);
            EXPECT_EQ(f.text("via"), "county") << name;
            EXPECT_EQ(f.text("area_code"), worcestershire) << name;
            ASSERT_TRUE(f.props.count("value")) << name << " " << indicator << " " << period;
            EXPECT_NEAR(std::get<double>(f.props.at("value")), expected, 1e-9)
                << name << " " << indicator << " " << period;
        }
        // The unitaries: their own value from the file, or none where its cell is empty.
        for (const auto& code : unitary) {
            ASSERT_TRUE(features.count(code)) << code;
            const auto& own = cells.at({indicator, period, code});
            if (own.empty()) {
                EXPECT_EQ(features.at(code).props.count("value"), 0u)
                    << code << " " << indicator << " " << period;
            } else {
                EXPECT_EQ(features.at(code).text("area_code"), code);
                EXPECT_NEAR(std::get<double>(features.at(code).props.at("value")), std::stod(own), 1e-9)
                    << code << " " << indicator << " " << period;
            }
        }
    }
    // The API a click on Bromsgrove or Wychavon asks for the county's figures
    // (/v1/areas/E10000034/performance) agrees with the file too.
    auto reply = core::area_performance(*s, worcestershire, {{"indicator", "ASC5"}});
    ASSERT_EQ(reply.status, 200) << reply.body.dump();
    std::size_t periods = 0;
    for (const auto& point : reply.body["result"]["indicators"].at(0)["series"]) {
        const auto& cell = cells.at({"ASC5", point["period"].get<std::string>(), worcestershire});
        EXPECT_NEAR(point["value"].get<double>(), std::stod(cell), 1e-9) << point["period"];
        ++periods;
    }
    EXPECT_EQ(periods, 8u);  // 2015-16 .. 2022-23
}

// Telford and Wrekin's Oflog rows are all there (42), but two of its ASC7 cells are empty: for
// those periods its district is drawn without a value, for the others with the file's.
TEST(SampleDistricts, TelfordHasNoAsc7ValueWhereTheFileHasNone) {
    const auto cells = read_oflog();
    std::size_t telford_rows = 0;
    std::set<std::string> empty;
    for (const auto& [key, value] : cells)
        if (std::get<2>(key) == "E06000020") {
            ++telford_rows;
            if (value.empty()) empty.insert(std::get<0>(key) + " " + std::get<1>(key));
        }
    EXPECT_EQ(telford_rows, 42u);
    EXPECT_EQ(empty, (std::set<std::string>{"ASC7 2018-19", "ASC7 2019-20"}));

    TestDatabase db;
    db.seed_sample();
    auto conn = db.connect();
    auto s = store::load_snapshot(conn);
    for (const std::string period : {"2018-19", "2019-20", "2020-21"}) {
        auto features = performance(*s, "ASC7", period);
        ASSERT_TRUE(features.count("E06000020")) << period;
        const auto& telford = features.at("E06000020");
        EXPECT_EQ(telford.text("name"), "Telford and Wrekin");
        EXPECT_EQ(telford.text("period"), period);
        const auto& cell = cells.at({"ASC7", period, "E06000020"});
        if (cell.empty()) {
            for (const char* field : {"value", "rank", "of", "quintile", "area_code", "via"})
                EXPECT_EQ(telford.props.count(field), 0u) << period << " " << field;
        } else {
            EXPECT_NEAR(std::get<double>(telford.props.at("value")), std::stod(cell), 1e-9) << period;
        }
    }
    // Its figures leave the empty periods out.
    auto reply = core::area_performance(*s, "E06000020", {{"indicator", "ASC7"}});
    ASSERT_EQ(reply.status, 200);
    std::set<std::string> periods;
    for (const auto& point : reply.body["result"]["indicators"].at(0)["series"])
        periods.insert(point["period"].get<std::string>());
    EXPECT_EQ(periods, (std::set<std::string>{"2016-17", "2017-18", "2020-21", "2021-22", "2022-23"}));
}
