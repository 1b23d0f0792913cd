#include "core/area.hpp"

namespace crimemap::core {

std::string_view to_string(AreaKind kind) noexcept {
    switch (kind) {
        case AreaKind::lsoa: return "lsoa";
        case AreaKind::msoa: return "msoa";
        case AreaKind::ward: return "ward";
        case AreaKind::lad: return "lad";
        case AreaKind::pfa: return "pfa";
        case AreaKind::neighbourhood: return "neighbourhood";
    }
    return "lsoa";
}

std::optional<AreaKind> area_kind_from_string(std::string_view text) noexcept {
    for (AreaKind k : all_area_kinds)
        if (to_string(k) == text) return k;
    return std::nullopt;
}

}  // namespace crimemap::core
