#pragma once
// `crimemap token create|list|revoke`: bearer tokens for team writes. A token is printed once;
// the database keeps only its SHA-256 (api_tokens.token_hash, computed here, never by PostgreSQL),
// with an expiry (--expires, default one year) and scopes (--scope priorities,events).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::tools {

int cmd_token(const std::vector<std::string>& argv);

// 32 random bytes from the OS's CSPRNG as 'cm_' + 64 hex digits.
std::string new_token();

// A token lifetime: a positive whole number of hours ("12h"), days ("90d") or weeks ("4w"), at most
// ten years; nullopt otherwise.
std::optional<std::chrono::hours> parse_token_lifetime(std::string_view text);
inline constexpr std::chrono::hours default_token_lifetime{24 * 365};

}  // namespace crimemap::tools
