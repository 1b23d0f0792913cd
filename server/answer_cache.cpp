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
    a->etag = make_etag(body);
    a->etag_gzip = make_etag(body, "-gz");
    if (gzip_level > 0 && !body.empty()) a->gzip = gzip_compress(body, gzip_level);
    a->body = std::move(body);
    a->cache_control = std::move(cache_control);
    return a;
}

}  // namespace crimemap::server
