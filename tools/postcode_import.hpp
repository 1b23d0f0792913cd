#pragma once
// `crimemap import postcodes`: ONS NSPL and ONSPD CSVs (plain or gzip), columns found by header
// name so both layouts (and later releases that add columns) load. Rows go through a staging table
// with COPY and are upserted by postcode (the later row of a file wins). Header mapping and row
// parsing are pure and unit-tested (tests/unit/import_postcode_test.cpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/postcode.hpp"
#include "tools/import_row.hpp"
#include "tools/osgb.hpp"

namespace crimemap::tools {

// 'E99999999'-style pseudo codes ("no such area") become empty; other values are trimmed.
std::string_view ons_code(std::string_view value);
// NSPL 'YYYYMM' -> 'YYYY-MM-01'; nullopt for empty or malformed values.
std::optional<std::string> ons_month_date(std::string_view yyyymm);

// The area codes stored with each postcode, in the postcodes table's column order.
constexpr std::size_t kPostcodeCodes = 17;
// Their column names in postcodes (country, region, county, lad, ward, parish, lsoa, msoa, oa,
// pcon, pfa, ccg, nhs_ha, ced, eer, pct, itl).
const std::array<const char*, kPostcodeCodes>& postcode_code_columns();

// Column positions (-1: absent) found by lower-cased header name, NSPL names first, then ONSPD's.
struct PostcodeColumns {
    std::size_t width = 0;  // every row must have exactly this many fields
    int postcode = -1, introduced = -1, terminated = -1, east = -1, north = -1, quality = -1, lat = -1,
        lon = -1;
    std::array<int, kPostcodeCodes> codes{};
};
// nullopt when there is no postcode column (pcds, pcd, pcd7, pcd8, pcd2 or postcode).
std::optional<PostcodeColumns> map_postcode_header(const std::vector<std::string_view>& header);

struct PostcodeRow {
    core::Postcode postcode;
    std::optional<LonLat> location;                     // lat/long, else from the grid reference, else none
    bool from_grid = false;                             // location converted from the grid reference
    std::optional<std::array<long long, 2>> grid;       // eastings, northings (none when quality is 9)
    std::optional<int> quality;                         // osgrdind 0-9
    std::optional<std::string> introduced, terminated;  // 'YYYY-MM-01'
    std::array<std::string, kPostcodeCodes> codes;      // empty: NULL (absent or a pseudo code)
    std::vector<std::string> pseudo;                    // columns (postcode_code_columns) given a pseudo code
};

// Converts a grid reference to lon/lat (OsgbToWgs84::convert in the import); nullopt on failure.
using GridToLonLat = std::function<std::optional<LonLat>(double easting, double northing)>;

// Parses one record. Errors: wrong field count, unreadable postcode. The 99.999999 placeholder and
// 0,0 are no location.
RowResult<PostcodeRow> parse_postcode_row(const PostcodeColumns& cols,
                                          const std::vector<std::string_view>& fields,
                                          const GridToLonLat& grid_to_lonlat, const RowPlace& at);

int cmd_import_postcodes(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
