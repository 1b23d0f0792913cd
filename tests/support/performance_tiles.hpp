#pragma once
// Test helper: the `performance` layer's features over a snapshot's focus area at z7, rendered by
// the in-memory engine and decoded, by district code (the tests of two-tier counties and of the
// sample's districts read the layer the way a map would).
#include <map>
#include <stdexcept>
#include <string>

#include "core/snapshot.hpp"
#include "core/tile_engine.hpp"
#include "core/tile_query.hpp"
#include "geo/tile.hpp"
#include "support/mvt_decode.hpp"

namespace crimemap::testing {

inline std::map<std::string, DecodedFeature> performance_features(const core::Snapshot& s,
                                                                  const std::string& indicator,
                                                                  const std::string& period) {
    std::map<std::string, DecodedFeature> out;
    const int z = 7;
    auto nw =
        geo::tile_containing(geo::to_world(geo::LonLat{s.focus_min_lonlat.lon, s.focus_max_lonlat.lat}), z);
    auto se =
        geo::tile_containing(geo::to_world(geo::LonLat{s.focus_max_lonlat.lon, s.focus_min_lonlat.lat}), z);
    for (auto x = nw.x; x <= se.x; ++x)
        for (auto y = nw.y; y <= se.y; ++y) {
            auto q =
                core::parse_tile_query("performance", std::to_string(z), std::to_string(x), std::to_string(y),
                                       {{"indicator", indicator}, {"period", period}}, s);
            if (!q) throw std::runtime_error(q.error().detail);
            auto tile = core::make_memory_renderer()->render(s, *q);
            if (!tile) throw std::runtime_error(tile.error().detail);
            auto layers = decode_tile(tile->mvt);
            if (!layers.count("performance")) continue;
            for (const auto& f : layers.at("performance").features) out[f.text("code")] = f;
        }
    return out;
}

}  // namespace crimemap::testing
