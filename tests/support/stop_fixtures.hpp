#pragma once
// Stop and search for the seeded sample (which has none): police.uk-layout stop-and-search CSVs
// written next to the sample's own snap locations (every few), one file per month, each object of
// search and outcome police.uk writes (and a few it does not), some stops without a location; then
// `crimemap import stops` of those files and of tests/fixtures/stops. Test-only, header-only.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/test_db.hpp"

namespace crimemap::test {

// Imports about `per_month` stops for each of the months into `db` (seeded); returns how many
// rows were written (located or not).
inline long long import_synthetic_stops(const TestDatabase& db, const std::vector<std::string>& months,
                                        int per_month = 400) {
    static const std::array<const char*, 18> objects{"Controlled drugs",
                                                     "Offensive weapons",
                                                     "Stolen goods",
                                                     "Article for use in theft",
                                                     "Articles for use in criminal damage",
                                                     "Firearms",
                                                     "Anything to threaten or harm anyone",
                                                     "Psychoactive substances",
                                                     "Fireworks",
                                                     "Crossbows",
                                                     "Evidence of offences under the Act",
                                                     "Detailed object of search unavailable",
                                                     "",
                                                     "controlled DRUGS",
                                                     "Game or poaching equipment",
                                                     "Goods on which duty has not been paid etc.",
                                                     "Seals or hunting equipment",
                                                     "Controlled drugs"};
    static const std::array<const char*, 15> outcomes{"A no further action disposal",
                                                      "Arrest",
                                                      "Community resolution",
                                                      "Khat or Cannabis warning",
                                                      "Penalty Notice for Disorder",
                                                      "Summons / charged by post",
                                                      "Caution (simple or conditional)",
                                                      "Article found - Detailed outcome unavailable",
                                                      "Local resolution",
                                                      "Suspect arrested",
                                                      "Suspect summonsed to court",
                                                      "Offender given drugs possession warning",
                                                      "Offender cautioned",
                                                      "Nothing found - no further action",
                                                      ""};
    auto conn = db.connect();
    auto points = conn.query("SELECT lon, lat FROM snap_locations ORDER BY id");
    if (points.size() == 0) throw std::runtime_error("import_synthetic_stops: seed the sample first");
    const auto dir = std::filesystem::temp_directory_path() / ("crimemap-stops-" + db.name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    long long rows = 0;
    int n = 0;
    for (const auto& month : months) {
        std::ofstream out(dir / (month + "-west-mercia-stop-and-search.csv"));
        out << "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age "
               "range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
               "Outcome linked to object of search,Removal of more than just outer clothing\n";
        for (int i = 0; i < per_month; ++i, ++n) {
            const int p = (n * 37) % points.size();
            const bool located = n % 13 != 0;
            char line[512];
            std::snprintf(line, sizeof line,
                          "Person search,%s-%02dT10:00:00+00:00,False,,%s,%s,Male,18-24,,White,"
                          "Misuse of Drugs Act 1971 (section 23),%s,%s,False,False\n",
                          month.c_str(), 1 + n % 28, located ? std::string(points.text(p, 1)).c_str() : "",
                          located ? std::string(points.text(p, 0)).c_str() : "", objects[n % objects.size()],
                          outcomes[n % outcomes.size()]);
            out << line;
            ++rows;
        }
        // An import replaces each (force, month): the fixture file's rows join its month's file.
        std::ifstream fixture(
            source_path("tests/fixtures/stops/" + month + "/" + month + "-west-mercia-stop-and-search.csv"));
        std::string row;
        for (bool header = true; std::getline(fixture, row); header = false)
            if (!header && !row.empty()) {
                out << row << '\n';
                ++rows;
            }
    }
    auto r = db.crimemap({"import", "stops", dir.string()});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    std::filesystem::remove_all(dir);
    return rows;
}

}  // namespace crimemap::test
