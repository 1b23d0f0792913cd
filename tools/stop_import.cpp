#include "tools/stop_import.hpp"

#include <cstdio>
#include <map>

#include "base/text.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/crime_import.hpp"
#include "tools/csv.hpp"
#include "tools/force_month_load.hpp"
#include "tools/forces.hpp"
#include "tools/import_command.hpp"
#include "tools/row_fields.hpp"

namespace crimemap::tools {
namespace fs = std::filesystem;

std::optional<StopColumns> map_stop_header(const std::vector<std::string_view>& header) {
    StopColumns c;
    c.count = header.size();
    const std::pair<const char*, int StopColumns::*> names[] = {
        {"type", &StopColumns::type},
        {"date", &StopColumns::date},
        {"part of a policing operation", &StopColumns::operation},
        {"policing operation", &StopColumns::operation_name},
        {"latitude", &StopColumns::latitude},
        {"longitude", &StopColumns::longitude},
        {"gender", &StopColumns::gender},
        {"age range", &StopColumns::age_range},
        {"self-defined ethnicity", &StopColumns::self_defined_ethnicity},
        {"officer-defined ethnicity", &StopColumns::officer_defined_ethnicity},
        {"legislation", &StopColumns::legislation},
        {"object of search", &StopColumns::object_of_search},
        {"outcome", &StopColumns::outcome},
        {"outcome linked to object of search", &StopColumns::outcome_linked},
        {"removal of more than just outer clothing", &StopColumns::removal},
    };
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string name = to_lower(trim(header[i]));
        for (const auto& [n, member] : names)
            if (name == n) c.*member = static_cast<int>(i);
    }
    if (c.type < 0 || c.date < 0) return std::nullopt;
    return c;
}

namespace {
bool digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return !s.empty();
}
int two(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

// 'YYYY-MM-DDTHH:MM:SS' with an optional '+HH:MM', '-HH:MM' or 'Z' (and optional fraction).
std::optional<std::string> police_datetime(std::string_view d) {
    if (d.size() < 19 || d[4] != '-' || d[7] != '-' || (d[10] != 'T' && d[10] != ' ') || d[13] != ':' ||
        d[16] != ':')
        return std::nullopt;
    if (!digits(d.substr(0, 4)) || !digits(d.substr(5, 2)) || !digits(d.substr(8, 2)) ||
        !digits(d.substr(11, 2)) || !digits(d.substr(14, 2)) || !digits(d.substr(17, 2)))
        return std::nullopt;
    if (two(d.substr(5, 2)) < 1 || two(d.substr(5, 2)) > 12 || two(d.substr(8, 2)) < 1 ||
        two(d.substr(8, 2)) > 31 || two(d.substr(11, 2)) > 23 || two(d.substr(14, 2)) > 59 ||
        two(d.substr(17, 2)) > 60)
        return std::nullopt;
    std::string out(d.substr(0, 19));
    out[10] = 'T';
    auto rest = d.substr(19);
    if (!rest.empty() && rest[0] == '.') {
        std::size_t i = 1;
        while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
        rest.remove_prefix(i);
    }
    if (rest.empty() || rest == "Z") return out + "+00:00";
    if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && digits(rest.substr(1, 2)) &&
        rest[3] == ':' && digits(rest.substr(4, 2)))
        return out + std::string(rest);
    return std::nullopt;
}

// police.uk writes True/False (and blank for "not recorded").
bool tri_state(std::string_view v, std::optional<bool>& out) {
    if (v.empty()) {
        out.reset();
        return true;
    }
    if (base::iequals(v, "true")) {
        out = true;
        return true;
    }
    if (base::iequals(v, "false")) {
        out = false;
        return true;
    }
    return false;
}
}  // namespace

