#pragma once
// core::CrimeDetails on PostgreSQL: prepared-style $n queries on the crimes table (GiST on geom,
// btree on (force_id, month)), each under the pool's statement timeout. Database failures are thrown
// as core::DatabaseError (see store/pool.hpp).
#include <memory>

#include "core/crime_details.hpp"
#include "store/pool.hpp"

namespace crimemap::store {

std::shared_ptr<core::CrimeDetails> make_crime_details(std::shared_ptr<ConnectionPool> pool);

}  // namespace crimemap::store
