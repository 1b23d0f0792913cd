#pragma once
// In-memory ONS postcode directory: exact lookup, prefix search (autocomplete), outcode groups and
// reverse geocoding (nearest postcodes within a radius) without the database. Built once per
// snapshot by PostcodeIndexBuilder, immutable afterwards: every const method is thread-safe.
//
// Units: lon/lat are WGS84 degrees (stored as integer micro-degrees, exact for NSPL's 6 decimals),
// distances are metres on the mean-radius sphere (within 0.5 % of PostGIS geography distances).
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/month.hpp"
#include "geo/coords.hpp"
#include "geo/tile.hpp"

namespace crimemap::core {

// The ONS codes a postcode carries (NSPL/ONSPD columns), in this order.
enum class PcCode : std::uint8_t {
    country,
    region,
    county,
    lad,
    ward,
    parish,
    lsoa,
    msoa,
    pcon,
    pfa,
    ccg,
    nhs_ha,
    ced,
    eer,
    pct,
    itl  // ITL/LAU district code (postcodes.io codes.lau2; nuts.json keys on it)
};
inline constexpr std::size_t pc_code_count = 16;
// The postcodes table's column name of each code ("county", "lad", ..., "itl"), and back.
std::string_view pc_code_column(PcCode code) noexcept;
std::optional<PcCode> pc_code_from_column(std::string_view column) noexcept;
constexpr std::uint32_t pc_code_bit(PcCode code) noexcept { return 1u << static_cast<unsigned>(code); }

// One directory row as the loader reads it (empty strings: no code).
struct PostcodeRow {
    std::string compact;  // 'HR11AA' (upper case, no spaces)
    std::optional<double> lon, lat;
    std::optional<std::int32_t> eastings, northings;
    int quality = 9;  // osgrdind: 1 best .. 9 no grid reference
    std::optional<Month> introduced;
    std::optional<Month> terminated;
    std::array<std::string, pc_code_count> codes;
    std::uint32_t pseudo = 0;  // pc_code_bit of each code the directory gave as a pseudo code (E99999999)
};

struct PostcodeRecord {
    static constexpr std::int32_t none = INT32_MIN;
    std::array<char, 8> compact{};  // NUL-padded 'HR11AA'
    std::int32_t lon_e6 = none;     // micro-degrees; none without coordinates
    std::int32_t lat_e6 = none;
    std::int32_t eastings = none;
    std::int32_t northings = none;
    std::int32_t introduced = none;  // Month::index()
    std::int32_t terminated = none;  // Month::index(); none while live
    std::uint8_t quality = 9;
    std::array<std::uint32_t, pc_code_count> codes{};  // indices into PostcodeIndex::code_text (0 = none)
    std::uint32_t pseudo = 0;                          // as PostcodeRow::pseudo
    bool pseudo_code(PcCode c) const noexcept { return (pseudo & pc_code_bit(c)) != 0; }

    bool live() const noexcept { return terminated == none; }
    bool located() const noexcept { return lon_e6 != none && lat_e6 != none; }
    double lon() const noexcept { return lon_e6 / 1e6; }
    double lat() const noexcept { return lat_e6 / 1e6; }
    std::string_view compact_view() const noexcept;
    std::string display() const;  // 'HR1 1AA'
    std::string outcode() const;
    std::string incode() const;
};

struct NearbyPostcode {
    std::uint32_t index;  // into PostcodeIndex::records()
    double distance;      // metres
};

// An outward code whose centroid (mean of its live, located postcodes, as OutcodeSummary) lies
// near a point (postcodes.io /outcodes?lon=&lat=).
struct NearbyOutcode {
    std::string outcode;
    double distance;  // metres from the point to the centroid
};

// Aggregate of one outward code (postcodes.io /outcodes/{outcode}): means of the live, located
// postcodes and the distinct codes of each kind.
struct OutcodeSummary {
    std::string outcode;
    std::optional<double> lon, lat;
    std::optional<double> eastings, northings;
    std::size_t postcodes = 0;
    std::array<std::vector<std::uint32_t>, pc_code_count>
        codes;  // distinct code indices, by first appearance
};

// Great-circle distance in metres (haversine on the 6,371,008.8 m mean-radius sphere).
double distance_m(double lon1, double lat1, double lon2, double lat2) noexcept;

class PostcodeIndex {
  public:
    const std::vector<PostcodeRecord>& records() const { return records_; }
    const std::string& code_text(std::uint32_t i) const { return strings_[i]; }
    std::string_view code(const PostcodeRecord& r, PcCode which) const {
        return strings_[r.codes[static_cast<std::size_t>(which)]];
    }
    std::size_t size() const { return records_.size(); }
    std::size_t live_located() const { return grid_items_.size(); }

