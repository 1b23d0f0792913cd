#include "tools/crime_import.hpp"

#include <array>
#include <cstdio>
#include <map>
#include <set>

#include "base/text.hpp"
#include "store/copy_in.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/forces.hpp"
#include "tools/import_command.hpp"
#include "tools/import_row.hpp"
#include "tools/row_fields.hpp"

namespace crimemap::tools {
namespace fs = std::filesystem;

std::optional<CrimeColumns> map_crime_header(const std::vector<std::string_view>& header,
                                             std::string& error) {
    CrimeColumns c;
    c.count = header.size();
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string name = to_lower(trim(header[i]));
        int idx = static_cast<int>(i);
        if (name == "crime id")
            c.crime_id = idx;
        else if (name == "month")
            c.month = idx;
        else if (name == "reported by")
            c.reported_by = idx;
        else if (name == "falls within")
            c.falls_within = idx;
        else if (name == "longitude")
            c.longitude = idx;
        else if (name == "latitude")
            c.latitude = idx;
        else if (name == "location")
            c.location = idx;
        else if (name == "lsoa code")
            c.lsoa_code = idx;
        else if (name == "lsoa name")
            c.lsoa_name = idx;
        else if (name == "crime type")
            c.crime_type = idx;
        else if (name == "last outcome category")
            c.last_outcome = idx;
        else if (name == "context")
            c.context = idx;
    }
    const std::pair<int, const char*> required[] = {{c.month, "Month"},
                                                    {c.crime_type, "Crime type"},
                                                    {c.longitude, "Longitude"},
                                                    {c.latitude, "Latitude"},
                                                    {c.falls_within, "Falls within"}};
    for (const auto& [idx, name] : required) {
        if (idx < 0) {
            error = std::string("not a police.uk street-level crime file (no '") + name +
                    "' column in the header)";
            return std::nullopt;
        }
    }
    return c;
}

std::string_view problem_name(RowProblem p) {
    switch (p) {
        case RowProblem::none: return "ok";
        case RowProblem::column_count: return "wrong column count";
        case RowProblem::month: return "unreadable month";
        case RowProblem::coordinates: return "bad coordinates";
        case RowProblem::crime_type: return "unknown crime type";
        case RowProblem::force: return "unknown force";
        case RowProblem::text: return "bad text";
        case RowProblem::count_: break;
    }
    return "?";
}

bool inside_uk(double lon, double lat) { return lon >= -11.0 && lon <= 2.5 && lat >= 49.0 && lat <= 61.5; }

RowProblem parse_crime_row(const CrimeColumns& cols, const std::vector<std::string_view>& f, CrimeRow& row,
                           std::string& detail) {
    if (f.size() != cols.count) {
        detail = "got " + std::to_string(f.size()) + " fields, expected " + std::to_string(cols.count);
        return RowProblem::column_count;
    }
    auto month_text = column_field(f, cols.month);
    auto month = core::Month::parse(month_text);
    if (!month) {
        detail = "month '" + std::string(month_text) + "'";
        return RowProblem::month;
    }
    row.month = *month;
    row.longitude = column_field(f, cols.longitude);
    row.latitude = column_field(f, cols.latitude);
    if (row.longitude.empty() != row.latitude.empty()) {
        detail = "only one of longitude/latitude ('" + std::string(row.longitude) + "', '" +
                 std::string(row.latitude) + "')";
        return RowProblem::coordinates;
    }
    if (row.located()) {
        const auto lon = parse_decimal(row.longitude), lat = parse_decimal(row.latitude);
        if (!lon || !lat) {
            detail = "unreadable coordinates ('" + std::string(row.longitude) + "', '" +
                     std::string(row.latitude) + "')";
            return RowProblem::coordinates;
        }
        if (!inside_uk(*lon, *lat)) {
            detail = "coordinates outside the UK (" + std::string(row.longitude) + ", " +
                     std::string(row.latitude) + ")";
            return RowProblem::coordinates;
        }
        if (row.longitude.front() == '+') row.longitude.remove_prefix(1);
        if (row.latitude.front() == '+') row.latitude.remove_prefix(1);
    }
    auto type = column_field(f, cols.crime_type);
    auto cat = core::category_from_name(type);
    if (!cat) {
        detail = "crime type '" + std::string(type) + "'";
        return RowProblem::crime_type;
    }
    row.category = *cat;
    row.crime_id = column_field(f, cols.crime_id);
    row.reported_by = column_field(f, cols.reported_by);
    row.falls_within = column_field(f, cols.falls_within);
    row.location = column_field(f, cols.location);
    row.lsoa_code = column_field(f, cols.lsoa_code);
    row.lsoa_name = column_field(f, cols.lsoa_name);
    row.last_outcome = column_field(f, cols.last_outcome);
    row.context = column_field(f, cols.context);
    // Checked last, once the row is otherwise good: a byte COPY refuses would fail its whole
    // (force, month) transaction, so the row is reported and skipped instead.
    if (auto reason = bad_text_reason(f)) {
        detail = std::move(*reason);
        return RowProblem::text;
    }
    return RowProblem::none;
}

