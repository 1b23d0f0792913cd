#include "geo/polygon.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace crimemap::geo {

namespace {

// Drops consecutive duplicates, including a closing vertex equal to the first.
void remove_duplicates(Ring& ring) {
    ring.erase(std::unique(ring.begin(), ring.end()), ring.end());
    while (ring.size() > 1 && ring.back() == ring.front()) ring.pop_back();
}

// Normalises `ring` in place; false when it is degenerate and must be dropped.
bool finish_ring(Ring& ring) {
    remove_duplicates(ring);
    return ring.size() >= 3 && signed_area(ring) != 0.0;
}

template <class Inside, class Intersect>
void clip_against(const Ring& in, Ring& out, Inside inside, Intersect intersect) {
    out.clear();
    if (in.empty()) return;
    WorldXY prev = in.back();
    bool prev_in = inside(prev);
    for (const WorldXY& cur : in) {
        const bool cur_in = inside(cur);
        if (cur_in != prev_in) out.push_back(intersect(prev, cur));
        if (cur_in) out.push_back(cur);
        prev = cur;
        prev_in = cur_in;
    }
}

// Intersections are only computed for edges with one end on each side, so the divisor is non-zero.
WorldXY at_x(WorldXY a, WorldXY b, double x) { return {x, a.y + (x - a.x) * (b.y - a.y) / (b.x - a.x)}; }
WorldXY at_y(WorldXY a, WorldXY b, double y) { return {a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y), y}; }

// Clips a ring (open or closed) in place through the scratch buffer; false if it became degenerate.
bool clip_ring(Ring& ring, const Box& box, Ring& scratch) {
    remove_duplicates(ring);
    const Box bb = bounding_box(ring);
    if (!bb.intersects(box)) return false;
    if (!box.contains(bb)) {
        clip_against(
            ring, scratch, [&](WorldXY p) { return p.x >= box.min_x; },
            [&](WorldXY a, WorldXY b) { return at_x(a, b, box.min_x); });
        clip_against(
            scratch, ring, [&](WorldXY p) { return p.x <= box.max_x; },
            [&](WorldXY a, WorldXY b) { return at_x(a, b, box.max_x); });
        clip_against(
            ring, scratch, [&](WorldXY p) { return p.y >= box.min_y; },
            [&](WorldXY a, WorldXY b) { return at_y(a, b, box.min_y); });
        clip_against(
            scratch, ring, [&](WorldXY p) { return p.y <= box.max_y; },
            [&](WorldXY a, WorldXY b) { return at_y(a, b, box.max_y); });
    }
    return finish_ring(ring);
}

double segment_distance2(WorldXY p, WorldXY a, WorldXY b) noexcept {
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    double t = 0.0;
    if (len2 > 0.0) t = std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0);
    const double ex = p.x - (a.x + t * dx);
    const double ey = p.y - (a.y + t * dy);
    return ex * ex + ey * ey;
}

// Douglas-Peucker on a closed ring with an explicit stack. The ring is split at vertex 0 and the
// vertex farthest from it, both of which are kept.
bool simplify_ring(Ring& ring, double tolerance, std::vector<std::pair<std::size_t, std::size_t>>& stack,
                   std::vector<char>& keep) {
    remove_duplicates(ring);
    const std::size_t n = ring.size();
    if (n < 3) return false;
    // Index n stands for vertex 0 again, closing the ring.
    auto at = [&](std::size_t i) -> const WorldXY& { return ring[i == n ? 0 : i]; };

    std::size_t far = 0;
    double far_d2 = 0.0;
    for (std::size_t i = 1; i < n; ++i) {
        const double dx = ring[i].x - ring[0].x;
        const double dy = ring[i].y - ring[0].y;
        const double d2 = dx * dx + dy * dy;
        if (d2 > far_d2) {
            far_d2 = d2;
            far = i;
        }
    }
    if (far == 0) return false;

    const double tol2 = tolerance * tolerance;
    keep.assign(n + 1, 0);
    keep[0] = keep[far] = keep[n] = 1;
    stack.clear();
    stack.emplace_back(0, far);
    stack.emplace_back(far, n);
    while (!stack.empty()) {
        const auto [first, last] = stack.back();
        stack.pop_back();
        if (last - first < 2) continue;
        std::size_t best = first;
        double best_d2 = -1.0;
        for (std::size_t i = first + 1; i < last; ++i) {
            const double d2 = segment_distance2(at(i), at(first), at(last));
            if (d2 > best_d2) {
                best_d2 = d2;
                best = i;
            }
        }
        if (best_d2 > tol2) {
            keep[best] = 1;
            stack.emplace_back(first, best);
            stack.emplace_back(best, last);
        }
    }

    std::size_t out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (keep[i]) ring[out++] = ring[i];
    }
    ring.resize(out);
    return finish_ring(ring);
}

}  // namespace

