#include "tools/population_import.hpp"

#include <cctype>
#include <cstdio>

#include "store/copy_in.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/import_command.hpp"

namespace crimemap::tools {

bool is_population_kind(std::string_view k) {
    for (const char* known : {"lsoa", "msoa", "ward", "lad", "pfa", "neighbourhood"})
        if (k == known) return true;
    return false;
}

namespace {

// An ONS code column, <prefix><yy>cd, and the area kind it names ("" when it is not one).
std::string ons_code_kind(std::string_view h) {
    static constexpr std::pair<std::string_view, std::string_view> prefixes[] = {
        {"lsoa", "lsoa"}, {"msoa", "msoa"}, {"wd", "ward"}, {"lad", "lad"}, {"pfa", "pfa"}};
    if (h.size() < 4 || h.substr(h.size() - 2) != "cd") return {};
    const std::string_view stem = h.substr(0, h.size() - 2);
    if (stem.size() < 3 || !std::isdigit(static_cast<unsigned char>(stem[stem.size() - 1])) ||
        !std::isdigit(static_cast<unsigned char>(stem[stem.size() - 2])))
        return {};
    const std::string_view prefix = stem.substr(0, stem.size() - 2);
    for (const auto& [p, kind] : prefixes)
        if (prefix == p) return std::string(kind);
    return {};
}

// "population_mid2019" -> "mid-2019"; "population_2020" -> "2020"; "" for anything else.
std::string population_period(std::string_view h) {
    constexpr std::string_view stem = "population_";
    if (h.substr(0, stem.size()) != stem || h.size() == stem.size()) return {};
    std::string period(h.substr(stem.size()));
    if (period.size() > 4 && period.compare(0, 3, "mid") == 0 && period[3] != '-') {
        std::string dashed = "mid-";
        dashed.append(period, 3, std::string::npos);
        period = std::move(dashed);
    }
    for (char ch : period)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return {};
    return period;
}

}  // namespace

std::optional<PopulationColumns> map_population_header(const std::vector<std::string_view>& header) {
    PopulationColumns c;
    int ons_code = -1;
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string h = to_lower(trim(header[i]));
        if ((h == "area_code" || (h == "code" && c.code < 0)))
            c.code = static_cast<int>(i);
        else if (h == "population" && c.population < 0)
            c.population = static_cast<int>(i);
        else if (c.population < 0 && !population_period(h).empty()) {
            c.population = static_cast<int>(i);
            c.header_period = population_period(h);
        } else if (h == "kind")
            c.kind = static_cast<int>(i);
        else if (ons_code < 0 && !ons_code_kind(h).empty()) {
            ons_code = static_cast<int>(i);
            c.header_kind = ons_code_kind(h);
        }
    }
    if (c.code < 0) c.code = ons_code;
    if (c.code != ons_code) c.header_kind.clear();  // the kind comes from the code column only
    if (c.code < 0 || c.population < 0) return std::nullopt;
    return c;
}

RowResult<PopulationRow> parse_population_row(const PopulationColumns& cols,
                                              const std::vector<std::string_view>& fields,
                                              const std::optional<std::string>& default_kind,
                                              const RowPlace& at) {
    // Short rows read as empty fields: a missing population is then reported as unreadable.
    auto get = [&](int i) {
        return i >= 0 && static_cast<std::size_t>(i) < fields.size()
                   ? trim(fields[static_cast<std::size_t>(i)])
                   : std::string_view{};
    };
    PopulationRow row;
    row.code = get(cols.code);
    row.kind = to_lower(get(cols.kind));
    if (row.kind.empty() && default_kind) row.kind = *default_kind;
    if (row.code.empty()) return row_error(at, "no area code");
    auto population = parse_population(get(cols.population));
    if (!population)
        return row_error(at,
                         "unreadable population '" + std::string(get(cols.population)) + "' for " + row.code);
    if (!row.kind.empty() && !is_population_kind(row.kind))
        return row_error(at, "unknown kind '" + row.kind + "' for " + row.code);
    row.population = *population;
    return row;
}

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import population [--kind K] [--period P] [--database-url URL] PATH...\n"
    "\n"
    "Sets the number of residents of areas (areas.population) from CSV files (plain or gzipped),\n"
    "read by header name (any order, any case; other columns are ignored):\n"
    "  area_code,population[,kind]\n"
    "  E01014010,1520,lsoa\n"
    "area_code may also be called code; population is a whole number (\"1,520\" is read too);\n"
    "kind (lsoa, msoa, ward, lad, pfa, neighbourhood) limits a row to areas of that kind, else\n"
    "--kind does, else every area with the code gets the value. ONS files are read as published:\n"
    "  LSOA11CD,population_mid2019        (ONS mid-2019 LSOA estimates)\n"
    "an ONS code column (LSOA11CD, MSOA11CD, WD19CD, LAD19CD, PFA20CD) gives the kind, and a\n"
    "population_<period> column the period (\"mid-2019\"; --period P states or overrides it).\n"
    "Each area records the file and the period (areas.population_source, population_period).\n"
    "\n"
    "The areas must exist (import the boundaries first): codes with no such area are counted\n"
    "(the first 10 shown on stderr) and skipped, as are rows with an unreadable population or\n"
    "kind. When a code repeats, the last row wins. Importing the same file again changes nothing.\n"
    "\n"
    "`crimemap refresh` then derives the population of every MSOA, ward, district, force area and\n"
    "neighbourhood without one of its own: the sum of the LSOAs whose representative point\n"
    "(ST_PointOnSurface) lies inside it, when every such LSOA has a population. Rates per 1,000\n"
    "residents (per_1000 on the areas tile layer, /v1/areas, the postcode summary, league tables,\n"
    "meeting packs) are given wherever the population is known, once refresh publishes a new\n"
    "dataset version. Boundaries can carry populations too:\n"
    "`crimemap import boundaries --population-field F`.\n"
    "\n"
    "  --kind K            area kind for rows without a kind column\n"
    "  --period P          period of the estimates, e.g. mid-2019 (default: from the header)\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

}  // namespace

