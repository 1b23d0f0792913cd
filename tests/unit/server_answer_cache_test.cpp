// The answer cache (server/answer_cache.hpp) through App::handle without sockets: postcode lookups,
// reverse geocodes and summaries served from it are the uncached answers byte for byte, follow
// the tile path's ETag / 304 / Vary rules, never outlive their dataset version and stay in budget.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/postcode_index.hpp"
#include "server/answer_cache.hpp"
#include "server/app.hpp"
#include "server/gzip.hpp"
#include "support/api_fixture.hpp"

using namespace crimemap;

namespace {

std::unique_ptr<server::App> make_app(core::SnapshotHolder& holder, std::size_t answer_cache_bytes) {
    server::Config config;
    config.web_dir.clear();
    config.answer_cache_bytes = answer_cache_bytes;
    return std::make_unique<server::App>(config, holder, server::ApiServices{});
}

server::Response get(server::App& app, const std::string& target, bool gzip,
                     const std::string& if_none_match = {}) {
    auto req = server::make_request(server::Method::get, target);
    EXPECT_TRUE(req) << target;
    if (gzip) req->headers.set("Accept-Encoding", "gzip");
    if (!if_none_match.empty()) req->headers.set("If-None-Match", if_none_match);
    return app.handle(*req);
}

std::string header(const server::Response& res, std::string_view name) {
    auto v = res.headers.get(name);
    return v ? std::string(*v) : std::string();
}

// The identity bytes of an answer, inflated with zlib when it came gzipped.
std::string identity(const server::Response& res) {
    if (header(res, "Content-Encoding") != "gzip") return res.body;
    auto plain = server::gzip_decompress(res.body);
    EXPECT_TRUE(plain) << "not valid gzip";
    return plain.value_or("");
}

// The fixture's snapshot as a later dataset version in which HR1 1AA has moved 0.01 degrees east.
std::shared_ptr<const core::Snapshot> moved_snapshot() {
    auto snap = std::const_pointer_cast<core::Snapshot>(crimemap::testing::api_snapshot());
    snap->version += 1;
    auto api = std::make_shared<core::ApiData>(*snap->api);
    core::PostcodeIndexBuilder pcs;
    for (auto [compact, lon, lat] :
         {std::tuple{"HR11AA", -2.700027, 52.060745}, std::tuple{"HR49AB", -2.7402, 52.0650},
          std::tuple{"TF11AA", -2.5150, 52.7000}}) {
        core::PostcodeRow r;
        r.compact = compact;
        r.lon = lon;
        r.lat = lat;
        r.codes[static_cast<std::size_t>(core::PcCode::pfa)] = "E23000016";
        pcs.add(r);
    }
    api->postcodes = pcs.finish();
    api->index_areas(*snap);
    snap->api = api;
    return snap;
}

const std::vector<std::string> cached_targets = {
    "/postcodes/HR11AA",
    "/postcodes?lon=-2.710027&lat=52.060745",
    "/postcodes/lon/-2.710027/lat/52.060745",
    "/v1/postcodes/HR11AA/summary",
    "/v1/postcodes/HR11AA/summary?months=6",
};

}  // namespace

