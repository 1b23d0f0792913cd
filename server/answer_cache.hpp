#pragma once
// JSON answers that are pure functions of the dataset version (postcode lookups, reverse geocodes,
// postcode summaries), held like tiles: rendered, gzip-compressed and ETagged once, in an LRU
// bounded in bytes whose keys carry the dataset version (--answer-cache-bytes).
#include <cstddef>
#include <memory>
#include <string>

#include "server/byte_cache.hpp"

namespace crimemap::server {

// One 200 answer in both encodings, ready to send. Errors are never held: some depend on the
// moment (no snapshot yet, the database down), and they are cheap to make.
struct CachedAnswer {
    std::string body;           // identity bytes (JSON)
    std::string gzip;           // gzip of body; empty when built without compression
    std::string etag;           // strong ETag of the identity representation, quoted
    std::string etag_gzip;      // strong ETag of the gzip representation, quoted
    std::string cache_control;  // the route's Cache-Control for this answer
    std::size_t bytes() const noexcept;
};

// Builds the entry with the tile path's ETags (FNV-1a 64 of the identity bytes; "-gz" for gzip)
// and, when gzip_level > 0, the gzip representation at that level.
std::shared_ptr<const CachedAnswer> make_cached_answer(std::string body, std::string cache_control,
                                                       int gzip_level);

using AnswerCache = ByteCache<CachedAnswer>;

}  // namespace crimemap::server
