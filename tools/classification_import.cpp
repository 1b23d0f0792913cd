#include "tools/classification_import.hpp"

#include <cstdio>

#include "store/copy_in.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/import_command.hpp"
#include "tools/lsoa_merge.hpp"

namespace crimemap::tools {

std::optional<ClassificationColumns> map_classification_header(const std::vector<std::string_view>& header) {
    ClassificationColumns c;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string h = to_lower(trim(header[i]));
        const int at = static_cast<int>(i);
        auto take = [&](int& slot, std::initializer_list<std::string_view> names) {
            for (auto n : names)
                if (slot < 0 && h == n) slot = at;
        };
        take(c.lsoa, {"lsoa11cd", "lsoa_code"});
        take(c.group, {"soac11cd", "oac11cd"});
        take(c.name, {"soac11nm", "oac11nm"});
        take(c.msoa, {"msoa11cd"});
        take(c.lad, {"lad17cd", "lad18cd", "lad19cd", "lad20cd", "lad11cd"});
        take(c.region, {"rgn11cd"});
        take(c.country, {"ctry11cd"});
    }
    if (c.lsoa < 0 || c.group < 0 || c.name < 0) return std::nullopt;
    return c;
}

RowResult<ClassificationRow> parse_classification_row(const ClassificationColumns& cols,
                                                      const std::vector<std::string_view>& fields,
                                                      const RowPlace& at) {
    auto get = [&](int i) {
        return std::string(i >= 0 && static_cast<std::size_t>(i) < fields.size()
                               ? trim(fields[static_cast<std::size_t>(i)])
                               : std::string_view{});
    };
    ClassificationRow r;
    r.lsoa = get(cols.lsoa);
    if (r.lsoa.empty()) return row_error(at, "no LSOA code");
    r.group = get(cols.group);
    const bool good =
        (r.group.size() == 1 || (r.group.size() == 2 && r.group[1] >= 'a' && r.group[1] <= 'z')) &&
        r.group[0] >= '1' && r.group[0] <= '9';
    if (!good) return row_error(at, "unreadable group code '" + r.group + "' for " + r.lsoa);
    r.supergroup = static_cast<std::int16_t>(r.group[0] - '0');
    r.name = get(cols.name);
    r.msoa = get(cols.msoa);
    r.lad = get(cols.lad);
    r.region = get(cols.region);
    r.country = get(cols.country);
    return r;
}

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import classification [--database-url URL] PATH...\n"
    "\n"
    "Loads the ONS 2011 area classification of LSOAs (lsoa_classification) from the lookup CSV\n"
    "(plain or gzipped) with the columns, found by name in any order:\n"
    "  LSOA11CD, SOAC11CD (group, e.g. 5b), SOAC11NM (its name)\n"
    "  and optionally MSOA11CD, LAD17CD, RGN11CD, CTRY11CD.\n"
    "The supergroup is the group code's digit. Every row is kept (LSOAs without a boundary too);\n"
    "a repeated LSOA's last row wins; bad rows are reported (file:line: reason) and skipped.\n"
    "Importing the same file again changes nothing.\n"
    "\n"
    "The classification is one of the measures of /v1/areas/{code}/similar, and the LSOA's group\n"
    "is shown in /v1/areas/{lsoa}, once `crimemap refresh` publishes a new dataset version.\n"
    "\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

std::optional<std::string_view> or_null(const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string_view>(s);
}

}  // namespace

int cmd_import_classification(const std::vector<std::string>& argv) {
    ImportCommandSpec spec{kHelp, {}, {}, is_csv_file, "no .csv files under the given paths"};
    auto opened = open_import(argv, spec);
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    store::Connection& db = s.db;
    const std::vector<std::string> names{"lsoa_code", "group_code", "group_name",  "supergroup",
                                         "msoa_code", "lad_code",   "region_code", "country_code"};
    const std::string columns = column_list(names);
    db.exec("CREATE TEMP TABLE IF NOT EXISTS classification_staging AS SELECT 0::bigint AS line, " + columns +
            " FROM lsoa_classification WITH NO DATA");
    RowErrorLog bad_rows;
    for (const auto& path : s.files) {
        const std::string file = path.string();
        CsvReader csv(open_file_source(file));
        if (!csv.next()) throw CliError(file + ": empty file");
        auto cols = map_classification_header(csv.fields());
        if (!cols)
            throw CliError(file + ": expected the columns LSOA11CD, SOAC11CD and SOAC11NM in the header");
        store::Transaction tx(db);
        db.exec("TRUNCATE classification_staging");
        std::uint64_t read = 0, bad = 0;
        {
            store::CopyIn copy(db, "COPY classification_staging (line, " + columns + ") FROM STDIN");
            while (csv.next()) {
                ++read;
                auto parsed = parse_classification_row(*cols, csv.fields(), RowPlace{file, csv.line()});
                if (!parsed.ok()) {
                    ++bad;
                    bad_rows.note(parsed.error());
                    continue;
                }
                const auto& r = parsed.row();
                const std::string line = std::to_string(csv.line()),
                                  supergroup = std::to_string(r.supergroup);
                copy.put_row({line, r.lsoa, r.group, r.name, supergroup, or_null(r.msoa), or_null(r.lad),
                              or_null(r.region), or_null(r.country)});
            }
            copy.finish();
        }
        const auto merged = merge_last_per_lsoa(db, "classification_staging", "lsoa_classification", names,
                                                {"source"}, {path.filename().string()});
        tx.commit();
        print_lsoa_file_summary(path.filename().string(), read, merged, bad);
    }
    bad_rows.print_rest("bad rows not shown");
    std::printf("import classification: run crimemap refresh to publish it to the server\n");
    return 0;
}

}  // namespace crimemap::tools
