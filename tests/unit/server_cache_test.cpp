#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "server/gzip.hpp"
#include "server/tile_cache.hpp"

using namespace crimemap::server;

namespace {
std::shared_ptr<const CachedTile> tile_of(std::size_t bytes, std::int64_t version = 1) {
    // Incompressible-ish content so the gzip copy has a predictable size.
    std::string s(bytes, '\0');
    std::uint32_t x = 12345;
    for (auto& c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 24);
    }
    return make_cached_tile(version, std::move(s), 1, false);
}
}  // namespace

TEST(ServerCache, EntriesCarryBothEncodingsAndStrongEtags) {
    auto t = make_cached_tile(4, std::string(5000, 'a'), 3, true);
    EXPECT_EQ(t->version, 4);
    EXPECT_EQ(t->features, 3u);
    EXPECT_TRUE(t->coarsened);
    ASSERT_FALSE(t->gzip.empty());
    EXPECT_LT(t->gzip.size(), t->mvt.size());
    EXPECT_EQ(gzip_decompress(t->gzip), t->mvt);
    EXPECT_EQ(t->etag.front(), '"');
    EXPECT_EQ(t->etag.back(), '"');
    EXPECT_NE(t->etag, t->etag_gzip);
    EXPECT_EQ(t->etag, make_etag(t->mvt));
    EXPECT_EQ(t->etag_gzip, make_etag(t->mvt, "-gz"));
    EXPECT_EQ(t->etag, make_cached_tile(9, std::string(5000, 'a'), 3, true)->etag)
        << "ETag depends on the bytes";
    EXPECT_NE(t->etag, make_cached_tile(4, std::string(5000, 'b'), 3, true)->etag);

    auto identity_only = make_cached_tile(4, std::string(5000, 'a'), 3, true, /*gzip_level=*/0);
    EXPECT_TRUE(identity_only->gzip.empty());
    EXPECT_EQ(identity_only->etag, t->etag);

    auto empty = make_cached_tile(4, "", 0, false);
    EXPECT_TRUE(empty->mvt.empty());
    EXPECT_TRUE(empty->gzip.empty());
}

TEST(ServerCache, Fnv1aKnownValues) {
    EXPECT_EQ(fnv1a_hex(""), "cbf29ce484222325");
    EXPECT_EQ(fnv1a_hex("a"), "af63dc4c8601ec8c");
    EXPECT_EQ(make_etag("a", "-gz"), "\"af63dc4c8601ec8c-gz\"");
}

TEST(ServerCache, KeysCarryTheDatasetVersion) {
    TileCache cache(1 << 20, 1);
    const std::string query = "crimes/10/500/300?m=2019-01..2019-01&c=111";
    cache.put(TileCache::make_key(1, query), tile_of(100, 1));
    EXPECT_TRUE(cache.get(TileCache::make_key(1, query)));
    EXPECT_FALSE(cache.get(TileCache::make_key(2, query))) << "a new version never sees old tiles";
    EXPECT_NE(TileCache::make_key(1, query), TileCache::make_key(11, query));
}

TEST(ServerCache, EvictsLeastRecentlyUsedByBytes) {
    const std::size_t tile_bytes = 10000;
    const std::size_t cost = tile_of(tile_bytes)->bytes() + 200;  // with key and overheads, roughly
    TileCache cache(cost * 3 + cost / 2, 1);                      // room for three
    cache.put("a", tile_of(tile_bytes));
    cache.put("b", tile_of(tile_bytes));
    cache.put("c", tile_of(tile_bytes));
    EXPECT_EQ(cache.stats().entries, 3u);
    ASSERT_TRUE(cache.get("a"));  // a is now the most recent; b the least
    cache.put("d", tile_of(tile_bytes));
    EXPECT_EQ(cache.stats().entries, 3u);
    EXPECT_FALSE(cache.get("b"));
    EXPECT_TRUE(cache.get("a"));
    EXPECT_TRUE(cache.get("c"));
    EXPECT_TRUE(cache.get("d"));
    auto st = cache.stats();
    EXPECT_EQ(st.evictions, 1u);
    EXPECT_LE(st.bytes, st.max_bytes);
    EXPECT_GT(st.bytes, 3 * tile_bytes);

    // A big tile pushes out as many as it needs.
    cache.put("big", tile_of(tile_bytes * 2 + tile_bytes / 2));
    EXPECT_TRUE(cache.get("big"));
    EXPECT_LE(cache.stats().bytes, cache.stats().max_bytes);
    EXPECT_EQ(cache.stats().entries, 2u);
    EXPECT_TRUE(cache.get("d")) << "the most recently used survives";
}

TEST(ServerCache, OversizedEntriesAreNotStored) {
    TileCache cache(5000, 1);
    cache.put("huge", tile_of(20000));
    EXPECT_FALSE(cache.get("huge"));
    EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(ServerCache, ReplacingAKeyKeepsAccountingExact) {
    TileCache cache(1 << 20, 1);
    cache.put("k", tile_of(1000));
    auto first = cache.stats().bytes;
    cache.put("k", tile_of(3000));
    EXPECT_EQ(cache.stats().entries, 1u);
    EXPECT_GT(cache.stats().bytes, first);
    cache.put("k", tile_of(1000));
    EXPECT_EQ(cache.stats().bytes, first);
}

TEST(ServerCache, CountsHitsAndMissesAndClears) {
    TileCache cache(1 << 20);
    EXPECT_FALSE(cache.get("x"));
    cache.put("x", tile_of(10));
    EXPECT_TRUE(cache.get("x"));
    EXPECT_TRUE(cache.get("x"));
    auto st = cache.stats();
    EXPECT_EQ(st.hits, 2u);
    EXPECT_EQ(st.misses, 1u);
    EXPECT_EQ(st.entries, 1u);
    cache.clear();
    EXPECT_EQ(cache.stats().entries, 0u);
    EXPECT_EQ(cache.stats().bytes, 0u);
    EXPECT_FALSE(cache.get("x"));
}

TEST(ServerCache, ZeroBudgetDisablesCaching) {
    TileCache cache(0);
    cache.put("x", tile_of(10));
    EXPECT_FALSE(cache.get("x"));
    EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(ServerCache, ConcurrentUseStaysWithinBudget) {
    TileCache cache(200000, 8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                std::string key = "k";
                key += std::to_string((i * 7 + t) % 300);
                if (!cache.get(key)) cache.put(key, tile_of(static_cast<std::size_t>(500 + (i % 5) * 300)));
                if (i % 500 == 0 && t == 0) cache.clear();
            }
        });
    for (auto& th : threads) th.join();
    auto st = cache.stats();
    EXPECT_LE(st.bytes, st.max_bytes);
    EXPECT_EQ(st.hits + st.misses, 8000u);
}
