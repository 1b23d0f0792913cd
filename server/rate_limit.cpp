#include "server/rate_limit.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "base/text.hpp"
#include "core/secrets.hpp"

namespace crimemap::server {

namespace {
std::optional<double> parse_number(std::string_view s) {
    if (s.empty() || s.size() > 32) return std::nullopt;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
    std::string copy(s);
    char* end = nullptr;
    double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 5 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

long ceil_seconds(double seconds) {
    if (!(seconds > 0)) return 0;
    if (seconds > 1e9)
        return 1'000'000'000L;  // absurdly slow rates (a key row's rate 1e-300) stay representable
    // A hair of slack so 1.0000000001 (float noise from the refill) does not become 2.
    return static_cast<long>(std::ceil(seconds - 1e-9));
}

std::int64_t steady_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
}  // namespace

std::optional<RateSpec> parse_rate_spec(std::string_view text) {
    text = base::trim_ows(text);
    auto slash = text.find('/');
    auto rate = parse_number(base::trim_ows(text.substr(0, slash)));
    if (!rate || *rate > 1e6) return std::nullopt;
    if (*rate == 0) return RateSpec{};
    if (*rate < 0.001) return std::nullopt;
    double burst = *rate;
    if (slash != std::string_view::npos) {
        auto b = parse_number(base::trim_ows(text.substr(slash + 1)));
        if (!b || *b > 1e7) return std::nullopt;
        burst = *b;
    }
    if (burst < 1) return std::nullopt;
    return RateSpec{*rate, burst};
}

std::string to_string(const RateSpec& spec) {
    if (!spec.enabled()) return "0";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g/%g", spec.rate, spec.burst);
    return buf;
}

Bucket full_bucket(const RateSpec& spec, std::int64_t now_ns) noexcept { return {spec.burst, now_ns}; }

namespace {
double refill(const Bucket& b, const RateSpec& spec, std::int64_t now_ns) noexcept {
    // A clock that steps back (or another thread's later `now` already applied) refills nothing.
    const double elapsed = now_ns > b.last_ns ? static_cast<double>(now_ns - b.last_ns) * 1e-9 : 0.0;
    return std::min(spec.burst, b.tokens + elapsed * spec.rate);
}
}  // namespace

Decision take(Bucket& b, const RateSpec& spec, std::int64_t now_ns) noexcept {
    Decision d;
    b.tokens = refill(b, spec, now_ns);
    b.last_ns = std::max(b.last_ns, now_ns);
    if (b.tokens >= 1) {
        b.tokens -= 1;
        d.allowed = true;
    } else {
        d.allowed = false;
        d.retry_after = std::max(1L, ceil_seconds((1 - b.tokens) / spec.rate));
    }
    d.limit = static_cast<long>(spec.burst);
    d.remaining = static_cast<long>(std::floor(b.tokens));
    d.reset = ceil_seconds((spec.burst - b.tokens) / spec.rate);
    return d;
}

bool refilled(const Bucket& b, const RateSpec& spec, std::int64_t now_ns) noexcept {
    return refill(b, spec, now_ns) >= spec.burst;
}

std::optional<IpAddress> parse_ip(std::string_view text, bool allow_port) {
    text = base::trim_ows(text);
    if (text.empty() || text.size() > 64) return std::nullopt;
    std::string_view host = text;
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        auto rest = text.substr(close + 1);
        if (!rest.empty() && !(allow_port && rest.front() == ':' && all_digits(rest.substr(1))))
            return std::nullopt;
    } else if (allow_port && std::count(text.begin(), text.end(), ':') == 1) {
        auto colon = text.find(':');
        if (!all_digits(text.substr(colon + 1))) return std::nullopt;
        host = text.substr(0, colon);
    }
    if (auto pct = host.find('%'); pct != std::string_view::npos) host = host.substr(0, pct);  // zone id
    std::string h(host);
    IpAddress ip;
    if (h.find(':') == std::string::npos) {
        if (::inet_pton(AF_INET, h.c_str(), ip.bytes.data()) != 1) return std::nullopt;
        ip.v4 = true;
        return ip;
    }
    if (::inet_pton(AF_INET6, h.c_str(), ip.bytes.data()) != 1) return std::nullopt;
    static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(ip.bytes.data(), mapped, sizeof mapped) == 0) {
        IpAddress v4;
        v4.v4 = true;
        std::copy(ip.bytes.begin() + 12, ip.bytes.end(), v4.bytes.begin());
        return v4;
    }
    return ip;
}

std::string to_string(const IpAddress& ip) {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(ip.v4 ? AF_INET : AF_INET6, ip.bytes.data(), buf, sizeof buf);
    return buf;
}

