#pragma once
// `crimemap import stops`: police.uk *-stop-and-search.csv files (plain, .csv.gz, or the archive
// layout YYYY-MM/YYYY-MM-<force>-stop-and-search.csv) into the stops table, each (force, month)
// replaced in one transaction. The file has no force column: the force comes from the file name
// or --force. Each located stop is tied to the nearest snap location within 200 m (police.uk
// publishes stops on the same anonymised points as crimes), else to a new unnamed one, so
// stops-at-location and the `stops` tile layer share the crimes' locations. The row parser is
// pure and unit-tested (tests/unit/import_stop_row_test.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/month.hpp"
#include "tools/import_row.hpp"

namespace crimemap::tools {

// Column positions by header name (police.uk's layout: Type, Date, Part of a policing operation,
// Policing operation, Latitude, Longitude, Gender, Age range, Self-defined ethnicity,
// Officer-defined ethnicity, Legislation, Object of search, Outcome, Outcome linked to object of
// search, Removal of more than just outer clothing).
struct StopColumns {
    std::size_t count = 0;
    int type = -1, date = -1, operation = -1, operation_name = -1, latitude = -1, longitude = -1, gender = -1,
        age_range = -1, self_defined_ethnicity = -1, officer_defined_ethnicity = -1, legislation = -1,
        object_of_search = -1, outcome = -1, outcome_linked = -1, removal = -1;
};
// nullopt when Type or Date is missing (then it is not a stop-and-search file).
std::optional<StopColumns> map_stop_header(const std::vector<std::string_view>& header);

struct StopRow {
    std::string type;
    std::string datetime;  // police.uk's form, '2019-01-04T11:07:00+00:00' (+00:00 added when absent)
    core::Month month;     // of the date
    std::optional<bool> operation, outcome_linked, removal;
    std::optional<double> lon, lat;
    std::string operation_name, gender, age_range, self_defined_ethnicity, officer_defined_ethnicity,
        legislation, object_of_search, outcome;
};

// Errors: wrong field count, empty Type, unreadable Date, a True/False column with another value,
// coordinates unreadable, half-present or outside the UK.
RowResult<StopRow> parse_stop_row(const StopColumns& cols, const std::vector<std::string_view>& fields,
                                  const RowPlace& at);

int cmd_import_stops(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
