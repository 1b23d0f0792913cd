#pragma once
// The reference tile engine: the same layers rendered by SQL functions on ST_AsMVT
// (schema/functions/), as martin and pg_tileserv do. Used for tests and benchmarks
// (crimemapd --engine=postgis). Blocks the calling thread on the database (blocking() is true, so
// crimemapd renders its tiles on the blocking pool). Its connections come from a
// store::ConnectionPool: bounded waits, statement timeout, reconnection. A failure is answered as a
// core::Error: 503 when the database is busy, slow or down, 500 otherwise, with the SQL error in
// the server log only.
#include <memory>
#include <string>

#include "core/tile_renderer.hpp"
#include "store/pool.hpp"

namespace crimemap::store {

std::unique_ptr<core::TileRenderer> make_postgis_renderer(PoolOptions options);
// `connections` connections, 30 s statement timeout, application_name crimemapd-tiles.
std::unique_ptr<core::TileRenderer> make_postgis_renderer(const std::string& database_url, int connections);

}  // namespace crimemap::store
