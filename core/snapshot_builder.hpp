#pragma once
// Builds a Snapshot from rows in any order: the store loader feeds it from PostGIS, tests feed it
// synthetic data. finish() sorts locations by morton key, lays records out per location, simplifies
// area geometry per zoom level and ranks indicators. Not thread-safe; use one per load.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/snapshot.hpp"

namespace crimemap::core {

class SnapshotBuilder {
  public:
    SnapshotBuilder(std::int64_t version, Month first_month, Month last_month);

    void set_created_at(std::chrono::system_clock::time_point t) { s_->created_at = t; }
    void add_unlocated(std::uint64_t crimes) { s_->unlocated_crimes += crimes; }
    // A snap location; `id` is its database id, used by add_crimes.
    void add_location(std::int64_t id, geo::LonLat where, std::string name);
    // `crimes` crimes at location `location_id` in `month` of `category`. Unknown locations and
    // months outside [first_month, last_month] are ignored (returns false).
    bool add_crimes(std::int64_t location_id, Month month, CategoryIndex category, std::uint32_t crimes);
    // A snap location stop and search uses, and `stops` stops there in `month` with these groups
    // (core/stop_groups.hpp); stops at unknown locations are ignored (returns false).
    void add_stop_location(std::int64_t id, geo::LonLat where, std::string name);
    bool add_stops(std::int64_t location_id, Month month, std::uint8_t object, std::uint8_t outcome,
                   std::uint32_t stops);
    // A district or ward label at `where` (a point inside the polygon).
    void add_place_label(PlaceLabelKind kind, geo::LonLat where, std::string name, std::string code);
    void add_area(AreaKind kind, std::string code, std::string name, std::optional<std::int32_t> population,
                  const geo::LonLatMultiPolygon& geometry);
    bool add_area_count(AreaKind kind, const std::string& code, Month month, CategoryIndex category,
                        std::uint32_t crimes);
    // The county (upper-tier authority) of a district already added; false when there is no
    // such district.
    bool set_area_county(const std::string& lad_code, std::string county_code);
    // Where an area's population comes from, and its containing areas by AreaKind; false when
    // there is no such area.
    bool set_area_population_source(AreaKind kind, const std::string& code, PopulationSource source);
    bool set_area_parents(AreaKind kind, const std::string& code, std::array<std::string, 6> parents);
    // An LSOA's deprivation and area classification; false when no such LSOA was added.
    bool set_lsoa_deprivation(const std::string& lsoa_code, Deprivation deprivation);
    bool set_lsoa_classification(const std::string& lsoa_code, Classification classification);
    // The polarity of the first value of an indicator holds for the whole series.
    void add_indicator_value(const std::string& indicator, const std::string& name, const std::string& unit,
                             Polarity polarity, const std::string& period, const std::string& area_code,
                             double value, std::optional<double> target = std::nullopt,
                             std::optional<double> benchmark = std::nullopt);
    void add_indicator_value(const std::string& indicator, const std::string& name, const std::string& unit,
                             bool higher_is_better, const std::string& period, const std::string& area_code,
                             double value) {
        add_indicator_value(indicator, name, unit,
                            higher_is_better ? Polarity::higher_is_better : Polarity::lower_is_better, period,
                            area_code, value);
    }

    std::shared_ptr<const Snapshot> finish();

  private:
    Area* find(AreaKind kind, const std::string& code);
    struct PendingLocation {
        std::uint64_t key;
        SnapLocation location;
    };
    struct PendingRecord {
        std::int64_t location_id;
        CrimeRecord record;
    };
    std::shared_ptr<Snapshot> s_;
    std::vector<PendingLocation> locations_;
    std::unordered_map<std::int64_t, std::size_t> location_ids_;  // id -> index in locations_
    std::vector<PendingRecord> records_;
    struct PendingStops {
        std::int64_t location_id;
        StopRecord record;
    };
    std::vector<PendingLocation> stop_locations_;
    std::unordered_map<std::int64_t, std::size_t> stop_location_ids_;  // id -> index in stop_locations_
    std::vector<PendingStops> stop_records_;
    std::vector<std::pair<std::uint64_t, PlaceLabel>> place_labels_;
    void finish_stops();
    void finish_place_labels();
};

}  // namespace crimemap::core
