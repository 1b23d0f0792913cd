#pragma once
// gzip (RFC 1952) with zlib, and Accept-Encoding negotiation. Thread-safe (no shared state).
#include <optional>
#include <string>
#include <string_view>

namespace crimemap::server {

// gzip-compresses data (level 1..9; 6 is zlib's default). Throws std::runtime_error on zlib failure.
std::string gzip_compress(std::string_view data, int level = 6);
// Inflates a gzip stream; nullopt when it is not valid gzip or inflates past max_bytes.
std::optional<std::string> gzip_decompress(std::string_view data, std::size_t max_bytes = 64u << 20);

// True when an Accept-Encoding value admits gzip: "gzip", "x-gzip" or "*" with q > 0
// ("gzip;q=0" refuses it, as does a "*;q=0" without an explicit gzip).
bool accepts_gzip(std::string_view accept_encoding) noexcept;

}  // namespace crimemap::server
