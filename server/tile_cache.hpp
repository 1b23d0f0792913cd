#pragma once
// Rendered tiles ready to send, and their cache (an LRU bounded in bytes whose keys carry the
// dataset version: server/byte_cache.hpp). ETag helpers shared with the answer cache.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/byte_cache.hpp"

namespace crimemap::server {

// One rendered tile in both encodings, ready to send.
struct CachedTile {
    std::int64_t version = 0;
    std::string mvt;        // identity bytes; empty = no features (HTTP 204)
    std::string gzip;       // gzip of mvt; empty when mvt is empty or it was built without compression
    std::string etag;       // strong ETag of the identity representation, quoted
    std::string etag_gzip;  // strong ETag of the gzip representation, quoted
    std::size_t features = 0;
    bool coarsened = false;
    std::size_t bytes() const noexcept;  // what the entry costs against the budget
};

// Builds the entry: computes ETags (FNV-1a 64 of the identity bytes, stable across processes and
// replicas) and, when gzip_level > 0, the gzip representation at that level (core/gzip.hpp).
std::shared_ptr<const CachedTile> make_cached_tile(std::int64_t version, std::string mvt,
                                                   std::size_t features, bool coarsened, int gzip_level = 5);

// 64-bit FNV-1a, as 16 lower-case hex digits.
std::string fnv1a_hex(std::string_view data) noexcept;
// A strong entity tag for the bytes: '"' + fnv1a_hex(data) + suffix + '"'.
std::string make_etag(std::string_view data, std::string_view suffix = {});

// Rendered tiles by (dataset version, query): server/byte_cache.hpp.
using TileCache = ByteCache<CachedTile>;

}  // namespace crimemap::server
