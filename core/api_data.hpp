#pragma once
// What the postcode, police.uk-compatible and summary APIs serve from memory, next to the tile
// snapshot (Snapshot::api): the postcode directory, ONS code names, forces and their published
// months, neighbourhood teams, and grid indexes that locate a point in the snapshot's areas.
// Built by store/api_loader.cpp with the snapshot; immutable afterwards and thread-safe to read.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/area.hpp"
#include "core/month.hpp"
#include "core/postcode_index.hpp"
#include "geo/coords.hpp"

namespace crimemap::core {

struct Snapshot;
struct Area;

struct TeamPerson {
    std::string name, rank, bio;
    nlohmann::json contact_details = nlohmann::json::object();
};

// police.uk force (/api/forces/{id}); people are its senior officers (/api/forces/{id}/people).
struct Force {
    std::string id;    // 'west-mercia'
    std::string name;  // 'West Mercia Police'
    std::string pfa_code;
    std::string url, telephone, description;
    nlohmann::json engagement_methods = nlohmann::json::array();
    std::vector<TeamPerson> people;
};

// Dates are ISO local date-times as police.uk writes them: '2019-01-15T19:00:00' (empty = none).
struct TeamPriority {
    std::int64_t id = 0;
    std::string issue, issue_date, action, action_date;
};

struct TeamEvent {
    std::int64_t id = 0;
    std::string title, description, address, type, start_date, end_date;
    nlohmann::json contact_details = nlohmann::json::object();
};

// A neighbourhood policing team (/api/{force}/{id}); its area code is force + '/' + id.
struct Team {
    std::string force_id, id, name, description, url_force;
    std::optional<std::int32_t> population;
    nlohmann::json contact_details = nlohmann::json::object();
    nlohmann::json links = nlohmann::json::array();
    std::optional<double> centre_lat, centre_lon;
    bool demo = false;
    std::vector<TeamPerson> people;
    std::vector<TeamPriority> priorities;  // newest issue first
    std::vector<TeamEvent> events;         // by start date
    std::string area_code() const { return force_id + "/" + id; }
};

// Every team, by force; a team directory is replaced whole after a write (copy-on-write).
struct TeamDirectory {
    std::vector<Team> teams;  // sorted by (force_id, id)
    // When the rows were read (the later of two directories is the fresher one).
    std::chrono::steady_clock::time_point read_at{};
    const Team* find(std::string_view force, std::string_view id) const;
    std::vector<const Team*> of_force(std::string_view force) const;
    void sort();
};

// Point-in-polygon lookup over the snapshot's areas of one kind: a grid of z10 tiles lists the
// areas whose bounding box touches each tile. Holds indices into Snapshot::areas.
class AreaIndex {
  public:
    AreaIndex() = default;
    AreaIndex(const Snapshot& snapshot, AreaKind kind);
    // The first area containing the point (unsimplified geometry), or nullptr.
    const Area* locate(const Snapshot& snapshot, geo::LonLat p) const;
    // Every area whose box intersects `box` (world units), without duplicates.
    std::vector<std::uint32_t> candidates(const geo::Box& box) const;

  private:
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> cells_;
};

struct ApiData {
    PostcodeIndex postcodes;
    // ONS code -> name (regions, countries, districts, wards, constituencies, ...).
    std::unordered_map<std::string, std::string> code_names;
    // Values of code_names kinds that are keyed by another kind's code, by kind: "nuts" and
    // "nuts_code" (district -> ITL name and code, postcodes.io's nuts.json), "ccg_id" (CCG ->
    // ccg19cdh). Kept apart so a district's NUTS name never replaces its own name.
    std::unordered_map<std::string, std::unordered_map<std::string, std::string>> keyed;
    static bool is_keyed_kind(std::string_view kind) noexcept {
        return kind == "nuts" || kind == "nuts_code" || kind == "ccg_id";
    }
    // keyed[kind][code], empty when absent.
    std::string_view keyed_value(std::string_view kind, std::string_view code) const;
    std::vector<Force> forces;  // sorted by id
    // Months each force has published (crime_loads), ascending.
    std::map<std::string, std::vector<Month>> force_months;
    // Forces with stop-and-search data per month (stop_loads), for crimes-street-dates.
    std::map<std::int32_t, std::vector<std::string>> stop_forces;
    // Crimes without a location per force and month.
    std::map<std::string, std::map<std::int32_t, std::uint64_t>> unlocated;
    std::shared_ptr<const TeamDirectory> teams = std::make_shared<TeamDirectory>();
    std::array<AreaIndex, 6> area_index;                      // per AreaKind; filled by index_areas()
    std::unordered_map<std::string, std::string> area_names;  // area code -> name, from the snapshot
    // Neighbourhood area code ('force/id') -> residents: the sum of the populations of the LSOAs
    // whose bounding-box centre lies in it (index_areas; empty without LSOA populations).
    std::unordered_map<std::string, std::int64_t> neighbourhood_population;
    // LSOA code -> district code, from the postcodes (used to rank an LSOA within its district).
    std::unordered_map<std::string, std::string> lsoa_district;

    const Force* force(std::string_view id) const;
    const Force* force_by_pfa(std::string_view pfa_code) const;
    // Name of an ONS code: code_names, then the snapshot's areas; empty when unknown.
    std::string name_of(std::string_view code) const;
    // Builds area_index from the snapshot's areas (call once, before publishing).
    void index_areas(const Snapshot& snapshot);
};

// A country or English region name for the codes postcodes carry, when the database has no
// code_names row for it (these nine regions and six countries are fixed).
std::string_view builtin_code_name(std::string_view code) noexcept;

}  // namespace crimemap::core
