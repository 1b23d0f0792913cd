#pragma once
// `crimemap key create|list|revoke`: portal API keys. A key is printed once; the database keeps
// only its SHA-256 hash (api_keys.key_hash), its name and its rate limit. crimemapd picks changes
// up within --api-key-refresh seconds.
#include <string>
#include <vector>

namespace crimemap::tools {

int cmd_key(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
