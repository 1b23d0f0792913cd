#pragma once
// `crimemap import outcomes`: police.uk *-outcomes.csv files (plain, .csv.gz, or the archive layout
// YYYY-MM/YYYY-MM-<force>-outcomes.csv) streamed into a staging table with COPY, then each
// (force, month) replaced in one transaction, as crimes are. Bad rows are reported as
// "file:line: reason" and skipped. The row parser is pure and unit-tested
// (tests/unit/import_outcome_row_test.cpp). The outcomes feed /api/outcomes-for-crime and
// /api/outcomes-at-location (core/police_outcomes.hpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/month.hpp"
#include "tools/import_row.hpp"

namespace crimemap::tools {

// Column positions by header name (police.uk's outcomes layout: Crime ID, Month, Reported by,
// Falls within, Longitude, Latitude, Location, LSOA code, LSOA name, Outcome type).
struct OutcomeColumns {
    std::size_t count = 0;  // every row must have exactly this many fields
    int crime_id = -1, month = -1, reported_by = -1, falls_within = -1, longitude = -1, latitude = -1,
        location = -1, lsoa_code = -1, lsoa_name = -1, outcome_type = -1;
};
// nullopt when Crime ID, Month or Outcome type is missing (then it is not an outcomes file).
std::optional<OutcomeColumns> map_outcome_header(const std::vector<std::string_view>& header);

struct OutcomeRow {
    std::string crime_id;  // police.uk persistent id (never empty)
    core::Month month;     // the outcome's month
    std::string reported_by, falls_within, location, lsoa_code, lsoa_name;
    std::optional<double> lon, lat;  // both or neither, inside the UK
    std::string outcome;             // category name as written ('Offender fined')
};

// Errors: wrong field count, unreadable month, empty Crime ID, empty Outcome type, coordinates
// unreadable, half-present or outside the UK.
RowResult<OutcomeRow> parse_outcome_row(const OutcomeColumns& cols,
                                        const std::vector<std::string_view>& fields, const RowPlace& at);

int cmd_import_outcomes(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
