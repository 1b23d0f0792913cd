#include "tools/indicator_import.hpp"

#include <charconv>
#include <cstdio>
#include <map>

#include "store/copy_in.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/import_command.hpp"

namespace crimemap::tools {

std::optional<std::string> normalise_polarity(std::string_view text) {
    std::string t = to_lower(trim(text));
    if (t.empty()) return std::string();
    if (t == "higher_is_better" || t == "higher" || t == "up" || t == "desc")
        return std::string("higher_is_better");
    if (t == "lower_is_better" || t == "lower" || t == "down" || t == "asc")
        return std::string("lower_is_better");
    if (t == "neutral" || t == "none") return std::string("neutral");
    return std::nullopt;
}

namespace {

std::optional<double> parse_double(std::string_view s) {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return out;
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

// The shortest text that reads back as the same double: what PostgreSQL stores is the value parsed.
std::string number_text(double v) {
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, ec == std::errc() ? p : buf);
}

std::optional<std::string_view> opt(std::string_view v) {
    if (v.empty()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<IndicatorColumns> map_indicator_header(const std::vector<std::string_view>& header) {
    std::map<std::string, int> h;
    for (std::size_t i = 0; i < header.size(); ++i) h[to_lower(trim(header[i]))] = static_cast<int>(i);
    auto col = [&](const char* n) {
        auto it = h.find(n);
        return it == h.end() ? -1 : it->second;
    };
    const bool oflog = col("local authority code") >= 0 && col("code") >= 0 && col("value") >= 0 &&
                       col("financial year") >= 0;
    const bool long_format =
        col("area_code") >= 0 && col("indicator") >= 0 && col("period") >= 0 && col("value") >= 0;
    if (!oflog && !long_format) return std::nullopt;
    IndicatorColumns c;
    c.layout = oflog ? IndicatorLayout::oflog : IndicatorLayout::long_format;
    c.width = header.size();
    c.area = oflog ? col("local authority code") : col("area_code");
    c.indicator = oflog ? col("code") : col("indicator");
    c.period = oflog ? col("financial year") : col("period");
    c.value = col("value");
    c.name = oflog ? col("measure") : col("name");
    c.polarity = oflog ? col("rank_order") : col("polarity");
    c.target = col("target");
    c.unit = col("unit");
    c.benchmark = oflog ? col("median") : col("benchmark");
    c.group = oflog ? col("entity_name") : col("area_group");
    return c;
}

RowResult<std::optional<IndicatorRow>> parse_indicator_row(const IndicatorColumns& cols,
                                                           const std::vector<std::string_view>& fields,
                                                           const RowPlace& at) {
    if (fields.size() != cols.width)
        return row_error(
            at, "got " + std::to_string(fields.size()) + " fields, expected " + std::to_string(cols.width));
    auto get = [&](int i) { return i < 0 ? std::string_view{} : trim(fields[static_cast<std::size_t>(i)]); };
    const bool oflog = cols.layout == IndicatorLayout::oflog;
    auto area = get(cols.area), ind = get(cols.indicator), period = get(cols.period),
         value_text = get(cols.value);
    if (area.empty() || ind.empty() || period.empty())
        return row_error(at, "missing area code, indicator or period");
    if (value_text.empty() && oflog)
        return std::optional<IndicatorRow>();  // Oflog leaves out values not reported
    auto value = parse_double(value_text);
    if (!value) return row_error(at, "unreadable value '" + std::string(value_text) + "'");
    auto polarity = normalise_polarity(get(cols.polarity));
    if (!polarity) {
        if (!oflog) return row_error(at, "unknown polarity '" + std::string(get(cols.polarity)) + "'");
        polarity = std::string();
    }
    IndicatorRow row;
    if (auto target = get(cols.target); !target.empty()) {
        row.target = parse_double(target);
        if (!row.target) return row_error(at, "unreadable target '" + std::string(target) + "'");
    }
    row.benchmark = parse_double(get(cols.benchmark));
    row.area_code = area;
    row.indicator = ind;
    row.name = oflog ? strip_prefix(get(cols.name)) : std::string(get(cols.name));
    if (row.name.empty()) row.name = ind;
    row.period = period;
    row.value = *value;
    row.unit = oflog ? oflog_unit(ind) : get(cols.unit);
    row.polarity = *polarity;
    row.area_group = get(cols.group);
    return std::optional<IndicatorRow>(std::move(row));
}

namespace {

constexpr std::string_view kHelp =
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
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

// Stages one parsed row (the staging table's column order).
void stage(store::CopyIn& copy, std::uint64_t line, const IndicatorRow& r) {
    const std::string line_text = std::to_string(line), value = number_text(r.value);
    const std::string target = r.target ? number_text(*r.target) : std::string();
    const std::string benchmark = r.benchmark ? number_text(*r.benchmark) : std::string();
    copy.put_row({line_text, r.area_code, r.indicator, r.name, r.period, value, opt(r.unit), opt(r.polarity),
                  opt(target), opt(benchmark), opt(r.area_group)});
}

}  // namespace

int cmd_import_indicators(const std::vector<std::string>& argv) {
    auto opened = open_import(argv, {kHelp, {}, {}, is_csv_file, "no .csv files under the given paths"});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    store::Connection& db = s.db;
    db.exec(
        "CREATE TEMP TABLE IF NOT EXISTS indicator_staging (line bigint, area_code text, indicator text, "
        "name text,"
        " period text, value double precision, unit text, polarity text, target double precision,"
        " benchmark double precision, area_group text)");
    RowErrorLog bad_rows;
    for (const auto& path : s.files) {
        const std::string file = path.string();
        CsvReader csv(open_file_source(file));
        if (!csv.next()) throw CliError(file + ": empty file");
        auto cols = map_indicator_header(csv.fields());
        if (!cols)
            throw CliError(file +
                           ": unknown indicator layout (expected the Oflog columns or "
                           "area_code,indicator,period,value)");
        db.exec("TRUNCATE indicator_staging");
        std::uint64_t read = 0, loaded = 0, skipped = 0, empty = 0;
        {
            store::CopyIn copy(db, "COPY indicator_staging FROM STDIN");
            while (csv.next()) {
                ++read;
                auto parsed = parse_indicator_row(*cols, csv.fields(), RowPlace{file, csv.line()});
                if (!parsed.ok()) {
                    ++skipped;
                    bad_rows.note(parsed.error());
                } else if (!parsed.row()) {
                    ++empty;
                } else {
                    ++loaded;
                    stage(copy, csv.line(), *parsed.row());
                }
            }
            copy.finish();
        }
        store::Transaction tx(db);
        // One polarity per indicator: Oflog leaves rank_order empty on some rows of a measure.
        db.exec(
            "UPDATE indicator_staging s SET polarity = p.polarity FROM ("
            " SELECT indicator, max(polarity) AS polarity FROM indicator_staging WHERE polarity IS NOT NULL "
            "GROUP BY indicator) p"
            " WHERE s.indicator = p.indicator AND s.polarity IS NULL");
        db.exec(
            "INSERT INTO indicators (area_code, indicator, name, period, value, unit, polarity, target, "
            "benchmark, area_group)"
            " SELECT DISTINCT ON (area_code, indicator, period) area_code, indicator, name, period, value, "
            "unit, polarity,"
            "  target, benchmark, area_group FROM indicator_staging ORDER BY area_code, indicator, period, "
            "line DESC"
            " ON CONFLICT (area_code, indicator, period) DO UPDATE SET name = EXCLUDED.name, value = "
            "EXCLUDED.value,"
            " unit = EXCLUDED.unit, polarity = EXCLUDED.polarity, target = EXCLUDED.target,"
            " benchmark = EXCLUDED.benchmark, area_group = EXCLUDED.area_group");
        tx.commit();
        std::printf("%s: %s layout, %s rows, %s loaded, %s without a value, %s skipped\n",
                    path.filename().string().c_str(),
                    cols->layout == IndicatorLayout::oflog ? "Oflog" : "long", with_commas(read).c_str(),
                    with_commas(loaded).c_str(), with_commas(empty).c_str(), with_commas(skipped).c_str());
    }
    bad_rows.print_rest("bad rows not shown");
    return 0;
}

}  // namespace crimemap::tools
