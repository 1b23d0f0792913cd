#include "geo/mvt.hpp"

#include <algorithm>
#include <bit>
#include <functional>
#include <protozero/pbf_writer.hpp>
#include <protozero/varint.hpp>
#include <type_traits>
#include <utility>

namespace crimemap::geo {

namespace {

// MVT 2.1 field numbers.
namespace tile_field {
constexpr protozero::pbf_tag_type layers = 3;
}
namespace layer_field {
constexpr protozero::pbf_tag_type name = 1;
constexpr protozero::pbf_tag_type features = 2;
constexpr protozero::pbf_tag_type keys = 3;
constexpr protozero::pbf_tag_type values = 4;
constexpr protozero::pbf_tag_type extent = 5;
constexpr protozero::pbf_tag_type version = 15;
}  // namespace layer_field
namespace feature_field {
constexpr protozero::pbf_tag_type id = 1;
constexpr protozero::pbf_tag_type tags = 2;
constexpr protozero::pbf_tag_type type = 3;
constexpr protozero::pbf_tag_type geometry = 4;
}  // namespace feature_field
namespace value_field {
constexpr protozero::pbf_tag_type string_value = 1;
constexpr protozero::pbf_tag_type double_value = 3;
constexpr protozero::pbf_tag_type uint_value = 5;
constexpr protozero::pbf_tag_type sint_value = 6;
constexpr protozero::pbf_tag_type bool_value = 7;
}  // namespace value_field

constexpr uint32_t kMoveTo = 1;
constexpr uint32_t kLineTo = 2;
constexpr uint32_t kClosePath = 7;
constexpr uint32_t kMaxCommandCount = (uint32_t{1} << 29) - 1;
constexpr int32_t kMaxCoordinate = (int32_t{1} << 30) - 1;

constexpr uint32_t command(uint32_t id, uint32_t count) noexcept { return (id & 0x7U) | (count << 3); }

TilePoint clamp_point(TilePoint p) noexcept {
    return {std::clamp(p.x, -kMaxCoordinate, kMaxCoordinate),
            std::clamp(p.y, -kMaxCoordinate, kMaxCoordinate)};
}

// Twice the shoelace area, exact: coordinates are clamped to 31 bits, so products need ~62 bits
// and the sum needs headroom beyond int64.
__extension__ using Int128 = __int128;

Int128 twice_area(const TileRing& ring) noexcept {
    Int128 sum = 0;
    const std::size_t n = ring.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        sum += static_cast<Int128>(ring[j].x) * ring[i].y - static_cast<Int128>(ring[i].x) * ring[j].y;
    }
    return sum;
}

// Value with non-negative int64 folded into uint64, so equal encodings share one table entry.
const Value& canonical(const Value& v, Value& scratch) {
    if (const auto* i = std::get_if<int64_t>(&v); i != nullptr && *i >= 0) {
        scratch = static_cast<uint64_t>(*i);
        return scratch;
    }
    return v;
}

void write_value(protozero::pbf_writer& layer, const Value& v) {
    protozero::pbf_writer msg{layer, layer_field::values};
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
                msg.add_string(value_field::string_value, x);
            } else if constexpr (std::is_same_v<T, double>) {
                msg.add_double(value_field::double_value, x);
            } else if constexpr (std::is_same_v<T, int64_t>) {
                if (x < 0) {
                    msg.add_sint64(value_field::sint_value, x);
                } else {
                    msg.add_uint64(value_field::uint_value, static_cast<uint64_t>(x));
                }
            } else if constexpr (std::is_same_v<T, uint64_t>) {
                msg.add_uint64(value_field::uint_value, x);
            } else {
                msg.add_bool(value_field::bool_value, x);
            }
        },
        v);
}

}  // namespace

std::size_t LayerBuilder::ValueHash::operator()(const Value& v) const noexcept {
    const std::size_t h = std::visit(
        [](const auto& x) -> std::size_t {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, double>) {
                return std::hash<uint64_t>{}(std::bit_cast<uint64_t>(x));
            } else {
                return std::hash<T>{}(x);
            }
        },
        v);
    return h ^ (v.index() * 0x9E3779B97F4A7C15ULL);
}

bool LayerBuilder::ValueEqual::operator()(const Value& a, const Value& b) const noexcept {
    if (a.index() != b.index()) return false;
    if (const auto* da = std::get_if<double>(&a)) {
        return std::bit_cast<uint64_t>(*da) == std::bit_cast<uint64_t>(std::get<double>(b));
    }
    return a == b;
}

std::vector<TilePolygon> to_tile_polygons(const MultiPolygon& polygons, const TileTransform& transform) {
    std::vector<TilePolygon> out;
    out.reserve(polygons.size());
    for (const Polygon& poly : polygons) {
        TilePolygon& tp = out.emplace_back();
        tp.reserve(poly.rings.size());
        for (const Ring& ring : poly.rings) {
            TileRing& tr = tp.emplace_back();
            tr.reserve(ring.size());
            for (const WorldXY& p : ring) tr.push_back(transform.to_tile(p));
        }
    }
    return out;
}

LayerBuilder::LayerBuilder(std::string name, uint32_t extent) : name_(std::move(name)), extent_(extent) {}

void LayerBuilder::move_to(TilePoint p) {
    geometry_.push_back(protozero::encode_zigzag32(p.x - cursor_.x));
    geometry_.push_back(protozero::encode_zigzag32(p.y - cursor_.y));
    cursor_ = p;
}

