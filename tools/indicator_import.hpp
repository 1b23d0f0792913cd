#pragma once
// `crimemap import indicators`: per-area performance indicators from CSV (plain or gzipped) in the
// Oflog layout or the long layout (area_code,indicator,period,value,...), found by header name.
// Rows go through a staging table with COPY, then are upserted by (area_code, indicator, period);
// the last row of a key wins, and importing again changes nothing. Header mapping and row parsing
// are pure and unit-tested (tests/unit/import_indicator_test.cpp).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/import_row.hpp"

namespace crimemap::tools {

// Polarity words accepted by the long format: higher_is_better/higher/up, lower_is_better/lower/down,
// neutral/none (and Oflog's rank_order desc/asc). nullopt for anything else; empty input gives ""
// (unknown).
std::optional<std::string> normalise_polarity(std::string_view text);

enum class IndicatorLayout { oflog, long_format };

// Column positions (-1: absent) found by lower-cased header name.
struct IndicatorColumns {
    IndicatorLayout layout = IndicatorLayout::long_format;
    std::size_t width = 0;  // every row must have exactly this many fields
    int area = -1, indicator = -1, period = -1, value = -1, name = -1, polarity = -1, target = -1, unit = -1,
        benchmark = -1, group = -1;
};
// nullopt when the header is neither layout.
std::optional<IndicatorColumns> map_indicator_header(const std::vector<std::string_view>& header);

// One indicator value, typed. Empty strings are stored as NULL (unit, polarity, area_group).
struct IndicatorRow {
    std::string area_code, indicator, name, period;
    double value = 0;
    std::string unit;      // Oflog: from the measure code ("%", "score"), else the unit column
    std::string polarity;  // higher_is_better | lower_is_better | neutral | "" (unknown)
    std::optional<double> target, benchmark;  // an unreadable benchmark is dropped, not an error
    std::string area_group;
};

// Parses one record. ok() with nullopt: an Oflog row without a value (the authority did not report
// it: skipped and counted, not an error). Errors: wrong field count, missing area code, indicator or
// period, unreadable value, unknown polarity (long layout), unreadable target.
RowResult<std::optional<IndicatorRow>> parse_indicator_row(const IndicatorColumns& cols,
                                                           const std::vector<std::string_view>& fields,
                                                           const RowPlace& at);

int cmd_import_indicators(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
