#include "server/answer_cache.hpp"

#include "server/gzip.hpp"
#include "server/tile_cache.hpp"

namespace crimemap::server {

std::size_t CachedAnswer::bytes() const noexcept {
    return sizeof(CachedAnswer) + body.size() + gzip.size() + etag.size() + etag_gzip.size() +
           cache_control.size();
}

std::shared_ptr<const CachedAnswer> make_cached_answer(std::string body, std::string cache_control,
                                                       int gzip_level) {
    auto a = std::make_shared<CachedAnswer>();
    // One hash for both tags, as make_cached_tile (the same values as make_etag).
    const std::string hash = fnv1a_hex(body);
    a->etag = '"' + hash + '"';
    a->etag_gzip = '"' + hash + "-gz\"";
    if (gzip_level > 0 && !body.empty()) a->gzip = gzip_compress(body, gzip_level);
    a->body = std::move(body);
    a->cache_control = std::move(cache_control);
    return a;
}

}  // namespace crimemap::server
