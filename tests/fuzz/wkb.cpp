// libFuzzer harness: the WKB/EWKB reader (geo/wkb.hpp), binary and hex, and what the snapshot
// loader does next with a polygon: world coordinates, area, clip to a tile, MVT encoding.
// Oracle: an accepted geometry written back as little-endian (E)WKB by the independent writer below
// parses to the same geometry; the hex form parses like the bytes.
#include "geo/wkb.hpp"

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "geo/mvt.hpp"
#include "geo/polygon.hpp"
#include "geo/tile.hpp"

using crimemap::fuzz::fuzz_check;
namespace geo = crimemap::geo;

namespace {

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_f64(std::string& out, double d) {
    auto v = std::bit_cast<std::uint64_t>(d);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_header(std::string& out, std::uint32_t type, std::optional<std::uint32_t> srid) {
    out.push_back(1);
    put_u32(out, srid ? (type | 0x20000000U) : type);
    if (srid) put_u32(out, *srid);
}
void put_polygon_body(std::string& out, const geo::LonLatPolygon& poly) {
    put_u32(out, static_cast<std::uint32_t>(poly.size()));
    for (const auto& ring : poly) {
        put_u32(out, static_cast<std::uint32_t>(ring.size()));
        for (const auto& p : ring) {
            put_f64(out, p.lon);
            put_f64(out, p.lat);
        }
    }
}

std::string write_wkb(const geo::WkbGeometry& g) {
    std::string out;
    switch (g.type) {
        case geo::WkbType::point:
            put_header(out, 1, g.srid);
            put_f64(out, g.points.empty() ? std::nan("") : g.points[0].lon);
            put_f64(out, g.points.empty() ? std::nan("") : g.points[0].lat);
            break;
        case geo::WkbType::polygon:
            put_header(out, 3, g.srid);
            put_polygon_body(out, g.polygons.empty() ? geo::LonLatPolygon{} : g.polygons[0]);
            break;
        case geo::WkbType::multi_point:
            put_header(out, 4, g.srid);
            put_u32(out, static_cast<std::uint32_t>(g.points.size()));
            for (const auto& p : g.points) {
                put_header(out, 1, std::nullopt);
                put_f64(out, p.lon);
                put_f64(out, p.lat);
            }
            break;
        case geo::WkbType::multi_polygon:
            put_header(out, 6, g.srid);
            put_u32(out, static_cast<std::uint32_t>(g.polygons.size()));
            for (const auto& poly : g.polygons) {
                put_header(out, 3, std::nullopt);
                put_polygon_body(out, poly);
            }
            break;
    }
    return out;
}

bool same(const geo::WkbGeometry& a, const geo::WkbGeometry& b) {
    return a.type == b.type && a.srid == b.srid && a.points == b.points && a.polygons == b.polygons;
}

// What the snapshot loader and tile engine do with an area's polygons.
void use_polygons(const geo::LonLatMultiPolygon& polygons) {
    auto world = geo::to_world_xy(polygons);
    (void)geo::area(world);
    auto box = geo::bounding_box(world);
    (void)geo::contains(world, geo::WorldXY{(box.min_x + box.max_x) / 2, (box.min_y + box.max_y) / 2});
    // The z10 tile over Hereford, where the sample data lives.
    auto tile = *geo::TileId::from_zxy(10, 504, 346);
    geo::TileTransform transform(tile);
    auto clipped = geo::clip(world, transform.clip_box(64));
    auto simple = geo::simplify(clipped, 16.0);
    geo::LayerBuilder layer("areas");
    (void)layer.add_multi_polygon(geo::to_tile_polygons(simple, transform), {});
    (void)geo::vertex_count(simple);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto r = geo::parse_wkb(bytes);
    fuzz_check(r.geometry.has_value() != !r.error.empty(), "exactly one of geometry and error");
    if (r) {
        auto again = geo::parse_wkb(write_wkb(*r.geometry));
        fuzz_check(again && same(*again.geometry, *r.geometry),
                   "written back, the geometry parses differently", again.error);
        for (const auto& poly : r.geometry->polygons)
            for (const auto& ring : poly)
                for (const auto& p : ring)
                    fuzz_check(std::isfinite(p.lon) && std::isfinite(p.lat), "non-finite vertex");
        use_polygons(r.geometry->polygons);
    }
    // The same bytes as PostgreSQL's hex bytea text.
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex = "\\x";
    for (unsigned char c : bytes) {
        hex.push_back(digits[c >> 4]);
        hex.push_back(digits[c & 15]);
    }
    auto h = geo::parse_hex_wkb(hex);
    fuzz_check(h.geometry.has_value() == r.geometry.has_value(), "hex and binary disagree");
    // And the text itself as hex (odd lengths and bad digits must be refused, never read).
    (void)geo::parse_hex_wkb(bytes);
    return 0;
}