Polygon to_world_xy(const LonLatPolygon& polygon) {
    Polygon out;
    out.rings.reserve(polygon.size());
    for (const LonLatRing& ring : polygon) {
        Ring& r = out.rings.emplace_back();
        r.reserve(ring.size());
        for (const LonLat& p : ring) r.push_back(to_world_xy(p));
    }
    return out;
}

MultiPolygon to_world_xy(const LonLatMultiPolygon& polygons) {
    MultiPolygon out;
    out.reserve(polygons.size());
    for (const LonLatPolygon& p : polygons) out.push_back(to_world_xy(p));
    return out;
}

double signed_area(const Ring& ring) noexcept {
    const std::size_t n = ring.size();
    if (n < 3) return 0.0;
    // Relative to the first vertex: world coordinates are ~4e9, so this keeps the products small.
    const WorldXY o = ring[0];
    double sum = 0.0;
    for (std::size_t i = 1; i + 1 < n; ++i) {
        sum += (ring[i].x - o.x) * (ring[i + 1].y - o.y) - (ring[i + 1].x - o.x) * (ring[i].y - o.y);
    }
    return sum / 2.0;
}

double area(const Polygon& polygon) noexcept {
    double a = 0.0;
    for (std::size_t i = 0; i < polygon.rings.size(); ++i) {
        const double r = std::abs(signed_area(polygon.rings[i]));
        a += i == 0 ? r : -r;
    }
    return a;
}

double area(const MultiPolygon& polygons) noexcept {
    double a = 0.0;
    for (const Polygon& p : polygons) a += area(p);
    return a;
}

Box bounding_box(const Ring& ring) noexcept {
    Box b;
    for (const WorldXY& p : ring) b.expand(p);
    return b;
}

Box bounding_box(const Polygon& polygon) noexcept {
    Box b;
    for (const Ring& r : polygon.rings) {
        for (const WorldXY& p : r) b.expand(p);
    }
    return b;
}

Box bounding_box(const MultiPolygon& polygons) noexcept {
    Box b;
    for (const Polygon& poly : polygons) {
        for (const Ring& r : poly.rings) {
            for (const WorldXY& p : r) b.expand(p);
        }
    }
    return b;
}

bool contains(const Ring& ring, WorldXY p) noexcept {
    bool inside = false;
    const std::size_t n = ring.size();
    for (std::size_t i = 0, j = n == 0 ? 0 : n - 1; i < n; j = i++) {
        const WorldXY& a = ring[i];
        const WorldXY& b = ring[j];
        if ((a.y > p.y) != (b.y > p.y)) {
            const double x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if (p.x < x) inside = !inside;
        }
    }
    return inside;
}

bool contains(const Polygon& polygon, WorldXY p) noexcept {
    bool inside = false;
    for (const Ring& r : polygon.rings) {
        if (contains(r, p)) inside = !inside;
    }
    return inside;
}

bool contains(const MultiPolygon& polygons, WorldXY p) noexcept {
    return std::any_of(polygons.begin(), polygons.end(),
                       [&](const Polygon& poly) { return contains(poly, p); });
}

MultiPolygon clip(const MultiPolygon& polygons, const Box& box) {
    MultiPolygon out;
    if (box.empty()) return out;
    Ring scratch;
    for (const Polygon& poly : polygons) {
        if (poly.rings.empty()) continue;
        Polygon clipped;
        for (std::size_t i = 0; i < poly.rings.size(); ++i) {
            Ring ring = poly.rings[i];
            if (clip_ring(ring, box, scratch)) {
                clipped.rings.push_back(std::move(ring));
            } else if (i == 0) {
                break;
            }
        }
        if (!clipped.rings.empty()) out.push_back(std::move(clipped));
    }
    return out;
}

MultiPolygon simplify(const MultiPolygon& polygons, double tolerance) {
    if (!(tolerance > 0.0)) return polygons;
    MultiPolygon out;
    std::vector<std::pair<std::size_t, std::size_t>> stack;
    std::vector<char> keep;
    for (const Polygon& poly : polygons) {
        if (poly.rings.empty()) continue;
        Polygon simplified;
        for (std::size_t i = 0; i < poly.rings.size(); ++i) {
            Ring ring = poly.rings[i];
            if (simplify_ring(ring, tolerance, stack, keep)) {
                simplified.rings.push_back(std::move(ring));
            } else if (i == 0) {
                break;
            }
        }
        if (!simplified.rings.empty()) out.push_back(std::move(simplified));
    }
    return out;
}

std::size_t vertex_count(const MultiPolygon& polygons) noexcept {
    std::size_t n = 0;
    for (const Polygon& poly : polygons) {
        for (const Ring& r : poly.rings) n += r.size();
    }
    return n;
}

}  // namespace crimemap::geo
