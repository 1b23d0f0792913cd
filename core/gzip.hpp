#pragma once
// gzip (RFC 1952) for tiles and answers of crimemapd and tiles of exported archives: compression
// with libdeflate (whole buffers; faster than zlib at the same output size on our payloads, see
// bench/gzip), decompression with zlib (an independent inflater for the tests).
// Thread-safe (one reusable compressor per thread and level).
#include <optional>
#include <string>
#include <string_view>

namespace crimemap::core {

// gzip-compresses data at a libdeflate level, 1..12 (6 is its default; its levels 1..9 give about
// zlib's sizes at the same numbers). Throws std::invalid_argument for another level.
std::string gzip_compress(std::string_view data, int level = 6);
// Inflates a gzip stream (zlib); nullopt when it is not valid gzip or inflates past max_bytes.
std::optional<std::string> gzip_decompress(std::string_view data, std::size_t max_bytes = 64u << 20);

}  // namespace crimemap::core
