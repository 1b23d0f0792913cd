#pragma once
// Loads what the JSON APIs serve from memory (core/api_data.hpp): the postcode directory, ONS code
// names, forces, published months, crimes without a location, and neighbourhood teams.
#include <memory>

#include "core/api_data.hpp"
#include "core/snapshot.hpp"
#include "store/pg.hpp"

namespace crimemap::store {

// Reads inside the caller's transaction (the snapshot loader's REPEATABLE READ one), so the API
// data matches the snapshot. Throws PgError on database errors.
std::shared_ptr<core::ApiData> load_api_data(Connection& conn);

// Every neighbourhood team with its people, priorities and events.
std::shared_ptr<core::TeamDirectory> load_teams(Connection& conn);

// Indexes the snapshot's areas for `api` and attaches it as snapshot->api. Call once, before the
// snapshot is published to other threads (it is still exclusively owned by the loader then).
std::shared_ptr<const core::Snapshot> attach_api_data(std::shared_ptr<const core::Snapshot> snapshot,
                                                      std::shared_ptr<core::ApiData> api);

}  // namespace crimemap::store
