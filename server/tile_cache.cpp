#include "server/tile_cache.hpp"

#include <functional>

#include "server/gzip.hpp"

namespace crimemap::server {

std::size_t CachedTile::bytes() const noexcept {
    return sizeof(CachedTile) + mvt.size() + gzip.size() + etag.size() + etag_gzip.size();
}

std::string fnv1a_hex(std::string_view data) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (char c : data) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = digits[h & 15];
        h >>= 4;
    }
    return out;
}

std::string make_etag(std::string_view data, std::string_view suffix) {
    std::string out;
    out.reserve(20 + suffix.size());
    out.push_back('"');
    out.append(fnv1a_hex(data));
    out.append(suffix);
    out.push_back('"');
    return out;
}

std::shared_ptr<const CachedTile> make_cached_tile(std::int64_t version, std::string mvt,
                                                   std::size_t features, bool coarsened, int gzip_level) {
    auto t = std::make_shared<CachedTile>();
    t->version = version;
    t->features = features;
    t->coarsened = coarsened;
    // The hash covers the bytes only: an unchanged tile keeps its ETag across dataset versions,
    // so revalidation after a reload still yields 304 where nothing changed.
    t->etag = make_etag(mvt);
    t->etag_gzip = make_etag(mvt, "-gz");
    if (gzip_level > 0 && !mvt.empty()) t->gzip = gzip_compress(mvt, gzip_level);
    t->mvt = std::move(mvt);
    return t;
}

TileCache::TileCache(std::size_t max_bytes, std::size_t shards)
    : max_bytes_(max_bytes), shard_budget_(max_bytes / (shards == 0 ? 1 : shards)) {
    if (shards == 0) shards = 1;
    shards_.reserve(shards);
    for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

std::string TileCache::make_key(std::int64_t version, std::string_view query_key) {
    std::string key = std::to_string(version);
    key += '|';
    key += query_key;
    return key;
}

TileCache::Shard& TileCache::shard_for(std::string_view key) {
    return *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

std::size_t TileCache::entry_cost(std::string_view key, const CachedTile& tile) noexcept {
    // Node, map slot and key overheads are roughly 100 bytes.
    return key.size() * 2 + tile.bytes() + 100;
}

std::shared_ptr<const CachedTile> TileCache::get(std::string_view key) {
    if (max_bytes_ == 0) {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    Shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    auto it = s.index.find(key);
    if (it == s.index.end()) {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    s.lru.splice(s.lru.begin(), s.lru, it->second);
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second->second;
}

void TileCache::put(std::string_view key, std::shared_ptr<const CachedTile> tile) {
    if (!tile) return;
    std::size_t cost = entry_cost(key, *tile);
    if (max_bytes_ == 0 || cost > shard_budget_) return;
    Shard& s = shard_for(key);
    std::shared_ptr<const CachedTile> dropped;  // released outside the lock
    std::vector<std::shared_ptr<const CachedTile>> evicted;
    {
        std::lock_guard lock(s.mutex);
        if (auto it = s.index.find(key); it != s.index.end()) {
            s.bytes -= entry_cost(it->second->first, *it->second->second);
            dropped = std::move(it->second->second);
            it->second->second = std::move(tile);
            s.bytes += cost;
            s.lru.splice(s.lru.begin(), s.lru, it->second);
        } else {
            s.lru.emplace_front(std::string(key), std::move(tile));
            s.index.emplace(std::string_view(s.lru.front().first), s.lru.begin());
            s.bytes += cost;
        }
        while (s.bytes > shard_budget_ && s.lru.size() > 1) {
            auto& victim = s.lru.back();
            s.bytes -= entry_cost(victim.first, *victim.second);
            s.index.erase(std::string_view(victim.first));
            evicted.push_back(std::move(victim.second));
            s.lru.pop_back();
            evictions_.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

void TileCache::clear() {
    for (auto& sp : shards_) {
        std::list<Shard::Entry> old;
        {
            std::lock_guard lock(sp->mutex);
            sp->index.clear();
            old.swap(sp->lru);
            sp->bytes = 0;
        }
    }
}

TileCache::Stats TileCache::stats() const {
    Stats st;
    st.hits = hits_.load(std::memory_order_relaxed);
    st.misses = misses_.load(std::memory_order_relaxed);
    st.evictions = evictions_.load(std::memory_order_relaxed);
    st.max_bytes = max_bytes_;
    for (const auto& sp : shards_) {
        std::lock_guard lock(sp->mutex);
        st.bytes += sp->bytes;
        st.entries += sp->lru.size();
    }
    return st;
}

}  // namespace crimemap::server
