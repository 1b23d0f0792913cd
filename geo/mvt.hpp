// Mapbox Vector Tile 2.1 encoder (protozero). Geometry is given in tile pixel coordinates (x right,
// y down, origin at the tile's top-left, see TileTransform) and must lie within +-(2^30 - 1) (larger
// values are clamped) so that every delta fits the format's zigzag int32.
//
// Thread safety: a LayerBuilder is a plain value; use one per thread (or lock). encode_tile only
// reads its arguments.
//
// Values: string -> string_value, double -> double_value, bool -> bool_value, uint64 -> uint_value,
// int64 -> uint_value when >= 0 (so int64 5 and uint64 5 share one table entry), sint_value when
// negative. Keys and values are de-duplicated per layer; doubles compare bitwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "geo/polygon.hpp"
#include "geo/tile.hpp"

namespace crimemap::geo {

using Value = std::variant<std::string, double, int64_t, uint64_t, bool>;

struct Property {
    std::string_view key;
    Value value;
};

using TileRing = std::vector<TilePoint>;
using TilePolygon = std::vector<TileRing>;  // [0] exterior, the rest holes; any orientation

// World polygons to tile pixels (rounded). Clip and simplify in world units first.
[[nodiscard]] std::vector<TilePolygon> to_tile_polygons(const MultiPolygon& polygons,
                                                        const TileTransform& transform);

class LayerBuilder {
  public:
    // Layer names must be unique within a tile (caller's responsibility).
    explicit LayerBuilder(std::string name, uint32_t extent = 4096);

    void add_point(int32_t x, int32_t y, std::span<const Property> properties,
                   std::optional<uint64_t> id = {});
    void add_point(TilePoint p, std::span<const Property> properties, std::optional<uint64_t> id = {});
    // One MultiPoint feature; returns false (nothing added) for an empty span.
    bool add_points(std::span<const TilePoint> points, std::span<const Property> properties,
                    std::optional<uint64_t> id = {});

    // Polygon rings: consecutive duplicates and a closing vertex are removed; rings with fewer than
    // 3 distinct points or zero area are dropped; a polygon whose exterior is dropped is dropped
    // whole. Exteriors are written clockwise in tile coordinates (positive shoelace area, y down),
    // holes counter-clockwise, reversing input rings as needed. Returns false, adding nothing, when
    // no polygon survives.
    bool add_polygon(const std::vector<std::vector<TilePoint>>& rings, std::span<const Property> properties,
                     std::optional<uint64_t> id = {});
    bool add_multi_polygon(const std::vector<TilePolygon>& polygons, std::span<const Property> properties,
                           std::optional<uint64_t> id = {});

    [[nodiscard]] std::size_t feature_count() const noexcept { return feature_count_; }
    [[nodiscard]] bool empty() const noexcept { return feature_count_ == 0; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] uint32_t extent() const noexcept { return extent_; }
    // Bytes of encoded features so far (a cheap size estimate for budgets).
    [[nodiscard]] std::size_t feature_bytes() const noexcept { return features_.size(); }

    // Appends this layer as field 3 of a Tile message to `tile` (a serialized Tile being built).
    void append_to(std::string& tile) const;

  private:
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct ValueHash {
        std::size_t operator()(const Value& v) const noexcept;
    };
    struct ValueEqual {
        bool operator()(const Value& a, const Value& b) const noexcept;
    };

    enum class GeomType : int32_t { point = 1, polygon = 3 };

    void move_to(TilePoint p);
    bool append_ring(const TileRing& ring, bool exterior);
    void append_polygon(const TilePolygon& polygon);
    void finish_feature(GeomType type, std::span<const Property> properties, std::optional<uint64_t> id);
    uint32_t key_index(std::string_view key);
    uint32_t value_index(const Value& value);

    std::string name_;
    uint32_t extent_;
    std::size_t feature_count_ = 0;
    std::string features_;  // concatenated `features` fields (Layer field 2) of the layer message
    std::vector<std::string> keys_;
    std::vector<Value> values_;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> key_index_;
    std::unordered_map<Value, uint32_t, ValueHash, ValueEqual> value_index_;

    // Per-feature scratch, kept to reuse allocations.
    std::vector<uint32_t> geometry_;
    std::vector<uint32_t> tags_;
    TileRing ring_;
    TilePoint cursor_{0, 0};
};

// Serialized Tile with the non-empty layers, in order; "" when every layer is empty.
[[nodiscard]] std::string encode_tile(std::span<const LayerBuilder> layers);
[[nodiscard]] std::string encode_tile(std::span<const LayerBuilder* const> layers);

}  // namespace crimemap::geo