void LayerBuilder::add_point(int32_t x, int32_t y, std::span<const Property> properties,
                             std::optional<uint64_t> id) {
    add_point(TilePoint{x, y}, properties, id);
}

void LayerBuilder::add_point(TilePoint p, std::span<const Property> properties, std::optional<uint64_t> id) {
    add_points(std::span<const TilePoint>(&p, 1), properties, id);
}

bool LayerBuilder::add_points(std::span<const TilePoint> points, std::span<const Property> properties,
                              std::optional<uint64_t> id) {
    if (points.empty() || points.size() > kMaxCommandCount) return false;
    geometry_.clear();
    cursor_ = {0, 0};
    geometry_.push_back(command(kMoveTo, static_cast<uint32_t>(points.size())));
    for (const TilePoint& p : points) move_to(clamp_point(p));
    finish_feature(GeomType::point, properties, id);
    return true;
}

bool LayerBuilder::append_ring(const TileRing& ring, bool exterior) {
    ring_.clear();
    for (const TilePoint& p : ring) {
        const TilePoint q = clamp_point(p);
        if (ring_.empty() || ring_.back() != q) ring_.push_back(q);
    }
    while (ring_.size() > 1 && ring_.back() == ring_.front()) ring_.pop_back();
    if (ring_.size() < 3 || ring_.size() - 1 > kMaxCommandCount) return false;
    const Int128 area2 = twice_area(ring_);
    if (area2 == 0) return false;
    if ((area2 > 0) != exterior) std::reverse(ring_.begin(), ring_.end());

    geometry_.push_back(command(kMoveTo, 1));
    move_to(ring_[0]);
    geometry_.push_back(command(kLineTo, static_cast<uint32_t>(ring_.size() - 1)));
    for (std::size_t i = 1; i < ring_.size(); ++i) move_to(ring_[i]);
    geometry_.push_back(command(kClosePath, 1));
    return true;
}

void LayerBuilder::append_polygon(const TilePolygon& polygon) {
    // Holes are only meaningful with their exterior: no exterior, no holes.
    if (polygon.empty() || !append_ring(polygon[0], true)) return;
    for (std::size_t i = 1; i < polygon.size(); ++i) append_ring(polygon[i], false);
}

bool LayerBuilder::add_polygon(const std::vector<std::vector<TilePoint>>& rings,
                               std::span<const Property> properties, std::optional<uint64_t> id) {
    geometry_.clear();
    cursor_ = {0, 0};
    append_polygon(rings);
    if (geometry_.empty()) return false;
    finish_feature(GeomType::polygon, properties, id);
    return true;
}

bool LayerBuilder::add_multi_polygon(const std::vector<TilePolygon>& polygons,
                                     std::span<const Property> properties, std::optional<uint64_t> id) {
    geometry_.clear();
    cursor_ = {0, 0};
    for (const TilePolygon& poly : polygons) append_polygon(poly);
    if (geometry_.empty()) return false;
    finish_feature(GeomType::polygon, properties, id);
    return true;
}

void LayerBuilder::finish_feature(GeomType type, std::span<const Property> properties,
                                  std::optional<uint64_t> id) {
    tags_.clear();
    for (const Property& p : properties) {
        tags_.push_back(key_index(p.key));
        tags_.push_back(value_index(p.value));
    }
    protozero::pbf_writer layer{features_};
    protozero::pbf_writer feature{layer, layer_field::features};
    if (id) feature.add_uint64(feature_field::id, *id);
    if (!tags_.empty()) feature.add_packed_uint32(feature_field::tags, tags_.begin(), tags_.end());
    feature.add_enum(feature_field::type, static_cast<int32_t>(type));
    feature.add_packed_uint32(feature_field::geometry, geometry_.begin(), geometry_.end());
    ++feature_count_;
}

uint32_t LayerBuilder::key_index(std::string_view key) {
    if (auto it = key_index_.find(key); it != key_index_.end()) return it->second;
    const auto index = static_cast<uint32_t>(keys_.size());
    keys_.emplace_back(key);
    key_index_.emplace(keys_.back(), index);
    return index;
}

uint32_t LayerBuilder::value_index(const Value& value) {
    Value scratch;
    const Value& v = canonical(value, scratch);
    if (auto it = value_index_.find(v); it != value_index_.end()) return it->second;
    const auto index = static_cast<uint32_t>(values_.size());
    values_.push_back(v);
    value_index_.emplace(v, index);
    return index;
}

void LayerBuilder::append_to(std::string& tile) const {
    std::string head;
    {
        protozero::pbf_writer w{head};
        w.add_uint32(layer_field::version, 2);
        w.add_string(layer_field::name, name_);
        w.add_uint32(layer_field::extent, extent_);
    }
    std::string tail;
    {
        protozero::pbf_writer w{tail};
        for (const std::string& k : keys_) w.add_string(layer_field::keys, k);
        for (const Value& v : values_) write_value(w, v);
    }
    // Written as one length-delimited field so the (large) feature buffer is copied only once.
    protozero::pbf_writer tile_writer{tile};
    tile_writer.add_bytes_vectored(tile_field::layers, head, features_, tail);
}

std::string encode_tile(std::span<const LayerBuilder> layers) {
    std::string tile;
    for (const LayerBuilder& layer : layers) {
        if (!layer.empty()) layer.append_to(tile);
    }
    return tile;
}

std::string encode_tile(std::span<const LayerBuilder* const> layers) {
    std::string tile;
    for (const LayerBuilder* layer : layers) {
        if (layer != nullptr && !layer->empty()) layer->append_to(tile);
    }
    return tile;
}

}  // namespace crimemap::geo