    // Exact match on the compact form (live or terminated).
    const PostcodeRecord* find(std::string_view compact) const;

    // Live, located postcodes within radius_m of (lon, lat), nearest first (ties by postcode),
    // at most limit of them.
    std::vector<NearbyPostcode> nearest(double lon, double lat, double radius_m, std::size_t limit) const;

    // postcodes.io's search: an outcode alone ('HR1') lists its postcodes; 'HR1 1' matches the
    // display form by prefix; anything else matches the compact form by prefix. An exact full
    // match returns only itself. Live postcodes only, in display order, at most limit.
    std::vector<std::uint32_t> search(std::string_view query, std::size_t limit) const;

    // nullopt when no live postcode has this outcode.
    std::optional<OutcodeSummary> outcode(std::string_view outcode) const;

    // Outcodes whose centroid is within radius_m of (lon, lat), nearest first (ties by outcode),
    // at most limit of them. A linear scan of the few thousand outcode centroids.
    std::vector<NearbyOutcode> nearest_outcodes(double lon, double lat, double radius_m,
                                                std::size_t limit) const;

    // A live postcode picked by `random` (any value; reduced modulo the candidates), optionally
    // within one outcode; nullopt when there is none.
    std::optional<std::uint32_t> pick_live(std::string_view outcode, std::uint64_t random) const;

    // Calls f(record, world point) for each live postcode whose centroid lies in the tile, in
    // morton order (the labels tile layer).
    template <class F>
    void for_each_in_tile(const geo::TileId& tile, F&& f) const {
        auto first = std::lower_bound(tile_keys_.begin(), tile_keys_.end(), geo::morton_first(tile));
        auto last = std::upper_bound(first, tile_keys_.end(), geo::morton_last(tile));
        for (auto it = first; it != last; ++it) {
            const PostcodeRecord& r =
                records_[tile_items_[static_cast<std::size_t>(it - tile_keys_.begin())]];
            f(r, geo::to_world({r.lon(), r.lat()}));
        }
    }

    // Approximate heap bytes used (for logs and /metrics).
    std::size_t memory_bytes() const;

  private:
    friend class PostcodeIndexBuilder;
    std::vector<PostcodeRecord> records_;    // sorted by compact
    std::vector<std::string> strings_;       // [0] = ""
    std::vector<std::uint32_t> by_display_;  // live records in display order
    // Reverse geocoding grid: cells of grid_lat_ x grid_lon_ degrees, items sorted by cell key.
    std::vector<std::uint64_t> grid_keys_;
    std::vector<std::uint32_t> grid_items_;
    // The same postcodes by the morton code of their world point (for_each_in_tile).
    std::vector<std::uint64_t> tile_keys_;
    std::vector<std::uint32_t> tile_items_;
    struct OutcodeCentroid {
        std::string outcode;
        double lon, lat;
    };
    std::vector<OutcodeCentroid> outcode_centroids_;  // outcodes with a located live postcode
    std::vector<std::uint32_t> prefix_range(std::string_view prefix, bool display, std::size_t limit) const;
};

class PostcodeIndexBuilder {
  public:
    // Rows whose compact form is not 5..7 characters are ignored (returns false).
    bool add(const PostcodeRow& row);
    PostcodeIndex finish();

  private:
    std::uint32_t intern(const std::string& s);
    PostcodeIndex index_;
    std::unordered_map<std::string, std::uint32_t> interned_;
};

}  // namespace crimemap::core
