#pragma once
// Prometheus counters and histograms for /metrics. Lock-free on the request path (relaxed atomics
// over fixed label sets known at start); thread-safe.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::server {

// Cumulative histogram with fixed upper bounds (Prometheus "le" buckets, +Inf implied).
class Histogram {
  public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value) noexcept;
    // Appends name_bucket{labels,le=..}, name_sum and name_count lines (labels: 'route="x"' or "").
    void write(std::string& out, std::string_view name, std::string_view labels) const;
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bound, non-cumulative, plus +Inf
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_micro_{0};  // sum * 1e6, so sums stay exact integers
};

class Metrics {
  public:
    // Route labels, e.g. the router's patterns plus "static" and "none".
    explicit Metrics(std::vector<std::string> routes);

    std::size_t route_index(std::string_view route) const noexcept;  // unknown -> index of the last label
    void record_request(std::size_t route, int status, double seconds) noexcept;
    void record_render(std::size_t mvt_bytes, double seconds, bool coarsened) noexcept;
    void record_reload(bool ok) noexcept;
    // A request refused with 429 by the rate limiter; key: "anonymous" or the portal key's name
    // (names are validated when keys are created, and few). Anonymous counts are lock-free.
    void record_throttled(std::size_t route, std::string_view key) noexcept;
    std::uint64_t throttled(std::size_t route, std::string_view key) const;

    // Every metric above in Prometheus text exposition format 0.0.4.
    void write(std::string& out) const;

    std::uint64_t requests(std::size_t route, int status) const noexcept;

    static constexpr std::array<int, 18> statuses{200, 204, 301, 304, 400, 401, 403, 404, 405,
                                                  408, 413, 414, 429, 431, 500, 501, 503, 0 /* other */};

  private:
    static std::size_t status_index(int status) noexcept;

    std::vector<std::string> routes_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> requests_;  // routes x statuses
    Histogram latency_;
    Histogram tile_bytes_;
    Histogram render_seconds_;
    std::atomic<std::uint64_t> coarsened_{0};
    std::atomic<std::uint64_t> reloads_ok_{0};
    std::atomic<std::uint64_t> reloads_failed_{0};
    std::unique_ptr<std::atomic<std::uint64_t>[]> throttled_anonymous_;  // per route
    mutable std::mutex throttled_mutex_;
    std::map<std::pair<std::size_t, std::string>, std::uint64_t> throttled_keyed_;  // (route, key name)
};

// Escapes a Prometheus label value (backslash, quote, newline).
std::string prometheus_escape(std::string_view value);

}  // namespace crimemap::server
