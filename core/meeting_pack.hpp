#pragma once
// A neighbourhood team's monthly meeting pack: categories this month against last month and the
// same month last year, a 12-month trend, the boundary with its hot spots, the top locations,
// outcomes, the rate per 1,000 against similar neighbourhoods (with a link to the league table),
// priorities with their actions and the next meetings. Built from the snapshot (plus
// outcome counts the caller reads through CrimeDetails) and rendered as JSON, CSV or a print-ready
// HTML page with inline SVG that loads nothing from outside. Pure; thread-safe.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/api_data.hpp"
#include "core/error.hpp"
#include "core/snapshot.hpp"

namespace crimemap::core {

struct MeetingPack {
    std::string force, id, name;
    const Team* team = nullptr;  // may be null (an area without a team record)
    Month month;
    struct CategoryRow {
        std::string slug, name;
        std::uint64_t this_month = 0, last_month = 0, last_year = 0;
    };
    std::vector<CategoryRow> categories;  // every category with a crime in any of the three months
    std::uint64_t total = 0, total_last_month = 0, total_last_year = 0;
    bool have_last_year = false;  // the snapshot covers the same month last year
    bool have_last_month = false;
    std::vector<std::pair<Month, std::optional<std::uint64_t>>> trend;  // 12 months; nullopt = no data
    struct Spot {
        std::string name;
        geo::LonLat where;
        std::uint64_t crimes;
    };
    std::vector<Spot> top_locations;                              // up to 10, most crimes first
    std::vector<std::pair<std::string, std::uint64_t>> outcomes;  // when known
    bool outcomes_known = false;
    std::vector<const TeamPriority*> priorities;
    std::vector<const TeamEvent*> next_events;
    std::string next_events_from;           // 'YYYY-MM-DD': next_events start on or after it
    bool next_events_historical = false;    // it is the day after the data's latest month, not today
    std::vector<geo::LonLatRing> boundary;  // exterior rings, for the map
    // The neighbourhood against the neighbourhoods most like it (core/similar.hpp), over the 12
    // months up to `month` (fewer when the data starts later): similar_comparison_json's shape, or
    // null when it has no profile (no population or deprivation data).
    nlohmann::json compare;
    std::optional<std::int32_t> population;
    std::string population_period;
};
inline constexpr std::size_t meeting_pack_similar = 5;

inline constexpr std::size_t meeting_pack_top_locations = 10;

// month: nullopt = the snapshot's latest. not_found when there is no such neighbourhood area.
Result<MeetingPack> build_meeting_pack(const Snapshot& s, const TeamDirectory& teams, std::string_view force,
                                       std::string_view id, std::optional<Month> month,
                                       std::chrono::system_clock::time_point now);

nlohmann::json meeting_pack_json(const MeetingPack& p);
std::string meeting_pack_csv(const MeetingPack& p);
std::string meeting_pack_html(const MeetingPack& p);

// Escapes text for HTML element content and attribute values.
std::string html_escape(std::string_view text);

}  // namespace crimemap::core