RowResult<StopRow> parse_stop_row(const StopColumns& cols, const std::vector<std::string_view>& f,
                                  const RowPlace& at) {
    if (f.size() != cols.count)
        return row_error(at, "wrong column count: got " + std::to_string(f.size()) + " fields, expected " +
                                 std::to_string(cols.count));
    StopRow row;
    row.type = column_field(f, cols.type);
    if (row.type.empty()) return row_error(at, "empty Type");
    auto date = column_field(f, cols.date);
    auto dt = police_datetime(date);
    if (!dt) return row_error(at, "unreadable date '" + std::string(date) + "'");
    row.datetime = *dt;
    row.month = *core::Month::parse(std::string_view(row.datetime).substr(0, 7));
    const std::pair<int, std::optional<bool> StopRow::*> flags[] = {
        {cols.operation, &StopRow::operation},
        {cols.outcome_linked, &StopRow::outcome_linked},
        {cols.removal, &StopRow::removal},
    };
    for (const auto& [idx, member] : flags)
        if (!tri_state(column_field(f, idx), row.*member))
            return row_error(at, "not True/False: '" + std::string(column_field(f, idx)) + "'");
    if (auto reason =
            read_row_point(column_field(f, cols.longitude), column_field(f, cols.latitude), row.lon, row.lat))
        return row_error(at, std::move(*reason));
    row.operation_name = column_field(f, cols.operation_name);
    row.gender = column_field(f, cols.gender);
    row.age_range = column_field(f, cols.age_range);
    row.self_defined_ethnicity = column_field(f, cols.self_defined_ethnicity);
    row.officer_defined_ethnicity = column_field(f, cols.officer_defined_ethnicity);
    row.legislation = column_field(f, cols.legislation);
    row.object_of_search = column_field(f, cols.object_of_search);
    row.outcome = column_field(f, cols.outcome);
    if (auto reason = bad_text_reason(f)) return row_error(at, std::move(*reason));
    return row;
}

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import stops [--force ID] [--strict] [--database-url URL] PATH...\n"
    "\n"
    "Loads police.uk stop-and-search CSVs (YYYY-MM-<force>-stop-and-search.csv, plain or .csv.gz,\n"
    "or folders in the police.uk archive layout; other files there are ignored). The file has no\n"
    "force column: the force comes from the file name or --force. Each (force, month) found is\n"
    "replaced in one transaction. Located stops are tied to the nearest snap location within\n"
    "200 m (else to a new one without a street name). Bad rows (wrong column count, empty Type,\n"
    "unreadable Date, a True/False column with another value, coordinates unreadable or outside\n"
    "the UK, a NUL byte or text that is not UTF-8) are reported as file:line: reason and\n"
    "skipped. Serves /api/stops-street, stops-at-location, stops-no-location, stops-force and\n"
    "the stop-and-search forces of crimes-street-dates. Run `crimemap refresh` afterwards.\n"
    "\n"
    "  --force ID          police.uk force id for every row (e.g. west-mercia)\n"
    "  --strict            exit with status 3 when any row was skipped\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

std::optional<std::string_view> flag(const std::optional<bool>& b) {
    if (!b) return std::nullopt;
    return *b ? "t" : "f";
}

bool is_stop_file(const fs::path& p) {
    return name_ends_with(p, "-stop-and-search.csv") || name_ends_with(p, "-stop-and-search.csv.gz");
}

}  // namespace

