#pragma once
// The 43 territorial police forces of England and Wales plus British Transport Police and the
// Police Service of Northern Ireland, as police.uk names them (/api/forces), with the ONS police
// force area code (PFA20CD) where one exists. schema/migrations/0002_forces.sql holds the same
// rows for the database; an integration test keeps the two equal.
#include <span>
#include <string_view>

namespace crimemap::tools {

struct ForceInfo {
    std::string_view id;        // police.uk slug: 'west-mercia'
    std::string_view name;      // 'West Mercia Police'
    std::string_view pfa_code;  // 'E23000016'; empty for btp and northern-ireland
};

std::span<const ForceInfo> known_forces();
const ForceInfo* find_force(std::string_view id);

}  // namespace crimemap::tools