int cmd_import_population(const std::vector<std::string>& argv) {
    ImportCommandSpec spec{kHelp, {"kind", "period"}, {}, is_csv_file, "no .csv files under the given paths"};
    spec.check_options = [](const Args& args) {
        if (auto kind = args.get("kind"); kind && !is_population_kind(*kind))
            throw CliError("unknown --kind '" + *kind + "' (lsoa, msoa, ward, lad, pfa, neighbourhood)");
    };
    auto opened = open_import(argv, spec);
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    store::Connection& db = s.db;
    const std::optional<std::string> kind_option = s.args.get("kind");
    const std::optional<std::string> period_option = s.args.get("period");
    db.exec(
        "CREATE TEMP TABLE IF NOT EXISTS population_staging (line bigint, code text, kind text, population "
        "integer)");
    // Bad rows and unknown codes share one list of notes (the first 10 shown).
    RowErrorLog notes;
    for (const auto& path : s.files) {
        const std::string file = path.string();
        CsvReader csv(open_file_source(file));
        if (!csv.next()) throw CliError(file + ": empty file");
        auto cols = map_population_header(csv.fields());
        if (!cols) throw CliError(file + ": expected the columns area_code,population[,kind] in the header");
        std::optional<std::string> default_kind = kind_option;
        if (!default_kind && !cols->header_kind.empty()) default_kind = cols->header_kind;
        const std::string period = period_option ? *period_option : cols->header_period;
        std::vector<std::pair<std::uint64_t, PopulationRow>> rows;
        std::uint64_t read = 0, bad = 0;
        while (csv.next()) {
            ++read;
            auto parsed = parse_population_row(*cols, csv.fields(), default_kind, RowPlace{file, csv.line()});
            if (!parsed.ok()) {
                ++bad;
                notes.note(parsed.error());
                continue;
            }
            rows.emplace_back(csv.line(), std::move(parsed.row()));
        }
        store::Transaction tx(db);
        db.exec("TRUNCATE population_staging");
        {
            store::CopyIn copy(db, "COPY population_staging FROM STDIN");
            for (const auto& [line, r] : rows) {
                std::optional<std::string_view> kind;
                if (!r.kind.empty()) kind = r.kind;
                copy.put_row({std::to_string(line), r.code, kind, std::to_string(r.population)});
            }
            copy.finish();
        }
        // The last row of a (code, kind) wins.
        db.exec(
            "DELETE FROM population_staging WHERE line NOT IN (SELECT DISTINCT ON (code, coalesce(kind, '')) "
            "line"
            " FROM population_staging ORDER BY code, coalesce(kind, ''), line DESC)");
        db.exec("ANALYZE population_staging");
        auto unknown = db.query(
            "SELECT line, code, coalesce(kind, '') FROM population_staging s WHERE NOT EXISTS ("
            " SELECT 1 FROM areas a WHERE a.code = s.code AND (s.kind IS NULL OR a.kind = s.kind)) ORDER BY "
            "line");
        auto set = db.query(
            "SELECT count(*), count(*) FILTER (WHERE a.population IS DISTINCT FROM s.population)"
            " FROM areas a JOIN population_staging s ON a.code = s.code AND (s.kind IS NULL OR a.kind = "
            "s.kind)");
        db.query(
            "UPDATE areas a SET population = s.population, population_method = 'file', population_source = "
            "$1,"
            " population_period = nullif($2, ''), population_lsoas = NULL FROM population_staging s"
            " WHERE a.code = s.code AND (s.kind IS NULL OR a.kind = s.kind) AND (a.population, "
            "a.population_method,"
            " a.population_source, a.population_period) IS DISTINCT FROM (s.population, 'file', $1, "
            "nullif($2, ''))",
            {path.filename().string(), period});
        tx.commit();
        for (int i = 0; i < unknown.size(); ++i) {
            std::string kind(unknown.text(i, 2));
            notes.note(RowError{file, static_cast<std::uint64_t>(unknown.int64(i, 0)),
                                "unknown area code " + std::string(unknown.text(i, 1)) +
                                    (kind.empty() ? "" : " (kind " + kind + ")")});
        }
        std::printf("%s: %s rows, %s areas given a population (%s changed), %s unknown codes, %s bad rows\n",
                    path.filename().string().c_str(), with_commas(read).c_str(),
                    with_commas(static_cast<std::uint64_t>(set.int64(0, 0))).c_str(),
                    with_commas(static_cast<std::uint64_t>(set.int64(0, 1))).c_str(),
                    with_commas(static_cast<std::uint64_t>(unknown.size())).c_str(),
                    with_commas(bad).c_str());
    }
    notes.print_rest("not shown");
    std::printf("import population: run crimemap refresh to publish the populations to the server\n");
    return 0;
}

}  // namespace crimemap::tools
