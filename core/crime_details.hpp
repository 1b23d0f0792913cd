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

// One police.uk outcome (*-outcomes.csv row, or a street file's last outcome): its category name as
// the CSV writes it, its month, and the crime it belongs to (crime.category empty when the crime is
// not in the street data).
struct OutcomeDetail {
    std::string name;  // 'Offender fined'
    Month month;
    CrimeDetail crime;
};
// Outcomes and where they came from: the force's *-outcomes.csv files (when one is imported for
// the force and month), else the street files' "Last outcome category" (dated the crime's month).
struct OutcomeList {
    std::vector<OutcomeDetail> rows;
    bool from_outcomes_file = false;
};
// outcomes-for-crime: the crime (nullopt: unknown id) and its outcomes in date order.
struct CrimeOutcomes {
    std::optional<CrimeDetail> crime;
    OutcomeList outcomes;
};

// One police.uk stop and search (*-stop-and-search.csv row). Text fields as written ('' = blank);
// tri-state fields nullopt when blank.
struct StopDetail {
    std::int64_t id = 0;
    std::string force_id;
    std::string type;      // 'Person search', 'Vehicle search', 'Person and Vehicle search'
    std::string datetime;  // '2019-01-04T11:07:00+00:00' (police.uk's form)
    Month month;
    std::optional<bool> operation;
    std::string operation_name;
    std::optional<std::int64_t> location_id;  // snap location; nullopt: no location
    double lat = 0, lon = 0;
    std::string street;
    std::string gender, age_range, self_defined_ethnicity, officer_defined_ethnicity, legislation,
        object_of_search, outcome;
    std::optional<bool> outcome_linked_to_object_of_search, removal_of_more_than_outer_clothing;
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

    // Outcomes and stops (issue 10). The defaults answer "nothing" for stores without them.
    virtual CrimeOutcomes outcomes_for_crime(const std::string& /*persistent_id*/) { return {}; }
    // Outcomes of `month` at a snap location (location_id) or in an area, at most `limit`.
    virtual OutcomeList outcomes_at(std::optional<std::int64_t> /*location_id*/, const CrimeArea& /*area*/,
                                    Month /*month*/, std::size_t /*limit*/) {
        return {};
    }
    enum class StopScope { area, location, no_location, force };
    // Stops of `month`: in an area (located ones), at a snap location, of a force without a
    // location, or of a force altogether; ordered by time, at most `limit`.
    virtual std::vector<StopDetail> stops(StopScope /*scope*/, const CrimeArea& /*area*/,
                                          std::optional<std::int64_t> /*location_id*/,
                                          const std::string& /*force*/, Month /*month*/,
                                          std::size_t /*limit*/) {
        return {};
    }
};

}  // namespace crimemap::core
