#pragma once
// data.police.uk-compatible answers (/api/...): police.uk's JSON shapes (coordinates as strings,
// "On or near ..." streets, persistent_id, hyphenated priority keys) built from the snapshot, and
// from CrimeDetails rows for the listings of individual crimes. Pure functions, thread-safe.
// Success bodies are bare JSON like police.uk's; errors use our {"status", "error"} envelope.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_data.hpp"
#include "core/crime_details.hpp"
#include "core/error.hpp"
#include "core/postcode_api.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"

namespace crimemap::core::police {

// Limits, documented in docs/api.md. police.uk answers 503 past 10,000 crimes; so do we, with a
// JSON message saying so (never a silently truncated list).
inline constexpr std::size_t max_crimes = 10000;
inline constexpr std::size_t max_poly_vertices = 1000;
inline constexpr double one_mile_m = 1609.344;

// date=YYYY-MM, defaulting to the snapshot's latest month.
Result<Month> parse_date(const QueryParams& params, const Snapshot& snapshot);
// A category slug of the URL or ?category=; "all-crime" (or absent) means every category.
Result<std::optional<std::string>> parse_category(std::string_view slug);
// poly=lat,lng:lat,lng:... (at least 3 distinct vertices, at most max_poly_vertices; stops reading
// at the first vertex over the limit, so its cost is bounded whatever the text's length).
Result<std::vector<geo::LonLat>> parse_poly(std::string_view text);
// lat/lng as police.uk's lat=..&lng=.. (decimal degrees, inside the valid ranges).
Result<geo::LonLat> parse_lat_lng(std::string_view lat, std::string_view lng);

// One crimes-street / crimes-at-location element.
nlohmann::json crime_json(const CrimeDetail& c);

nlohmann::json crime_categories();
nlohmann::json crime_last_updated(const Snapshot& s);
nlohmann::json crimes_street_dates(const Snapshot& s);
nlohmann::json forces(const ApiData& api);
JsonReply force(const ApiData& api, std::string_view id);
// Teams of the force, plus neighbourhood areas that have no team record yet.
JsonReply neighbourhoods(const Snapshot& s, const TeamDirectory& teams, std::string_view force);
JsonReply neighbourhood(const Snapshot& s, const TeamDirectory& teams, std::string_view force,
                        std::string_view id);
JsonReply boundary(const Snapshot& s, std::string_view force, std::string_view id);
JsonReply people(const TeamDirectory& teams, std::string_view force, std::string_view id);
JsonReply events(const TeamDirectory& teams, std::string_view force, std::string_view id);
JsonReply priorities(const TeamDirectory& teams, std::string_view force, std::string_view id);
// q=lat,lng -> {"force", "neighbourhood"}; 404 when no neighbourhood contains the point.
JsonReply locate_neighbourhood(const Snapshot& s, std::string_view q);

// police.uk's shapes with the team's plain text as it is (what /v1/ answers carry). The /api/
// routes (priorities(), events()) HTML-escape `issue`, `action` and `description`, which police.uk
// defines as HTML.
nlohmann::json priority_json(const TeamPriority& p);
nlohmann::json event_json(const TeamEvent& e);
nlohmann::json person_json(const TeamPerson& p);

}  // namespace crimemap::core::police
