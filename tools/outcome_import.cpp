#include "tools/outcome_import.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "core/police_outcomes.hpp"
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

std::optional<OutcomeColumns> map_outcome_header(const std::vector<std::string_view>& header) {
    OutcomeColumns c;
    c.count = header.size();
    const std::pair<const char*, int OutcomeColumns::*> names[] = {
        {"crime id", &OutcomeColumns::crime_id},       {"month", &OutcomeColumns::month},
        {"reported by", &OutcomeColumns::reported_by}, {"falls within", &OutcomeColumns::falls_within},
        {"longitude", &OutcomeColumns::longitude},     {"latitude", &OutcomeColumns::latitude},
        {"location", &OutcomeColumns::location},       {"lsoa code", &OutcomeColumns::lsoa_code},
        {"lsoa name", &OutcomeColumns::lsoa_name},     {"outcome type", &OutcomeColumns::outcome_type},
    };
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string name = to_lower(trim(header[i]));
        for (const auto& [n, member] : names)
            if (name == n) c.*member = static_cast<int>(i);
    }
    if (c.crime_id < 0 || c.month < 0 || c.outcome_type < 0) return std::nullopt;
    return c;
}

RowResult<OutcomeRow> parse_outcome_row(const OutcomeColumns& cols, const std::vector<std::string_view>& f,
                                        const RowPlace& at) {
    if (f.size() != cols.count)
        return row_error(at, "wrong column count: got " + std::to_string(f.size()) + " fields, expected " +
                                 std::to_string(cols.count));
    OutcomeRow row;
    auto month = core::Month::parse(column_field(f, cols.month));
    if (!month) return row_error(at, "unreadable month '" + std::string(column_field(f, cols.month)) + "'");
    row.month = *month;
    row.crime_id = column_field(f, cols.crime_id);
    if (row.crime_id.empty()) return row_error(at, "empty Crime ID");
    row.outcome = column_field(f, cols.outcome_type);
    if (row.outcome.empty()) return row_error(at, "empty Outcome type");
    if (auto reason =
            read_row_point(column_field(f, cols.longitude), column_field(f, cols.latitude), row.lon, row.lat))
        return row_error(at, std::move(*reason));
    row.reported_by = column_field(f, cols.reported_by);
    row.falls_within = column_field(f, cols.falls_within);
    row.location = column_field(f, cols.location);
    row.lsoa_code = column_field(f, cols.lsoa_code);
    row.lsoa_name = column_field(f, cols.lsoa_name);
    if (auto reason = bad_text_reason(f)) return row_error(at, std::move(*reason));
    return row;
}

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import outcomes [--force ID] [--strict] [--database-url URL] PATH...\n"
    "\n"
    "Loads police.uk outcome CSVs (YYYY-MM-<force>-outcomes.csv, plain or .csv.gz, or folders in\n"
    "the police.uk archive layout; other files there are ignored). Each (force, month) found is\n"
    "replaced in one transaction, so importing again does not duplicate. The force comes from the\n"
    "file name, else from 'Falls within'. Bad rows (wrong column count, unreadable month, empty\n"
    "Crime ID or Outcome type, coordinates unreadable or outside the UK, a NUL byte or text that\n"
    "is not UTF-8) are reported as\n"
    "file:line: reason and skipped. /api/outcomes-for-crime and /api/outcomes-at-location answer\n"
    "from these rows for the forces and months loaded (from the street files' last outcome\n"
    "otherwise). Run `crimemap refresh` afterwards (new answers get new ETags).\n"
    "\n"
    "  --force ID          police.uk force id for every row (e.g. west-mercia)\n"
    "  --strict            exit with status 3 when any row was skipped\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

bool is_outcome_file(const fs::path& p) {
    return name_ends_with(p, "-outcomes.csv") || name_ends_with(p, "-outcomes.csv.gz");
}

}  // namespace

