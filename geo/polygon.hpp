// Polygon geometry in world coordinates (coords.hpp: units of 2^-32 of the Web Mercator square, y
// grows SOUTH). Rings are implicitly closed: the last vertex joins the first; a repeated closing
// vertex is accepted on input and never produced on output. Functions are pure and thread-safe.
//
// Orientation: signed_area() is the shoelace sum in world coordinates; because y grows south, a
// positive area means the ring runs clockwise on a north-up map (the MVT exterior convention).
#pragma once

#include <cstddef>
#include <vector>

#include "geo/coords.hpp"

namespace crimemap::geo {

using Ring = std::vector<WorldXY>;
struct Polygon {
    std::vector<Ring> rings;  // [0] exterior, the rest holes; any orientation
};
using MultiPolygon = std::vector<Polygon>;

// The same shapes in WGS84 degrees (what wkb.hpp produces).
using LonLatRing = std::vector<LonLat>;
using LonLatPolygon = std::vector<LonLatRing>;  // [0] exterior, the rest holes
using LonLatMultiPolygon = std::vector<LonLatPolygon>;

[[nodiscard]] Polygon to_world_xy(const LonLatPolygon& polygon);
[[nodiscard]] MultiPolygon to_world_xy(const LonLatMultiPolygon& polygons);

// Square world units; see the orientation note above.
[[nodiscard]] double signed_area(const Ring& ring) noexcept;
// |exterior| minus the |holes|.
[[nodiscard]] double area(const Polygon& polygon) noexcept;
[[nodiscard]] double area(const MultiPolygon& polygons) noexcept;

// Empty Box for empty input.
[[nodiscard]] Box bounding_box(const Ring& ring) noexcept;
[[nodiscard]] Box bounding_box(const Polygon& polygon) noexcept;
[[nodiscard]] Box bounding_box(const MultiPolygon& polygons) noexcept;

// Even-odd rule over all rings (so holes are excluded). Points exactly on an edge may go either
// way. Cost is linear in the vertex count: test bounding_box first when calling in bulk.
[[nodiscard]] bool contains(const Ring& ring, WorldXY p) noexcept;
[[nodiscard]] bool contains(const Polygon& polygon, WorldXY p) noexcept;
[[nodiscard]] bool contains(const MultiPolygon& polygons, WorldXY p) noexcept;

// Sutherland-Hodgman clip of every ring against `box` (typically TileTransform::clip_box(buffer)).
// Rings left with fewer than 3 distinct vertices or zero area are dropped; a polygon whose exterior
// is dropped is dropped with its holes. Concave rings may gain zero-width spans along the box edge,
// which renderers ignore.
[[nodiscard]] MultiPolygon clip(const MultiPolygon& polygons, const Box& box);

// Douglas-Peucker per ring (iterative) with `tolerance` in world units: every removed vertex lies
// within tolerance of the simplified boundary. Collapsed rings are dropped as in clip(). The result
// is not guaranteed to be free of self-intersections. tolerance <= 0 returns the input unchanged.
// Cost is O(n log n) on typical boundaries but O(n^2) in the worst case (e.g. a saw tooth whose
// every tooth exceeds the tolerance): bound vertex counts on untrusted input.
[[nodiscard]] MultiPolygon simplify(const MultiPolygon& polygons, double tolerance);

[[nodiscard]] std::size_t vertex_count(const MultiPolygon& polygons) noexcept;

}  // namespace crimemap::geo
