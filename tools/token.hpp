#pragma once
// `crimemap token create|list|revoke`: bearer tokens for team writes. A token is printed once;
// the database keeps only its SHA-256 hash (api_tokens.token_hash).
#include <string>
#include <vector>

namespace crimemap::tools {

int cmd_token(const std::vector<std::string>& argv);

// 32 random bytes from the OS as 'cm_' + 64 hex digits.
std::string new_token();

}  // namespace crimemap::tools