std::optional<FileForceMonth> force_from_file_name(std::string_view name) {
    return force_from_file_name(name, "street");
}

std::optional<FileForceMonth> force_from_file_name(std::string_view name, std::string_view kind) {
    // Built by appending (GCC 12's -Wrestrict misfires on "-" + std::string(kind)).
    std::string csv(1, '-');
    csv.append(kind).append(".csv");
    std::string gz = csv;
    gz.append(".gz");
    for (std::string_view suffix : {std::string_view(gz), std::string_view(csv)}) {
        if (name.size() > suffix.size() + 8 && name.ends_with(suffix)) {
            auto month = core::Month::parse(name.substr(0, 7));
            if (!month || name[7] != '-') return std::nullopt;
            std::string_view force = name.substr(8, name.size() - suffix.size() - 8);
            if (force.empty()) return std::nullopt;
            for (char c : force)
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return std::nullopt;
            return FileForceMonth{std::string(force), *month};
        }
    }
    return std::nullopt;
}

std::string force_id_from_name(std::string_view name) {
    name = trim(name);
    std::string lower = to_lower(name);
    for (const auto& f : known_forces())
        if (to_lower(f.name) == lower) return std::string(f.id);
    // Names police.uk has used besides the current /api/forces ones.
    static const std::pair<std::string_view, std::string_view> aliases[] = {
        {"hampshire & isle of wight constabulary", "hampshire"},
        {"hampshire and isle of wight constabulary", "hampshire"},
        {"metropolitan police", "metropolitan"},
        {"devon and cornwall police", "devon-and-cornwall"},
        {"police service of northern ireland (psni)", "northern-ireland"},
    };
    for (const auto& [alias, id] : aliases)
        if (lower == alias) return std::string(id);
    for (std::string_view suffix : {" police service", " constabulary", " police"}) {
        if (lower.size() > suffix.size() && lower.ends_with(suffix)) {
            lower.resize(lower.size() - suffix.size());
            break;
        }
    }
    std::string slug;
    for (std::size_t i = 0; i < lower.size(); ++i) {
        char c = lower[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            slug.push_back(c);
        } else if (c == '&') {
            if (!slug.empty() && slug.back() != '-') slug.push_back('-');
            slug += "and-";
        } else if (!slug.empty() && slug.back() != '-') {
            slug.push_back('-');
        }
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    return slug;
}

namespace {

constexpr std::size_t kProblemKinds = static_cast<std::size_t>(RowProblem::count_);
constexpr std::size_t kMaxShown = 10;
constexpr std::size_t kCopyChunk = 1 << 20;
// Serialises crime replacement with refresh (which deletes unused snap locations).
constexpr const char* kCrimeLock = "SELECT pg_advisory_xact_lock(7260491002)";

struct Tally {
    std::uint64_t read = 0, loaded = 0, no_location = 0;
    std::array<std::uint64_t, kProblemKinds> skipped{};
    std::uint64_t skipped_total() const {
        std::uint64_t n = 0;
        for (auto s : skipped) n += s;
        return n;
    }
};

// --timings: how long each phase took, on stderr (for tuning and bench/import).
class PhaseTimer {
  public:
    explicit PhaseTimer(bool on) : on_(on), last_(std::chrono::steady_clock::now()) {}
    void mark(const std::string& what) {
        if (!on_) return;
        auto now = std::chrono::steady_clock::now();
        std::fprintf(stderr, "  [%7.3f s] %s\n", std::chrono::duration<double>(now - last_).count(),
                     what.c_str());
        last_ = now;
    }

  private:
    bool on_;
    std::chrono::steady_clock::time_point last_;
};

struct ForceMonthKey {
    std::string force;  // empty when the row's force or month could not be read
    int month = -1;     // core::Month index
    auto operator<=>(const ForceMonthKey&) const = default;
};

std::string month_label(int index) { return index < 0 ? "?" : core::Month::from_index(index).str(); }
std::string month_date(core::Month m) { return m.str() + "-01"; }

// One checked row in crime_staging's column order (coordinates as written in the file).
void stage_row(store::CopyIn& copy, std::uint64_t line, const std::string& force, const CrimeRow& row) {
    const std::string line_text = std::to_string(line), month = month_date(row.month);
    std::optional<std::string_view> lon, lat;
    if (row.located()) {
        lon = row.longitude;
        lat = row.latitude;
    }
    copy.put_row(
        {line_text, force, month, null_if_empty(row.crime_id), row.reported_by, row.falls_within, lon, lat,
         row.location.empty() && !row.located() ? std::string_view("No Location") : row.location,
         null_if_empty(row.lsoa_code), null_if_empty(row.lsoa_name), core::categories[row.category].slug,
         null_if_empty(row.last_outcome), null_if_empty(row.context)});
}

class CrimeImporter {
  public:
    CrimeImporter(store::Connection& db, std::optional<std::string> force_override, bool timings)
        : db_(db),
          timer_(timings),
          force_override_(std::move(force_override)),
          kill_after_rows_(env_u64("CRIMEMAP_FAULT_KILL_AFTER_ROWS")),
          kill_in_replace_(env_u64("CRIMEMAP_FAULT_KILL_IN_REPLACE")) {
        auto rows = db_.query("SELECT id, name FROM forces");
        for (int i = 0; i < rows.size(); ++i)
            db_forces_[to_lower(rows.text(i, 1))] = std::string(rows.text(i, 0));
        for (int i = 0; i < rows.size(); ++i) known_ids_.insert(std::string(rows.text(i, 0)));
        // Session settings for bulk work: JIT compiling the big INSERT ... SELECT costs more than it
        // saves; DISTINCT and hash joins over a million staged rows fit in 64 MB; the staging table
        // (temp buffers must be sized before its first use) stays in memory up to 256 MB.
        db_.exec("SET jit = off");
        db_.exec("SET work_mem = '64MB'");
        db_.exec("SET temp_buffers = '256MB'");
        db_.exec(
            "CREATE TEMP TABLE IF NOT EXISTS crime_staging ("
            " line bigint NOT NULL, force_id text NOT NULL, month date NOT NULL, crime_id text,"
            " reported_by text NOT NULL, falls_within text NOT NULL, lon double precision, lat double "
            "precision,"
            " location text NOT NULL, lsoa_code text, lsoa_name text, category text NOT NULL,"
            " last_outcome text, context text)");
    }

    void import_file(const fs::path& path);
    // Prints the summary; returns the number of skipped rows.
    std::uint64_t report(double seconds) const;

  private:
    std::string force_for(std::string_view falls_within);
    void bad_row(const fs::path& path, std::uint64_t line, RowProblem p, const std::string& detail,
                 Tally& tally);
    void replace(const std::string& force, const std::string& month, const std::string& source,
                 const Tally& t);

    store::Connection& db_;
    PhaseTimer timer_;
    std::optional<std::string> force_override_;
    std::map<std::string, std::string> db_forces_;  // lower-case name -> id
    std::set<std::string> known_ids_;
    std::map<std::string, std::string> new_forces_;  // id -> name if police.uk has none, forces to add
    std::map<ForceMonthKey, Tally> tallies_;
    std::array<std::uint64_t, kProblemKinds> problems_{};
    std::uint64_t shown_ = 0;
    std::uint64_t rows_read_ = 0;
    std::uint64_t kill_after_rows_;
    std::uint64_t kill_in_replace_;
    std::uint64_t replaces_ = 0;
    std::vector<std::string> file_notes_;
};

std::string CrimeImporter::force_for(std::string_view falls_within) {
    std::string lower = to_lower(falls_within);
    if (auto it = db_forces_.find(lower); it != db_forces_.end()) return it->second;
    std::string id = force_id_from_name(falls_within);
    if (!id.empty()) db_forces_[lower] = id;
    return id;
}

void CrimeImporter::bad_row(const fs::path& path, std::uint64_t line, RowProblem p, const std::string& detail,
                            Tally& tally) {
    auto k = static_cast<std::size_t>(p);
    ++problems_[k];
    ++tally.skipped[k];
    if (shown_++ < kMaxShown)
        std::fprintf(stderr, "%s:%llu: %s: %s\n", path.string().c_str(),
                     static_cast<unsigned long long>(line), std::string(problem_name(p)).c_str(),
                     detail.c_str());
}

void CrimeImporter::import_file(const fs::path& path) {
    const std::string source = path.filename().string();
    auto from_name = force_from_file_name(source);
    std::optional<std::string> file_force = force_override_;
    if (!file_force && from_name) file_force = from_name->force_id;

    CsvReader csv(open_file_source(path.string()));
    if (!csv.next()) throw CliError(path.string() + ": empty file (no header line)");
    std::string error;
    auto cols = map_crime_header(csv.fields(), error);
    if (!cols) throw CliError(path.string() + ": " + error);

    db_.exec("TRUNCATE crime_staging");
    // An exception (an unreadable file, a fault) aborts the COPY, which leaves the connection usable.
    store::CopyIn copy(db_, "COPY crime_staging FROM STDIN", kCopyChunk);
    std::map<ForceMonthKey, Tally> file_tallies;
    Progress progress(source);
    CrimeRow row;
    std::string detail;
    std::uint64_t file_rows = 0;
    while (csv.next()) {
        ++file_rows;
        ++rows_read_;
        if (kill_after_rows_ && rows_read_ >= kill_after_rows_) die_now();
        progress.tick(file_rows);
        auto problem = csv.unterminated_quote() ? RowProblem::column_count
                                                : parse_crime_row(*cols, csv.fields(), row, detail);
        if (csv.unterminated_quote()) detail = "unterminated quoted field at the end of the file";
        // Rows whose month and force were read are counted against their (force, month).
        const bool placed = problem == RowProblem::none || problem == RowProblem::crime_type ||
                            problem == RowProblem::coordinates || problem == RowProblem::text;
        std::string force;
        if (placed) {
            force = file_force ? *file_force : force_for(column_field(csv.fields(), cols->falls_within));
            if (force.empty() && problem == RowProblem::none) {
                problem = RowProblem::force;
                detail = "no force in the file name and an empty 'Falls within'";
            }
        }
        ForceMonthKey key;
        if (placed) {
            key = {force, row.month.index()};
        } else if (file_force && from_name) {
            key = {*file_force, from_name->month.index()};
        }
        auto& t = file_tallies[key];
        ++t.read;
        if (problem != RowProblem::none) {
            bad_row(path, csv.line(), problem, detail, t);
            continue;
        }
        if (!known_ids_.count(force) && !new_forces_.count(force))
            new_forces_[force] = std::string(row.falls_within.empty() ? force : row.falls_within);
        ++t.loaded;
        if (!row.located()) ++t.no_location;
        stage_row(copy, csv.line(), force, row);
    }
    copy.finish();
    progress.done(file_rows);
    timer_.mark(source + ": read, checked and staged " + std::to_string(file_rows) + " rows (COPY)");
    db_.exec("ANALYZE crime_staging (force_id, month, lon, lat, location)");
    timer_.mark("ANALYZE staging");

    for (const auto& [id, name] : new_forces_) {
        insert_force(db_, id, name);
        known_ids_.insert(id);
    }
    new_forces_.clear();

    for (const auto& [key, t] : file_tallies) {
        auto& total = tallies_[key];
        total.read += t.read;
        total.loaded += t.loaded;
        total.no_location += t.no_location;
        for (std::size_t k = 0; k < kProblemKinds; ++k) total.skipped[k] += t.skipped[k];
        if (key.force.empty() || t.loaded == 0) continue;
        replace(key.force, month_date(core::Month::from_index(key.month)), source, t);
    }
}

void CrimeImporter::replace(const std::string& force, const std::string& month, const std::string& source,
                            const Tally& t) {
    store::Transaction tx(db_);
    db_.exec(kCrimeLock);
    store::Params fm{force, month};
    db_.query("DELETE FROM crimes WHERE force_id = $1 AND month = $2::date", fm);
    timer_.mark("DELETE previous " + force + " " + month);
    db_.query(
        "INSERT INTO snap_locations (lon, lat, name)"
        " SELECT DISTINCT lon, lat, location FROM crime_staging"
        " WHERE force_id = $1 AND month = $2::date AND lon IS NOT NULL"
        " ON CONFLICT (lon, lat, name) DO NOTHING",
        fm);
    timer_.mark("INSERT snap_locations");
    auto inserted = db_.query(
        "WITH ins AS (INSERT INTO crimes (crime_id, month, force_id, reported_by, falls_within, location_id, "
        "geom,"
        "  location, file_lsoa_code, file_lsoa_name, category, last_outcome, context)"
        " SELECT s.crime_id, s.month, s.force_id, s.reported_by, s.falls_within, l.id, l.geom, s.location,"
        "  s.lsoa_code, s.lsoa_name, s.category, s.last_outcome, s.context"
        " FROM crime_staging s LEFT JOIN snap_locations l ON l.lon = s.lon AND l.lat = s.lat AND l.name = "
        "s.location"
        " WHERE s.force_id = $1 AND s.month = $2::date RETURNING 1)"
        " SELECT count(*) FROM ins",
        fm);
    timer_.mark("INSERT crimes");
    if (static_cast<std::uint64_t>(inserted.int64(0, 0)) != t.loaded)
        throw store::PgError("internal: staged " + std::to_string(t.loaded) + " rows for " + force + " " +
                             month + " but inserted " + std::string(inserted.text(0, 0)));
    db_.query(
        "INSERT INTO crime_loads (force_id, month, source, rows_loaded, rows_skipped) VALUES ($1, $2::date, "
        "$3, $4, $5)"
        " ON CONFLICT (force_id, month) DO UPDATE SET source = EXCLUDED.source, rows_loaded = "
        "EXCLUDED.rows_loaded,"
        " rows_skipped = EXCLUDED.rows_skipped, loaded_at = now()",
        {force, month, source, std::to_string(t.loaded), std::to_string(t.skipped_total())});
    if (kill_in_replace_ && ++replaces_ >= kill_in_replace_) die_now();
    tx.commit();
    timer_.mark("COMMIT");
}

// "wrong column count 1, bad coordinates 2" for the reasons with a count.
std::string reasons_text(const std::array<std::uint64_t, kProblemKinds>& counts) {
    std::string reasons;
    for (std::size_t k = 1; k < kProblemKinds; ++k) {
        if (!counts[k]) continue;
        if (!reasons.empty()) reasons += ", ";
        reasons += std::string(problem_name(static_cast<RowProblem>(k))) + " " + with_commas(counts[k]);
    }
    return reasons;
}

std::uint64_t CrimeImporter::report(double seconds) const {
    Tally total;
    std::printf("%-28s %10s %10s %10s %12s\n", "force month", "read", "loaded", "skipped", "no location");
    for (const auto& [key, t] : tallies_) {
        std::string label = key.force.empty() ? "(unreadable row)" : key.force + " " + month_label(key.month);
        std::printf("%-28s %10s %10s %10s %12s\n", label.c_str(), with_commas(t.read).c_str(),
                    with_commas(t.loaded).c_str(), with_commas(t.skipped_total()).c_str(),
                    with_commas(t.no_location).c_str());
        // The reasons of this force-month's skips, on the line below it.
        if (t.skipped_total() > 0) std::printf("  skipped: %s\n", reasons_text(t.skipped).c_str());
        total.read += t.read;
        total.loaded += t.loaded;
        total.no_location += t.no_location;
        for (std::size_t k = 0; k < kProblemKinds; ++k) total.skipped[k] += t.skipped[k];
    }
    std::printf("%-28s %10s %10s %10s %12s\n", "total", with_commas(total.read).c_str(),
                with_commas(total.loaded).c_str(), with_commas(total.skipped_total()).c_str(),
                with_commas(total.no_location).c_str());
    if (total.skipped_total() > 0) {
        std::printf("skipped by reason: %s\n", reasons_text(problems_).c_str());
        if (shown_ > kMaxShown)
            std::fprintf(stderr, "... and %s more bad rows not shown (%s in all)\n",
                         with_commas(shown_ - kMaxShown).c_str(), with_commas(shown_).c_str());
    }
    std::printf("import crimes: %s rows loaded in %.1f s (%s rows/s); run crimemap refresh to publish them\n",
                with_commas(total.loaded).c_str(), seconds,
                with_commas(per_second(total.read, seconds)).c_str());
    return total.skipped_total();
}

bool is_crime_file(const fs::path& p) {
    return name_ends_with(p, "-street.csv") || name_ends_with(p, "-street.csv.gz");
}

constexpr std::string_view kHelp =
    "usage: crimemap import crimes [--force ID] [--strict] [--database-url URL] PATH...\n"
    "\n"
    "Loads police.uk street-level crime CSVs: files (.csv or .csv.gz) or folders in the police.uk\n"
    "archive layout (YYYY-MM/YYYY-MM-<force>-street.csv; other files there are ignored).\n"
    "Each (force, month) found is replaced in one transaction, so importing again does not\n"
    "duplicate and an interrupted import leaves the months already loaded. The force comes from\n"
    "the file name (YYYY-MM-<force>-street.csv), else from the 'Falls within' column.\n"
    "Bad rows (wrong column count, unreadable month, coordinates outside the UK, unknown crime\n"
    "type) are reported as file:line: reason and skipped. The summary gives rows read, loaded,\n"
    "skipped (with the reasons below each force-month) and without a location, per force-month\n"
    "(rows whose force or month cannot be read are booked to '(unreadable row)' unless the\n"
    "file name names them). Run `crimemap refresh` afterwards.\n"
    "\n"
    "  --force ID          police.uk force id for every row (e.g. west-mercia)\n"
    "  --strict            exit with status 3 when any row was skipped\n"
    "  --timings           print how long each phase took (stderr)\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

}  // namespace

int cmd_import_crimes(const std::vector<std::string>& argv) {
    auto opened = open_import(
        argv, {kHelp,
               {"force"},
               {"strict", "timings"},
               is_crime_file,
               "no police.uk street-level crime files (*-street.csv[.gz]) under the given paths"});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    CrimeImporter importer(s.db, s.args.get("force"), s.args.has("timings"));
    for (const auto& f : s.files) importer.import_file(f);
    std::uint64_t skipped = importer.report(s.seconds());
    return s.args.has("strict") && skipped > 0 ? 3 : 0;
}

}  // namespace crimemap::tools
