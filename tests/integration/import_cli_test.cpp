// The crimemap command line: help, errors as one clear line, migrate, status, indicators.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "support/test_db.hpp"

using crimemap::test::run_crimemap;
using crimemap::test::source_path;
using crimemap::test::TestDatabase;

TEST(ImportCli, HelpForEveryCommand) {
    auto top = run_crimemap({"--help"});
    EXPECT_EQ(top.exit_code, 0);
    EXPECT_NE(top.out.find("usage: crimemap <command>"), std::string::npos);
    const std::vector<std::vector<std::string>> commands = {{"migrate"},
                                                            {"status"},
                                                            {"refresh"},
                                                            {"seed"},
                                                            {"import", "crimes"},
                                                            {"import", "postcodes"},
                                                            {"import", "boundaries"},
                                                            {"import", "neighbourhoods"},
                                                            {"import", "indicators"},
                                                            {"import", "lookups"},
                                                            {"import", "population"},
                                                            {"import", "deprivation"},
                                                            {"import", "classification"}};
    for (auto args : commands) {
        std::string joined = args.size() == 1 ? args[0] : args[0] + " " + args[1];
        args.emplace_back("--help");
        auto r = run_crimemap(args);
        EXPECT_EQ(r.exit_code, 0) << joined << ": " << r.describe();
        EXPECT_NE(r.out.find("usage: crimemap " + joined), std::string::npos) << r.out;
    }
}

