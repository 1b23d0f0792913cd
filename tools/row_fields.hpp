#pragma once
// Field readers shared by the police.uk row parsers (crimes, outcomes, stop and search): header-
// mapped columns, decimals as police.uk writes them, the Longitude/Latitude pair, and the per
// (force, month) tally each import prints. Pure; no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::tools {

// The trimmed field at a header-mapped column; "" when the header lacks the column (idx < 0).
std::string_view column_field(const std::vector<std::string_view>& fields, int idx);

// A decimal such as '-2.750561' or '+52.3' (police.uk writes both); nullopt when unreadable.
std::optional<double> parse_decimal(std::string_view text);

// A row's Longitude/Latitude: both empty (no location: lon and lat stay nullopt), or both readable
// and inside the UK. Returns the reason when neither holds ("bad coordinates: ...").
std::optional<std::string> read_row_point(std::string_view lon_text, std::string_view lat_text,
                                          std::optional<double>& lon, std::optional<double>& lat);

// An optional text field for COPY: SQL NULL when the file left it empty.
inline std::optional<std::string_view> null_if_empty(std::string_view v) {
    if (v.empty()) return std::nullopt;
    return v;
}

// A located row's coordinates as COPY text ("%.6f"), or null fields for a row without a location.
class CopyPoint {
  public:
    CopyPoint(const std::optional<double>& lon, const std::optional<double>& lat);
    std::optional<std::string_view> lon() const;
    std::optional<std::string_view> lat() const;

  private:
    char lon_[32] = "", lat_[32] = "";
    bool located_ = false;
};

// Rows of one (force, month) in one import.
struct ForceMonthTally {
    std::uint64_t read = 0, loaded = 0, skipped = 0, no_location = 0;
    ForceMonthTally& operator+=(const ForceMonthTally& o) {
        read += o.read;
        loaded += o.loaded;
        skipped += o.skipped;
        no_location += o.no_location;
        return *this;
    }
};

}  // namespace crimemap::tools
