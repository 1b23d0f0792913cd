#pragma once
// GET /v1/areas/{code} and /v1/areas/{code}/performance: an area's crimes over time (with rates
// per 1,000 residents and where its population comes from), an LSOA's deprivation and area
// classification, and its local-service indicators against the national median and its nearest
// comparators. Pure.
#include <string_view>

#include "core/postcode_api.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"

namespace crimemap::core {

inline constexpr std::size_t comparators = 5;

// The area of any kind with this code (lsoa first, then ward, lad, pfa, msoa, neighbourhood).
const Area* find_area_any(const Snapshot& s, std::string_view code);

// Where an area's population comes from: {method, source, period[, lsoas, description]}.
nlohmann::json population_source_json(const Area& a);
// An LSOA's IMD rank and decile and its seven domains.
nlohmann::json deprivation_json(const Deprivation& d);

JsonReply area_report(const Snapshot& s, std::string_view code);
// ?indicator=CODE narrows to one indicator (404 when the area has no value for it).
JsonReply area_performance(const Snapshot& s, std::string_view code, const QueryParams& params);

}  // namespace crimemap::core
