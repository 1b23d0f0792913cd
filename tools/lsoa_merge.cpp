#include "tools/lsoa_merge.hpp"

#include <cstdio>

#include "tools/common.hpp"

namespace crimemap::tools {

std::string column_list(const std::vector<std::string>& columns) {
    std::string out;
    for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c;
    return out;
}

LsoaMergeCounts merge_last_per_lsoa(store::Connection& db, const std::string& staging,
                                    const std::string& table, const std::vector<std::string>& columns,
                                    const std::vector<std::string>& extra,
                                    const store::Params& extra_values) {
    std::string names = column_list(columns), values = names, excluded;
    for (const auto& c : columns) excluded += (excluded.empty() ? "EXCLUDED." : ", EXCLUDED.") + c;
    for (std::size_t i = 0; i < extra.size(); ++i) {
        names += ", " + extra[i];
        excluded += ", EXCLUDED." + extra[i];
        values += ", $" + std::to_string(i + 1);
    }
    auto r = db.query(
        "WITH last AS (SELECT DISTINCT ON (lsoa_code) * FROM " + staging +
            " ORDER BY lsoa_code, line DESC),"
            " up AS (INSERT INTO " +
            table + " (" + names + ") SELECT " + values +
            " FROM last ON CONFLICT (lsoa_code) DO UPDATE SET (" + names + ") = (" + excluded + ") WHERE (" +
            table +
            ".*) IS DISTINCT FROM (EXCLUDED.*) RETURNING 1)"
            " SELECT (SELECT count(*) FROM last), (SELECT count(*) FROM up), (SELECT count(*) FROM last l"
            " WHERE EXISTS (SELECT 1 FROM areas a WHERE a.kind = 'lsoa' AND a.code = l.lsoa_code))",
        extra_values);
    return {static_cast<std::uint64_t>(r.int64(0, 0)), static_cast<std::uint64_t>(r.int64(0, 1)),
            static_cast<std::uint64_t>(r.int64(0, 2))};
}

void print_lsoa_file_summary(const std::string& source, std::uint64_t rows, const LsoaMergeCounts& merged,
                             std::uint64_t bad) {
    std::printf("%s: %s rows, %s LSOAs (%s changed, %s with a boundary loaded), %s bad rows\n",
                source.c_str(), with_commas(rows).c_str(), with_commas(merged.lsoas).c_str(),
                with_commas(merged.changed).c_str(), with_commas(merged.with_boundary).c_str(),
                with_commas(bad).c_str());
}

}  // namespace crimemap::tools
