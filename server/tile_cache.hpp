#pragma once
// LRU cache of rendered tiles bounded in bytes. Keys carry the dataset version (make_key), so a
// stale entry can never be served for a new snapshot; clear() drops everything on a swap.
// Thread-safe: the key space is split over independently locked shards, each with its own LRU
// list and an equal share of the byte budget.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
// replicas) and, when gzip_level > 0, the gzip representation at that zlib level.
std::shared_ptr<const CachedTile> make_cached_tile(std::int64_t version, std::string mvt,
                                                   std::size_t features, bool coarsened, int gzip_level = 4);

// 64-bit FNV-1a, as 16 lower-case hex digits.
std::string fnv1a_hex(std::string_view data) noexcept;
// A strong entity tag for the bytes: '"' + fnv1a_hex(data) + suffix + '"'.
std::string make_etag(std::string_view data, std::string_view suffix = {});

class TileCache {
  public:
    struct Stats {
        std::uint64_t hits = 0;
        std::uint64_t misses = 0;
        std::uint64_t evictions = 0;
        std::uint64_t bytes = 0;
        std::uint64_t entries = 0;
        std::uint64_t max_bytes = 0;
    };

    // max_bytes 0 disables caching (every get() misses, put() drops).
    explicit TileCache(std::size_t max_bytes, std::size_t shards = 16);

    static std::string make_key(std::int64_t version, std::string_view query_key);

    std::shared_ptr<const CachedTile> get(std::string_view key);
    // Inserts or replaces; evicts least recently used entries of the shard past its budget. An entry
    // larger than a shard's budget is not stored.
    void put(std::string_view key, std::shared_ptr<const CachedTile> tile);
    void clear();
    Stats stats() const;
    std::size_t max_bytes() const noexcept { return max_bytes_; }

  private:
    struct Shard {
        using Entry = std::pair<std::string, std::shared_ptr<const CachedTile>>;
        mutable std::mutex mutex;
        std::list<Entry> lru;                                                    // front = most recently used
        std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // views into lru keys
        std::size_t bytes = 0;
    };
    Shard& shard_for(std::string_view key);
    static std::size_t entry_cost(std::string_view key, const CachedTile& tile) noexcept;

    std::size_t max_bytes_;
    std::size_t shard_budget_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<std::uint64_t> hits_{0}, misses_{0}, evictions_{0};
};

}  // namespace crimemap::server
