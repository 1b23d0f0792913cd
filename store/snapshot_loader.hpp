#pragma once
// Loads the server's in-memory snapshot from PostGIS (crimes, snap locations, areas with their
// geometry pre-projected and simplified per zoom, monthly aggregates, indicators).
#include <cstdint>
#include <memory>
#include <optional>

#include "core/snapshot.hpp"
#include "store/pg.hpp"

namespace crimemap::store {

// The latest dataset version recorded by `crimemap refresh`, or nullopt when there is none yet
// (an empty database). Throws PgError when the schema is missing.
std::optional<std::int64_t> current_dataset_version(Connection& conn);

// Reads everything the server serves. Throws PgError on database errors. Runs in a
// REPEATABLE READ transaction so the snapshot is consistent with one dataset version.
std::shared_ptr<const core::Snapshot> load_snapshot(Connection& conn);

}  // namespace crimemap::store
