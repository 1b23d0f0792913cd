#pragma once
// LRU cache of immutable entries bounded in bytes, shared by the tile cache (CachedTile) and the
// answer cache (CachedAnswer). Keys carry the dataset version (make_key), so a stale entry can
// never be served for a new snapshot; clear() drops everything on a swap. Entry must provide
// `std::size_t bytes() const noexcept` (what it costs against the budget).
// Thread-safe: the key space is split over independently locked shards, each with its own LRU
// list and an equal share of the byte budget.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace crimemap::server {

template <class Entry>
class ByteCache {
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
    explicit ByteCache(std::size_t max_bytes, std::size_t shards = 16)
        : max_bytes_(max_bytes), shard_budget_(max_bytes / (shards == 0 ? 1 : shards)) {
        if (shards == 0) shards = 1;
        shards_.reserve(shards);
        for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
    }

    static std::string make_key(std::int64_t version, std::string_view query_key) {
        std::string key = std::to_string(version);
        key += '|';
        key += query_key;
        return key;
    }

    std::shared_ptr<const Entry> get(std::string_view key) {
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

    // Inserts or replaces; evicts least recently used entries of the shard past its budget. An entry
    // larger than a shard's budget is not stored.
    void put(std::string_view key, std::shared_ptr<const Entry> entry) {
        if (!entry) return;
        std::size_t cost = entry_cost(key, *entry);
        if (max_bytes_ == 0 || cost > shard_budget_) return;
        Shard& s = shard_for(key);
        std::shared_ptr<const Entry> dropped;  // released outside the lock
        std::vector<std::shared_ptr<const Entry>> evicted;
        {
            std::lock_guard lock(s.mutex);
            if (auto it = s.index.find(key); it != s.index.end()) {
                s.bytes -= entry_cost(it->second->first, *it->second->second);
                dropped = std::move(it->second->second);
                it->second->second = std::move(entry);
                s.bytes += cost;
                s.lru.splice(s.lru.begin(), s.lru, it->second);
            } else {
                s.lru.emplace_front(std::string(key), std::move(entry));
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

    void clear() {
        for (auto& sp : shards_) {
            std::list<typename Shard::Item> old;  // freed outside the lock
            {
                std::lock_guard lock(sp->mutex);
                sp->index.clear();
                old.swap(sp->lru);
                sp->bytes = 0;
            }
        }
    }

    Stats stats() const {
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

    std::size_t max_bytes() const noexcept { return max_bytes_; }

    // What an entry costs against the budget: its bytes, the key (stored twice: list and index
    // view) and roughly 100 bytes of node, map slot and key overheads.
    static std::size_t entry_cost(std::string_view key, const Entry& entry) noexcept {
        return key.size() * 2 + entry.bytes() + 100;
    }

  private:
    struct Shard {
        using Item = std::pair<std::string, std::shared_ptr<const Entry>>;
        mutable std::mutex mutex;
        std::list<Item> lru;  // front = most recently used
        std::unordered_map<std::string_view, typename std::list<Item>::iterator>
            index;  // views into lru keys
        std::size_t bytes = 0;
    };
    Shard& shard_for(std::string_view key) {
        return *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
    }

    std::size_t max_bytes_;
    std::size_t shard_budget_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<std::uint64_t> hits_{0}, misses_{0}, evictions_{0};
};

}  // namespace crimemap::server
