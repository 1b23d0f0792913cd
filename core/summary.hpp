#pragma once
// One call for a resident (GET /v1/postcodes/{pc}/summary): where the postcode is, its areas and
// neighbourhood team, crimes by category in the last N months against the N before, rates per
// 1,000 residents where population is known (with its source and period), the LSOA's rank within
// its district, its deprivation deciles and how it compares with the LSOAs most like it, the team's
// priorities and next events, and data-quality notes. Pure; reads the snapshot only.
#include <chrono>
#include <string_view>

#include "core/api_data.hpp"
#include "core/postcode_api.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"

namespace crimemap::core {

inline constexpr int summary_months_default = 3;
inline constexpr int summary_months_max = 12;
inline constexpr std::size_t summary_similar_areas = 5;  // LSOAs in "compare" (core/similar.hpp)

// Crimes of an area per category over a month range (month offsets outside the snapshot count 0).
std::array<std::uint64_t, category_count> area_counts(const Snapshot& s, const Area& area, MonthRange range);

// ?months=N (1..12, default 3). `now` picks the "next" events.
JsonReply postcode_summary(const Snapshot& s, const TeamDirectory& teams, std::string_view postcode,
                           const QueryParams& params, std::chrono::system_clock::time_point now);

// Local ISO date-time 'YYYY-MM-DDTHH:MM:SS' of a time point (UTC), to compare with event dates.
std::string iso_datetime(std::chrono::system_clock::time_point t);

// The crime data counts as current while today's month is at most this many months after the
// snapshot's latest month (police.uk publishes a month about one to two months after it ends).
inline constexpr int next_events_current_lag = 3;

// Where a team's "next events" (summary, meeting pack) start.
struct NextEventsFrom {
    std::string date;         // 'YYYY-MM-DD'; events starting on or after it are "next"
    bool historical = false;  // true: the day after the data's latest month, not today
};
// Today, unless the data is historical (older than next_events_current_lag) and the team has no
// event from today on: then the first day after the data's latest month.
NextEventsFrom next_events_from(const Snapshot& s, const Team* team,
                                std::chrono::system_clock::time_point now);

}  // namespace crimemap::core
