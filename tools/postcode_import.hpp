#pragma once
// `crimemap import postcodes`: ONS NSPL and ONSPD CSVs (plain or gzip), columns found by header
// name so both layouts (and later releases that add columns) load. Upserts by postcode.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::tools {

// 'E99999999'-style pseudo codes ("no such area") become empty; other values are trimmed.
std::string_view ons_code(std::string_view value);
// NSPL 'YYYYMM' -> 'YYYY-MM-01'; nullopt for empty or malformed values.
std::optional<std::string> ons_month_date(std::string_view yyyymm);

int cmd_import_postcodes(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