TEST(AnswerCache, CachedAnswersAreTheUncachedOnesByteForByte) {
    core::SnapshotHolder holder;
    holder.set(crimemap::testing::api_snapshot());
    auto cached = make_app(holder, 1 << 20);
    auto uncached = make_app(holder, 0);
    for (const auto& target : cached_targets) {
        auto reference = get(*uncached, target, false);
        ASSERT_EQ(reference.status, 200) << target << ": " << reference.body;
        EXPECT_FALSE(reference.headers.has("Content-Encoding"));
        for (int round = 0; round < 2; ++round) {  // the first fills the cache, the second is a hit
            for (bool gzip : {true, false}) {
                auto res = get(*cached, target, gzip);
                ASSERT_EQ(res.status, 200) << target;
                EXPECT_EQ(header(res, "Content-Type"), "application/json");
                EXPECT_EQ(identity(res), reference.body) << target << " round " << round << " gzip " << gzip;
                if (gzip) {
                    EXPECT_EQ(header(res, "Content-Encoding"), "gzip") << target;
                }
            }
        }
    }
    // The two reverse-geocode routes ask the same question and share one entry.
    const std::size_t distinct = cached_targets.size() - 1;
    auto stats = cached->context().answers().stats();
    EXPECT_EQ(stats.entries, distinct);
    EXPECT_EQ(stats.misses, distinct);
    EXPECT_EQ(stats.hits, cached_targets.size() * 4 - distinct);
    EXPECT_EQ(uncached->context().answers().stats().entries, 0u);

    // Spellings of one postcode or point share an entry and get the same bytes.
    EXPECT_EQ(identity(get(*cached, "/postcodes/hr1%201aa", true)),
              get(*uncached, "/postcodes/HR11AA", false).body);
    EXPECT_EQ(identity(get(*cached, "/postcodes?lat=52.0607450&lon=-2.71002700", true)),
              get(*uncached, "/postcodes?lon=-2.710027&lat=52.060745", false).body);
    EXPECT_EQ(cached->context().answers().stats().entries, distinct);
}

TEST(AnswerCache, AnswersThatDifferFromTheKeyedOnesAreNotServedFromIt) {
    core::SnapshotHolder holder;
    holder.set(crimemap::testing::api_snapshot());
    auto app = make_app(holder, 1 << 20);
    auto uncached = make_app(holder, 0);
    for (const auto& target : cached_targets) get(*app, target, true);
    // filter=, callback=, radius/limit and a postcode that is not postcodes.io-shaped go the
    // uncached way and still answer as before.
    for (std::string target :
         {"/postcodes/HR11AA?filter=postcode", "/postcodes/HR11AA?callback=cb",
          "/postcodes?lon=-2.710027&lat=52.060745&limit=1",
          "/postcodes?lon=-2.710027&lat=52.060745&radius=2000", "/postcodes?lon=-2.710027&lat=52.060745x",
          "/v1/postcodes/HR11AA/summary?months=123", "/postcodes/HR1-1AA", "/postcodes/HR99ZZ"}) {
        auto res = get(*app, target, false);
        auto reference = get(*uncached, target, false);
        EXPECT_EQ(res.status, reference.status) << target;
        EXPECT_EQ(res.body, reference.body) << target;
    }
    EXPECT_EQ(app->context().answers().stats().entries, cached_targets.size() - 1) << "errors are never held";
    EXPECT_EQ(get(*app, "/postcodes/HR99ZZ", false).status, 404);
    EXPECT_EQ(header(get(*app, "/postcodes/HR99ZZ", false), "Cache-Control"), "no-store");
}

TEST(AnswerCache, EtagsAndNotModifiedFollowTheTilePath) {
    core::SnapshotHolder holder;
    holder.set(crimemap::testing::api_snapshot());
    auto app = make_app(holder, 1 << 20);
    for (const auto& target : cached_targets) {
        auto plain = get(*app, target, false);
        auto gz = get(*app, target, true);
        const auto etag = header(plain, "ETag"), etag_gz = header(gz, "ETag");
        ASSERT_FALSE(etag.empty());
        EXPECT_EQ(etag, server::make_etag(plain.body)) << "strong, from the identity bytes";
        EXPECT_EQ(etag_gz, server::make_etag(plain.body, "-gz")) << "the gzip encoding has its own";
        EXPECT_NE(header(plain, "Vary").find("Accept-Encoding"), std::string::npos);
        const bool summary = target.starts_with("/v1/");
        EXPECT_EQ(header(plain, "Cache-Control"), summary ? "no-cache" : "public, max-age=60") << target;
        // Either ETag revalidates either encoding (a cache may hold the other one).
        for (bool gzip : {false, true})
            for (const auto& inm : {etag, etag_gz, "\"other\", " + etag_gz, std::string("W/") + etag}) {
                auto res = get(*app, target, gzip, inm);
                EXPECT_EQ(res.status, 304) << target << " " << inm;
                EXPECT_TRUE(res.body.empty());
                EXPECT_FALSE(header(res, "ETag").empty());
                EXPECT_EQ(header(res, "Cache-Control"), header(plain, "Cache-Control"));
            }
        EXPECT_EQ(get(*app, target, true, "\"other\"").status, 200);
    }
}

