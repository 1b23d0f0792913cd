#pragma once
// The 43 territorial police forces of England and Wales plus British Transport Police and the
// Police Service of Northern Ireland, as police.uk names them (/api/forces), with the ONS police
// force area code (PFA20CD) where one exists. schema/migrations/0002_forces.sql holds the same
// rows for the database; an integration test keeps the two equal. insert_force adds one to it.
#include <span>
#include <string_view>

#include "store/pg.hpp"

namespace crimemap::tools {

struct ForceInfo {
    std::string_view id;        // police.uk slug: 'west-mercia'
    std::string_view name;      // 'West Mercia Police'
    std::string_view pfa_code;  // 'E23000016'; empty for btp and northern-ireland
};

std::span<const ForceInfo> known_forces();
const ForceInfo* find_force(std::string_view id);

// Adds force `id` to the forces table unless it is there: the name and PFA code above for a known
// id, else fallback_name and no code (a force police.uk added later). The one place the imports
// that meet a new force (crimes, outcomes, neighbourhoods) name it.
void insert_force(store::Connection& db, std::string_view id, std::string_view fallback_name);

}  // namespace crimemap::tools
