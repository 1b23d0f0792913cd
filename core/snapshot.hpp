#pragma once
// The read-only, in-memory copy of what the server serves, loaded from PostGIS by store/ and
// swapped atomically on a new dataset version. Immutable after construction: share it freely
// between threads through SnapshotHolder.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/area.hpp"
#include "core/category.hpp"
#include "core/month.hpp"
#include "geo/coords.hpp"
#include "geo/polygon.hpp"

namespace crimemap::core {

struct ApiData;  // core/api_data.hpp: postcodes, forces, teams for the JSON APIs

// Crimes are stored per snap location, aggregated by (month, category). Locations are sorted by
// the morton code of their world point, so the locations of any tile, and of any cluster cell
// inside it, are one contiguous run; a location's records are
// records[record_offsets[i] .. record_offsets[i + 1]).
struct CrimeRecord {
    std::uint16_t month;  // months since Snapshot::first_month
    CategoryIndex category;
    std::uint8_t reserved = 0;
    std::uint32_t crimes;  // crimes at this location in this month and category
};
static_assert(sizeof(CrimeRecord) == 8);

struct SnapLocation {
    geo::WorldPoint world;
    std::string name;  // 'On or near Albert Road'
    std::int64_t id;   // snap_locations.id in the database (police.uk-style street id)
};

// Stop and search per snap location, aggregated by (month, object group, outcome group), laid out
// as the crimes are: locations in morton order, a location's records are
// records[record_offsets[i] .. record_offsets[i + 1]).
struct StopRecord {
    std::int32_t month;    // Month::index() (stops may lie outside the crimes' months)
    std::uint8_t object;   // StopObject (core/stop_groups.hpp)
    std::uint8_t outcome;  // StopOutcome
    std::uint16_t reserved = 0;
    std::uint32_t stops;
};
static_assert(sizeof(StopRecord) == 12);

struct StopPoints {
    std::vector<SnapLocation> locations;  // the snap locations stops use, sorted by keys
    std::vector<std::uint64_t> keys;      // geo::morton(locations[i].world), ascending
    std::vector<std::uint32_t> record_offsets;
    std::vector<StopRecord> records;
    std::uint64_t located = 0;  // stops with a location (those the stops layer draws)
};

// District and ward names at a point inside the polygon (areas.label_point, `crimemap refresh`),
// morton-sorted; street labels come from Snapshot::locations, postcode labels from the postcode
// index.
enum class PlaceLabelKind : std::uint8_t { district, ward };
struct PlaceLabel {
    geo::WorldPoint world;
    PlaceLabelKind kind;
    std::string name;
    std::string code;
};

// Crime count for one (month, category) of an area.
struct MonthCount {
    std::uint16_t month;  // months since Snapshot::first_month
    CategoryIndex category;
    std::uint32_t crimes;
};

// Where an area's population comes from (areas.population_method, _source, _period, _lsoas).
struct PopulationSource {
    std::string method;      // "file", "boundary", or "lsoa_sum": the sum of the LSOAs whose
                             // representative point lies inside the area (crimemap refresh)
    std::string source;      // the file it was read from (lsoa_sum: the LSOAs' file)
    std::string period;      // "mid-2019"; empty when the file did not say
    std::int32_t lsoas = 0;  // lsoa_sum: how many LSOAs were summed
};

// The Index of Multiple Deprivation and its seven domains, in this order (lsoa_deprivation).
inline constexpr std::size_t deprivation_measures = 8;
inline constexpr std::array<std::string_view, deprivation_measures> deprivation_keys{
    "imd", "income", "employment", "education", "health", "crime", "barriers", "living_environment"};
inline constexpr std::array<std::string_view, deprivation_measures> deprivation_names{
    "Index of Multiple Deprivation",
    "Income",
    "Employment",
    "Education, skills and training",
    "Health deprivation and disability",
    "Crime",
    "Barriers to housing and services",
    "Living environment"};

// An English LSOA's Indices of Deprivation (IoD2019): rank 1 is the most deprived LSOA in England,
// decile 1 the most deprived tenth.
struct Deprivation {
    std::array<std::int32_t, deprivation_measures> rank{};
    std::array<std::int16_t, deprivation_measures> decile{};
    std::string edition;  // "IoD2019"
};

// An LSOA's ONS 2011 area classification (lsoa_classification).
struct Classification {
    std::string group;            // "5b"
    std::string name;             // "Aspiring urban households"
    std::int16_t supergroup = 0;  // 1..9, the group's digit
};

struct Area {
    AreaKind kind;
    std::string code;
    std::string name;
    std::optional<std::int32_t> population;
    // Districts (kind lad) in a two-tier area: the county (upper-tier authority) code, from
    // `crimemap refresh` (areas.parent_codes.county); empty otherwise. The performance layer gives
    // a district without a value of its own its county's value.
    std::string county;
    geo::Box bounds;  // world coordinates
    // Geometry in world coordinates, simplified for each entry of Snapshot::simplify_zooms
    // (index i is good for zooms >= simplify_zooms[i]); the last entry is unsimplified.
    std::vector<geo::MultiPolygon> levels;
    std::vector<MonthCount> counts;      // sorted by (month, category)
    PopulationSource population_source;  // empty method when the population is unknown
    // Containing areas by AreaKind (areas.parent_codes, from a point inside the area; empty where
    // none): an LSOA's MSOA, ward, district, force area and neighbourhood; a ward's district, ...
    std::array<std::string, 6> parents;
    double area_km2 = 0;                           // surface, from the unsimplified geometry
    std::optional<Deprivation> deprivation;        // English LSOAs with IoD data
    std::optional<Classification> classification;  // LSOAs in the classification lookup
    const std::string& parent(AreaKind k) const { return parents[static_cast<std::size_t>(k)]; }
};

// What /v1/areas/{code}/similar compares (core/similar.hpp): per area, its deprivation domains
// (an LSOA's ranks; for larger areas the population-weighted mean rank of their LSOAs), its
// population density and its area-classification mix, plus the numeric measures standardised
// over the areas of its kind.
inline constexpr std::size_t similarity_domains = deprivation_measures - 1;  // the IMD's 7 domains
inline constexpr std::size_t similarity_numeric = similarity_domains + 1;    // + log10 density
struct AreaProfile {
    std::uint32_t area = 0;                                // index into Snapshot::areas
    std::array<double, similarity_domains> domain_rank{};  // mean rank, 1 = most deprived
    double density = 0;                                    // residents per km2
    std::array<double, 9> supergroup_share{};              // population share of supergroups 1..9
    std::array<double, similarity_numeric> z{};            // standardised domains, log10 density
    std::int32_t lsoas = 0;                                // LSOAs with data behind the profile
};
struct SimilarityIndex {
    std::vector<AreaProfile> profiles;                       // areas of one kind with a complete profile
    std::unordered_map<std::uint32_t, std::size_t> by_area;  // Snapshot::areas index -> profiles index
    std::array<double, similarity_numeric> mean{}, sd{};     // of the unstandardised measures
};

// Which way an indicator is good. Neutral indicators (and those without a stated polarity) are
// ranked by value, highest first, with no judgement implied.
enum class Polarity : unsigned char { higher_is_better, lower_is_better, neutral };
std::string_view to_string(Polarity p) noexcept;
// "higher_is_better", "lower_is_better"; anything else (including "neutral" and "") is neutral.
Polarity polarity_from_string(std::string_view text) noexcept;

// One indicator value of one area and period, ranked among every area with a value.
struct IndicatorRank {
    double value;
    std::int32_t rank;                // 1 = best by the polarity (neutral: 1 = highest value)
    std::int32_t of;                  // number of areas ranked
    std::int32_t quintile;            // 1 (first fifth in rank order) .. 5 (last fifth)
    std::optional<double> target;     // as imported (indicators.target), when known
    std::optional<double> benchmark;  // e.g. the national median published with the value
};

struct IndicatorSeries {
    std::string code;  // 'ASC1'
    std::string name;
    std::string unit;
    Polarity polarity = Polarity::neutral;
    bool higher_is_better() const { return polarity == Polarity::higher_is_better; }
    std::vector<std::string> periods;  // ascending
    // period -> area code -> ranked value
    std::unordered_map<std::string, std::unordered_map<std::string, IndicatorRank>> by_period;
};

struct Snapshot {
    std::int64_t version = 0;  // dataset_versions.version
    std::chrono::system_clock::time_point loaded_at;
    std::chrono::system_clock::time_point created_at;  // when refresh recorded the version
    Month first_month;                          // earliest month with data (month offsets count from here)
    Month last_month;                           // latest month with data: the default period
    std::vector<SnapLocation> locations;        // sorted by location_keys
    std::vector<std::uint64_t> location_keys;   // geo::morton(locations[i].world), ascending
    std::vector<std::uint32_t> record_offsets;  // locations.size() + 1 entries
    std::vector<CrimeRecord> records;
    std::uint64_t located_crimes = 0;
    std::uint64_t unlocated_crimes = 0;
    StopPoints stops;                                         // the stops layer
    std::vector<PlaceLabel> place_labels;                     // sorted by place_label_keys
    std::vector<std::uint64_t> place_label_keys;              // geo::morton(place_labels[i].world), ascending
    std::vector<Area> areas;                                  // all kinds
    std::array<std::vector<std::uint32_t>, 6> areas_by_kind;  // indices into areas, per AreaKind
    std::unordered_map<std::string, std::uint32_t> area_by_code;  // "kind:code" -> index
    const Area* find_area(AreaKind kind, const std::string& code) const;
    // Performance indicators by code (district polygons come from `areas`, kind lad).
    std::unordered_map<std::string, IndicatorSeries> indicators;
    // Per AreaKind: the profiles of /v1/areas/{code}/similar (built by finish()).
    std::array<SimilarityIndex, 6> similarity;
    geo::LonLat min_lonlat{-180, -85}, max_lonlat{180, 85};  // bounds of located crimes
    // Where the data is: the box holding 99% of snap locations. police.uk files carry a few crimes
    // far outside their force; a map fitted to the full bounds would open on half of the country.
    geo::LonLat focus_min_lonlat{-180, -85}, focus_max_lonlat{180, 85};
    std::shared_ptr<const ApiData> api;  // set by store/api_loader before publication; may be null

    // Area geometry levels: level i serves zooms [simplify_zooms[i], simplify_zooms[i+1]) and is
    // simplified to half a pixel at the highest of those zooms; the last level is unsimplified.
    static constexpr std::array<int, 6> simplify_zooms{0, 4, 7, 9, 11, 13};
    static std::size_t level_for_zoom(int z) noexcept {
        std::size_t i = 0;
        while (i + 1 < simplify_zooms.size() && simplify_zooms[i + 1] <= z) ++i;
        return i;
    }
    bool empty() const { return locations.empty() && areas.empty(); }
};

// Holds the current snapshot; get() is lock-free for readers, set() swaps atomically.
// Requests in flight keep the old snapshot alive through their shared_ptr.
class SnapshotHolder {
  public:
    std::shared_ptr<const Snapshot> get() const { return std::atomic_load(&current_); }
    void set(std::shared_ptr<const Snapshot> next) { std::atomic_store(&current_, std::move(next)); }

  private:
    std::shared_ptr<const Snapshot> current_;
};

}  // namespace crimemap::core
