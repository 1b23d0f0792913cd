#pragma once
// `crimemap import population`: residents per area (areas.population) from CSV files (plain or
// gzipped) with the columns area_code (or code), population and an optional kind, found by header
// name; ONS files are read as published too (LSOA11CD,population_mid2019: an ONS code column names
// the kind, a population_<period> column the period). Rows go through a staging table with COPY;
// the last row of a (code, kind) wins; codes with no such area are counted (the first few shown)
// and skipped. Each area records the file and period (areas.population_source/_period); `crimemap
// refresh` then derives the larger areas' populations from the LSOAs. Header mapping and row
// parsing are pure and unit-tested (tests/unit/import_population_row_test.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/import_row.hpp"

namespace crimemap::tools {

// lsoa, msoa, ward, lad, pfa or neighbourhood.
bool is_population_kind(std::string_view kind);

struct PopulationColumns {
    int code = -1, population = -1, kind = -1;  // kind -1: no kind column
    std::string header_kind;    // from an ONS code column: LSOA11CD -> lsoa, WD19CD -> ward, ...
    std::string header_period;  // from population_mid2019 -> "mid-2019"; empty when not stated
};
// nullopt when no code column (area_code, code, or an ONS <kind><yy>CD such as LSOA11CD) or no
// population column (population, or population_<period>) is found.
std::optional<PopulationColumns> map_population_header(const std::vector<std::string_view>& header);

struct PopulationRow {
    std::string code;
    std::string kind;  // lower-cased; empty: every area with the code
    std::int32_t population = 0;
};

// Parses one record; default_kind (from --kind, else the header's kind) applies when the row has
// no kind. Errors: no area code, unreadable population, unknown kind.
RowResult<PopulationRow> parse_population_row(const PopulationColumns& cols,
                                              const std::vector<std::string_view>& fields,
                                              const std::optional<std::string>& default_kind,
                                              const RowPlace& at);

int cmd_import_population(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
