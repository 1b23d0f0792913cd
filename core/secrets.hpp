#pragma once
// Bearer tokens and portal API keys: random generation and one-way hashing, done in the process so
// a plain secret never reaches PostgreSQL, its logs or ours. Thread-safe, no state.
#include <cstddef>
#include <string>
#include <string_view>

namespace crimemap::core {

// SHA-256 of `text` as 64 lowercase hex digits (what the token and key tables store).
std::string sha256_hex(std::string_view text);

// Equality that takes the same time wherever the first difference is (compare hashes with it).
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

// `prefix` + 2*bytes lowercase hex digits from the operating system's CSPRNG, e.g. "cm_3f9a…".
// Throws std::runtime_error when no randomness is available.
std::string random_secret(std::string_view prefix, std::size_t bytes = 32);

}  // namespace crimemap::core
