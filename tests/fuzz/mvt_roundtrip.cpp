// libFuzzer harness: MVT round trip. Random layers of point, multipoint and (multi)polygon features
// with random properties go through our protozero encoder (geo/mvt.hpp); libprotobuf, from
// proto/vector_tile.proto (tests/support/mvt_decode.hpp), decodes the tile; the result must equal
// what the encoder's documented contract predicts, computed here independently: coordinates
// clamped to +-(2^30 - 1); ring vertices deduplicated, unclosed, degenerate rings dropped (a
// polygon without its exterior dropped whole), exteriors clockwise and holes counter-clockwise in
// tile coordinates; non-negative int64 values read back as unsigned; empty layers omitted.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "geo/mvt.hpp"
#include "support/mvt_decode.hpp"

using crimemap::fuzz::fuzz_check;
namespace geo = crimemap::geo;
namespace dec = crimemap::testing;

namespace {

constexpr std::int32_t max_coordinate = (1 << 30) - 1;
using Part = std::vector<std::pair<std::int32_t, std::int32_t>>;

struct ExpectedFeature {
    std::uint64_t id = 0;
    int type = 0;
    std::map<std::string, dec::DecodedValue> props;
    std::vector<Part> parts;
};

geo::TilePoint clamp(geo::TilePoint p) {
    return {std::clamp(p.x, -max_coordinate, max_coordinate),
            std::clamp(p.y, -max_coordinate, max_coordinate)};
}

// Shoelace sign, exact: |coordinates| < 2^30, so products fit in 61 bits and sums in __int128.
int area_sign(const Part& r) {
    __extension__ __int128 sum = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        const auto& p = r[i];
        const auto& q = r[(i + 1) % r.size()];
        sum += static_cast<__int128>(p.first) * q.second - static_cast<__int128>(q.first) * p.second;
    }
    return sum > 0 ? 1 : (sum < 0 ? -1 : 0);
}

std::optional<Part> expected_ring(const geo::TileRing& ring, bool exterior) {
    Part r;
    for (auto p : ring) {
        auto q = clamp(p);
        if (r.empty() || r.back() != std::pair{q.x, q.y}) r.emplace_back(q.x, q.y);
    }
    while (r.size() > 1 && r.back() == r.front()) r.pop_back();
    if (r.size() < 3) return std::nullopt;
    int s = area_sign(r);
    if (s == 0) return std::nullopt;
    if ((s > 0) != exterior) std::reverse(r.begin(), r.end());
    return r;
}

geo::TilePoint random_point(FuzzedDataProvider& in) {
    // Mostly near the tile, sometimes anywhere in int32 (the clamp is part of the contract).
    if (in.ConsumeBool()) return {in.ConsumeIntegral<std::int32_t>(), in.ConsumeIntegral<std::int32_t>()};
    return {in.ConsumeIntegralInRange<std::int32_t>(-64, 4160),
            in.ConsumeIntegralInRange<std::int32_t>(-64, 4160)};
}

geo::Value random_value(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange(0, 4)) {
        case 0: return in.ConsumeRandomLengthString(16);
        case 1: return std::bit_cast<double>(in.ConsumeIntegral<std::uint64_t>());
        case 2: return in.ConsumeIntegral<std::int64_t>();
        case 3: return in.ConsumeIntegral<std::uint64_t>();
        default: return in.ConsumeBool();
    }
}

dec::DecodedValue expected_value(const geo::Value& v) {
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
    if (auto* u = std::get_if<std::uint64_t>(&v))
        return static_cast<std::int64_t>(*u);  // as mvt_decode reads it
    return std::get<bool>(v);
}

