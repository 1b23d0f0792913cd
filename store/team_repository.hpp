#pragma once
// core::TeamStore on PostgreSQL: bearer tokens checked by SHA-256 hash (computed by the database,
// only the hash is stored), each write and its audit_log row (token id, time, before and after as
// JSON) in one statement, under the pool's statement timeout. Database failures are thrown as
// core::DatabaseError (see store/pool.hpp).
#include <memory>

#include "core/teams.hpp"
#include "store/pool.hpp"

namespace crimemap::store {

std::shared_ptr<core::TeamStore> make_team_repository(std::shared_ptr<ConnectionPool> pool);

// SQL expression hashing the token parameter $n the way api_tokens.token_hash stores it.
std::string token_hash_sql(int param);

}  // namespace crimemap::store
