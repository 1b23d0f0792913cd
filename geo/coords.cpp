#include "geo/coords.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace crimemap::geo {

namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kRadToDeg = 180.0 / std::numbers::pi;

double clamp_lat(double lat) noexcept { return std::clamp(lat, -kMaxLatitude, kMaxLatitude); }

// Spreads the 32 bits of v over the even bits of a 64-bit word.
uint64_t spread_bits(uint32_t v) noexcept {
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

uint32_t compact_bits(uint64_t x) noexcept {
    x &= 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return static_cast<uint32_t>(x);
}

uint32_t to_grid(double v) noexcept {
    // Written so NaN falls into the first branch: converting NaN to an integer is UB.
    if (!(v >= 0.0)) return 0;
    const double f = std::floor(v);
    if (f >= kWorldSize - 1.0) return UINT32_MAX;
    return static_cast<uint32_t>(f);
}

}  // namespace

void Box::expand(WorldXY p) noexcept {
    if (empty()) {
        *this = Box{p.x, p.y, p.x, p.y};
        return;
    }
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
}

WorldXY to_world_xy(LonLat p) noexcept {
    const double lat = clamp_lat(p.lat) * kDegToRad;
    const double x = (p.lon + 180.0) / 360.0 * kWorldSize;
    const double y = (1.0 - std::asinh(std::tan(lat)) / std::numbers::pi) / 2.0 * kWorldSize;
    return {x, y};
}

WorldPoint to_world(LonLat p) noexcept {
    const WorldXY w = to_world_xy(p);
    return {to_grid(w.x), to_grid(w.y)};
}

LonLat from_world_xy(WorldXY p) noexcept {
    const double lon = p.x / kWorldSize * 360.0 - 180.0;
    const double lat = std::atan(std::sinh(std::numbers::pi * (1.0 - 2.0 * p.y / kWorldSize))) * kRadToDeg;
    return {lon, lat};
}

LonLat from_world(WorldPoint p) noexcept {
    return from_world_xy({static_cast<double>(p.x) + 0.5, static_cast<double>(p.y) + 0.5});
}

Mercator to_mercator(LonLat p) noexcept {
    const double lat = clamp_lat(p.lat) * kDegToRad;
    return {kEarthRadius * p.lon * kDegToRad, kEarthRadius * std::asinh(std::tan(lat))};
}

LonLat from_mercator(Mercator m) noexcept {
    return {m.x / kEarthRadius * kRadToDeg, std::atan(std::sinh(m.y / kEarthRadius)) * kRadToDeg};
}

WorldXY to_world_xy(Mercator m) noexcept {
    const double span = 2.0 * kMercatorHalf;
    return {(m.x + kMercatorHalf) / span * kWorldSize, (kMercatorHalf - m.y) / span * kWorldSize};
}

Mercator to_mercator(WorldXY p) noexcept {
    const double span = 2.0 * kMercatorHalf;
    return {p.x / kWorldSize * span - kMercatorHalf, kMercatorHalf - p.y / kWorldSize * span};
}

uint64_t morton(WorldPoint p) noexcept { return (spread_bits(p.x) << 1) | spread_bits(p.y); }

WorldPoint from_morton(uint64_t code) noexcept { return {compact_bits(code >> 1), compact_bits(code)}; }

}  // namespace crimemap::geo
