#include "tools/row_fields.hpp"

#include <charconv>
#include <cstdio>

#include "base/text.hpp"
#include "tools/crime_import.hpp"

namespace crimemap::tools {

std::string_view column_field(const std::vector<std::string_view>& fields, int idx) {
    return idx < 0 ? std::string_view{} : base::trim(fields[static_cast<std::size_t>(idx)]);
}

std::optional<double> parse_decimal(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<std::string> read_row_point(std::string_view lon_text, std::string_view lat_text,
                                          std::optional<double>& lon, std::optional<double>& lat) {
    if (lon_text.empty() != lat_text.empty()) return "bad coordinates: only one of longitude/latitude";
    if (lon_text.empty()) return std::nullopt;
    auto x = parse_decimal(lon_text), y = parse_decimal(lat_text);
    if (!x || !y)
        return "bad coordinates: unreadable ('" + std::string(lon_text) + "', '" + std::string(lat_text) +
               "')";
    if (!inside_uk(*x, *y))
        return "bad coordinates: outside the UK (" + std::string(lon_text) + ", " + std::string(lat_text) +
               ")";
    lon = x;
    lat = y;
    return std::nullopt;
}

CopyPoint::CopyPoint(const std::optional<double>& lon, const std::optional<double>& lat)
    : located_(lon && lat) {
    if (!located_) return;
    std::snprintf(lon_, sizeof lon_, "%.6f", *lon);
    std::snprintf(lat_, sizeof lat_, "%.6f", *lat);
}

std::optional<std::string_view> CopyPoint::lon() const {
    return located_ ? std::optional<std::string_view>(lon_) : std::nullopt;
}

std::optional<std::string_view> CopyPoint::lat() const {
    return located_ ? std::optional<std::string_view>(lat_) : std::nullopt;
}

}  // namespace crimemap::tools
