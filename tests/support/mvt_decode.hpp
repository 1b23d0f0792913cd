#pragma once
// Decodes an MVT with the libprotobuf classes generated from proto/vector_tile.proto: an
// independent check on our protozero encoder (and on ST_AsMVT output). Test-only, header-only.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "vector_tile.pb.h"

namespace crimemap::testing {

using DecodedValue = std::variant<std::string, double, std::int64_t, bool>;

struct DecodedFeature {
    std::uint64_t id = 0;
    int type = 0;  // 1 point, 2 line, 3 polygon
    std::map<std::string, DecodedValue> props;
    std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> parts;  // points or rings (unclosed)

    std::int64_t integer(const std::string& key) const {
        auto it = props.find(key);
        if (it == props.end()) return 0;
        if (auto* i = std::get_if<std::int64_t>(&it->second)) return *i;
        if (auto* d = std::get_if<double>(&it->second)) return static_cast<std::int64_t>(*d);
        throw std::runtime_error("property " + key + " is not a number");
    }
    std::string text(const std::string& key) const {
        auto it = props.find(key);
        return it == props.end() ? std::string() : std::get<std::string>(it->second);
    }
};

struct DecodedLayer {
    std::string name;
    std::uint32_t version = 0;
    std::uint32_t extent = 0;
    std::vector<std::string> keys;
    std::vector<DecodedFeature> features;
};

inline DecodedValue decode_value(const vector_tile::Tile_Value& v) {
    if (v.has_string_value()) return v.string_value();
    if (v.has_double_value()) return v.double_value();
    if (v.has_float_value()) return static_cast<double>(v.float_value());
    if (v.has_int_value()) return static_cast<std::int64_t>(v.int_value());
    if (v.has_uint_value()) return static_cast<std::int64_t>(v.uint_value());
    if (v.has_sint_value()) return static_cast<std::int64_t>(v.sint_value());
    if (v.has_bool_value()) return v.bool_value();
    throw std::runtime_error("empty value");
}

inline std::int32_t unzigzag(std::uint32_t v) { return static_cast<std::int32_t>((v >> 1) ^ (~(v & 1) + 1)); }

// Decodes the command stream into parts: one per MoveTo for points, one per ring for polygons.
inline std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> decode_geometry(
    const google::protobuf::RepeatedField<std::uint32_t>& g) {
    std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> parts;
    std::int32_t x = 0, y = 0;
    int i = 0;
    while (i < g.size()) {
        std::uint32_t cmd = g[i] & 7, count = g[i] >> 3;
        ++i;
        if (cmd == 7) continue;  // ClosePath
        for (std::uint32_t k = 0; k < count; ++k) {
            if (i + 1 >= g.size()) throw std::runtime_error("truncated geometry");
            x += unzigzag(g[i]);
            y += unzigzag(g[i + 1]);
            i += 2;
            if (cmd == 1) parts.emplace_back();
            parts.back().emplace_back(x, y);
        }
    }
    return parts;
}

inline std::map<std::string, DecodedLayer> decode_tile(const std::string& bytes) {
    vector_tile::Tile tile;
    if (!tile.ParseFromString(bytes)) throw std::runtime_error("not a vector tile");
    std::map<std::string, DecodedLayer> layers;
    for (const auto& l : tile.layers()) {
        DecodedLayer out;
        out.name = l.name();
        out.version = l.version();
        out.extent = l.extent();
        out.keys.assign(l.keys().begin(), l.keys().end());
        for (const auto& f : l.features()) {
            DecodedFeature df;
            df.id = f.id();
            df.type = f.type();
            for (int t = 0; t + 1 < f.tags_size(); t += 2)
                df.props[l.keys(static_cast<int>(f.tags(t)))] =
                    decode_value(l.values(static_cast<int>(f.tags(t + 1))));
            df.parts = decode_geometry(f.geometry());
            out.features.push_back(std::move(df));
        }
        layers[out.name] = std::move(out);
    }
    return layers;
}

// Shoelace area of a ring in tile coordinates (y down): positive = clockwise on screen.
inline double ring_area(const std::vector<std::pair<std::int32_t, std::int32_t>>& r) {
    double a = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        const auto& p = r[i];
        const auto& q = r[(i + 1) % r.size()];
        a += static_cast<double>(p.first) * q.second - static_cast<double>(q.first) * p.second;
    }
    return a / 2;
}

}  // namespace crimemap::testing
