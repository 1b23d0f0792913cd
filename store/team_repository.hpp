#pragma once
// core::TeamStore on PostgreSQL. Tokens are looked up by the SHA-256 hash the caller computed
// (the plain token never reaches the database); each write, its audit_log row (token, target,
// client address, User-Agent, request id, before and after as JSON) and the token's last use are
// one statement, under the pool's statement timeout. Refused attempts add an audit row of their
// own. Needs only the crimemap_server role's privileges (schema/migrations/0007). Database
// failures are thrown as core::DatabaseError (see store/pool.hpp).
#include <memory>

#include "core/teams.hpp"
#include "store/pool.hpp"

namespace crimemap::store {

std::shared_ptr<core::TeamStore> make_team_repository(std::shared_ptr<ConnectionPool> pool);

}  // namespace crimemap::store
