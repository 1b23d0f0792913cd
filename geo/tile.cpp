#include "geo/tile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace crimemap::geo {

namespace {

// World units per tile side at zoom z (z <= 32).
double tile_span(uint8_t z) noexcept { return std::ldexp(1.0, 32 - std::min<int>(z, kMaxTileZoom)); }

int32_t to_pixel(double v) noexcept {
    const double r = std::floor(v + 0.5);
    // NaN-safe saturation: converting an out-of-range double to int32 is UB.
    if (!(r >= static_cast<double>(std::numeric_limits<int32_t>::min())))
        return std::numeric_limits<int32_t>::min();
    if (r > static_cast<double>(std::numeric_limits<int32_t>::max()))
        return std::numeric_limits<int32_t>::max();
    return static_cast<int32_t>(r);
}

}  // namespace

std::optional<TileId> TileId::from_zxy(int64_t z, int64_t x, int64_t y, int max_zoom) noexcept {
    const int64_t limit = std::min<int64_t>(max_zoom, kMaxTileZoom);
    if (z < 0 || z > limit || x < 0 || y < 0) return std::nullopt;
    const int64_t n = int64_t{1} << z;
    if (x >= n || y >= n) return std::nullopt;
    return TileId{static_cast<uint8_t>(z), static_cast<uint32_t>(x), static_cast<uint32_t>(y)};
}

TileId tile_containing(WorldPoint p, uint8_t z) noexcept {
    if (z == 0) return {0, 0, 0};
    const uint8_t zz = std::min<uint8_t>(z, kMaxTileZoom);
    const int shift = 32 - zz;
    return {zz, static_cast<uint32_t>(uint64_t{p.x} >> shift), static_cast<uint32_t>(uint64_t{p.y} >> shift)};
}

uint64_t morton_first(TileId t) noexcept {
    if (t.z == 0) return 0;
    const int shift = 32 - std::min<int>(t.z, kMaxTileZoom);
    // A tile's codes share their top 2z bits (the interleave of x and y); the low bits are free.
    return morton(WorldPoint{static_cast<uint32_t>(uint64_t{t.x} << shift),
                             static_cast<uint32_t>(uint64_t{t.y} << shift)});
}

uint64_t morton_last(TileId t) noexcept {
    if (t.z == 0) return UINT64_MAX;
    const int shift = 32 - std::min<int>(t.z, kMaxTileZoom);
    const uint64_t low_bits = shift == 0 ? 0 : (UINT64_MAX >> (64 - 2 * shift));
    return morton_first(t) | low_bits;
}

std::pair<uint64_t, uint64_t> morton_range(TileId t) noexcept {
    const uint64_t last = morton_last(t);
    return {morton_first(t), last == UINT64_MAX ? last : last + 1};
}

Box world_bounds(TileId t) noexcept {
    const double span = tile_span(t.z);
    const double x0 = static_cast<double>(t.x) * span;
    const double y0 = static_cast<double>(t.y) * span;
    return {x0, y0, x0 + span, y0 + span};
}

LonLatBounds lonlat_bounds(TileId t) noexcept {
    const Box b = world_bounds(t);
    const LonLat nw = from_world_xy({b.min_x, b.min_y});
    const LonLat se = from_world_xy({b.max_x, b.max_y});
    return {nw.lon, se.lat, se.lon, nw.lat};
}

MercatorBounds mercator_bounds(TileId t) noexcept {
    const double span = 2.0 * kMercatorHalf / std::ldexp(1.0, std::min<int>(t.z, kMaxTileZoom));
    const double min_x = -kMercatorHalf + static_cast<double>(t.x) * span;
    const double max_y = kMercatorHalf - static_cast<double>(t.y) * span;
    return {min_x, max_y - span, min_x + span, max_y};
}

TileTransform::TileTransform(TileId tile, uint32_t extent) noexcept
    : tile_(tile),
      extent_(extent),
      origin_x_(static_cast<double>(tile.x) * tile_span(tile.z)),
      origin_y_(static_cast<double>(tile.y) * tile_span(tile.z)),
      scale_(static_cast<double>(extent) / tile_span(tile.z)) {}

TilePoint TileTransform::to_tile(WorldXY p) const noexcept {
    return {to_pixel((p.x - origin_x_) * scale_), to_pixel((p.y - origin_y_) * scale_)};
}

TilePoint TileTransform::to_tile(WorldPoint p) const noexcept {
    return to_tile(WorldXY{static_cast<double>(p.x), static_cast<double>(p.y)});
}

WorldXY TileTransform::to_world_xy(TilePoint p) const noexcept {
    return {origin_x_ + static_cast<double>(p.x) / scale_, origin_y_ + static_cast<double>(p.y) / scale_};
}

Box TileTransform::clip_box(double buffer_pixels) const noexcept {
    return world_bounds(tile_).buffered(buffer_pixels / scale_);
}

}  // namespace crimemap::geo
