#pragma once
// `crimemap import crimes`: police.uk street-level CSVs (plain, .csv.gz, or an archive folder of
// YYYY-MM/YYYY-MM-<force>-street.csv) streamed into a staging table with COPY, then each
// (force, month) replaced in one transaction. Row parsing is pure and unit-tested.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/category.hpp"
#include "core/month.hpp"

namespace crimemap::tools {

// Column positions found by header name (police.uk has kept these names since 2013).
struct CrimeColumns {
    std::size_t count = 0;  // header width: every row must have exactly this many fields
    int crime_id = -1, month = -1, reported_by = -1, falls_within = -1, longitude = -1, latitude = -1,
        location = -1, lsoa_code = -1, lsoa_name = -1, crime_type = -1, last_outcome = -1, context = -1;
};
// nullopt (and a reason in error) when a required column (Month, Crime type, Longitude, Latitude,
// Falls within) is missing: then it is not a street-level crime file.
std::optional<CrimeColumns> map_crime_header(const std::vector<std::string_view>& header, std::string& error);

enum class RowProblem : unsigned char {
    none,
    column_count,  // not as many fields as the header
    month,         // unreadable Month
    coordinates,   // unreadable, half-present, or outside the UK
    crime_type,    // not a police.uk category
    force,         // no force from the file name and none from Falls within
    text,          // a NUL byte or malformed UTF-8 (PostgreSQL would refuse the whole COPY)
    count_,
};
// A short name for summaries ("wrong column count", "unreadable month", ...).
std::string_view problem_name(RowProblem p);

// One parsed row; views point into the CSV reader's current record.
struct CrimeRow {
    std::string_view crime_id, reported_by, falls_within, location, lsoa_code, lsoa_name, last_outcome,
        context;
    std::string_view longitude, latitude;  // as written in the file (empty: no location)
    core::Month month;
    core::CategoryIndex category = 0;
    bool located() const { return !longitude.empty(); }
};

// Parses and validates one record. On a problem, detail says what was wrong ("got 11 fields,
// expected 12", "month '2018-13'", ...).
RowProblem parse_crime_row(const CrimeColumns& cols, const std::vector<std::string_view>& fields,
                           CrimeRow& row, std::string& detail);

// The UK box used to reject coordinates (police.uk covers England, Wales and Northern Ireland).
bool inside_uk(double lon, double lat);

// Force and month from a police.uk file name: "2018-10-west-mercia-street.csv[.gz]" ->
// ("west-mercia", 2018-10). nullopt for other names.
struct FileForceMonth {
    std::string force_id;
    core::Month month;
};
std::optional<FileForceMonth> force_from_file_name(std::string_view file_name);
// The same for the archive's other files: kind "outcomes" ("2018-12-west-mercia-outcomes.csv") or
// "stop-and-search".
std::optional<FileForceMonth> force_from_file_name(std::string_view file_name, std::string_view kind);

// police.uk id for a "Falls within"/"Reported by" name: known names and aliases first
// ("West Mercia Police" -> "west-mercia", "Hampshire & Isle of Wight Constabulary" -> "hampshire"),
// otherwise a slug of the name without its "Police"/"Constabulary" suffix.
std::string force_id_from_name(std::string_view name);

int cmd_import_crimes(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
