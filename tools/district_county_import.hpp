#pragma once
// ONS district -> county lookup CSVs (LADyyCD,LADyyNM,CTYyyCD,CTYyyNM or LTLAyyCD,...,UTLAyyCD,...),
// read by `crimemap import lookups` for its .csv files: the county of each district of a two-tier
// area into district_counties, the names into code_names. Unitary rows (county = district) have no
// county. Header mapping and row parsing are pure and unit-tested (tests/unit/import_lookup_test.cpp).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/pg.hpp"
#include "tools/import_row.hpp"

namespace crimemap::tools {

struct DistrictCountyColumns {
    int lad = -1, lad_name = -1, county = -1, county_name = -1;  // names -1 when absent
};
// Finds LADyyCD/LTLAyyCD and CTYyyCD/UTLAyyCD (any case, yy two digits) and their NM columns; the
// error names the missing columns.
RowResult<DistrictCountyColumns> map_district_county_header(const std::vector<std::string_view>& header,
                                                            const RowPlace& at);

struct DistrictCountyRow {
    enum class Kind { two_tier, unitary, no_district };
    Kind kind = Kind::no_district;    // no_district: the district code is not a GSS code (row ignored)
    std::string lad, lad_name;        // lad_name empty when absent
    std::string county, county_name;  // two_tier only
};
DistrictCountyRow parse_district_county_row(const DistrictCountyColumns& cols,
                                            const std::vector<std::string_view>& fields);

// Reads one lookup CSV and writes it in one transaction; prints the file's summary line.
void import_district_county_csv(store::Connection& db, const std::filesystem::path& path);

}  // namespace crimemap::tools
