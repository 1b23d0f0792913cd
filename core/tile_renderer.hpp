#pragma once
// Renders a parsed tile query to MVT bytes. Two implementations: the in-memory engine (core,
// pure CPU on the snapshot) and the ST_AsMVT reference engine (store, PostGIS).
#include <cstddef>
#include <string>

#include "core/error.hpp"
#include "core/tile_query.hpp"

namespace crimemap::core {

struct RenderedTile {
    std::string mvt;           // uncompressed MVT; empty = no features (HTTP 204)
    std::size_t features = 0;  // over all layers
    bool coarsened = false;    // the size budget forced coarser clusters or simpler polygons
};

class TileRenderer {
  public:
    virtual ~TileRenderer() = default;
    virtual std::string_view name() const = 0;  // "memory" or "postgis"
    // True when render() may wait on I/O (the postgis engine): crimemapd then renders on its
    // blocking pool instead of an I/O thread.
    virtual bool blocking() const { return false; }
    // Thread-safe: called concurrently from every server worker.
    virtual Result<RenderedTile> render(const Snapshot& snapshot, const TileQuery& query) = 0;
};

}  // namespace crimemap::core