int cmd_import_outcomes(const std::vector<std::string>& argv) {
    auto opened =
        open_import(argv, {kHelp,
                           {"force"},
                           {"strict"},
                           is_outcome_file,
                           "no police.uk outcome files (*-outcomes.csv[.gz]) under the given paths"});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    store::Connection& db = s.db;
    const auto force_override = s.args.get("force");
    std::set<std::string> known;
    std::map<std::string, std::string> by_name;  // lower-case force name -> id
    {
        auto rows = db.query("SELECT id, name FROM forces");
        for (int i = 0; i < rows.size(); ++i) {
            known.insert(std::string(rows.text(i, 0)));
            by_name[to_lower(rows.text(i, 1))] = std::string(rows.text(i, 0));
        }
    }
    db.exec(
        "CREATE TEMP TABLE IF NOT EXISTS outcome_staging (line bigint NOT NULL, force_id text NOT NULL,"
        " month date NOT NULL, crime_id text NOT NULL, reported_by text NOT NULL, falls_within text NOT NULL,"
        " lon double precision, lat double precision, location text NOT NULL, lsoa_code text, lsoa_name text,"
        " outcome_name text NOT NULL, outcome_code text NOT NULL)");

    ForceMonthLoader loader(db, "outcome_loads");
    for (const auto& path : s.files) {
        const std::string file = path.string(), source = path.filename().string();
        auto from_name = force_from_file_name(source, "outcomes");
        std::optional<std::string> file_force = force_override;
        if (!file_force && from_name) file_force = from_name->force_id;
        CsvReader csv(open_file_source(file));
        if (!csv.next()) throw CliError(file + ": empty file (no header line)");
        auto cols = map_outcome_header(csv.fields());
        if (!cols)
            throw CliError(file + ": not a police.uk outcomes file (needs Crime ID, Month, Outcome type)");
        db.exec("TRUNCATE outcome_staging");
        std::optional<ForceMonth> name_place;
        if (file_force && from_name) name_place = ForceMonth{*file_force, from_name->month.index()};
        auto parse = [&](const std::vector<std::string_view>& f, const RowPlace& at) {
            return parse_outcome_row(*cols, f, at);
        };
        // The file's force, else the row's 'Falls within'. A force not in the table yet is added once
        // the COPY is over: no other statement may run on the connection during one.
        std::map<std::string, std::string> new_forces;  // id -> name if police.uk has none
        auto force_of = [&](const OutcomeRow& r, const RowPlace& at) -> RowResult<std::string> {
            std::string force = file_force ? *file_force : std::string();
            if (force.empty()) {
                auto lower = to_lower(r.falls_within);
                auto it = by_name.find(lower);
                force = it != by_name.end() ? it->second : force_id_from_name(r.falls_within);
            }
            if (force.empty()) return row_error(at, "no force in the file name and an empty 'Falls within'");
            if (!known.count(force) && !new_forces.count(force))
                new_forces[force] = r.falls_within.empty() ? force : r.falls_within;
            return force;
        };
        auto stage = [](store::CopyIn& copy, const OutcomeRow& r, const std::string& force,
                        std::uint64_t line) {
            const CopyPoint point(r.lon, r.lat);
            const std::string line_text = std::to_string(line), month = r.month.str() + "-01";
            const std::string code = core::police::outcome_code(r.outcome);
            copy.put_row({line_text, force, month, r.crime_id, r.reported_by, r.falls_within, point.lon(),
                          point.lat(),
                          r.location.empty() ? std::string_view("No Location") : std::string_view(r.location),
                          null_if_empty(r.lsoa_code), null_if_empty(r.lsoa_name), r.outcome, code});
        };
        auto file_tallies = loader.stage_file<OutcomeRow>(
            csv, file, source, name_place, "COPY outcome_staging FROM STDIN", parse, force_of, stage);
        for (const auto& [id, name] : new_forces) {
            insert_force(db, id, name);
            known.insert(id);
        }
        loader.replace(file_tallies, source, [&](const store::Params& fm) {
            db.query("DELETE FROM outcomes WHERE force_id = $1 AND month = $2::date", fm);
            db.query(
                "INSERT INTO snap_locations (lon, lat, name) SELECT DISTINCT lon, lat, location FROM "
                "outcome_staging"
                " WHERE force_id = $1 AND month = $2::date AND lon IS NOT NULL ON CONFLICT (lon, lat, name) "
                "DO NOTHING",
                fm);
            db.query(
                "INSERT INTO outcomes (crime_id, month, force_id, reported_by, falls_within, location_id, "
                "geom,"
                " location, file_lsoa_code, file_lsoa_name, outcome_name, outcome_code)"
                " SELECT s.crime_id, s.month, s.force_id, s.reported_by, s.falls_within, l.id, l.geom, "
                "s.location,"
                " s.lsoa_code, s.lsoa_name, s.outcome_name, s.outcome_code FROM outcome_staging s"
                " LEFT JOIN snap_locations l ON l.lon = s.lon AND l.lat = s.lat AND l.name = s.location"
                " WHERE s.force_id = $1 AND s.month = $2::date ORDER BY s.line",
                fm);
        });
    }
    const ForceMonthTally all = loader.print_table();
    if (loader.unplaced())
        std::printf("%-28s %10s %10s %10s\n", "(unreadable row)", with_commas(loader.unplaced()).c_str(), "0",
                    with_commas(loader.unplaced()).c_str());
    loader.bad_rows().print_rest("bad rows not shown");
    std::printf("import outcomes: %s rows loaded, %s skipped in %.1f s\n", with_commas(all.loaded).c_str(),
                with_commas(all.skipped).c_str(), s.seconds());
    return s.args.has("strict") && all.skipped > 0 ? 3 : 0;
}

}  // namespace crimemap::tools