std::string client_group(const IpAddress& ip) {
    if (ip.v4) return to_string(ip);
    char buf[48];
    auto group = [&](int i) {
        return static_cast<unsigned>(ip.bytes[static_cast<std::size_t>(i)] << 8 |
                                     ip.bytes[static_cast<std::size_t>(i) + 1]);
    };
    std::snprintf(buf, sizeof buf, "%x:%x:%x:%x::/64", group(0), group(2), group(4), group(6));
    return buf;
}

bool Cidr::contains(const IpAddress& ip) const noexcept {
    if (ip.v4 != network.v4) return false;
    unsigned full = prefix / 8, rest = prefix % 8;
    if (std::memcmp(ip.bytes.data(), network.bytes.data(), full) != 0) return false;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (ip.bytes[full] & mask) == (network.bytes[full] & mask);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
    text = base::trim_ows(text);
    auto slash = text.find('/');
    auto ip = parse_ip(text.substr(0, slash));
    if (!ip) return std::nullopt;
    const bool v6_text = text.substr(0, slash).find(':') != std::string_view::npos;
    unsigned max_bits = v6_text ? 128 : 32;
    unsigned prefix = max_bits;
    if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 ||
            std::from_chars(digits.data(), digits.data() + digits.size(), prefix).ptr !=
                digits.data() + digits.size())
            return std::nullopt;
        if (prefix > max_bits) return std::nullopt;
    }
    if (v6_text && ip->v4) {  // ::ffff:a.b.c.d/n names IPv4 addresses
        if (prefix < 96) return std::nullopt;
        prefix -= 96;
    }
    Cidr c{*ip, prefix};
    // Clear host bits so the network compares as written ("10.1.2.3/8" means 10.0.0.0/8).
    for (unsigned bit = prefix; bit < (c.network.v4 ? 32u : 128u); ++bit)
        c.network.bytes[bit / 8] =
            static_cast<std::uint8_t>(c.network.bytes[bit / 8] & ~(0x80u >> (bit % 8)));
    return c;
}

std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text, std::string* bad) {
    std::vector<Cidr> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        auto item = base::trim_ows(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        if (item.empty()) continue;
        auto c = parse_cidr(item);
        if (!c) {
            if (bad) *bad = std::string(item);
            return std::nullopt;
        }
        out.push_back(*c);
    }
    return out;
}

std::optional<IpAddress> client_address(std::string_view peer, const Headers& headers,
                                        const std::vector<Cidr>& trusted) {
    auto peer_ip = parse_ip(peer);
    if (!peer_ip) return std::nullopt;
    auto is_trusted = [&](const IpAddress& ip) {
        return std::any_of(trusted.begin(), trusted.end(), [&](const Cidr& c) { return c.contains(ip); });
    };
    if (!is_trusted(*peer_ip)) return peer_ip;
    // Proxies append the address they received from; only the hops to the right of the first
    // untrusted one were written by proxies we trust, everything left of it may be forged.
    std::vector<std::string_view> hops;
    for (const auto& [name, value] : headers.items()) {
        if (!iequals(name, "X-Forwarded-For")) continue;
        std::string_view v = value;
        while (true) {
            auto comma = v.find(',');
            hops.push_back(base::trim_ows(v.substr(0, comma)));
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
        }
    }
    IpAddress current = *peer_ip;
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        auto ip = parse_ip(*it, true);
        if (!ip) return current;
        current = *ip;
        if (!is_trusted(current)) return current;
    }
    return current;
}

LimitClass classify(const std::vector<std::string>& segments) noexcept {
    if (segments.empty()) return LimitClass::tiles;
    const std::string& first = segments.front();
    if (segments.size() == 1 && (first == "health" || first == "ready" || first == "metrics"))
        return LimitClass::none;
    // /league is the HTML face of /v1/league: the same work, the same limit.
    static constexpr std::string_view api[] = {"postcodes", "outcodes", "terminated_postcodes",
                                               "random",    "places",   "scotland",
                                               "api",       "v1",       "league"};
    for (auto p : api)
        if (first == p) return LimitClass::api;
    return LimitClass::tiles;
}

BucketTable::BucketTable(std::size_t max_entries, std::size_t shards)
    : per_shard_(std::max<std::size_t>(1, max_entries / std::max<std::size_t>(1, shards))) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, shards); ++i)
        shards_.push_back(std::make_unique<Shard>());
}

void BucketTable::make_room(Shard& shard, std::int64_t now_ns) {
    // First the buckets that have refilled: a client coming back gets a full bucket anyway.
    std::size_t erased = std::erase_if(
        shard.map, [&](const auto& kv) { return refilled(kv.second.bucket, kv.second.spec, now_ns); });
    if (shard.map.size() >= per_shard_) {
        // Still full (more active clients than the cap: a flood from many addresses): drop the
        // least recently used eighth at once, so the O(n) scan is paid once per n/8 new clients.
        std::vector<std::int64_t> times;
        times.reserve(shard.map.size());
        for (const auto& kv : shard.map) times.push_back(kv.second.bucket.last_ns);
        auto nth = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 8);
        std::nth_element(times.begin(), nth, times.end());
        const std::int64_t cutoff = *nth;
        erased +=
            std::erase_if(shard.map, [&](const auto& kv) { return kv.second.bucket.last_ns <= cutoff; });
    }
    evictions_.fetch_add(erased, std::memory_order_relaxed);
}