int cmd_import_stops(const std::vector<std::string>& argv) {
    auto opened = open_import(
        argv, {kHelp,
               {"force"},
               {"strict"},
               is_stop_file,
               "no police.uk stop-and-search files (*-stop-and-search.csv[.gz]) under the given paths"});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    store::Connection& db = s.db;
    const auto force_override = s.args.get("force");
    db.exec(
        "CREATE TEMP TABLE IF NOT EXISTS stop_staging (line bigint NOT NULL, force_id text NOT NULL,"
        " month date NOT NULL, type text NOT NULL, datetime_text text NOT NULL, operation boolean,"
        " operation_name text, lon double precision, lat double precision, gender text, age_range text,"
        " self_defined_ethnicity text, officer_defined_ethnicity text, legislation text, object_of_search "
        "text,"
        " outcome text, outcome_linked boolean, removal boolean, location_id bigint)");

    ForceMonthLoader loader(db, "stop_loads");
    for (const auto& path : s.files) {
        const std::string file = path.string(), source = path.filename().string();
        auto from_name = force_from_file_name(source, "stop-and-search");
        std::optional<std::string> force = force_override;
        if (!force && from_name) force = from_name->force_id;
        if (!force)
            throw CliError(file +
                           ": no force in the file name (YYYY-MM-<force>-stop-and-search.csv); use --force");
        if (!find_force(*force) && db.query("SELECT 1 FROM forces WHERE id = $1", {*force}).size() == 0)
            throw CliError(file + ": unknown force '" + *force +
                           "' (see crimemap import crimes for new forces)");
        CsvReader csv(open_file_source(file));
        if (!csv.next()) throw CliError(file + ": empty file (no header line)");
        auto cols = map_stop_header(csv.fields());
        if (!cols) throw CliError(file + ": not a police.uk stop-and-search file (needs Type and Date)");
        db.exec("TRUNCATE stop_staging");
        std::optional<ForceMonth> name_place;
        if (from_name) name_place = ForceMonth{*force, from_name->month.index()};
        auto parse = [&](const std::vector<std::string_view>& f, const RowPlace& at) {
            return parse_stop_row(*cols, f, at);
        };
        auto force_of = [&](const StopRow&, const RowPlace&) { return RowResult<std::string>(*force); };
        auto stage = [](store::CopyIn& copy, const StopRow& r, const std::string& row_force,
                        std::uint64_t line) {
            const CopyPoint point(r.lon, r.lat);
            const std::string line_text = std::to_string(line), month = r.month.str() + "-01";
            copy.put_row({line_text, row_force, month, r.type, r.datetime, flag(r.operation),
                          null_if_empty(r.operation_name), point.lon(), point.lat(), null_if_empty(r.gender),
                          null_if_empty(r.age_range), null_if_empty(r.self_defined_ethnicity),
                          null_if_empty(r.officer_defined_ethnicity), null_if_empty(r.legislation),
                          null_if_empty(r.object_of_search), null_if_empty(r.outcome), flag(r.outcome_linked),
                          flag(r.removal)});
        };
        auto file_tallies = loader.stage_file<StopRow>(
            csv, file, source, name_place,
            "COPY stop_staging (line, force_id, month, type, datetime_text, operation,"
            " operation_name, lon, lat, gender, age_range, self_defined_ethnicity,"
            " officer_defined_ethnicity, legislation, object_of_search, outcome,"
            " outcome_linked, removal) FROM STDIN",
            parse, force_of, stage);
        loader.replace(file_tallies, source, [&](const store::Params& fm) {
            db.query("DELETE FROM stops WHERE force_id = $1 AND month = $2::date", fm);
            // The nearest snap location within 200 m, else a new one (no street name known).
            db.query(
                "UPDATE stop_staging s SET location_id = (SELECT l.id FROM snap_locations l"
                " WHERE ST_DWithin(l.geom::geography, ST_SetSRID(ST_MakePoint(s.lon, s.lat), "
                "4326)::geography, 200)"
                " ORDER BY l.geom <-> ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326), l.id LIMIT 1)"
                " WHERE s.force_id = $1 AND s.month = $2::date AND s.lon IS NOT NULL",
                fm);
            db.query(
                "INSERT INTO snap_locations (lon, lat, name) SELECT DISTINCT lon, lat, '' FROM stop_staging"
                " WHERE force_id = $1 AND month = $2::date AND lon IS NOT NULL AND location_id IS NULL"
                " ON CONFLICT (lon, lat, name) DO NOTHING",
                fm);
            db.query(
                "UPDATE stop_staging s SET location_id = l.id FROM snap_locations l"
                " WHERE s.force_id = $1 AND s.month = $2::date AND s.location_id IS NULL AND s.lon IS NOT "
                "NULL"
                " AND l.lon = s.lon AND l.lat = s.lat AND l.name = ''",
                fm);
            db.query(
                "INSERT INTO stops (force_id, month, type, datetime, datetime_text, operation, "
                "operation_name,"
                " location_id, geom, gender, age_range, self_defined_ethnicity, officer_defined_ethnicity,"
                " legislation, object_of_search, outcome, outcome_linked_to_object_of_search,"
                " removal_of_more_than_outer_clothing)"
                " SELECT s.force_id, s.month, s.type, s.datetime_text::timestamptz, s.datetime_text, "
                "s.operation,"
                " s.operation_name, s.location_id, l.geom, s.gender, s.age_range, s.self_defined_ethnicity,"
                " s.officer_defined_ethnicity, s.legislation, s.object_of_search, s.outcome, "
                "s.outcome_linked,"
                " s.removal FROM stop_staging s LEFT JOIN snap_locations l ON l.id = s.location_id"
                " WHERE s.force_id = $1 AND s.month = $2::date ORDER BY s.line",
                fm);
        });
    }
    const ForceMonthTally all = loader.print_table();
    loader.bad_rows().print_rest("bad rows not shown");
    std::printf("import stops: %s rows loaded, %s skipped in %.1f s; run crimemap refresh to publish them\n",
                with_commas(all.loaded).c_str(), with_commas(all.skipped).c_str(), s.seconds());
    return s.args.has("strict") && all.skipped > 0 ? 3 : 0;
}

}  // namespace crimemap::tools
