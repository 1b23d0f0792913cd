#include "tools/deprivation_import.hpp"

#include <charconv>
#include <cstdio>

#include "store/copy_in.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/import_command.hpp"
#include "tools/lsoa_merge.hpp"

namespace crimemap::tools {

const std::array<std::string_view, deprivation_measures> deprivation_stems{
    "imd", "income", "employment", "education", "health", "crime", "barriers", "living_environment"};

namespace {

// How the published headers start, before " Rank" / " Decile" (matched ignoring case).
constexpr std::array<std::string_view, deprivation_measures> kHeaderNames{
    "Index of Multiple Deprivation (IMD)",
    "Income",
    "Employment",
    "Education, Skills and Training",
    "Health Deprivation and Disability",
    "Crime",
    "Barriers to Housing and Services",
    "Living Environment"};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::optional<std::int32_t> whole(std::string_view text) {
    text = trim(text);
    std::int32_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
    return v;
}

}  // namespace

std::optional<DeprivationColumns> map_deprivation_header(const std::vector<std::string_view>& header,
                                                         std::string* missing) {
    DeprivationColumns c;
    c.rank.fill(-1);
    c.decile.fill(-1);
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string h = to_lower(trim(header[i]));
        const int at = static_cast<int>(i);
        if (c.lsoa < 0 && (starts_with(h, "lsoa code") || h == "lsoa11cd" || h == "lsoa_code"))
            c.lsoa = at;
        else if (c.lad < 0 && (starts_with(h, "local authority district code") || h == "lad19cd"))
            c.lad = at;
        else
            for (std::size_t m = 0; m < deprivation_measures; ++m) {
                const std::string stem = to_lower(kHeaderNames[m]);
                if (c.rank[m] < 0 && starts_with(h, stem + " rank")) c.rank[m] = at;
                if (c.decile[m] < 0 && starts_with(h, stem + " decile")) c.decile[m] = at;
            }
    }
    auto fail = [&](std::string what) -> std::optional<DeprivationColumns> {
        if (missing) *missing = std::move(what);
        return std::nullopt;
    };
    if (c.lsoa < 0) return fail("LSOA code (2011)");
    for (std::size_t m = 0; m < deprivation_measures; ++m) {
        const std::string name(kHeaderNames[m]);
        if (c.rank[m] < 0) return fail(name + " Rank");
        if (c.decile[m] < 0) return fail(name + " Decile");
    }
    return c;
}

RowResult<DeprivationRow> parse_deprivation_row(const DeprivationColumns& cols,
                                                const std::vector<std::string_view>& fields,
                                                const RowPlace& at) {
    auto get = [&](int i) {
        return i >= 0 && static_cast<std::size_t>(i) < fields.size()
                   ? trim(fields[static_cast<std::size_t>(i)])
                   : std::string_view{};
    };
    DeprivationRow row;
    row.lsoa = get(cols.lsoa);
    row.lad = get(cols.lad);
    if (row.lsoa.empty()) return row_error(at, "no LSOA code");
    for (std::size_t m = 0; m < deprivation_measures; ++m) {
        auto rank = whole(get(cols.rank[m]));
        if (!rank)
            return row_error(at, "unreadable " + std::string(deprivation_stems[m]) + " rank '" +
                                     std::string(get(cols.rank[m])) + "' for " + row.lsoa);
        auto decile = whole(get(cols.decile[m]));
        if (!decile || *decile > 10)
            return row_error(at, std::string(deprivation_stems[m]) + " decile '" +
                                     std::string(get(cols.decile[m])) + "' is not 1..10 for " + row.lsoa);
        row.rank[m] = *rank;
        row.decile[m] = static_cast<std::int16_t>(*decile);
    }
    return row;
}

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import deprivation [--edition E] [--database-url URL] PATH...\n"
    "\n"
    "Loads the English Indices of Deprivation by LSOA (lsoa_deprivation) from MHCLG's \"File 2:\n"
    "domains of deprivation\" CSV (plain or gzipped), read as published: UTF-8 BOM, long column\n"
    "names, any order, other columns ignored:\n"
    "  LSOA code (2011), Local Authority District code (2019),\n"
    "  Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived), ... Decile ...,\n"
    "  Income, Employment, \"Education, Skills and Training\", Health Deprivation and Disability,\n"
    "  Crime, Barriers to Housing and Services, Living Environment: Rank and Decile each.\n"
    "Ranks are 1 for the most deprived LSOA in England; deciles 1 for the most deprived tenth.\n"
    "Every row is kept (LSOAs without a boundary too); a repeated LSOA's last row wins; bad rows\n"
    "are reported (file:line: reason) and skipped. Importing the same file again changes nothing.\n"
    "\n"
    "The LSOA's IMD and domain deciles appear in /v1/areas/{lsoa} and the postcode summary, the\n"
    "IMD decile in the areas tile layer (imd_decile), and the domains drive /v1/areas/{code}/similar,\n"
    "once `crimemap refresh` publishes a new dataset version.\n"
    "\n"
    "  --edition E         edition recorded with the rows (default IoD2019)\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

}  // namespace

