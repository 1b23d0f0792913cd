#include "server/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace crimemap::server {

namespace {
template <class... T>
void cat(std::string& out, const T&... parts) {
    (out.append(std::string_view(parts)), ...);
}

std::string format_number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    // Prefer the short form when it round-trips.
    char shortbuf[64];
    std::snprintf(shortbuf, sizeof shortbuf, "%g", v);
    if (std::strtod(shortbuf, nullptr) == v) return shortbuf;
    return buf;
}
}  // namespace

std::string prometheus_escape(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out.push_back(c);
    }
    return out;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) noexcept {
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    if (value > 0)
        sum_micro_.fetch_add(static_cast<std::uint64_t>(std::llround(value * 1e6)),
                             std::memory_order_relaxed);
}

void Histogram::write(std::string& out, std::string_view name, std::string_view labels) const {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        std::string le = i < bounds_.size() ? format_number(bounds_[i]) : "+Inf";
        cat(out, name, "_bucket{", labels, labels.empty() ? "" : ",", "le=\"", le, "\"} ",
            std::to_string(cumulative), "\n");
    }
    std::string_view open = labels.empty() ? "" : "{", close = labels.empty() ? "" : "}";
    cat(out, name, "_sum", open, labels, close, " ",
        format_number(static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6), "\n");
    cat(out, name, "_count", open, labels, close, " ", std::to_string(count_.load(std::memory_order_relaxed)),
        "\n");
}

Metrics::Metrics(std::vector<std::string> routes)
    : routes_(std::move(routes)),
      requests_(new std::atomic<std::uint64_t>[(routes_.empty() ? 1 : routes_.size()) * statuses.size()]),
      latency_({0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}),
      tile_bytes_({256, 1024, 4096, 16384, 65536, 262144, 524288, 1048576, 4194304}),
      render_seconds_({0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}) {
    if (routes_.empty()) routes_.emplace_back("none");
    for (std::size_t i = 0; i < routes_.size() * statuses.size(); ++i)
        requests_[i].store(0, std::memory_order_relaxed);
    throttled_anonymous_ = std::make_unique<std::atomic<std::uint64_t>[]>(routes_.size());
    for (std::size_t i = 0; i < routes_.size(); ++i)
        throttled_anonymous_[i].store(0, std::memory_order_relaxed);
}

std::size_t Metrics::status_index(int status) noexcept {
    for (std::size_t i = 0; i + 1 < statuses.size(); ++i)
        if (statuses[i] == status) return i;
    return statuses.size() - 1;
}

std::size_t Metrics::route_index(std::string_view route) const noexcept {
    for (std::size_t i = 0; i < routes_.size(); ++i)
        if (routes_[i] == route) return i;
    return routes_.size() - 1;
}

void Metrics::record_request(std::size_t route, int status, double seconds) noexcept {
    if (route >= routes_.size()) route = routes_.size() - 1;
    requests_[route * statuses.size() + status_index(status)].fetch_add(1, std::memory_order_relaxed);
    latency_.observe(seconds);
}

std::uint64_t Metrics::requests(std::size_t route, int status) const noexcept {
    if (route >= routes_.size()) return 0;
    return requests_[route * statuses.size() + status_index(status)].load(std::memory_order_relaxed);
}

void Metrics::record_render(std::size_t mvt_bytes, double seconds, bool coarsened) noexcept {
    tile_bytes_.observe(static_cast<double>(mvt_bytes));
    render_seconds_.observe(seconds);
    if (coarsened) coarsened_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::record_reload(bool ok) noexcept {
    (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::record_throttled(std::size_t route, std::string_view key) noexcept {
    if (route >= routes_.size()) route = routes_.size() - 1;
    if (key == "anonymous") {
        throttled_anonymous_[route].fetch_add(1, std::memory_order_relaxed);
        return;
    }
    try {
        std::lock_guard lock(throttled_mutex_);
        ++throttled_keyed_[{route, std::string(key)}];
    } catch (...) {  // allocation failure: losing one count beats failing the request
    }
}

std::uint64_t Metrics::throttled(std::size_t route, std::string_view key) const {
    if (route >= routes_.size()) return 0;
    if (key == "anonymous") return throttled_anonymous_[route].load(std::memory_order_relaxed);
    std::lock_guard lock(throttled_mutex_);
    auto it = throttled_keyed_.find({route, std::string(key)});
    return it == throttled_keyed_.end() ? 0 : it->second;
}

void Metrics::write(std::string& out) const {
    auto header = [&](std::string_view name, std::string_view help, std::string_view type) {
        cat(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
    };
    header("crimemap_http_requests_total", "HTTP requests by route pattern and status.", "counter");
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        for (std::size_t s = 0; s < statuses.size(); ++s) {
            auto n = requests_[r * statuses.size() + s].load(std::memory_order_relaxed);
            if (n == 0) continue;
            std::string status = statuses[s] == 0 ? "other" : std::to_string(statuses[s]);
            cat(out, "crimemap_http_requests_total{route=\"", prometheus_escape(routes_[r]), "\",status=\"",
                status, "\"} ", std::to_string(n), "\n");
        }
    }
    header("crimemap_http_request_duration_seconds", "Time from a parsed request to its response.",
           "histogram");
    latency_.write(out, "crimemap_http_request_duration_seconds", "");
    header("crimemap_tile_size_bytes", "Uncompressed size of rendered tiles (0 for empty tiles).",
           "histogram");
    tile_bytes_.write(out, "crimemap_tile_size_bytes", "");
    header("crimemap_tile_render_seconds", "Time to render a tile (cache misses).", "histogram");
    render_seconds_.write(out, "crimemap_tile_render_seconds", "");
    header("crimemap_tiles_coarsened_total",
           "Rendered tiles that the size budget forced to coarser clusters or simpler polygons.", "counter");
    cat(out, "crimemap_tiles_coarsened_total ", std::to_string(coarsened_.load(std::memory_order_relaxed)),
        "\n");
    header("crimemap_snapshot_reloads_total", "Snapshot loads by outcome.", "counter");
    cat(out, "crimemap_snapshot_reloads_total{outcome=\"ok\"} ",
        std::to_string(reloads_ok_.load(std::memory_order_relaxed)), "\n");
    cat(out, "crimemap_snapshot_reloads_total{outcome=\"failed\"} ",
        std::to_string(reloads_failed_.load(std::memory_order_relaxed)), "\n");
    header("crimemap_throttled_total",
           "Requests refused with 429 by the rate limiter, by route and portal key name.", "counter");
    auto throttled_line = [&](std::size_t route, std::string_view key, std::uint64_t n) {
        cat(out, "crimemap_throttled_total{route=\"", prometheus_escape(routes_[route]), "\",key=\"",
            prometheus_escape(key), "\"} ", std::to_string(n), "\n");
    };
    for (std::size_t r = 0; r < routes_.size(); ++r)
        if (auto n = throttled_anonymous_[r].load(std::memory_order_relaxed))
            throttled_line(r, "anonymous", n);
    std::lock_guard lock(throttled_mutex_);
    for (const auto& [k, n] : throttled_keyed_) throttled_line(k.first, k.second, n);
}

}  // namespace crimemap::server
