#pragma once
// Text pieces the downloadable reports share (league tables, meeting packs): a number through a
// printf format and an RFC 4180 CSV cell. One definition, so every CSV the server writes quotes
// alike. Pure; thread-safe.
#include <string>
#include <string_view>

namespace crimemap::core {

// v printed with a printf format for one double ("%.2f", "%.10g").
std::string format_number(const char* format, double v);

// s as one CSV cell: as is, or in double quotes (inner quotes doubled) when it holds a comma, a
// quote or a line break.
std::string csv_quote(std::string_view s);

}  // namespace crimemap::core
