// The rate limiter without sockets or sleeping: token-bucket arithmetic against an independent
// model with an injected clock, client identity (IPv6 /64, IPv4-mapped, X-Forwarded-For only from
// trusted proxies), the bound on tracked clients, portal keys, and the option parsers.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "core/secrets.hpp"
#include "server/config.hpp"
#include "server/rate_limit.hpp"
#include "support/server_fixtures.hpp"

using namespace crimemap;
using namespace crimemap::server;
using crimemap::server::testing::get;

namespace {
constexpr std::int64_t sec = 1'000'000'000;

Headers xff(std::initializer_list<std::string> values) {
    Headers h;
    for (const auto& v : values) h.add("X-Forwarded-For", v);
    return h;
}

std::string client(std::string_view peer, const Headers& headers, const std::vector<Cidr>& trusted) {
    auto ip = client_address(peer, headers, trusted);
    return ip ? to_string(*ip) : "none";
}

std::vector<Cidr> cidrs(std::string_view text) {
    auto list = parse_cidr_list(text);
    if (!list) throw std::invalid_argument(std::string(text));
    return *list;
}
}  // namespace

TEST(TokenBucket, AllowsTheBurstThenRefillsAtTheRate) {
    const RateSpec spec{10, 20};
    Bucket b = full_bucket(spec, 0);
    for (int i = 0; i < 20; ++i) {
        auto d = take(b, spec, 0);
        ASSERT_TRUE(d.allowed) << i;
        EXPECT_EQ(d.remaining, 19 - i);
        EXPECT_EQ(d.limit, 20);
    }
    auto refused = take(b, spec, 0);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after, 1) << "one token is back after 0.1 s: rounded up to a whole second";
    EXPECT_EQ(refused.reset, 2) << "20 tokens at 10/s";
    // 0.35 s later: 3.5 tokens, so three requests pass and the fourth does not.
    int passed = 0;
    for (int i = 0; i < 5; ++i) passed += take(b, spec, sec * 35 / 100).allowed;
    EXPECT_EQ(passed, 3);
    // A clock that steps back refills nothing.
    EXPECT_FALSE(take(b, spec, 0).allowed);
}

TEST(TokenBucket, MatchesAnIndependentModelOverRandomArrivals) {
    // The model counts exactly, in integers: a token is 2e9 units and r tokens/s refill 2r units per
    // nanosecond (whole numbers for every rate used here, 0.5/s included).
    std::mt19937_64 rng(42);
    for (const RateSpec spec : {RateSpec{25, 50}, RateSpec{3, 7}, RateSpec{0.5, 1}, RateSpec{200, 400}}) {
        Bucket b = full_bucket(spec, 0);
        const auto rate = static_cast<long long>(spec.rate * 2);  // units per nanosecond
        const auto burst = static_cast<long long>(spec.burst) * 2 * sec;
        long long model = burst;  // units
        std::int64_t now = 0, last = 0;
        for (int i = 0; i < 5000; ++i) {
            now += static_cast<std::int64_t>(
                rng() % static_cast<std::uint64_t>(3 * sec / static_cast<std::int64_t>(spec.rate * 4 + 1)));
            model = std::min(burst, model + (now - last) * rate);
            last = now;
            const bool expect = model >= 2 * sec;
            if (expect) model -= 2 * sec;
            auto d = take(b, spec, now);
            ASSERT_EQ(d.allowed, expect)
                << "request " << i << " at " << now << " ns, spec " << to_string(spec);
            ASSERT_EQ(d.remaining, model / (2 * sec));
            if (!d.allowed) {
                const double wait = static_cast<double>(2 * sec - model) / static_cast<double>(rate) / 1e9;
                ASSERT_EQ(d.retry_after, std::max(1L, static_cast<long>(std::ceil(wait - 1e-9))));
            }
        }
    }
}

