// Slippy-map tiles (XYZ scheme: y = 0 is the northern row) and the maps between the world grid
// (coords.hpp) and tile pixels. Values are immutable; everything here is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "geo/coords.hpp"

namespace crimemap::geo {

inline constexpr int kMaxTileZoom = 32;  // the world grid has 32 bits per axis

struct TileId {
    uint8_t z;
    uint32_t x;
    uint32_t y;

    // Checked constructor for untrusted input: nullopt unless 0 <= z <= max_zoom (max_zoom is capped
    // at kMaxTileZoom) and 0 <= x, y < 2^z.
    static std::optional<TileId> from_zxy(int64_t z, int64_t x, int64_t y, int max_zoom = 24) noexcept;

    friend bool operator==(const TileId&, const TileId&) = default;
};

// Tile pixel coordinates (x right, y down), relative to a tile's top-left corner.
struct TilePoint {
    int32_t x;
    int32_t y;
    friend bool operator==(const TilePoint&, const TilePoint&) = default;
};

// Tile at zoom z (<= 32) containing p.
[[nodiscard]] TileId tile_containing(WorldPoint p, uint8_t z) noexcept;

// Half-open [lo, hi) of morton(p) for the WorldPoints p inside the tile. For the south-east corner
// tile of each zoom (x = y = 2^z - 1, including z = 0) hi would be 2^64, which does not fit: it
// saturates to UINT64_MAX, so the single code UINT64_MAX (WorldPoint (2^32-1, 2^32-1), i.e. lon 180,
// lat -85.05) falls outside. Use the inclusive morton_first/morton_last when that point matters.
[[nodiscard]] std::pair<uint64_t, uint64_t> morton_range(TileId t) noexcept;
[[nodiscard]] uint64_t morton_first(TileId t) noexcept;
[[nodiscard]] uint64_t morton_last(TileId t) noexcept;

// World-unit bounds of the tile: [min_x, max_x) x [min_y, max_y), min_y being the north edge.
[[nodiscard]] Box world_bounds(TileId t) noexcept;

struct LonLatBounds {
    double west;
    double south;
    double east;
    double north;
};
[[nodiscard]] LonLatBounds lonlat_bounds(TileId t) noexcept;

struct MercatorBounds {
    double min_x;
    double min_y;
    double max_x;
    double max_y;
};
[[nodiscard]] MercatorBounds mercator_bounds(TileId t) noexcept;

// Maps world coordinates to the pixel grid of one tile with `extent` pixels per side and back.
// Pixel results are rounded to nearest (ties up) and saturated to int32; points outside the tile give
// coordinates outside [0, extent), which is how buffered geometry is expressed.
class TileTransform {
  public:
    explicit TileTransform(TileId tile, uint32_t extent = 4096) noexcept;

    [[nodiscard]] TilePoint to_tile(WorldXY p) const noexcept;
    [[nodiscard]] TilePoint to_tile(WorldPoint p) const noexcept;
    [[nodiscard]] WorldXY to_world_xy(TilePoint p) const noexcept;
    // The tile's world bounds grown by buffer_pixels tile pixels on each side (for clip()).
    [[nodiscard]] Box clip_box(double buffer_pixels) const noexcept;
    // World units per tile pixel (use as a simplification tolerance).
    [[nodiscard]] double world_units_per_pixel() const noexcept { return 1.0 / scale_; }

    [[nodiscard]] TileId tile() const noexcept { return tile_; }
    [[nodiscard]] uint32_t extent() const noexcept { return extent_; }

  private:
    TileId tile_;
    uint32_t extent_;
    double origin_x_;
    double origin_y_;
    double scale_;  // tile pixels per world unit
};

}  // namespace crimemap::geo
