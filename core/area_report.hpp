#pragma once
// GET /v1/areas/{code} and /v1/areas/{code}/performance: an area's crimes over time and its
// local-service indicators against the national median and its nearest comparators. Pure.
#include <string_view>

#include "core/postcode_api.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"

namespace crimemap::core {

inline constexpr std::size_t comparators = 5;

// The area of any kind with this code (lsoa first, then ward, lad, pfa, msoa, neighbourhood).
const Area* find_area_any(const Snapshot& s, std::string_view code);

JsonReply area_report(const Snapshot& s, std::string_view code);
// ?indicator=CODE narrows to one indicator (404 when the area has no value for it).
JsonReply area_performance(const Snapshot& s, std::string_view code, const QueryParams& params);

}  // namespace crimemap::core
