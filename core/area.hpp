#pragma once
// Area kinds and their names as they appear in URLs (?kind=lsoa) and in the areas table.
#include <optional>
#include <string_view>

namespace crimemap::core {

enum class AreaKind : unsigned char { lsoa, msoa, ward, lad, pfa, neighbourhood };
inline constexpr AreaKind all_area_kinds[] = {AreaKind::lsoa, AreaKind::msoa, AreaKind::ward,
                                              AreaKind::lad,  AreaKind::pfa,  AreaKind::neighbourhood};

std::string_view to_string(AreaKind kind) noexcept;
std::optional<AreaKind> area_kind_from_string(std::string_view text) noexcept;

}  // namespace crimemap::core
