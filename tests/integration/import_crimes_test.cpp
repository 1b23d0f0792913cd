// `crimemap import crimes` on the private PostGIS: counts against the files, idempotence, bad rows,
// and what an import killed half-way leaves behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/gz_text.hpp"
#include "support/test_db.hpp"

using crimemap::test::source_path;
using crimemap::test::TestDatabase;
namespace fs = std::filesystem;

namespace {

// Reads a (possibly gzipped) text file whole, independently of the importer's CSV reader.
std::string slurp(const fs::path& p) { return crimemap::test::read_gz_text(p.string()); }

struct FileCounts {
    long long rows = 0, without_location = 0;
};

// police.uk files have one record per line (no quoted newlines): rows = lines - header; a row has
// no location when its 5th field (Longitude) is empty.
FileCounts count_csv(const fs::path& p) {
    std::istringstream in(slurp(p));
    std::string line;
    FileCounts c;
    bool header = true;
    while (std::getline(in, line)) {
        if (header) {
            header = false;
            continue;
        }
        if (line.empty() || line == "\r") continue;
        ++c.rows;
        std::size_t pos = 0;
        for (int i = 0; i < 4; ++i) pos = line.find(',', pos) + 1;
        if (line[pos] == ',') ++c.without_location;
    }
    return c;
}

// The loader keeps crimes' references (0004_crimes_bulk_load.sql dropped the per-row FK triggers).
long long dangling_references(const TestDatabase& db) {
    return db.count(
        "SELECT (SELECT count(*) FROM crimes c WHERE c.location_id IS NOT NULL AND NOT EXISTS"
        "  (SELECT 1 FROM snap_locations s WHERE s.id = c.location_id))"
        " + (SELECT count(*) FROM crimes c WHERE NOT EXISTS (SELECT 1 FROM forces f WHERE f.id = "
        "c.force_id))");
}

std::vector<fs::path> sample_crime_files() {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(source_path("data/sample/crimes")))
        if (e.is_regular_file() && e.path().filename().string().find("-street.csv") != std::string::npos)
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::map<std::string, long long> counts_by_force_month(const TestDatabase& db) {
    auto c = db.connect();
    auto r = c.query(
        "SELECT force_id || ' ' || to_char(month, 'YYYY-MM'), count(*) FROM crimes GROUP BY 1 ORDER BY 1");
    std::map<std::string, long long> out;
    for (int i = 0; i < r.size(); ++i) out[std::string(r.text(i, 0))] = r.int64(i, 1);
    return out;
}

fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("cm_import_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

}  // namespace

TEST(ImportCrimes, SampleCountsPerForceMonthEqualTheFiles) {
    TestDatabase db;
    db.seed_sample();
    std::map<std::string, long long> expected;
    long long total = 0, without_location = 0;
    for (const auto& f : sample_crime_files()) {
        std::string name = f.filename().string();  // 2018-10-west-mercia-street.csv.gz
        std::string key = name.substr(8, name.find("-street") - 8) + " " + name.substr(0, 7);
        auto c = count_csv(f);
        expected[key] += c.rows;
        total += c.rows;
        without_location += c.without_location;
    }
    ASSERT_EQ(expected.size(), 5u);
    EXPECT_EQ(total, 50984);  // PROVENANCE.md
    EXPECT_EQ(counts_by_force_month(db), expected);
    EXPECT_EQ(db.count("SELECT count(*) FROM crimes WHERE location_id IS NULL AND geom IS NULL"),
              without_location);
    EXPECT_EQ(db.count("SELECT count(*) FROM crime_loads WHERE force_id = 'west-mercia'"), 5);
    EXPECT_EQ(db.count("SELECT sum(rows_loaded) FROM crime_loads"), total);
    // Anti-social behaviour rows have no police.uk Crime ID; every other row has one.
    EXPECT_EQ(
        db.count(
            "SELECT count(*) FROM crimes WHERE crime_id IS NULL AND category <> 'anti-social-behaviour'"),
        0);
    EXPECT_EQ(
        db.count(
            "SELECT count(*) FROM crimes WHERE crime_id IS NOT NULL AND category = 'anti-social-behaviour'"),
        0);
    // Snap locations are shared: far fewer than located crimes, and each (point, name) once.
    long long snaps = db.count("SELECT count(*) FROM snap_locations");
    EXPECT_GT(snaps, 1000);
    EXPECT_LT(snaps, total / 2);
    EXPECT_EQ(db.count("SELECT count(*) FROM crimes c JOIN snap_locations s ON s.id = c.location_id"
                       " WHERE NOT ST_Equals(c.geom, s.geom) OR c.location <> s.name"),
              0);
    EXPECT_EQ(dangling_references(db), 0);
    EXPECT_EQ(db.scalar("SELECT name FROM forces WHERE id = 'west-mercia'"), "West Mercia Police");
    EXPECT_EQ(db.scalar("SELECT pfa_code FROM forces WHERE id = 'west-mercia'"), "E23000016");
}

TEST(ImportCrimes, ReimportDoesNotDuplicate) {
    TestDatabase db;
    std::string month = source_path("data/sample/crimes/2018-10");
    auto first = db.crimemap({"import", "crimes", month});
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    long long crimes = db.count("SELECT count(*) FROM crimes");
    long long snaps = db.count("SELECT count(*) FROM snap_locations");
    EXPECT_EQ(crimes, 11006);
    // The same month again, once gzipped and once as a plain copy under another folder.
    fs::path dir = temp_dir("reimport");
    fs::path plain = dir / "2018-10-west-mercia-street.csv";
    std::ofstream(plain, std::ios::binary) << slurp(fs::path(month) / "2018-10-west-mercia-street.csv.gz");
    for (const std::string& path : {month, plain.string()}) {
        auto again = db.crimemap({"import", "crimes", path});
        ASSERT_EQ(again.exit_code, 0) << again.describe();
        EXPECT_EQ(db.count("SELECT count(*) FROM crimes"), crimes);
        EXPECT_EQ(db.count("SELECT count(*) FROM snap_locations"), snaps);
        EXPECT_EQ(db.count("SELECT count(*) FROM crime_loads"), 1);
        EXPECT_EQ(dangling_references(db), 0);
    }
    fs::remove_all(dir);
}

TEST(ImportCrimes, BadRowsAreReportedAndGoodRowsLoad) {
    TestDatabase db;
    std::string fixture = source_path("tests/fixtures/crimes_bad_rows.csv");
    auto r = db.crimemap({"import", "crimes", fixture});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    // Each bad line reported as file:line: reason, in order.
    std::vector<int> reported;
    std::regex line_re(std::regex_replace(fixture, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                       ":([0-9]+): (.*)");
    std::istringstream err(r.err);
    std::string line;
    std::vector<std::string> reasons;
    while (std::getline(err, line)) {
        std::smatch m;
        if (std::regex_match(line, m, line_re)) {
            reported.push_back(std::stoi(m[1]));
            reasons.push_back(m[2]);
        }
    }
    EXPECT_EQ(reported, (std::vector<int>{5, 6, 7, 8, 10, 14, 15})) << r.err;
    ASSERT_EQ(reasons.size(), 7u);
    EXPECT_NE(reasons[0].find("wrong column count"), std::string::npos);
    EXPECT_NE(reasons[1].find("unreadable month"), std::string::npos);
    EXPECT_NE(reasons[2].find("outside the UK"), std::string::npos);
    EXPECT_NE(reasons[3].find("unknown crime type"), std::string::npos);
    EXPECT_NE(reasons[4].find("bad coordinates"), std::string::npos);
    EXPECT_NE(reasons[5].find("unreadable month"), std::string::npos);
    EXPECT_NE(reasons[6].find("bad text"), std::string::npos)
        << "a Latin-1 byte: reported, not a failed COPY";
    EXPECT_NE(r.out.find("skipped by reason"), std::string::npos) << r.out;
    // Good rows: lines 2, 3, 4, 9, 11 (two physical lines) in 2018-10 and 13 in 2018-11; force from "Falls
    // within".
    EXPECT_EQ(counts_by_force_month(db),
              (std::map<std::string, long long>{{"west-mercia 2018-10", 5}, {"west-mercia 2018-11", 1}}));
    EXPECT_EQ(db.scalar("SELECT location FROM crimes WHERE crime_id = 'c9'"),
              "On or near Smith's Lane, Upper");
    EXPECT_EQ(db.scalar("SELECT last_outcome FROM crimes WHERE crime_id = 'c9'"),
              "Offender given a caution, then released");
    EXPECT_EQ(db.scalar("SELECT context FROM crimes WHERE crime_id = 'c11'"), "Context over\r\ntwo lines");
    EXPECT_EQ(
        db.count("SELECT count(*) FROM crimes WHERE crime_id IS NULL AND category = 'anti-social-behaviour'"),
        1);
    EXPECT_EQ(
        db.scalar(
            "SELECT location FROM crimes WHERE crime_id = '0b1c' AND geom IS NULL AND location_id IS NULL"),
        "No Location");
    EXPECT_EQ(db.scalar("SELECT category FROM crimes WHERE crime_id LIKE '6a4c%'"), "violent-crime");
    // Skips are booked to a force-month when the row says which (lines 7, 8, 10, 15); the others
    // (wrong width, unreadable month) cannot be, in a file whose name carries no force-month.
    EXPECT_EQ(db.count("SELECT rows_skipped FROM crime_loads WHERE month = '2018-10-01'"), 4);
    // --strict turns skipped rows into a non-zero exit (after loading the good ones).
    auto strict = db.crimemap({"import", "crimes", "--strict", fixture});
    EXPECT_EQ(strict.exit_code, 3) << strict.describe();
    EXPECT_EQ(db.count("SELECT count(*) FROM crimes"), 6);
}

TEST(ImportCrimes, OnlyTheFirstTenBadRowsAreShown) {
    TestDatabase db;
    fs::path dir = temp_dir("many_bad");
    fs::path file = dir / "2019-03-west-mercia-street.csv";
    {
        std::ofstream out(file, std::ios::binary);
        out << "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA "
               "name,Crime type,"
               "Last outcome category,Context\n";
        for (int i = 0; i < 25; ++i) out << "x" << i << ",2019-03,W,W,-2.7,52.0,L,,,Not a type,,\n";
        out << ",2019-03,W,W,-2.7,52.0,L,,,Burglary,,\n";
    }
    auto r = db.crimemap({"import", "crimes", file.string()});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 11) << r.err;  // 10 rows + the "and 15 more" line
    EXPECT_NE(r.err.find("15 more bad rows"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("unknown crime type 25"), std::string::npos) << r.out;
    EXPECT_EQ(db.count("SELECT count(*) FROM crimes WHERE month = '2019-03-01'"), 1);
    fs::remove_all(dir);
}

TEST(ImportCrimes, KilledWhileReadingLeavesTheMonthsAlreadyLoaded) {
    TestDatabase db;
    // SIGKILL once 15,000 rows are read: 2018-10 (11,006 rows) is committed, 2018-11 is half-staged.
    auto killed = db.crimemap({"import", "crimes", source_path("data/sample/crimes")},
                              {{"CRIMEMAP_FAULT_KILL_AFTER_ROWS", "15000"}});
    ASSERT_EQ(killed.signal, SIGKILL) << killed.describe();
    EXPECT_EQ(counts_by_force_month(db), (std::map<std::string, long long>{{"west-mercia 2018-10", 11006}}));
    EXPECT_EQ(db.count("SELECT count(*) FROM crime_loads"), 1);
    // Running it again completes the set.
    auto again = db.crimemap({"import", "crimes", source_path("data/sample/crimes")});
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_EQ(db.count("SELECT count(*) FROM crimes"), 50984);
}

TEST(ImportCrimes, KilledInsideAReplaceKeepsThePreviousVersionOfThatMonth) {
    TestDatabase db;
    auto full = db.crimemap({"import", "crimes", source_path("data/sample/crimes")});
    ASSERT_EQ(full.exit_code, 0) << full.describe();
    auto before = counts_by_force_month(db);
    // Shortened versions of the first two months (100 rows each).
    fs::path dir = temp_dir("kill_replace");
    for (const char* month : {"2018-10", "2018-11"}) {
        std::string name = std::string(month) + "-west-mercia-street.csv";
        std::istringstream in(slurp(fs::path(source_path("data/sample/crimes")) / month / (name + ".gz")));
        std::ofstream out(dir / name, std::ios::binary);
        std::string line;
        for (int i = 0; i < 101 && std::getline(in, line); ++i) out << line << "\n";
    }
    // SIGKILL in the second replace transaction, after its DELETE and INSERT, before COMMIT.
    auto killed = db.crimemap({"import", "crimes", dir.string()}, {{"CRIMEMAP_FAULT_KILL_IN_REPLACE", "2"}});
    ASSERT_EQ(killed.signal, SIGKILL) << killed.describe();
    auto after = counts_by_force_month(db);
    auto expected = before;
    expected["west-mercia 2018-10"] = 100;  // committed before the kill
    EXPECT_EQ(after, expected);             // 2018-11 untouched: 10,551 rows, not 0 and not 100
    EXPECT_EQ(after["west-mercia 2018-11"], 10551);
    EXPECT_EQ(db.count("SELECT rows_loaded FROM crime_loads WHERE month = '2018-11-01'"), 10551);
    EXPECT_EQ(dangling_references(db), 0);
    // A refresh after the partial import drops the snap locations nobody uses any more, not others.
    auto refresh = db.crimemap({"refresh"});
    ASSERT_EQ(refresh.exit_code, 0) << refresh.describe();
    EXPECT_EQ(dangling_references(db), 0);
    EXPECT_EQ(db.count("SELECT count(*) FROM snap_locations s WHERE NOT EXISTS (SELECT 1 FROM crimes c WHERE "
                       "c.location_id = s.id)"),
              0);
    fs::remove_all(dir);
}

TEST(ImportCrimes, FolderWithoutCrimeFilesIsAnError) {
    TestDatabase db;
    auto r = db.crimemap({"import", "crimes", source_path("data/sample/boundaries")});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("no police.uk street-level crime files"), std::string::npos) << r.err;
    auto missing = db.crimemap({"import", "crimes", "/no/such/file.csv"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
    EXPECT_NE(missing.err.find("/no/such/file.csv: no such file or folder"), std::string::npos)
        << missing.err;
    auto not_crimes = db.crimemap({"import", "crimes", source_path("tests/fixtures/indicators_long.csv")});
    EXPECT_EQ(not_crimes.exit_code, 1);
    EXPECT_NE(not_crimes.err.find("not a police.uk street-level crime file"), std::string::npos)
        << not_crimes.err;
}

TEST(ImportCrimes, SummaryGivesSkipReasonsPerForceMonth) {
    TestDatabase db;
    fs::path dir = temp_dir("reasons");
    // A file named for its force-month: every skip is booked to it, whatever the reason.
    fs::path named = dir / "2019-03-west-mercia-street.csv";
    {
        std::ofstream out(named, std::ios::binary);
        out << "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA "
               "name,Crime type,"
               "Last outcome category,Context\n"
               "a,2019-03,W,W,-2.7,52.0,L,,,Burglary,,\n"
               "b,2019-03,W,W,-2.7,52.0,L,,,Jaywalking,,\n"
               "c,2019-03,W,W,-2.7,52.0,L,,,Jaywalking,,\n"
               "d,2019-03,W,W,9.9,52.0,L,,,Burglary,,\n"
               "e,2019-03,W,W,-2.7,52.0,L,,,Burglary\n";
    }
    auto r =
        db.crimemap({"import", "crimes", named.string(), source_path("tests/fixtures/crimes_bad_rows.csv")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    // Each force-month row of the table is followed by the reasons of its skips.
    auto row_and_reasons = [&](const std::string& label) {
        std::istringstream in(r.out);
        std::string line, next;
        while (std::getline(in, line))
            if (line.rfind(label + " ", 0) == 0) {
                std::getline(in, next);
                return std::make_pair(line, next);
            }
        return std::make_pair(std::string(), std::string());
    };
    auto [march, march_reasons] = row_and_reasons("west-mercia 2019-03");
    EXPECT_NE(march.find(" 5 "), std::string::npos) << r.out;  // read
    EXPECT_EQ(march_reasons, "  skipped: wrong column count 1, bad coordinates 1, unknown crime type 2")
        << r.out;
    auto [october, october_reasons] = row_and_reasons("west-mercia 2018-10");
    EXPECT_EQ(october_reasons, "  skipped: bad coordinates 2, unknown crime type 1, bad text 1") << r.out;
    auto [november, november_reasons] = row_and_reasons("west-mercia 2018-11");
    EXPECT_EQ(november_reasons.find("skipped"), std::string::npos) << r.out;  // nothing skipped there
    auto [unreadable, unreadable_reasons] = row_and_reasons("(unreadable row)");
    EXPECT_EQ(unreadable_reasons, "  skipped: wrong column count 1, unreadable month 2") << r.out;
    EXPECT_NE(r.out.find("skipped by reason: wrong column count 2, unreadable month 2, bad coordinates 3, "
                         "unknown crime type 3, bad text 1"),
              std::string::npos)
        << r.out;
    fs::remove_all(dir);
}

TEST(ImportCrimes, ProgressOnATerminalOnly) {
    const std::string script = "/usr/bin/script";  // util-linux: runs a command on a pseudo-terminal
    ASSERT_TRUE(fs::exists(script)) << "script(1) from util-linux is not installed: run scripts/setup";
    TestDatabase db;
    const std::string file = source_path("data/sample/crimes/2018-10/2018-10-west-mercia-street.csv.gz");
    auto quote = [](const std::string& s) {  // for sh -c
        std::string out(1, '\'');
        for (char c : s) {
            if (c == '\'')
                out.append("'\\''");
            else
                out.push_back(c);
        }
        out.push_back('\'');
        return out;
    };
    std::string command = "exec " + quote(crimemap::test::crimemap_binary()) +
                          " import crimes --database-url " + quote(db.url()) + " " + quote(file);
    // stdin from /dev/null: whatever the test runner gives us, script(1) must not wait on it.
    auto tty = crimemap::test::run_program(
        "/bin/sh", {"-c", "exec " + script + " -qec \"$0\" /dev/null </dev/null", command});
    ASSERT_EQ(tty.exit_code, 0) << tty.describe();
    // On a terminal: "\r\x1b[K<file>: N rows, R rows/s", redrawn in place and cleared at the end.
    EXPECT_NE(tty.out.find("\r\x1b[K2018-10-west-mercia-street.csv.gz: 11,006 rows, "), std::string::npos)
        << tty.out;
    EXPECT_NE(tty.out.find("import crimes: 11,006 rows loaded"), std::string::npos) << tty.out;
    // Not a terminal (a pipe, as in scripts and logs): quiet.
    auto piped = db.crimemap({"import", "crimes", file});
    ASSERT_EQ(piped.exit_code, 0) << piped.describe();
    EXPECT_EQ(piped.err.find("\x1b[K"), std::string::npos) << piped.err;
    EXPECT_EQ(piped.out.find("\x1b[K"), std::string::npos) << piped.out;
    EXPECT_EQ(piped.err, "");
}
