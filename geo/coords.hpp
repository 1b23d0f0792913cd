// Coordinate types and conversions between WGS84 lon/lat, Web Mercator metres and the integer
// "world" grid. All functions are pure and thread-safe.
//
// World grid: Web Mercator scaled to [0, 2^32) on both axes, x east, y SOUTH (the tile/pixel
// convention, i.e. a z32 pixel grid). The formula is fixed so SQL can reproduce it exactly:
//   x = (lon + 180) / 360 * 2^32
//   y = (1 - asinh(tan(lat_rad)) / pi) / 2 * 2^32       (lat clamped to +-kMaxLatitude)
#pragma once

#include <cstdint>

namespace crimemap::geo {

inline constexpr double kMaxLatitude = 85.0511287798;        // degrees, Web Mercator limit
inline constexpr double kWorldSize = 4294967296.0;           // 2^32 world units per axis
inline constexpr double kEarthRadius = 6378137.0;            // metres (EPSG:3857 sphere)
inline constexpr double kMercatorHalf = 20037508.342789244;  // pi * kEarthRadius, metres

// WGS84 degrees (EPSG:4326 axis order lon, lat).
struct LonLat {
    double lon;
    double lat;
    friend bool operator==(const LonLat&, const LonLat&) = default;
};

// EPSG:3857 metres.
struct Mercator {
    double x;
    double y;
    friend bool operator==(const Mercator&, const Mercator&) = default;
};

// Integer world grid cell, see header comment (one unit is about 1 cm at the equator).
struct WorldPoint {
    uint32_t x;
    uint32_t y;
    friend bool operator==(const WorldPoint&, const WorldPoint&) = default;
};

// Same scale as WorldPoint but unrounded and unclamped; used for polygon geometry.
struct WorldXY {
    double x;
    double y;
    friend bool operator==(const WorldXY&, const WorldXY&) = default;
};

// Axis-aligned box in world units (min_y is the NORTH edge because y grows south).
// A default-constructed Box is empty.
struct Box {
    double min_x = 1.0;
    double min_y = 1.0;
    double max_x = 0.0;
    double max_y = 0.0;

    [[nodiscard]] bool empty() const noexcept { return !(min_x <= max_x && min_y <= max_y); }
    // Closed-interval containment.
    [[nodiscard]] bool contains(WorldXY p) const noexcept {
        return p.x >= min_x && p.x <= max_x && p.y >= min_y && p.y <= max_y;
    }
    [[nodiscard]] bool contains(const Box& o) const noexcept {
        return !empty() && !o.empty() && o.min_x >= min_x && o.max_x <= max_x && o.min_y >= min_y &&
               o.max_y <= max_y;
    }
    [[nodiscard]] bool intersects(const Box& o) const noexcept {
        return !empty() && !o.empty() && o.min_x <= max_x && o.max_x >= min_x && o.min_y <= max_y &&
               o.max_y >= min_y;
    }
    // Grows the box by d on every side (d may be negative).
    [[nodiscard]] Box buffered(double d) const noexcept {
        return {min_x - d, min_y - d, max_x + d, max_y + d};
    }
    // Smallest box containing this one and p.
    void expand(WorldXY p) noexcept;
};

// Latitude is clamped to +-kMaxLatitude. Longitude is not wrapped.
[[nodiscard]] WorldXY to_world_xy(LonLat p) noexcept;
// floor(to_world_xy(p)) clamped to [0, 2^32 - 1]; NaN maps to 0.
[[nodiscard]] WorldPoint to_world(LonLat p) noexcept;
// Exact inverse of to_world_xy (for latitudes inside the clamp).
[[nodiscard]] LonLat from_world_xy(WorldXY p) noexcept;
// Centre of the cell, so to_world(from_world(p)) == p.
[[nodiscard]] LonLat from_world(WorldPoint p) noexcept;

// Latitude is clamped to +-kMaxLatitude.
[[nodiscard]] Mercator to_mercator(LonLat p) noexcept;
[[nodiscard]] LonLat from_mercator(Mercator m) noexcept;
// Linear maps between Web Mercator metres and world units.
[[nodiscard]] WorldXY to_world_xy(Mercator m) noexcept;
[[nodiscard]] Mercator to_mercator(WorldXY p) noexcept;

// Z-order code: bit i of x goes to bit 2i+1, bit i of y to bit 2i. Every tile at zoom z is then one
// contiguous range of codes (see morton_range in tile.hpp).
[[nodiscard]] uint64_t morton(WorldPoint p) noexcept;
[[nodiscard]] WorldPoint from_morton(uint64_t code) noexcept;

}  // namespace crimemap::geo