int cmd_import_deprivation(const std::vector<std::string>& argv) {
    ImportCommandSpec spec{kHelp, {"edition"}, {}, is_csv_file, "no .csv files under the given paths"};
    auto opened = open_import(argv, spec);
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    store::Connection& db = s.db;
    const std::string edition = s.args.get_or("edition", "IoD2019");
    std::vector<std::string> names{"lsoa_code", "lad_code"};
    for (auto stem : deprivation_stems) {
        names.push_back(std::string(stem) + "_rank");
        names.push_back(std::string(stem) + "_decile");
    }
    const std::string columns = column_list(names);
    db.exec("CREATE TEMP TABLE IF NOT EXISTS deprivation_staging AS SELECT 0::bigint AS line, " + columns +
            " FROM lsoa_deprivation WITH NO DATA");
    RowErrorLog bad_rows;
    for (const auto& path : s.files) {
        const std::string file = path.string();
        CsvReader csv(open_file_source(file));
        if (!csv.next()) throw CliError(file + ": empty file");
        std::string missing;
        auto cols = map_deprivation_header(csv.fields(), &missing);
        if (!cols)
            throw CliError(file + ": not an IoD domains file: no column '" + missing + "' in the header");
        store::Transaction tx(db);
        db.exec("TRUNCATE deprivation_staging");
        std::uint64_t read = 0, bad = 0;
        {
            store::CopyIn copy(db, "COPY deprivation_staging (line, " + columns + ") FROM STDIN");
            while (csv.next()) {
                ++read;
                auto parsed = parse_deprivation_row(*cols, csv.fields(), RowPlace{file, csv.line()});
                if (!parsed.ok()) {
                    ++bad;
                    bad_rows.note(parsed.error());
                    continue;
                }
                const auto& r = parsed.row();
                std::vector<std::string> text{std::to_string(csv.line())};
                for (std::size_t m = 0; m < deprivation_measures; ++m) {
                    text.push_back(std::to_string(r.rank[m]));
                    text.push_back(std::to_string(r.decile[m]));
                }
                std::vector<std::optional<std::string_view>> values{text[0], r.lsoa};
                values.push_back(r.lad.empty() ? std::nullopt : std::optional<std::string_view>(r.lad));
                for (std::size_t i = 1; i < text.size(); ++i) values.emplace_back(text[i]);
                copy.put_row(values);
            }
            copy.finish();
        }
        const auto merged = merge_last_per_lsoa(db, "deprivation_staging", "lsoa_deprivation", names,
                                                {"edition", "source"}, {edition, path.filename().string()});
        tx.commit();
        print_lsoa_file_summary(path.filename().string(), read, merged, bad);
    }
    bad_rows.print_rest("bad rows not shown");
    std::printf("import deprivation: run crimemap refresh to publish the deciles to the server\n");
    return 0;
}

}  // namespace crimemap::tools
