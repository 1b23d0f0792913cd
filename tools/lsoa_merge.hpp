#pragma once
// The step both LSOA-keyed lookups end each file with (classification, deprivation): the staged
// rows merged into their table, the last row of an LSOA winning and unchanged rows left alone, and
// the file's summary line. One statement, so both imports count "changed" and "with a boundary
// loaded" alike. Runs inside the caller's transaction.
#include <cstdint>
#include <string>
#include <vector>

#include "store/pg.hpp"

namespace crimemap::tools {

// "a, b, c": the staging table's column list.
std::string column_list(const std::vector<std::string>& columns);

struct LsoaMergeCounts {
    std::uint64_t lsoas = 0;          // distinct LSOAs staged
    std::uint64_t changed = 0;        // rows inserted or updated
    std::uint64_t with_boundary = 0;  // staged LSOAs with an area row (kind 'lsoa')
};

// staging holds (line, columns...), columns starting with lsoa_code; table has the same columns
// plus `extra` ones, set to params $1, $2, ... in order (e.g. source).
LsoaMergeCounts merge_last_per_lsoa(store::Connection& db, const std::string& staging,
                                    const std::string& table, const std::vector<std::string>& columns,
                                    const std::vector<std::string>& extra, const store::Params& extra_values);

// "<source>: N rows, N LSOAs (N changed, N with a boundary loaded), N bad rows" on stdout.
void print_lsoa_file_summary(const std::string& source, std::uint64_t rows, const LsoaMergeCounts& merged,
                             std::uint64_t bad);

}  // namespace crimemap::tools
