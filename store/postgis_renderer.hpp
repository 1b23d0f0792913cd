#pragma once
// The reference tile engine: the same layers rendered by SQL functions on ST_AsMVT
// (schema/functions/), as martin and pg_tileserv do. Used for tests and benchmarks
// (crimemapd --engine=postgis). Blocks the calling thread on the database.
#include <memory>
#include <string>

#include "core/tile_renderer.hpp"

namespace crimemap::store {

std::unique_ptr<core::TileRenderer> make_postgis_renderer(const std::string& database_url, int connections);

}  // namespace crimemap::store
