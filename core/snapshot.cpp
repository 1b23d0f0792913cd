#include "core/snapshot.hpp"

namespace crimemap::core {

std::string_view to_string(Polarity p) noexcept {
    switch (p) {
        case Polarity::higher_is_better: return "higher_is_better";
        case Polarity::lower_is_better: return "lower_is_better";
        case Polarity::neutral: break;
    }
    return "neutral";
}

Polarity polarity_from_string(std::string_view text) noexcept {
    if (text == "higher_is_better") return Polarity::higher_is_better;
    if (text == "lower_is_better") return Polarity::lower_is_better;
    return Polarity::neutral;
}

const Area* Snapshot::find_area(AreaKind kind, const std::string& code) const {
    auto it = area_by_code.find(std::string(to_string(kind)) + ":" + code);
    return it == area_by_code.end() ? nullptr : &areas[it->second];
}

}  // namespace crimemap::core
