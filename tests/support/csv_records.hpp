#pragma once
// Unit-test helper of the importer tests: the records of a CSV text, read by the importers' own
// CsvReader, so parsers see fields exactly as an import does.
#include <string>
#include <string_view>
#include <vector>

#include "tools/csv.hpp"

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

}  // namespace crimemap::test
