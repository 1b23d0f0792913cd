#pragma once
// Calendar months as a compact index (months since 0000-01) and inclusive month ranges.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crimemap::core {

class Month {
  public:
    constexpr Month() = default;
    static constexpr Month from_year_month(int year, int month) { return Month(year * 12 + (month - 1)); }
    static constexpr Month from_index(int32_t index) { return Month(index); }
    // Strict 'YYYY-MM' (police.uk form); years 1900..2999.
    static std::optional<Month> parse(std::string_view text) noexcept;

    constexpr int year() const { return index_ / 12; }
    constexpr int month() const { return index_ % 12 + 1; }
    constexpr int32_t index() const { return index_; }
    std::string str() const;  // 'YYYY-MM'
    constexpr Month plus(int months) const { return Month(index_ + months); }
    constexpr auto operator<=>(const Month&) const = default;

  private:
    constexpr explicit Month(int32_t index) : index_(index) {}
    int32_t index_ = 0;
};

// Inclusive range of months [from, to].
struct MonthRange {
    Month from;
    Month to;
    constexpr int length() const { return to.index() - from.index() + 1; }
    constexpr bool contains(Month m) const { return from <= m && m <= to; }
    // The range of equal length just before this one (for "change against the previous period").
    constexpr MonthRange previous() const { return {from.plus(-length()), from.plus(-1)}; }
    constexpr bool operator==(const MonthRange&) const = default;
};

}  // namespace crimemap::core
