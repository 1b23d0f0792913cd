#pragma once
// `crimemap refresh`: in one transaction, assigns every located crime to the LSOA, MSOA, ward, LAD,
// police force area and neighbourhood whose polygon contains it (the file's LSOA code is kept
// beside it and disagreements are counted), fills areas.parent_codes (a district's county too),
// derives the populations of areas larger than an LSOA from their LSOAs, rebuilds crime_monthly,
// drops snap locations no crime uses, records a dataset_versions row and sends
// NOTIFY crimemap_dataset '<version>' (delivered at commit). Running it twice gives the same data.
// The work is the SQL function crimemap_refresh() (schema/functions/0002_refresh.sql), called in
// one transaction of ours.
#include <string>
#include <vector>

#include "store/pg.hpp"

namespace crimemap::tools {

struct RefreshResult {
    long long version = 0;
    long long crimes = 0, located = 0;
    long long lsoa_compared = 0, lsoa_disagree = 0, located_outside_lsoa = 0, file_lsoa_without_polygon = 0;
    long long monthly_rows = 0;
    long long districts = 0,
              districts_with_county = 0;  // lad areas; those given a county (parent_codes.county)
    // Non-metropolitan districts (E07), which always lie in a county, left without one: county
    // indicators cannot reach them until a district -> county lookup names it.
    std::vector<std::string> districts_missing_county;
    std::vector<std::pair<std::string, long long>> assigned;  // area kind -> crimes assigned
    // Populations derived from LSOAs (crimemap_refresh_populations): kind -> "derived 257, no_lsoas 2".
    std::vector<std::pair<std::string, std::string>> populations;
};

RefreshResult refresh(store::Connection& db);

int cmd_refresh(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
