#pragma once
// The in-memory tile engine: renders crimes (grid clusters / snap points), areas and performance
// layers from a Snapshot. Pure CPU, thread-safe.
#include <memory>

#include "core/tile_renderer.hpp"

namespace crimemap::core {

struct TileEngineOptions {
    std::size_t tile_budget_bytes = 512 * 1024;  // past this, clusters coarsen / polygons simplify
};

std::unique_ptr<TileRenderer> make_memory_renderer(TileEngineOptions options = {});

}  // namespace crimemap::core