bool same_value(const dec::DecodedValue& a, const dec::DecodedValue& b) {
    if (a.index() != b.index()) return false;
    if (auto* d = std::get_if<double>(&a))
        return std::bit_cast<std::uint64_t>(*d) == std::bit_cast<std::uint64_t>(std::get<double>(b));
    return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    static const std::string key_pool[] = {"count", "category", "name", "", "k\xc3\xa9y", "id", "x", "value"};

    std::vector<geo::LayerBuilder> layers;
    std::map<std::string, std::pair<std::uint32_t, std::vector<ExpectedFeature>>> expected;
    const int layer_count = in.ConsumeIntegralInRange(1, 3);
    for (int l = 0; l < layer_count; ++l) {
        const std::string name = "layer" + std::to_string(l);
        const std::uint32_t extent = in.PickValueInArray<std::uint32_t>({256, 512, 4096, 8192});
        auto& layer = layers.emplace_back(name, extent);
        auto& want = expected[name];
        want.first = extent;
        const int features = in.ConsumeIntegralInRange(0, 8);
        for (int f = 0; f < features && in.remaining_bytes() > 0; ++f) {
            ExpectedFeature ef;
            std::optional<std::uint64_t> id;
            if (in.ConsumeBool()) id = in.ConsumeIntegral<std::uint64_t>();
            ef.id = id.value_or(0);
            // Properties with distinct keys (a repeated key would decode as one).
            std::vector<std::string> keys;
            std::vector<geo::Value> values;
            std::set<std::string> used;
            const int props = in.ConsumeIntegralInRange(0, 4);
            for (int p = 0; p < props; ++p) {
                std::string key =
                    in.ConsumeBool() ? in.PickValueInArray(key_pool) : in.ConsumeRandomLengthString(8);
                if (!used.insert(key).second) continue;
                keys.push_back(key);
                values.push_back(random_value(in));
            }
            std::vector<geo::Property> properties;
            for (std::size_t p = 0; p < keys.size(); ++p) {
                properties.push_back({keys[p], values[p]});
                ef.props[keys[p]] = expected_value(values[p]);
            }

            bool added = false;
            if (in.ConsumeBool()) {
                std::vector<geo::TilePoint> points(in.ConsumeIntegralInRange<std::size_t>(0, 6));
                for (auto& p : points) p = random_point(in);
                added = layer.add_points(points, properties, id);
                ef.type = 1;
                for (auto p : points) ef.parts.push_back({{clamp(p).x, clamp(p).y}});
                fuzz_check(added == !points.empty(), "add_points accepted/refused wrongly");
            } else {
                std::vector<geo::TilePolygon> polygons(in.ConsumeIntegralInRange<std::size_t>(1, 3));
                for (auto& poly : polygons) {
                    poly.resize(in.ConsumeIntegralInRange<std::size_t>(0, 3));
                    for (auto& ring : poly) {
                        ring.resize(in.ConsumeIntegralInRange<std::size_t>(0, 8));
                        for (auto& p : ring) p = random_point(in);
                        // Often close the ring, as callers do.
                        if (!ring.empty() && in.ConsumeBool()) ring.push_back(ring.front());
                    }
                }
                ef.type = 3;
                for (const auto& poly : polygons) {
                    if (poly.empty()) continue;
                    auto ext = expected_ring(poly[0], true);
                    if (!ext) continue;
                    ef.parts.push_back(*ext);
                    for (std::size_t h = 1; h < poly.size(); ++h)
                        if (auto hole = expected_ring(poly[h], false)) ef.parts.push_back(*hole);
                }
                added = polygons.size() == 1 && in.ConsumeBool()
                            ? layer.add_polygon(polygons[0], properties, id)
                            : layer.add_multi_polygon(polygons, properties, id);
                fuzz_check(added == !ef.parts.empty(), "add_polygon accepted/refused against the contract");
            }
            if (added) want.second.push_back(std::move(ef));
        }
    }

    const std::string tile = geo::encode_tile(std::span<const geo::LayerBuilder>(layers));
    std::map<std::string, dec::DecodedLayer> got;
    try {
        got = dec::decode_tile(tile);
    } catch (const std::exception& e) {
        fuzz_check(false, "libprotobuf cannot decode our tile", e.what());
    }
    std::size_t non_empty = 0;
    for (const auto& [name, want] : expected) {
        if (want.second.empty()) {
            fuzz_check(!got.count(name), "an empty layer was written", name);
            continue;
        }
        ++non_empty;
        auto it = got.find(name);
        fuzz_check(it != got.end(), "a layer is missing", name);
        const auto& layer = it->second;
        fuzz_check(layer.version == 2 && layer.extent == want.first, "layer version/extent", name);
        fuzz_check(layer.features.size() == want.second.size(), "feature count", name);
        for (std::size_t i = 0; i < want.second.size(); ++i) {
            const auto& w = want.second[i];
            const auto& g = layer.features[i];
            fuzz_check(g.id == w.id && g.type == w.type, "feature id/type", name);
            fuzz_check(g.parts == w.parts, "feature geometry", name + " feature " + std::to_string(i));
            fuzz_check(g.props.size() == w.props.size(), "property count", name);
            for (const auto& [k, v] : w.props) {
                auto p = g.props.find(k);
                fuzz_check(p != g.props.end() && same_value(p->second, v), "property value",
                           name + " key " + k);
            }
        }
    }
    fuzz_check(got.size() == non_empty, "extra layers in the tile");
    return 0;
}
