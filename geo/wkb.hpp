// Reader for OGC WKB and PostGIS EWKB (ST_AsBinary / ST_AsEWKB output): Point, MultiPoint, Polygon
// and MultiPolygon in either byte order, with optional EWKB SRID, and Z/M ordinates (EWKB flags or
// ISO 1000/2000/3000 codes) accepted and dropped. Untrusted input is safe: every count is checked
// against the bytes left (so memory is linear in the input), malformed input yields an error value,
// never UB or an exception (other than std::bad_alloc), and nothing recurses: collections cannot
// nest (GeometryCollection is refused, a Multi* member must be its simple type), so the depth is at
// most two headers. Pure functions, thread-safe.
//
// Coordinates are returned as x -> lon, y -> lat without reprojection: request SRID 4326 from SQL
// (ST_Transform) and check `srid` when EWKB carries one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/coords.hpp"
#include "geo/polygon.hpp"

namespace crimemap::geo {

enum class WkbType : uint8_t { point, multi_point, polygon, multi_polygon };

struct WkbGeometry {
    WkbType type = WkbType::point;
    std::optional<uint32_t> srid;  // EWKB SRID of the outer geometry, when flagged
    std::vector<LonLat> points;    // point (none for POINT EMPTY) and multi_point
    LonLatMultiPolygon polygons;   // polygon (one entry, none if empty) and multi_polygon; rings
                                   // as stored, i.e. closed (first vertex repeated at the end)
};

struct WkbResult {
    std::optional<WkbGeometry> geometry;  // set on success
    std::string error;                    // set on failure: what went wrong and at which byte
    explicit operator bool() const noexcept { return geometry.has_value(); }
};

[[nodiscard]] WkbResult parse_wkb(std::string_view bytes);
// Hex text (either case, optionally with PostgreSQL's "\x" bytea prefix) to bytes; nullopt on odd
// length or a non-hex character.
[[nodiscard]] std::optional<std::string> hex_decode(std::string_view hex);
[[nodiscard]] WkbResult parse_hex_wkb(std::string_view hex);

}  // namespace crimemap::geo
