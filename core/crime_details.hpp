#pragma once
// Individual crime rows (ids, outcome, context) are not in the snapshot, which keeps per-location
// aggregates only; the police.uk-compatible listings read them through this interface, which
// store/crime_details.cpp implements with short, prepared, statement-timed PostgreSQL queries.
// Implementations are thread-safe. When the database fails they throw core::DatabaseError (a
// std::runtime_error; core/database_error.hpp), whose kind decides the answer: 503 or 500.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/category.hpp"
#include "core/month.hpp"
#include "geo/coords.hpp"

namespace crimemap::core {

struct CrimeDetail {
    std::int64_t id = 0;        // crimes.id
    std::string persistent_id;  // police.uk Crime ID ('' for anti-social behaviour)
    Month month;
    std::string category;                     // slug
    std::string force_id;                     // reporting force
    std::optional<std::int64_t> location_id;  // snap location (street id); nullopt: no location
    double lat = 0, lon = 0;
    std::string street;   // 'On or near ...'
    std::string outcome;  // last outcome category ('' when none)
    std::string context;
};

// Where to look: a polygon (closed or not) or a circle.
struct CrimeArea {
    std::vector<geo::LonLat> polygon;  // empty: use the circle
    geo::LonLat centre{0, 0};
    double radius_m = 0;
};

class CrimeDetails {
  public:
    virtual ~CrimeDetails() = default;
    // Located crimes of `month` in the area (all categories when category is empty), ordered by id;
    // at most `limit` rows (callers ask for one more than they accept to detect overflow).
    virtual std::vector<CrimeDetail> in_area(const CrimeArea& area, Month month,
                                             std::optional<std::string> category, std::size_t limit) = 0;
    // Crimes at one snap location; with no id, at the snap location nearest to `near`.
    virtual std::vector<CrimeDetail> at_location(std::optional<std::int64_t> location_id, geo::LonLat near,
                                                 Month month, std::size_t limit) = 0;
    virtual std::vector<CrimeDetail> no_location(const std::string& force, Month month,
                                                 std::optional<std::string> category, std::size_t limit) = 0;
    // Last-outcome counts (outcome '' = none) of the crimes assigned to an area in a month range.
    virtual std::vector<std::pair<std::string, std::uint64_t>> outcomes(const std::string& area_kind,
                                                                        const std::string& area_code,
                                                                        Month from, Month to) = 0;
};

}  // namespace crimemap::core
