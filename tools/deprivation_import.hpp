#pragma once
// `crimemap import deprivation`: the English Indices of Deprivation 2019 by LSOA (MHCLG's "File 2:
// domains of deprivation", plain or gzipped) into lsoa_deprivation: the rank and decile of the
// Index of Multiple Deprivation and of its seven domains. The file is read as published: a UTF-8
// BOM, long column names found by their start ("Income Rank (where 1 is most deprived)"), any
// column order, other columns ignored. Every row is kept, whether or not its LSOA has a boundary;
// importing the same file again changes nothing. Header mapping and row parsing are pure and
// unit-tested (tests/unit/import_deprivation_test.cpp).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/import_row.hpp"

namespace crimemap::tools {

// The IMD and its seven domains, in the order of the columns of lsoa_deprivation.
inline constexpr std::size_t deprivation_measures = 8;
// Column stems in lsoa_deprivation: imd, income, employment, education, health, crime, barriers,
// living_environment.
extern const std::array<std::string_view, deprivation_measures> deprivation_stems;

struct DeprivationColumns {
    int lsoa = -1, lad = -1;  // lad -1: no district column
    std::array<int, deprivation_measures> rank{}, decile{};
};
// nullopt plus the missing column's name (in `missing`) when the LSOA code or any rank or decile
// column is absent.
std::optional<DeprivationColumns> map_deprivation_header(const std::vector<std::string_view>& header,
                                                         std::string* missing = nullptr);

struct DeprivationRow {
    std::string lsoa, lad;
    std::array<std::int32_t, deprivation_measures> rank{};    // 1 = most deprived
    std::array<std::int16_t, deprivation_measures> decile{};  // 1 = most deprived tenth
};

// Errors: no LSOA code, a rank that is not a positive whole number, a decile outside 1..10.
RowResult<DeprivationRow> parse_deprivation_row(const DeprivationColumns& cols,
                                                const std::vector<std::string_view>& fields,
                                                const RowPlace& at);

int cmd_import_deprivation(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