TEST(TokenBucket, RetryAfterIsAtLeastOneWholeSecondAndCoversSlowRates) {
    const RateSpec slow{0.25, 1};
    Bucket b = full_bucket(slow, 0);
    EXPECT_TRUE(take(b, slow, 0).allowed);
    auto d = take(b, slow, 0);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after, 4);
    EXPECT_FALSE(take(b, slow, 4 * sec - 1).allowed);
    EXPECT_TRUE(take(b, slow, 4 * sec).allowed) << "Retry-After is honest: a retry then succeeds";
}

TEST(ClientAddress, Ipv6IsGroupedBySlash64AndMappedIpv4IsIpv4) {
    auto group = [](std::string_view text) { return client_group(*parse_ip(text)); };
    EXPECT_EQ(group("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(group("2001:db8:1:2:ffff:eeee:dddd:cccc"), group("2001:db8:1:2::1"));
    EXPECT_NE(group("2001:db8:1:3::1"), group("2001:db8:1:2::1"));
    EXPECT_EQ(group("::ffff:203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(group("203.0.113.7"), "203.0.113.7");
    EXPECT_NE(group("203.0.113.8"), group("203.0.113.7")) << "IPv4 addresses are not grouped";
    EXPECT_EQ(group("[2001:db8::1]"), group("2001:db8::9"));
    EXPECT_EQ(group("fe80::1%eth0"), "fe80:0:0:0::/64");
    EXPECT_FALSE(parse_ip("203.0.113.7:80")) << "ports only where proxies write them";
    EXPECT_EQ(to_string(*parse_ip("203.0.113.7:80", true)), "203.0.113.7");
    EXPECT_EQ(to_string(*parse_ip("[2001:db8::5]:443", true)), "2001:db8::5");
    for (auto bad : {"", "1.2.3", "999.1.1.1", "abc", "1.2.3.4.5", "2001:db8::1::2", "[::1", "unknown"})
        EXPECT_FALSE(parse_ip(bad, true)) << bad;
}

TEST(ClientAddress, CidrsParseAndMatchLikeTheirPrefix) {
    auto c = *parse_cidr("10.1.2.3/8");
    EXPECT_TRUE(c.contains(*parse_ip("10.255.0.1")));
    EXPECT_FALSE(c.contains(*parse_ip("11.0.0.1")));
    EXPECT_FALSE(c.contains(*parse_ip("::a01:203"))) << "IPv6 never matches an IPv4 network";
    auto v6 = *parse_cidr("2001:db8::/33");
    EXPECT_TRUE(v6.contains(*parse_ip("2001:db8:7fff::1")));
    EXPECT_FALSE(v6.contains(*parse_ip("2001:db8:8000::1")));
    EXPECT_TRUE(parse_cidr("::ffff:192.168.0.0/112")->contains(*parse_ip("192.168.4.4")));
    EXPECT_TRUE(parse_cidr("127.0.0.1")->contains(*parse_ip("::ffff:127.0.0.1")));
    EXPECT_FALSE(parse_cidr("127.0.0.1")->contains(*parse_ip("127.0.0.2")));
    for (auto bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "abc", "10.0.0.0/-1"})
        EXPECT_FALSE(parse_cidr(bad)) << bad;
    std::string which;
    EXPECT_FALSE(parse_cidr_list("127.0.0.1, nonsense", &which));
    EXPECT_EQ(which, "nonsense");
    EXPECT_EQ(parse_cidr_list(" 10.0.0.0/8 , ::1,")->size(), 2u);
}

TEST(ClientAddress, ForwardedForIsBelievedOnlyFromTrustedProxies) {
    const auto trusted = cidrs("10.0.0.0/8, ::1");
    // Spoofed by a client that connects directly: ignored.
    EXPECT_EQ(client("198.51.100.9", xff({"1.2.3.4"}), trusted), "198.51.100.9");
    EXPECT_EQ(client("198.51.100.9", xff({"1.2.3.4"}), {}), "198.51.100.9");
    // Through a trusted proxy: its rightmost untrusted hop; what the client wrote to the left is not
    // believed.
    EXPECT_EQ(client("10.0.0.1", xff({"6.6.6.6, 198.51.100.7"}), trusted), "198.51.100.7");
    EXPECT_EQ(client("10.0.0.1", xff({"6.6.6.6, 198.51.100.7, 10.0.0.2"}), trusted), "198.51.100.7");
    EXPECT_EQ(client("::1", xff({"6.6.6.6", "2001:db8::7, 10.9.9.9"}), trusted), "2001:db8::7")
        << "several X-Forwarded-For headers are one list, in order";
    EXPECT_EQ(client("10.0.0.1", xff({"[2001:db8::5]:443"}), trusted), "2001:db8::5");
    EXPECT_EQ(client("::ffff:10.0.0.1", xff({"198.51.100.7"}), trusted), "198.51.100.7");
    // A malformed hop stops the walk at the last address believed.
    EXPECT_EQ(client("10.0.0.1", xff({"6.6.6.6, garbage, 10.0.0.2"}), trusted), "10.0.0.2");
    EXPECT_EQ(client("10.0.0.1", xff({"garbage"}), trusted), "10.0.0.1");
    // Every hop trusted (internal traffic): the leftmost.
    EXPECT_EQ(client("10.0.0.1", xff({"10.0.0.3, 10.0.0.2"}), trusted), "10.0.0.3");
    EXPECT_EQ(client("10.0.0.1", {}, trusted), "10.0.0.1");
    EXPECT_EQ(client("", xff({"1.2.3.4"}), trusted), "none");
}

TEST(BucketTable, TrackedClientsStayWithinTheCap) {
    BucketTable table(64, 4);
    const RateSpec spec{1, 5};
    for (int i = 0; i < 10000; ++i) {
        auto d = table.take("a|client-" + std::to_string(i), spec, sec + i);
        ASSERT_TRUE(d.allowed) << "a new client starts with a full bucket";
        ASSERT_LE(table.size(), 64u);
    }
    EXPECT_GE(table.evictions(), 10000u - 64u);
}

TEST(BucketTable, IdleBucketsGoFirstAndABusyOneIsKept) {
    BucketTable table(16, 1);
    const RateSpec spec{1, 10};
    for (int i = 0; i < 15; ++i) table.take("idle-" + std::to_string(i), spec, 0);
    const std::int64_t later = 100 * sec;  // every idle bucket has refilled by now
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(table.take("hot", spec, later).allowed);
    EXPECT_EQ(table.size(), 16u);
    EXPECT_TRUE(table.take("newcomer", spec, later).allowed);
    EXPECT_EQ(table.size(), 2u) << "the 15 refilled buckets were dropped to make room";
    EXPECT_FALSE(table.take("hot", spec, later).allowed)
        << "the drained bucket survived (a fresh one would be full)";
}

TEST(RateLimiter, ClassesLimitsAndPortalKeys) {
    std::int64_t now = 0;
    RateLimitOptions options;
    options.api = {1, 2};
    options.tiles = {1, 3};
    RateLimiter limiter(options, [&] { return now; });
    auto from = [](const std::string& target, std::string peer,
                   std::initializer_list<std::pair<std::string, std::string>> h = {}) {
        auto r = get(target, h);
        r.peer_address = std::move(peer);
        return r;
    };
    using O = RateLimitResult::Outcome;
    // /health, /ready, /metrics and in-process requests are never limited.
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(limiter.check(from("/health", "203.0.113.7")).outcome, O::unlimited);
        EXPECT_EQ(limiter.check(get("/postcodes/HR1%201AA")).outcome, O::unlimited);
    }
    EXPECT_EQ(limiter.check(from("/postcodes/HR1%201AA", "203.0.113.7")).outcome, O::allowed);
    EXPECT_EQ(limiter.check(from("/%70ostcodes/HR1%201AA", "203.0.113.7")).outcome, O::allowed)
        << "decoded segment";
    auto third = limiter.check(from("/v1/areas/E01013999", "203.0.113.7"));
    EXPECT_EQ(third.outcome, O::throttled);
    EXPECT_EQ(third.key, "anonymous");
    // Tiles have their own bucket; another address its own.
    EXPECT_EQ(limiter.check(from("/tiles/crimes/14/8100/5430.mvt", "203.0.113.7")).outcome, O::allowed);
    EXPECT_EQ(limiter.check(from("/api/forces", "203.0.113.8")).outcome, O::allowed);

    // Keys: ignored until the directory is loaded, then a known key has its own bucket.
    const std::string plain = core::random_secret("ck_");
    EXPECT_EQ(limiter.check(from("/api/forces", "203.0.113.7", {{"X-Api-Key", plain}})).outcome,
              O::throttled);
    limiter.keys().replace({{core::sha256_hex(plain), core::ApiKey{7, "portal", 100, 200}}});
    for (int i = 0; i < 200; ++i) {
        auto r = limiter.check(from("/api/forces", "203.0.113.7", {{"X-Api-Key", plain}}));
        ASSERT_EQ(r.outcome, O::allowed) << i;
        ASSERT_EQ(r.key, "portal");
        ASSERT_EQ(r.decision.limit, 200);
    }
    auto over = limiter.check(from("/api/forces?api_key=" + plain, "198.51.100.1"));
    EXPECT_EQ(over.outcome, O::throttled) << "one bucket per key, whatever the address";
    EXPECT_EQ(over.key, "portal");
    // An unknown key is charged to the address, then refused.
    now += 10 * sec;
    EXPECT_EQ(limiter.check(from("/api/forces", "192.0.2.1", {{"X-Api-Key", "ck_wrong"}})).outcome,
              O::invalid_key);
    EXPECT_EQ(limiter.check(from("/api/forces", "192.0.2.1", {{"X-Api-Key", "ck_wrong"}})).outcome,
              O::invalid_key);
    EXPECT_EQ(limiter.check(from("/api/forces", "192.0.2.1", {{"X-Api-Key", "ck_wrong"}})).outcome,
              O::throttled)
        << "guessing keys is throttled like anything else";
    // On tiles a key changes nothing.
    auto tile =
        limiter.check(from("/tiles/crimes/14/8100/5430.mvt", "192.0.2.1", {{"X-Api-Key", "ck_wrong"}}));
    EXPECT_EQ(tile.outcome, O::allowed);
    EXPECT_EQ(tile.key, "anonymous");
    EXPECT_EQ(tile.decision.limit, 3);
}

TEST(RateLimiter, TrustedProxyClientsGetTheirOwnBuckets) {
    std::int64_t now = 0;
    RateLimitOptions options;
    options.api = {1, 1};
    options.trusted_proxies = cidrs("127.0.0.1");
    RateLimiter limiter(options, [&] { return now; });
    auto via = [&](std::string peer, std::string forwarded) {
        auto r = get("/postcodes/HR1%201AA", {{"X-Forwarded-For", forwarded}});
        r.peer_address = std::move(peer);
        return limiter.check(r).outcome;
    };
    using O = RateLimitResult::Outcome;
    EXPECT_EQ(via("127.0.0.1", "198.51.100.1"), O::allowed);
    EXPECT_EQ(via("127.0.0.1", "198.51.100.2"), O::allowed);
    EXPECT_EQ(via("127.0.0.1", "198.51.100.1"), O::throttled);
    // Rotating a forged X-Forwarded-For from an untrusted peer does not buy new buckets.
    EXPECT_EQ(via("203.0.113.5", "1.1.1.1"), O::allowed);
    EXPECT_EQ(via("203.0.113.5", "1.1.1.2"), O::throttled);
}

TEST(RateLimitOptions, SpecsParse) {
    auto spec = [](std::string_view t) { return parse_rate_spec(t); };
    EXPECT_EQ(spec("25/50")->rate, 25);
    EXPECT_EQ(spec("25/50")->burst, 50);
    EXPECT_EQ(spec(" 2.5 / 10 ")->rate, 2.5);
    EXPECT_EQ(spec("25")->burst, 25);
    EXPECT_FALSE(spec("0")->enabled());
    EXPECT_FALSE(spec("0/50")->enabled());
    for (auto bad : {"", "x", "-1/2", "5/0", "5/0.5", "25/", "/50", "1e9/1", "nan", "25/50/1", "0.0001/5"})
        EXPECT_FALSE(spec(bad)) << bad;
    EXPECT_EQ(to_string(*spec("25/50")), "25/50");
    EXPECT_EQ(to_string(*spec("0")), "0");
    // A key row may hold any rate >= 0: Retry-After stays a sane whole number.
    const RateSpec crawl{1e-300, 1};
    Bucket b = full_bucket(crawl, 0);
    take(b, crawl, 0);
    auto d = take(b, crawl, 0);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after, 1'000'000'000L);
}

TEST(RateLimitOptions, KeysAreRedactedFromLoggedTargets) {
    EXPECT_EQ(redact_target("/postcodes/HR11AA?api_key=ck_secret&x=1"), "/postcodes/HR11AA?api_key=***&x=1");
    EXPECT_EQ(redact_target("/api/forces?a=1&api%5Fkey=ck_secret"), "/api/forces?a=1&api%5Fkey=***");
    EXPECT_EQ(redact_target("/api/forces?my_api_key=1"), "/api/forces?my_api_key=1");
    EXPECT_EQ(redact_target("/health"), "/health");
}

TEST(RateLimitOptions, CommandLineAndEnvironment) {
    auto parse = [](std::vector<const char*> argv, const std::map<std::string, std::string>& env = {}) {
        argv.insert(argv.begin(), "crimemapd");
        return parse_config(static_cast<int>(argv.size()), argv.data(), {},
                            [env](const char* name) -> const char* {
                                auto it = env.find(name);
                                return it == env.end() ? nullptr : it->second.c_str();
                            });
    };
    auto defaults = parse({});
    ASSERT_TRUE(defaults.error.empty()) << defaults.error;
    EXPECT_EQ(defaults.config.rate_limit, 25);
    EXPECT_EQ(defaults.config.rate_burst, 50);
    EXPECT_EQ(defaults.config.tile_rate_limit, 200);
    EXPECT_EQ(defaults.config.tile_rate_burst, 400);
    EXPECT_TRUE(defaults.config.trusted_proxies.empty());

    auto set = parse({"--rate-limit", "10/20", "--trusted-proxies", "10.0.0.0/8, ::1"},
                     {{"CRIMEMAP_TILE_RATE_LIMIT", "0"},
                      {"CRIMEMAP_RATE_LIMIT", "99/99"},
                      {"CRIMEMAP_API_KEY_REFRESH", "2"}});
    ASSERT_TRUE(set.error.empty()) << set.error;
    EXPECT_EQ(set.config.rate_limit, 10) << "a flag wins over the variable";
    EXPECT_EQ(set.config.rate_burst, 20);
    EXPECT_EQ(set.config.tile_rate_limit, 0);
    EXPECT_EQ(set.config.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
    EXPECT_EQ(set.config.api_key_refresh, 2);

    EXPECT_NE(parse({"--rate-limit", "fast"}).error.find("--rate-limit"), std::string::npos);
    EXPECT_NE(parse({"--trusted-proxies", "10.0.0.0/8,proxy.example"}).error.find("proxy.example"),
              std::string::npos);
    EXPECT_FALSE(parse({"--api-key-refresh", "0"}).error.empty());
}
