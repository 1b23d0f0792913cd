#pragma once
// gzip (RFC 1952) with zlib: tiles and answers of crimemapd, tiles of exported archives.
// Thread-safe (one reusable deflate stream per thread and level).
#include <optional>
#include <string>
#include <string_view>

namespace crimemap::core {

// gzip-compresses data (level 1..9; 6 is zlib's default). Throws std::runtime_error on zlib failure.
std::string gzip_compress(std::string_view data, int level = 6);
// Inflates a gzip stream; nullopt when it is not valid gzip or inflates past max_bytes.
std::optional<std::string> gzip_decompress(std::string_view data, std::size_t max_bytes = 64u << 20);

}  // namespace crimemap::core
