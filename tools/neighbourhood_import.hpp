#pragma once
// Team activity from neighbourhood team JSON (the police.uk /api/{force}/{id} shape plus
// "priorities" and "events" arrays in the /priorities and /events shapes), for
// `crimemap import neighbourhoods`. Idempotent: a priority is identified by (issue, issue-date),
// an event by (title, start_date); rows already present (e.g. written through the API) are kept.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "store/pg.hpp"

namespace crimemap::tools {

// Inserts the team's missing priorities and events; returns how many of each were added. Entries
// without their required field (issue; title and a valid start_date) are skipped. Runs inside the
// caller's transaction.
std::pair<int, int> import_team_activity(store::Connection& db, const std::string& force,
                                         const std::string& id, const nlohmann::json& team);

}  // namespace crimemap::tools
