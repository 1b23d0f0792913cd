#include "tools/table_import.hpp"

#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>

namespace crimemap::tools {
namespace fs = std::filesystem;

std::optional<std::string> normalise_polarity(std::string_view text) {
    std::string t = to_lower(trim(text));
    if (t.empty()) return std::string();
    if (t == "higher_is_better" || t == "higher" || t == "up" || t == "desc") return std::string("higher_is_better");
    if (t == "lower_is_better" || t == "lower" || t == "down" || t == "asc") return std::string("lower_is_better");
    if (t == "neutral" || t == "none") return std::string("neutral");
    return std::nullopt;
}

std::string lookup_kind_for_file(std::string_view stem) {
    static const std::map<std::string, std::string, std::less<>> kinds = {
        {"lsoa", "lsoa"}, {"msoa", "msoa"}, {"wards", "ward"}, {"ward", "ward"}, {"districts", "lad"},
        {"lad", "lad"}, {"police_force_areas", "pfa"}, {"pfa", "pfa"}, {"counties", "county"},
        {"regions", "region"}, {"countries", "country"}, {"constituencies", "pcon"},
        {"parliamentary_constituencies", "pcon"}, {"pcon", "pcon"}, {"ccgs", "ccg"}, {"ccg", "ccg"},
        {"parishes", "parish"}, {"nuts", "nuts"}, {"european_registers", "eer"}, {"nhs_ha", "nhs_ha"},
    };
    std::string s = to_lower(stem);
    if (auto it = kinds.find(s); it != kinds.end()) return it->second;
    return s;
}

namespace {

bool parse_double(std::string_view s, double& out) {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

void opt_field(std::string& buf, std::string_view v) {
    if (v.empty()) store::append_copy_null(buf);
    else store::append_copy_field(buf, v);
}

// Units of the Oflog adult-social-care measures where the published table makes them clear.
std::string_view oflog_unit(std::string_view code) {
    if (code == "ASC3" || code == "ASC4" || code == "ASC5" || code == "ASC7") return "%";
    if (code == "ASC1") return "score";
    return {};
}

std::string strip_prefix(std::string_view name) {
    name = trim(name);
    if (name.starts_with("Outcome, ")) name.remove_prefix(9);
    return std::string(name);
}

}  // namespace

int cmd_import_indicators(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url"}, {});
    if (args.help() || args.positional().empty()) {
        std::puts(
            "usage: crimemap import indicators [--database-url URL] PATH...\n"
            "\n"
            "Loads per-area performance indicators from CSV (plain or gzipped), in one of two layouts\n"
            "recognised by the header:\n"
            "  Oflog     Financial year,Local authority code,...,Measure,Code,Value,MEDIAN,...,rank_order\n"
            "            (indicator = Code, period = Financial year, benchmark = MEDIAN, polarity from\n"
            "            rank_order: desc -> higher_is_better, None -> neutral; empty values skipped)\n"
            "  long      area_code,indicator,period,value[,target,polarity,unit][,name,benchmark,area_group]\n"
            "            polarity: higher_is_better|lower_is_better|neutral (or higher/lower/none)\n"
            "Rows are upserted by (area_code, indicator, period): importing again changes nothing.\n"
            "\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return args.help() ? 0 : 2;
    }
    auto files = collect_files(args.positional(), is_csv_file);
    if (files.empty()) throw CliError("no .csv files under the given paths");
    store::Connection db(database_url(args));
    db.exec(
        "CREATE TEMP TABLE IF NOT EXISTS indicator_staging (line bigint, area_code text, indicator text, name text,"
        " period text, value double precision, unit text, polarity text, target double precision,"
        " benchmark double precision, area_group text)");
    std::uint64_t shown = 0;
    for (const auto& path : files) {
        CsvReader csv(open_file_source(path.string()));
        if (!csv.next()) throw CliError(path.string() + ": empty file");
        std::map<std::string, int> h;
        for (std::size_t i = 0; i < csv.size(); ++i) h[to_lower(trim(csv[i]))] = static_cast<int>(i);
        auto col = [&](const char* n) {
            auto it = h.find(n);
            return it == h.end() ? -1 : it->second;
        };
        const std::size_t width = csv.size();
        bool oflog = col("local authority code") >= 0 && col("code") >= 0 && col("value") >= 0 && col("financial year") >= 0;
        bool long_format = col("area_code") >= 0 && col("indicator") >= 0 && col("period") >= 0 && col("value") >= 0;
        if (!oflog && !long_format)
            throw CliError(path.string() +
                           ": unknown indicator layout (expected the Oflog columns or area_code,indicator,period,value)");
        int c_area = oflog ? col("local authority code") : col("area_code");
        int c_ind = oflog ? col("code") : col("indicator");
        int c_period = oflog ? col("financial year") : col("period");
        int c_value = col("value");
        int c_name = oflog ? col("measure") : col("name");
        int c_pol = oflog ? col("rank_order") : col("polarity");
        int c_target = col("target"), c_unit = col("unit");
        int c_bench = oflog ? col("median") : col("benchmark");
        int c_group = oflog ? col("entity_name") : col("area_group");
        auto get = [&](int i) { return i < 0 ? std::string_view{} : trim(csv[static_cast<std::size_t>(i)]); };

        db.exec("TRUNCATE indicator_staging");
        db.copy_begin("COPY indicator_staging FROM STDIN");
        std::string buf;
        std::uint64_t read = 0, loaded = 0, skipped = 0, empty = 0;
        auto bad = [&](const std::string& why) {
            ++skipped;
            if (shown++ < 10)
                std::fprintf(stderr, "%s:%llu: %s\n", path.string().c_str(), static_cast<unsigned long long>(csv.line()), why.c_str());
        };
        while (csv.next()) {
            ++read;
            if (csv.size() != width) {
                bad("got " + std::to_string(csv.size()) + " fields, expected " + std::to_string(width));
                continue;
            }
            auto area = get(c_area), ind = get(c_ind), period = get(c_period), value = get(c_value);
            if (area.empty() || ind.empty() || period.empty()) {
                bad("missing area code, indicator or period");
                continue;
            }
            double v = 0;
            if (value.empty() && oflog) {
                ++empty;  // Oflog leaves a value out where the LA did not report it
                continue;
            }
            if (!parse_double(value, v)) {
                bad("unreadable value '" + std::string(value) + "'");
                continue;
            }
            auto pol = normalise_polarity(get(c_pol));
            if (!pol) {
                if (oflog) pol = std::string();
                else {
                    bad("unknown polarity '" + std::string(get(c_pol)) + "'");
                    continue;
                }
            }
            double num = 0;
            auto target = get(c_target), bench = get(c_bench);
            if (!target.empty() && !parse_double(target, num)) {
                bad("unreadable target '" + std::string(target) + "'");
                continue;
            }
            if (!bench.empty() && !parse_double(bench, num)) bench = {};
            ++loaded;
            buf += std::to_string(csv.line());
            buf += '\t';
            store::append_copy_field(buf, area);
            buf += '\t';
            store::append_copy_field(buf, ind);
            buf += '\t';
            std::string name = oflog ? strip_prefix(get(c_name)) : std::string(get(c_name));
            store::append_copy_field(buf, name.empty() ? ind : std::string_view(name));
            buf += '\t';
            store::append_copy_field(buf, period);
            buf += '\t';
            store::append_copy_field(buf, value);
            buf += '\t';
            opt_field(buf, oflog ? oflog_unit(ind) : get(c_unit));
            buf += '\t';
            opt_field(buf, *pol);
            buf += '\t';
            opt_field(buf, target);
            buf += '\t';
            opt_field(buf, bench);
            buf += '\t';
            opt_field(buf, get(c_group));
            buf += '\n';
            if (buf.size() >= (1 << 20)) {
                db.copy_send(buf);
                buf.clear();
            }
        }
        if (!buf.empty()) db.copy_send(buf);
        db.copy_end();
        store::Transaction tx(db);
        // One polarity per indicator: Oflog leaves rank_order empty on some rows of a measure.
        db.exec(
            "UPDATE indicator_staging s SET polarity = p.polarity FROM ("
            " SELECT indicator, max(polarity) AS polarity FROM indicator_staging WHERE polarity IS NOT NULL GROUP BY indicator) p"
            " WHERE s.indicator = p.indicator AND s.polarity IS NULL");
        db.exec(
            "INSERT INTO indicators (area_code, indicator, name, period, value, unit, polarity, target, benchmark, area_group)"
            " SELECT DISTINCT ON (area_code, indicator, period) area_code, indicator, name, period, value, unit, polarity,"
            "  target, benchmark, area_group FROM indicator_staging ORDER BY area_code, indicator, period, line DESC"
            " ON CONFLICT (area_code, indicator, period) DO UPDATE SET name = EXCLUDED.name, value = EXCLUDED.value,"
            " unit = EXCLUDED.unit, polarity = EXCLUDED.polarity, target = EXCLUDED.target,"
            " benchmark = EXCLUDED.benchmark, area_group = EXCLUDED.area_group");
        tx.commit();
        std::printf("%s: %s layout, %s rows, %s loaded, %s without a value, %s skipped\n", path.filename().string().c_str(),
                    oflog ? "Oflog" : "long", with_commas(read).c_str(), with_commas(loaded).c_str(),
                    with_commas(empty).c_str(), with_commas(skipped).c_str());
    }
    if (shown > 10) std::fprintf(stderr, "... and %s more bad rows not shown\n", with_commas(shown - 10).c_str());
    return 0;
}

namespace {

bool is_gss_code(std::string_view code) {
    bool gss = code.size() == 9 && code[0] >= 'A' && code[0] <= 'Z';
    for (std::size_t i = 1; gss && i < 9; ++i) gss = code[i] >= '0' && code[i] <= '9';
    return gss && code.substr(1) != "99999999";
}

// An ONS district -> county lookup CSV (LADyyCD,LADyyNM,CTYyyCD,CTYyyNM or LTLAyyCD,...,UTLAyyCD,...)
// into district_counties, and its names into code_names. Unitary rows (county = district) are
// skipped: they have no county.
void import_district_county_csv(store::Connection& db, const fs::path& path) {
    CsvReader csv(open_file_source(path.string()));
    if (!csv.next()) throw CliError(path.string() + ": empty file");
    std::vector<std::string> names;
    for (const auto& f : csv.fields()) names.push_back(to_lower(trim(f)));
    auto find = [&](std::initializer_list<const char*> prefixes, const char* suffix) -> int {
        for (const char* prefix : prefixes)
            for (std::size_t i = 0; i < names.size(); ++i) {
                const std::string& n = names[i];
                std::string p(prefix);
                if (n.size() == p.size() + 4 && n.starts_with(p) && n.ends_with(suffix) && std::isdigit(static_cast<unsigned char>(n[p.size()])) &&
                    std::isdigit(static_cast<unsigned char>(n[p.size() + 1])))
                    return static_cast<int>(i);
            }
        return -1;
    };
    int c_lad = find({"lad", "ltla"}, "cd"), c_lad_name = find({"lad", "ltla"}, "nm");
    int c_cty = find({"cty", "utla"}, "cd"), c_cty_name = find({"cty", "utla"}, "nm");
    if (c_lad < 0 || c_cty < 0)
        throw CliError(path.string() +
                       ": not a district -> county lookup (expected LADyyCD and CTYyyCD, or LTLAyyCD and UTLAyyCD columns)");
    std::map<std::string, std::string> counties;
    std::map<std::pair<std::string, std::string>, std::string> code_names;
    std::uint64_t rows = 0, unitary = 0, ignored = 0;
    while (csv.next()) {
        ++rows;
        auto at = [&](int i) { return i >= 0 && static_cast<std::size_t>(i) < csv.size() ? trim(csv[static_cast<std::size_t>(i)]) : std::string_view{}; };
        std::string lad(at(c_lad)), county(at(c_cty));
        if (!is_gss_code(lad)) {
            ++ignored;
            continue;
        }
        if (!at(c_lad_name).empty()) code_names[{"lad", lad}] = std::string(at(c_lad_name));
        if (!is_gss_code(county) || county == lad) {
            ++unitary;
            continue;
        }
        if (!at(c_cty_name).empty()) code_names[{"county", county}] = std::string(at(c_cty_name));
        counties[lad] = county;
    }
    store::Transaction tx(db);
    for (const auto& [lad, county] : counties)
        db.query("INSERT INTO district_counties (lad, county, source) VALUES ($1, $2, $3)"
                 " ON CONFLICT (lad) DO UPDATE SET county = EXCLUDED.county, source = EXCLUDED.source",
                 {lad, county, path.filename().string()});
    for (const auto& [key, name] : code_names)
        db.query("INSERT INTO code_names (kind, code, name) VALUES ($1, $2, $3)"
                 " ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name",
                 {key.first, key.second, name});
    tx.commit();
    std::printf("%s: %s districts with a county", path.filename().string().c_str(), with_commas(counties.size()).c_str());
    if (unitary) std::printf(", %s without (unitary)", with_commas(unitary).c_str());
    if (ignored) std::printf(", %s rows ignored (no district code)", with_commas(ignored).c_str());
    std::printf(" of %s rows; run crimemap refresh to apply\n", with_commas(rows).c_str());
}

}  // namespace

int cmd_import_lookups(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url", "kind"}, {});
    if (args.help() || args.positional().empty()) {
        std::puts(
            "usage: crimemap import lookups [--kind K] [--database-url URL] PATH...\n"
            "\n"
            "Loads ONS code -> name maps (JSON objects {\"E06000019\": \"Herefordshire, County of\"}, as in\n"
            "postcodes.io's data/ folder) into code_names. The kind comes from the file name (lsoa,\n"
            "wards -> ward, districts -> lad, police_force_areas -> pfa, counties -> county, regions ->\n"
            "region, countries -> country, constituencies -> pcon, ...) unless --kind is given. Keys that\n"
            "are not 9-character GSS codes and pseudo codes (X99999999) are ignored; files that are not\n"
            "a JSON object are skipped with a note.\n"
            "\n"
            "CSV files (plain or gzipped) are ONS district -> county lookups, read by header name:\n"
            "LADyyCD and CTYyyCD (\"Local Authority District to County\") or LTLAyyCD and UTLAyyCD (lower\n"
            "to upper tier), with the NM columns as names when present. They set the county of each\n"
            "district of a two-tier area (rows whose county is the district itself are unitaries and are\n"
            "skipped); `crimemap refresh` then gives districts without an indicator value of their own\n"
            "their county's value on the performance layer. Without such a file, refresh takes the most\n"
            "common county code among each district's postcodes.\n"
            "\n"
            "  --kind K            code_names kind for every JSON file\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return args.help() ? 0 : 2;
    }
    auto files = collect_files(args.positional(), [](const fs::path& p) {
        return name_ends_with(p, ".json") || is_csv_file(p);
    });
    if (files.empty()) throw CliError("no .json or .csv files under the given paths");
    store::Connection db(database_url(args));
    db.exec("CREATE TEMP TABLE IF NOT EXISTS lookup_staging (kind text, code text, name text)");
    for (const auto& path : files) {
        if (!name_ends_with(path, ".json")) {
            import_district_county_csv(db, path);
            continue;
        }
        nlohmann::json doc;
        try {
            std::ifstream in(path);
            if (!in) throw CliError(path.string() + ": cannot read");
            doc = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            throw CliError(path.string() + ": not valid JSON (" + e.what() + ")");
        }
        if (!doc.is_object()) {
            std::printf("%s: skipped (not a code -> name object)\n", path.filename().string().c_str());
            continue;
        }
        std::string kind = args.get_or("kind", lookup_kind_for_file(path.stem().string()));
        std::string buf;
        std::uint64_t loaded = 0, ignored = 0;
        for (auto it = doc.begin(); it != doc.end(); ++it) {
            const std::string& code = it.key();
            if (!is_gss_code(code) || !it.value().is_string()) {
                ++ignored;
                continue;
            }
            store::append_copy_field(buf, kind);
            buf += '\t';
            store::append_copy_field(buf, code);
            buf += '\t';
            store::append_copy_field(buf, trim(it.value().get<std::string>()));
            buf += '\n';
            ++loaded;
        }
        store::Transaction tx(db);
        db.exec("TRUNCATE lookup_staging");
        db.copy_begin("COPY lookup_staging FROM STDIN");
        if (!buf.empty()) db.copy_send(buf);
        db.copy_end();
        db.exec(
            "INSERT INTO code_names (kind, code, name) SELECT DISTINCT ON (kind, code) kind, code, name FROM lookup_staging"
            " ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name");
        tx.commit();
        std::printf("%s: %s %s names", path.filename().string().c_str(), with_commas(loaded).c_str(), kind.c_str());
        if (ignored) std::printf(" (%s entries ignored)", with_commas(ignored).c_str());
        std::printf("\n");
    }
    return 0;
}

int cmd_import_population(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url", "kind"}, {});
    if (args.help() || args.positional().empty()) {
        std::puts(
            "usage: crimemap import population [--kind K] [--database-url URL] PATH...\n"
            "\n"
            "Sets the number of residents of areas (areas.population) from CSV files (plain or gzipped),\n"
            "read by header name (any order, any case; other columns are ignored):\n"
            "  area_code,population[,kind]\n"
            "  E01014010,1520,lsoa\n"
            "area_code may also be called code; population is a whole number (\"1,520\" is read too);\n"
            "kind (lsoa, msoa, ward, lad, pfa, neighbourhood) limits a row to areas of that kind, else\n"
            "--kind does, else every area with the code gets the value. The areas must exist (import the\n"
            "boundaries first): codes with no such area are reported (the first 10 on stderr, then a\n"
            "count) and skipped, as are rows with an unreadable population or kind. When a code repeats,\n"
            "the last row wins. Importing the same file again changes nothing.\n"
            "\n"
            "Rates per 1,000 residents (per_1000 on the areas tile layer, the /v1 postcode summary) are\n"
            "given wherever the population is known, once `crimemap refresh` publishes a new dataset\n"
            "version for the server to load. Boundaries can carry populations too:\n"
            "`crimemap import boundaries --population-field F`.\n"
            "\n"
            "  --kind K            area kind for rows without a kind column\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return args.help() ? 0 : 2;
    }
    std::optional<std::string> default_kind = args.get("kind");
    auto valid_kind = [](std::string_view k) {
        for (const char* known : {"lsoa", "msoa", "ward", "lad", "pfa", "neighbourhood"})
            if (k == known) return true;
        return false;
    };
    if (default_kind && !valid_kind(*default_kind))
        throw CliError("unknown --kind '" + *default_kind + "' (lsoa, msoa, ward, lad, pfa, neighbourhood)");
    auto files = collect_files(args.positional(), is_csv_file);
    if (files.empty()) throw CliError("no .csv files under the given paths");
    store::Connection db(database_url(args));
    db.exec("CREATE TEMP TABLE IF NOT EXISTS population_staging (line bigint, code text, kind text, population integer)");
    std::uint64_t shown = 0;
    auto note = [&](const fs::path& path, std::uint64_t line, const std::string& why) {
        if (shown++ < 10)
            std::fprintf(stderr, "%s:%llu: %s\n", path.string().c_str(), static_cast<unsigned long long>(line), why.c_str());
    };
    for (const auto& path : files) {
        CsvReader csv(open_file_source(path.string()));
        if (!csv.next()) throw CliError(path.string() + ": empty file");
        int c_code = -1, c_pop = -1, c_kind = -1;
        for (std::size_t i = 0; i < csv.size(); ++i) {
            std::string h = to_lower(trim(csv[i]));
            if ((h == "area_code" || (h == "code" && c_code < 0))) c_code = static_cast<int>(i);
            else if (h == "population") c_pop = static_cast<int>(i);
            else if (h == "kind") c_kind = static_cast<int>(i);
        }
        if (c_code < 0 || c_pop < 0)
            throw CliError(path.string() + ": expected the columns area_code,population[,kind] in the header");
        std::string buf;
        std::uint64_t read = 0, bad = 0;
        while (csv.next()) {
            ++read;
            auto at = [&](int i) {
                return i >= 0 && static_cast<std::size_t>(i) < csv.size() ? trim(csv[static_cast<std::size_t>(i)]) : std::string_view{};
            };
            auto code = at(c_code);
            std::string kind(c_kind >= 0 ? at(c_kind) : std::string_view{});
            kind = to_lower(kind);
            if (kind.empty() && default_kind) kind = *default_kind;
            auto population = parse_population(at(c_pop));
            if (code.empty()) {
                ++bad;
                note(path, csv.line(), "no area code");
                continue;
            }
            if (!population) {
                ++bad;
                note(path, csv.line(), "unreadable population '" + std::string(at(c_pop)) + "' for " + std::string(code));
                continue;
            }
            if (!kind.empty() && !valid_kind(kind)) {
                ++bad;
                note(path, csv.line(), "unknown kind '" + kind + "' for " + std::string(code));
                continue;
            }
            buf += std::to_string(csv.line());
            buf += '\t';
            store::append_copy_field(buf, code);
            buf += '\t';
            opt_field(buf, kind);
            buf += '\t';
            buf += std::to_string(*population);
            buf += '\n';
        }
        store::Transaction tx(db);
        db.exec("TRUNCATE population_staging");
        db.copy_begin("COPY population_staging FROM STDIN");
        if (!buf.empty()) db.copy_send(buf);
        db.copy_end();
        // The last row of a (code, kind) wins.
        db.exec(
            "DELETE FROM population_staging WHERE line NOT IN (SELECT DISTINCT ON (code, coalesce(kind, '')) line"
            " FROM population_staging ORDER BY code, coalesce(kind, ''), line DESC)");
        db.exec("ANALYZE population_staging");
        auto unknown = db.query(
            "SELECT line, code, coalesce(kind, '') FROM population_staging s WHERE NOT EXISTS ("
            " SELECT 1 FROM areas a WHERE a.code = s.code AND (s.kind IS NULL OR a.kind = s.kind)) ORDER BY line");
        auto set = db.query(
            "SELECT count(*), count(*) FILTER (WHERE a.population IS DISTINCT FROM s.population)"
            " FROM areas a JOIN population_staging s ON a.code = s.code AND (s.kind IS NULL OR a.kind = s.kind)");
        db.exec(
            "UPDATE areas a SET population = s.population FROM population_staging s"
            " WHERE a.code = s.code AND (s.kind IS NULL OR a.kind = s.kind) AND a.population IS DISTINCT FROM s.population");
        tx.commit();
        for (int i = 0; i < unknown.size(); ++i) {
            std::string kind(unknown.text(i, 2));
            note(path, static_cast<std::uint64_t>(unknown.int64(i, 0)),
                 "unknown area code " + std::string(unknown.text(i, 1)) + (kind.empty() ? "" : " (kind " + kind + ")"));
        }
        std::printf("%s: %s rows, %s areas given a population (%s changed), %s unknown codes, %s bad rows\n",
                    path.filename().string().c_str(), with_commas(read).c_str(),
                    with_commas(static_cast<std::uint64_t>(set.int64(0, 0))).c_str(),
                    with_commas(static_cast<std::uint64_t>(set.int64(0, 1))).c_str(),
                    with_commas(static_cast<std::uint64_t>(unknown.size())).c_str(), with_commas(bad).c_str());
    }
    if (shown > 10) std::fprintf(stderr, "... and %s more not shown\n", with_commas(shown - 10).c_str());
    std::printf("import population: run crimemap refresh to publish the populations to the server\n");
    return 0;
}

}  // namespace crimemap::tools
