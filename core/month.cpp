#include "core/month.hpp"

#include <cstdio>

namespace crimemap::core {

std::optional<Month> Month::parse(std::string_view t) noexcept {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (t.size() != 7 || t[4] != '-') return std::nullopt;
    for (int i : {0, 1, 2, 3, 5, 6})
        if (!digit(t[static_cast<std::size_t>(i)])) return std::nullopt;
    int year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    int month = (t[5] - '0') * 10 + (t[6] - '0');
    if (year < 1900 || year > 2999 || month < 1 || month > 12) return std::nullopt;
    return Month::from_year_month(year, month);
}

std::string Month::str() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", year(), month());
    return buf;
}

}  // namespace crimemap::core
