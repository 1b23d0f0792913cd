#pragma once
// Unit-test helper of the importer tests: the records of a CSV text, read by the importers' own
// CsvReader, so parsers see fields exactly as an import does; plus the checks the row-parser tests
// share (every fixture row parses; each bad row fails with its "file:line: reason").
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/csv.hpp"
#include "tools/import_row.hpp"

namespace crimemap::test {

struct CsvRecord {
    std::vector<std::string> fields;
    std::uint64_t line = 0;
    std::vector<std::string_view> views() const { return {fields.begin(), fields.end()}; }
};

inline std::vector<CsvRecord> read_csv(std::string text) {
    tools::CsvReader csv(tools::string_source(std::move(text)));
    std::vector<CsvRecord> out;
    while (csv.next())
        out.push_back({std::vector<std::string>(csv.fields().begin(), csv.fields().end()), csv.line()});
    return out;
}

// The records of a file of the source tree (tests/fixtures/...); no records when it is missing.
inline std::vector<CsvRecord> read_csv_file(const std::string& relative) {
    std::ifstream in(std::string(CRIMEMAP_SOURCE_DIR) + "/" + relative);
    std::stringstream s;
    s << in.rdbuf();
    return read_csv(s.str());
}

// Every record after the header parsed by parse(cols, fields, {file, line}); a row that fails is a
// test failure (with its message) and left out, so callers check the count before indexing.
template <class Row, class Cols, class Parse>
std::vector<Row> parse_good_rows(const Cols& cols, const std::vector<CsvRecord>& recs, std::string_view file,
                                 Parse parse) {
    std::vector<Row> rows;
    for (std::size_t i = 1; i < recs.size(); ++i) {
        tools::RowResult<Row> r = parse(cols, recs[i].views(), tools::RowPlace{file, recs[i].line});
        if (r.ok())
            rows.push_back(r.row());
        else
            ADD_FAILURE() << r.error().message();
    }
    return rows;
}

// Records 1..want.size() each fail parse with "bad.csv:<line>: want[i]".
template <class Cols, class Parse>
void expect_bad_rows(const Cols& cols, const std::vector<CsvRecord>& recs,
                     const std::vector<std::string>& want, Parse parse) {
    ASSERT_GT(recs.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto& rec = recs[i + 1];
        auto r = parse(cols, rec.views(), tools::RowPlace{"bad.csv", rec.line});
        ASSERT_FALSE(r.ok()) << i;
        EXPECT_EQ(r.error().message(), "bad.csv:" + std::to_string(rec.line) + ": " + want[i]);
    }
}

}  // namespace crimemap::test
