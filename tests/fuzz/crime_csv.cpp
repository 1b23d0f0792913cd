// libFuzzer harness: `crimemap import crimes`' pure part: the CSV reader (tools/csv.hpp), the
// header mapping and the police.uk row parser (tools/crime_import.hpp), and the COPY text escaping
// each accepted row goes through (store/pg.hpp).
// Input: CSV text. Its first record is the header; when that is not a street-level crime header,
// police.uk's real header is used and the first record is parsed as a row too.
// Oracles: an accepted row has a readable month, a category index in range, coordinates that are
// plain decimal numbers inside the UK (they are written unescaped into COPY), and every text field
// escaped for COPY and split back is unchanged.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "store/pg.hpp"
#include "tools/crime_import.hpp"
#include "tools/csv.hpp"

using crimemap::fuzz::fuzz_check;
namespace tools = crimemap::tools;

namespace {

const std::vector<std::string_view> police_header{
    "Crime ID",  "Month",     "Reported by", "Falls within",          "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type",  "Last outcome category", "Context"};

void check_number(std::string_view s, const std::string& detail) {
    fuzz_check(!s.empty(), "empty coordinate on a located row", detail);
    for (char c : s)
        fuzz_check((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+',
                   "a coordinate that is not a plain number", detail);
    fuzz_check(s.front() != '+', "a coordinate kept its '+'", detail);
}

void check_row(const tools::CrimeRow& row) {
    const std::string detail = std::string(row.longitude) + "," + std::string(row.latitude);
    fuzz_check(crimemap::core::Month::parse(row.month.str()) == row.month,
               "month does not print and parse back", detail);
    fuzz_check(row.category < crimemap::core::category_count, "category index out of range", detail);
    if (row.located()) {
        check_number(row.longitude, detail);
        check_number(row.latitude, detail);
        const double lon = std::stod(std::string(row.longitude)), lat = std::stod(std::string(row.latitude));
        fuzz_check(tools::inside_uk(lon, lat), "accepted coordinates outside the UK", detail);
    }
    std::string line;
    const std::string_view texts[] = {row.crime_id,  row.reported_by, row.falls_within, row.location,
                                      row.lsoa_code, row.lsoa_name,   row.last_outcome, row.context};
    for (std::size_t i = 0; i < std::size(texts); ++i) {
        if (i) line += '\t';
        crimemap::store::append_copy_field(line, texts[i]);
    }
    auto fields = crimemap::store::split_copy_line(line);
    fuzz_check(fields.size() == std::size(texts), "COPY line splits into another field count", line);
    for (std::size_t i = 0; i < std::size(texts); ++i) {
        // "\N" (a backslash and N) is escaped as "\\N", so a null never comes back from text.
        fuzz_check(fields[i].has_value() && *fields[i] == texts[i], "COPY escaping does not round-trip",
                   line);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // A small read buffer: records then cross refills (as in a large file), and no 256 KB buffer is
    // zeroed per input (that memset was most of an execution).
    tools::CsvReader csv(tools::string_source(std::string(reinterpret_cast<const char*>(data), size)), 64);
    if (!csv.next()) return 0;
    std::string error;
    auto cols = tools::map_crime_header(csv.fields(), error);
    bool first_is_row = false;
    if (!cols) {
        fuzz_check(!error.empty(), "a refused header without a reason");
        cols = tools::map_crime_header(police_header, error);
        fuzz_check(cols.has_value(), "police.uk's own header is refused");
        first_is_row = true;
    }
    int rows = 0;
    do {
        if (!first_is_row && rows == 0) {
            ++rows;
            continue;
        }
        ++rows;
        tools::CrimeRow row;
        std::string detail;
        auto problem = tools::parse_crime_row(*cols, csv.fields(), row, detail);
        fuzz_check(problem < tools::RowProblem::count_, "problem out of range");
        (void)tools::problem_name(problem);
        if (problem == tools::RowProblem::none) {
            check_row(row);
            (void)tools::force_id_from_name(row.falls_within);
        } else {
            fuzz_check(!detail.empty(), "a refused row without a detail");
        }
    } while (csv.next());
    return 0;
}