Decision BucketTable::take(const std::string& client, const RateSpec& spec, std::int64_t now_ns) {
    Shard& shard = *shards_[std::hash<std::string>{}(client) % shards_.size()];
    std::lock_guard lock(shard.mutex);
    auto it = shard.map.find(client);
    if (it == shard.map.end()) {
        if (shard.map.size() >= per_shard_) make_room(shard, now_ns);
        it = shard.map.emplace(client, Entry{full_bucket(spec, now_ns), spec}).first;
    }
    it->second.spec = spec;
    return server::take(it->second.bucket, spec, now_ns);
}

std::size_t BucketTable::size() const {
    std::size_t n = 0;
    for (const auto& s : shards_) {
        std::lock_guard lock(s->mutex);
        n += s->map.size();
    }
    return n;
}

RateLimiter::RateLimiter(RateLimitOptions options, Clock clock)
    : options_(std::move(options)),
      clock_(clock ? std::move(clock) : Clock(steady_now_ns)),
      table_(options_.max_clients, options_.shards) {}

RateLimitResult RateLimiter::check(const Request& req) {
    RateLimitResult result;
    const LimitClass cls = classify(req.segments);
    if (cls == LimitClass::none) return result;
    const RateSpec& spec = cls == LimitClass::api ? options_.api : options_.tiles;
    if (!spec.enabled()) return result;
    std::string group;
    if (auto ip = client_address(req.peer_address, req.headers, options_.trusted_proxies)) {
        group = client_group(*ip);
    } else if (req.peer_address.empty()) {
        return result;  // built in-process (tests), not from a socket
    } else {
        group = "?" + req.peer_address.substr(0, 64);
    }
    const std::int64_t now = clock_();
    const std::string address_bucket = (cls == LimitClass::api ? "a|" : "t|") + group;
    auto charge = [&](const std::string& bucket, const RateSpec& s) {
        result.decision = table_.take(bucket, s, now);
        result.outcome =
            result.decision.allowed ? RateLimitResult::Outcome::allowed : RateLimitResult::Outcome::throttled;
    };

    if (cls == LimitClass::api && req.method != Method::options && keys_.loaded()) {
        std::optional<std::string_view> presented = req.headers.get("X-Api-Key");
        if (!presented || presented->empty()) presented = core::find_param(req.query, "api_key");
        if (presented && !presented->empty()) {
            // Hashed here, compared by hash-map lookup: the plain key is never stored or sent on.
            std::optional<core::ApiKey> key;
            if (presented->size() <= 256) key = keys_.find(core::sha256_hex(*presented));
            if (key) {
                result.key = key->name;
                RateSpec key_spec{key->rate, std::max(1.0, key->burst)};
                if (!key_spec.enabled()) return result;  // a key created with --rate 0: unlimited
                charge("k|" + std::to_string(key->id), key_spec);
                return result;
            }
            charge(address_bucket, spec);
            if (result.outcome == RateLimitResult::Outcome::allowed)
                result.outcome = RateLimitResult::Outcome::invalid_key;
            return result;
        }
    }
    charge(address_bucket, spec);
    return result;
}

void RateLimiter::apply_headers(const RateLimitResult& result, Response& res) {
    if (result.outcome == RateLimitResult::Outcome::unlimited) return;
    const Decision& d = result.decision;
    res.headers.set("RateLimit-Limit", std::to_string(d.limit));
    res.headers.set("RateLimit-Remaining", std::to_string(d.remaining));
    res.headers.set("RateLimit-Reset", std::to_string(d.reset));
    if (result.outcome == RateLimitResult::Outcome::throttled)
        res.headers.set("Retry-After", std::to_string(d.retry_after));
}

std::string redact_target(std::string_view target) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::string(target);
    std::string out(target.substr(0, q + 1));
    std::string_view query = target.substr(q + 1);
    bool first = true;
    while (true) {
        auto amp = query.find('&');
        std::string_view item = query.substr(0, amp);
        auto eq = item.find('=');
        auto name = percent_decode(item.substr(0, eq), true);
        if (!first) out += '&';
        first = false;
        if (name && *name == "api_key" && eq != std::string_view::npos) {
            out.append(item.substr(0, eq + 1));
            out += "***";
        } else {
            out.append(item);
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

}  // namespace crimemap::server
