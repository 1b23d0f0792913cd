#include "core/snapshot.hpp"

namespace crimemap::core {

const Area* Snapshot::find_area(AreaKind kind, const std::string& code) const {
    auto it = area_by_code.find(std::string(to_string(kind)) + ":" + code);
    return it == area_by_code.end() ? nullptr : &areas[it->second];
}

}  // namespace crimemap::core
