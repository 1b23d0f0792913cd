#pragma once
// Per-client rate limits: token buckets keyed by client address (IPv6 grouped by /64, IPv4-mapped
// IPv6 as IPv4; X-Forwarded-For believed only from --trusted-proxies) or by portal API key.
// Two classes of path: the JSON APIs (/postcodes, /outcodes, /terminated_postcodes, /random, /api/,
// /v1/) and everything else but /health, /ready and /metrics (tiles, TileJSON, catalog, static
// files), each with its own rate and burst. Memory is bounded: buckets live in sharded maps with a
// cap on tracked clients; idle (refilled) buckets go first, then the least recently used.
// No Beast, no I/O. Thread-safe: RateLimiter::check is called concurrently from every worker;
// time comes from an injectable clock (nanoseconds, monotonic) so tests never sleep.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/api_keys.hpp"
#include "server/http_types.hpp"
#include "server/rate_decision.hpp"

namespace crimemap::server {

// Requests per second and bucket size. rate 0 = no limit.
struct RateSpec {
    double rate = 0;
    double burst = 0;
    bool enabled() const noexcept { return rate > 0; }
};

// "25/50" -> {25, 50}; "25" -> {25, 25}; "0" (or "0/x") -> off. nullopt when malformed, negative,
// a rate outside 0.001..1e6, or a burst below 1 (or above 1e7) with a rate above 0.
std::optional<RateSpec> parse_rate_spec(std::string_view text);
std::string to_string(const RateSpec& spec);  // "25/50", "0"

// One client's bucket: tokens left at `last_ns`; refilled lazily at spec.rate up to spec.burst.
struct Bucket {
    double tokens = 0;
    std::int64_t last_ns = 0;
};

// A new client's bucket: full.
Bucket full_bucket(const RateSpec& spec, std::int64_t now_ns) noexcept;
// Refills `b` to now_ns, then takes one token when there is one.
Decision take(Bucket& b, const RateSpec& spec, std::int64_t now_ns) noexcept;
// True when `b` would be full at now_ns (forgetting it loses nothing).
bool refilled(const Bucket& b, const RateSpec& spec, std::int64_t now_ns) noexcept;

// An IPv4 or IPv6 address; IPv4 (and IPv4-mapped IPv6) keep their 4 bytes in bytes[0..3].
struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};
    bool v4 = false;
    bool operator==(const IpAddress&) const = default;
};

// "203.0.113.7", "2001:db8::1", "::ffff:203.0.113.7" (-> IPv4), "[2001:db8::1]", "fe80::1%eth0".
// With allow_port also "203.0.113.7:4711" and "[2001:db8::1]:4711" (some proxies add the port).
std::optional<IpAddress> parse_ip(std::string_view text, bool allow_port = false);
std::string to_string(const IpAddress& ip);
// The rate-limit identity of an address: IPv4 as itself, IPv6 as its /64 ("2001:db8:1:2::/64").
std::string client_group(const IpAddress& ip);

struct Cidr {
    IpAddress network;
    unsigned prefix = 0;  // bits: 0..32 (IPv4), 0..128 (IPv6)
    bool contains(const IpAddress& ip) const noexcept;
};
// "10.0.0.0/8", "2001:db8::/32", "127.0.0.1" (a /32), "::1" (a /128).
std::optional<Cidr> parse_cidr(std::string_view text);
// Comma-separated list; blanks around items ignored; nullopt (and the bad item in *bad) on error.
std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text, std::string* bad = nullptr);

// The client's address: the TCP peer, unless the peer is a trusted proxy; then the rightmost
// X-Forwarded-For hop that is not itself trusted (all X-Forwarded-For headers, in order, as one
// list). A malformed hop stops the walk at the last address believed. nullopt when peer is not
// an address (requests that did not come from a socket).
std::optional<IpAddress> client_address(std::string_view peer, const Headers& headers,
                                        const std::vector<Cidr>& trusted);

enum class LimitClass { none, api, tiles };
// By the first path segment, percent-decoded (so "/%70ostcodes/x" is still a JSON API):
// api (postcodes, outcodes, terminated_postcodes, random, api, v1), none (exactly /health, /ready,
// /metrics), tiles (all else: tiles, TileJSON, catalog, static files).
LimitClass classify(const std::vector<std::string>& segments) noexcept;

// Sharded map of buckets with at most about max_entries entries in all.
class BucketTable {
  public:
    BucketTable(std::size_t max_entries, std::size_t shards);
    Decision take(const std::string& client, const RateSpec& spec, std::int64_t now_ns);
    std::size_t size() const;
    std::uint64_t evictions() const noexcept { return evictions_.load(std::memory_order_relaxed); }

  private:
    struct Entry {
        Bucket bucket;
        RateSpec spec;  // the spec it was last charged with (to tell when it is full)
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Entry> map;
    };
    void make_room(Shard& shard, std::int64_t now_ns);

    std::size_t per_shard_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<std::uint64_t> evictions_{0};
};

struct RateLimitOptions {
    RateSpec api{25, 50};
    RateSpec tiles{200, 400};
    std::vector<Cidr> trusted_proxies;
    std::size_t max_clients = 100000;  // buckets tracked in all (about 100 bytes each)
    std::size_t shards = 16;
};

class RateLimiter {
  public:
    using Clock = std::function<std::int64_t()>;  // monotonic nanoseconds
    explicit RateLimiter(RateLimitOptions options, Clock clock = {});

    // Charges the request to its bucket. A valid key (X-Api-Key, else ?api_key=) on a JSON API
    // path uses the key's own bucket and limit; an invalid one is charged to the address first
    // (so guessing keys is throttled too) and then refused as invalid_key. Keys are ignored on
    // other paths and before the directory's first load (anonymous limits apply).
    RateLimitResult check(const Request& req);

    // RateLimit-Limit/-Remaining/-Reset on allowed and throttled answers, Retry-After on throttled.
    static void apply_headers(const RateLimitResult& result, Response& res);

    core::ApiKeyDirectory& keys() { return keys_; }
    const RateLimitOptions& options() const { return options_; }
    std::size_t tracked_clients() const { return table_.size(); }
    std::uint64_t evictions() const noexcept { return table_.evictions(); }

  private:
    RateLimitOptions options_;
    Clock clock_;
    BucketTable table_;
    core::ApiKeyDirectory keys_;
};

// req.target with the value of any api_key query parameter replaced by "***" (for logs).
std::string redact_target(std::string_view target);

}  // namespace crimemap::server