TEST(AnswerCache, ANewDatasetVersionIsNotServedFromTheOldCache) {
    core::SnapshotHolder holder;
    holder.set(crimemap::testing::api_snapshot());
    auto app = make_app(holder, 1 << 20);
    const std::string target = "/postcodes/HR11AA";
    auto before = get(*app, target, true);
    ASSERT_EQ(before.status, 200);
    ASSERT_EQ(app->context().answers().stats().entries, 1u);
    // The holder, not ServerContext::swap_snapshot: the entry stays, and only its key's version
    // keeps it from being served.
    auto next = moved_snapshot();
    holder.set(next);
    auto after = get(*app, target, true);
    ASSERT_EQ(after.status, 200);
    EXPECT_NE(identity(after), identity(before));
    EXPECT_NE(identity(after).find("-2.700027"), std::string::npos) << identity(after);
    core::SnapshotHolder next_holder;
    next_holder.set(next);
    EXPECT_EQ(identity(after), get(*make_app(next_holder, 0), target, false).body);
    EXPECT_NE(header(after, "ETag"), header(before, "ETag"));
    EXPECT_EQ(get(*app, target, true, header(before, "ETag")).status, 200)
        << "the old ETag no longer matches";

    // A swap through the context empties the cache.
    app->context().swap_snapshot(crimemap::testing::api_snapshot());
    EXPECT_EQ(app->context().answers().stats().entries, 0u);
}

TEST(AnswerCache, StaysWithinItsByteBudget) {
    core::SnapshotHolder holder;
    holder.set(crimemap::testing::api_snapshot());
    const std::size_t budget = 16 << 10;
    auto app = make_app(holder, budget);
    std::size_t answered = 0;
    for (int i = 0; i < 200; ++i) {
        // 200 distinct points near HR1 1AA, each one entry.
        const std::string target = "/postcodes?lon=" + std::to_string(-2.7100 - i * 1e-5) + "&lat=52.0607";
        auto res = get(*app, target, true);
        ASSERT_EQ(res.status, 200) << target;
        answered += identity(res).size();
        auto st = app->context().answers().stats();
        ASSERT_LE(st.bytes, budget) << "after " << i + 1 << " answers";
    }
    auto st = app->context().answers().stats();
    EXPECT_GT(answered, 4 * budget) << "the answers would not fit without eviction";
    EXPECT_GT(st.evictions, 0u);
    EXPECT_GT(st.entries, 0u);
    EXPECT_EQ(st.max_bytes, budget);
}

TEST(AnswerCache, EntriesCostTheirBytes) {
    auto a = server::make_cached_answer(std::string(3000, 'x'), "public, max-age=60", 4);
    ASSERT_FALSE(a->gzip.empty());
    EXPECT_EQ(server::gzip_decompress(a->gzip), a->body);
    EXPECT_GE(a->bytes(), a->body.size() + a->gzip.size() + a->etag.size() + a->etag_gzip.size());
    server::AnswerCache cache(11000, 1);
    cache.put("1|a", a);
    cache.put("1|b", server::make_cached_answer(std::string(3000, 'y'), "x", 0));
    cache.put("1|c", server::make_cached_answer(std::string(3000, 'z'), "x", 0));
    cache.put("1|d", server::make_cached_answer(std::string(3000, 'w'), "x", 0));
    auto st = cache.stats();
    EXPECT_LE(st.bytes, 11000u);
    EXPECT_EQ(st.entries, 3u);
    EXPECT_EQ(st.evictions, 1u);
    EXPECT_FALSE(cache.get("1|a")) << "least recently used leaves first";
}
