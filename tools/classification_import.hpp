#pragma once
// `crimemap import classification`: the ONS 2011 area classification of each LSOA (the lookup
// LSOA11CD,SOAC11CD,SOAC11NM,MSOA11CD,...,LAD17CD,...,RGN11CD,...,CTRY11CD; plain or gzipped) into
// lsoa_classification: the group code ('5b'), its name, the supergroup (its leading digit) and the
// MSOA, district, region and country the lookup carries. Columns are found by header name; every
// row is kept (LSOAs without a boundary too); importing the same file again changes nothing.
// Header mapping and row parsing are pure and unit-tested (tests/unit/import_classification_test.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/import_row.hpp"

namespace crimemap::tools {

struct ClassificationColumns {
    int lsoa = -1, group = -1, name = -1;                // required
    int msoa = -1, lad = -1, region = -1, country = -1;  // -1: absent
};
// nullopt when the LSOA code (LSOA11CD), group code (SOAC11CD or OAC11CD) or group name
// (SOAC11NM or OAC11NM) column is missing.
std::optional<ClassificationColumns> map_classification_header(const std::vector<std::string_view>& header);

struct ClassificationRow {
    std::string lsoa, group, name, msoa, lad, region, country;
    std::int16_t supergroup = 0;  // 1..9, the group code's digit
};

// Errors: no LSOA code; a group code that is not a digit and an optional lower-case letter ("5b").
RowResult<ClassificationRow> parse_classification_row(const ClassificationColumns& cols,
                                                      const std::vector<std::string_view>& fields,
                                                      const RowPlace& at);

int cmd_import_classification(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