TEST(ImportCli, ErrorsAreOneClearLine) {
    auto unknown = run_crimemap({"frobnicate"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
    auto bad_flag = run_crimemap({"import", "crimes", "--bogus", "x"});
    EXPECT_EQ(bad_flag.exit_code, 1);
    EXPECT_EQ(bad_flag.err, "crimemap import: unknown option '--bogus' (see --help)\n");
    auto no_db =
        run_crimemap({"migrate", "--database-url", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"});
    EXPECT_EQ(no_db.exit_code, 1);
    EXPECT_EQ(std::count(no_db.err.begin(), no_db.err.end(), '\n'), 1) << no_db.err;
    EXPECT_NE(no_db.err.find("crimemap migrate: database error: cannot connect to the database"),
              std::string::npos)
        << no_db.err;
    auto no_kind =
        run_crimemap({"import", "boundaries", source_path("tests/fixtures/boundary_bowtie.geojson")});
    EXPECT_EQ(no_kind.exit_code, 1);
    EXPECT_NE(no_kind.err.find("--kind is required"), std::string::npos);
}

TEST(ImportCli, MigrateIsIdempotentAndStatusReports) {
    TestDatabase db;  // already migrated
    auto r = db.crimemap({"migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("up to date"), std::string::npos) << r.out;
    EXPECT_GE(db.count("SELECT count(*) FROM schema_migrations"), 3);
    EXPECT_EQ(db.count("SELECT count(*) FROM schema_migrations WHERE name = '0001_initial.sql'"), 1);
    auto quiet = db.crimemap({"migrate", "--quiet"});
    EXPECT_EQ(quiet.out, "");
    auto crimes = db.crimemap({"status", "--crimes"});
    EXPECT_EQ(crimes.exit_code, 0) << crimes.describe();
    EXPECT_EQ(crimes.out, "0\n");
    auto status = db.crimemap({"status"});
    EXPECT_EQ(status.exit_code, 0) << status.describe();
    EXPECT_NE(status.out.find("0 pending"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("no version yet"), std::string::npos) << status.out;
}

TEST(ImportCli, IndicatorsOflogAndLongFormat) {
    TestDatabase db;
    db.seed_sample();
    auto c = db.connect();
    auto r = c.query(
        "SELECT value, benchmark, polarity, name, area_group, unit FROM indicators"
        " WHERE area_code = 'E06000019' AND indicator = 'ASC1' AND period = '2016-17'");
    ASSERT_EQ(r.size(), 1);
    EXPECT_DOUBLE_EQ(r.float64(0, 0), 7.0);
    EXPECT_DOUBLE_EQ(r.float64(0, 1), 7.6);
    EXPECT_EQ(r.text(0, 2), "higher_is_better");
    EXPECT_EQ(r.text(0, 3), "ASC Carer Quality of Life");
    EXPECT_EQ(r.text(0, 4), "Unitary Authorities");
    EXPECT_EQ(db.count("SELECT count(*) FROM indicators"), 6078);  // 6,376 rows minus 298 without a value
    EXPECT_EQ(db.scalar("SELECT DISTINCT polarity FROM indicators WHERE indicator = 'ASC7'"), "neutral");
    EXPECT_EQ(db.count("SELECT count(*) FROM indicators WHERE polarity IS NULL"), 0);

    auto longf = db.crimemap({"import", "indicators", source_path("tests/fixtures/indicators_long.csv")});
    ASSERT_EQ(longf.exit_code, 0) << longf.describe();
    EXPECT_NE(longf.out.find("long layout, 6 rows, 4 loaded"), std::string::npos) << longf.out;
    EXPECT_NE(longf.err.find("indicators_long.csv:6: unknown polarity 'sideways'"), std::string::npos)
        << longf.err;
    EXPECT_NE(longf.err.find("indicators_long.csv:7: unreadable value 'not-a-number'"), std::string::npos)
        << longf.err;
    auto resp = c.query(
        "SELECT value, target, polarity, unit, name FROM indicators WHERE indicator = 'RESP1' AND period = "
        "'2019-02'");
    ASSERT_EQ(resp.size(), 1);
    EXPECT_DOUBLE_EQ(resp.float64(0, 0), 9.75);
    EXPECT_DOUBLE_EQ(resp.float64(0, 1), 10);
    EXPECT_EQ(resp.text(0, 2), "lower_is_better");
    EXPECT_EQ(resp.text(0, 3), "minutes");
    EXPECT_EQ(db.scalar("SELECT name FROM indicators WHERE indicator = 'SAT1'"),
              "Residents satisfied, all services");
    auto again = db.crimemap({"import", "indicators", source_path("tests/fixtures/indicators_long.csv")});
    ASSERT_EQ(again.exit_code, 0);
    EXPECT_EQ(db.count("SELECT count(*) FROM indicators"), 6078 + 4);
}

// Every import command opens the same way (tools/import_command.hpp): without a PATH the help on
// stdout and exit 2; a missing PATH or a folder without files of its kind is one error line, exit 1.
TEST(ImportCli, EveryImportOpensTheSameWay) {
    const std::string missing = source_path("tests/fixtures/no-such-folder");
    const std::string empty = ::testing::TempDir() + "crimemap-import-empty";
    std::filesystem::create_directories(empty);
    const std::vector<std::pair<std::string, std::string>> kinds = {
        {"crimes", "no police.uk street-level crime files (*-street.csv[.gz]) under the given paths"},
        {"postcodes", "no .csv or .csv.gz files under the given paths"},
        {"neighbourhoods", "no .kml files under the given paths"},
        {"indicators", "no .csv files under the given paths"},
        {"lookups", "no .json, .json.gz or .csv files under the given paths"},
        {"population", "no .csv files under the given paths"},
        {"deprivation", "no .csv files under the given paths"},
        {"classification", "no .csv files under the given paths"},
        {"boundaries", "no vector files (.geojson, .topojson, .kml, .shp, .gpkg, ...) under the given paths"},
        {"outcomes", "no police.uk outcome files (*-outcomes.csv[.gz]) under the given paths"},
        {"stops", "no police.uk stop-and-search files (*-stop-and-search.csv[.gz]) under the given paths"},
        {"forces", "no .json files under the given paths"},
    };
    for (const auto& [kind, no_files] : kinds) {
        std::vector<std::string> base = {"import", kind};
        if (kind == "boundaries") base.insert(base.end(), {"--kind", "lsoa"});
        auto help = run_crimemap(base);
        EXPECT_EQ(help.exit_code, 2) << kind;
        EXPECT_EQ(help.out.rfind("usage: crimemap import " + kind, 0), 0u) << help.out;
        EXPECT_EQ(help.out, run_crimemap({"import", kind, "--help"}).out) << kind;
        auto with = [&](const std::string& path) {
            auto args = base;
            args.push_back(path);
            return run_crimemap(args);
        };
        auto gone = with(missing);
        EXPECT_EQ(gone.exit_code, 1) << kind;
        EXPECT_EQ(gone.err, "crimemap import: " + missing + ": no such file or folder\n") << kind;
        auto none = with(empty);
        EXPECT_EQ(none.exit_code, 1) << kind;
        EXPECT_EQ(none.err, "crimemap import: " + no_files + "\n") << kind;
    }
}

// A force met first in an outcomes file's 'Falls within' is added once the file's COPY is over
// (added during it, the INSERT failed the import: "another command is already in progress"), named
// as the file names it, without a PFA code.
TEST(ImportCli, OutcomesAddAForceNamedOnlyInFallsWithin) {
    TestDatabase db;
    auto r =
        db.crimemap({"import", "outcomes", source_path("tests/fixtures/outcomes_new_force-outcomes.csv")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(db.scalar("SELECT name || '|' || coalesce(pfa_code, 'none') FROM forces WHERE id = 'newtown'"),
              "Newtown Police|none");
    EXPECT_EQ(db.count("SELECT count(*) FROM outcomes WHERE force_id = 'newtown' AND crime_id = 'newtown-1'"),
              1);
    EXPECT_EQ(db.count("SELECT count(*) FROM outcomes WHERE force_id = 'west-mercia' AND crime_id = 'wm-1'"),
              1);
}
