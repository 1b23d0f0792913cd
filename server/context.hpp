#pragma once
// What every handler needs: settings, the current snapshot, the renderer, the tile cache and the
// metrics. One per process, shared by all worker threads; every member is thread-safe.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/snapshot.hpp"
#include "core/tile_renderer.hpp"
#include "server/answer_cache.hpp"
#include "server/config.hpp"
#include "server/metrics.hpp"
#include "server/rate_limit.hpp"
#include "server/static_files.hpp"
#include "server/tile_archives.hpp"
#include "server/tile_cache.hpp"

namespace crimemap::core {
class CrimeDetails;
class TeamStore;
}  // namespace crimemap::core

namespace crimemap::server {

// What some handlers need from outside the snapshot: individual crime rows (listings, meeting-pack
// outcomes) and team writes. main.cpp wires them to store/; tests pass fakes. A null member makes
// its routes answer 503.
struct ApiServices {
    std::shared_ptr<core::CrimeDetails> crimes;
    std::shared_ptr<core::TeamStore> teams;
};

class ServerContext {
  public:
    ServerContext(Config config, core::SnapshotHolder& snapshots, std::vector<std::string> route_labels,
                  ApiServices services = {});

    const Config& config() const { return config_; }
    std::shared_ptr<const core::Snapshot> snapshot() const { return snapshots_.get(); }
    core::SnapshotHolder& snapshots() { return snapshots_; }
    TileCache& cache() { return cache_; }
    // Lookup answers by (dataset version, normalised request): server/answer_cache.hpp.
    AnswerCache& answers() { return answers_; }
    Metrics& metrics() { return metrics_; }
    StaticFiles& static_files() { return static_files_; }
    // Per-client token buckets and the portal API keys (--rate-limit, --tile-rate-limit, --trusted-proxies).
    RateLimiter& rate_limiter() { return rate_limiter_; }

    // Static tile archives (--tiles, --basemap); null when none are configured (their routes 404).
    std::shared_ptr<const TileArchives> archives() const { return std::atomic_load(&archives_); }
    void set_archives(std::shared_ptr<const TileArchives> a) { std::atomic_store(&archives_, std::move(a)); }

    // The tile renderer; null until set (tiles answer 503 meanwhile).
    std::shared_ptr<core::TileRenderer> renderer() const { return std::atomic_load(&renderer_); }
    void set_renderer(std::shared_ptr<core::TileRenderer> r) { std::atomic_store(&renderer_, std::move(r)); }

    // The database-backed services (a copy: cheap, and safe against a concurrent set_services).
    ApiServices services() const;
    void set_services(ApiServices services);

    // The dataset watcher's latest state in words safe to show anyone (/ready shows it): why no
    // snapshot is loaded yet, or "serving dataset version N; version M failed: reason".
    std::string status_message() const;
    void set_status_message(std::string message);
    // The dataset version that failed to load and waits for a retry; 0 = none (a /metrics gauge).
    std::int64_t failed_version() const { return failed_version_.load(std::memory_order_relaxed); }
    void set_failed_version(std::int64_t v) { failed_version_.store(v, std::memory_order_relaxed); }

    // Installs a new snapshot and drops cached tiles and answers of the old one.
    void swap_snapshot(std::shared_ptr<const core::Snapshot> next);

    std::chrono::steady_clock::time_point started() const { return started_; }

    // A value computed once per snapshot (e.g. the /catalog body): returns the stored one when
    // `snapshot` is the one it was computed for, else computes, stores and returns it.
    std::shared_ptr<const std::string> memo(const std::string& name, const core::Snapshot* snapshot,
                                            const std::function<std::string()>& compute);

  private:
    Config config_;
    core::SnapshotHolder& snapshots_;
    TileCache cache_;
    AnswerCache answers_;
    Metrics metrics_;
    StaticFiles static_files_;
    RateLimiter rate_limiter_;
    std::shared_ptr<core::TileRenderer> renderer_;
    std::shared_ptr<const TileArchives> archives_;
    mutable std::mutex services_mutex_;
    ApiServices services_;
    struct Memo {
        const core::Snapshot* snapshot = nullptr;
        std::int64_t version = -1;
        std::shared_ptr<const std::string> value;
    };
    std::mutex memo_mutex_;
    std::unordered_map<std::string, Memo> memos_;
    mutable std::mutex status_mutex_;
    std::string status_message_ = "loading the snapshot";
    std::atomic<std::int64_t> failed_version_{0};
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace crimemap::server
