#include "server/context.hpp"

namespace crimemap::server {

namespace {
RateLimitOptions rate_limit_options(const Config& c) {
    RateLimitOptions o;
    o.api = {c.rate_limit, c.rate_burst};
    o.tiles = {c.tile_rate_limit, c.tile_rate_burst};
    for (const auto& item : c.trusted_proxies)
        if (auto cidr = parse_cidr(item)) o.trusted_proxies.push_back(*cidr);  // validated by parse_config
    return o;
}
}  // namespace

ServerContext::ServerContext(Config config, core::SnapshotHolder& snapshots,
                             std::vector<std::string> route_labels, ApiServices services)
    : config_(std::move(config)),
      snapshots_(snapshots),
      cache_(config_.cache_bytes),
      answers_(config_.answer_cache_bytes),
      metrics_(std::move(route_labels)),
      static_files_(config_.web_dir, config_.frame_ancestors, config_.static_cache_bytes),
      rate_limiter_(rate_limit_options(config_)),
      services_(std::move(services)) {}

ApiServices ServerContext::services() const {
    std::lock_guard lock(services_mutex_);
    return services_;
}

void ServerContext::set_services(ApiServices services) {
    std::lock_guard lock(services_mutex_);
    services_ = std::move(services);
}

std::string ServerContext::status_message() const {
    std::lock_guard lock(status_mutex_);
    return status_message_;
}

void ServerContext::set_status_message(std::string message) {
    std::lock_guard lock(status_mutex_);
    status_message_ = std::move(message);
}

void ServerContext::swap_snapshot(std::shared_ptr<const core::Snapshot> next) {
    snapshots_.set(std::move(next));
    // Keys carry the version, so a request racing the swap can at worst insert a tile of the old
    // version, which no new request asks for and LRU drops later.
    cache_.clear();
    answers_.clear();
}

std::shared_ptr<const std::string> ServerContext::memo(const std::string& name,
                                                       const core::Snapshot* snapshot,
                                                       const std::function<std::string()>& compute) {
    {
        std::lock_guard lock(memo_mutex_);
        auto it = memos_.find(name);
        if (it != memos_.end() && it->second.snapshot == snapshot && snapshot &&
            it->second.version == snapshot->version)
            return it->second.value;
    }
    // Computed outside the lock; two racing requests may both compute, which is harmless.
    auto value = std::make_shared<const std::string>(compute());
    std::lock_guard lock(memo_mutex_);
    memos_[name] = Memo{snapshot, snapshot ? snapshot->version : -1, value};
    return value;
}

}  // namespace crimemap::server
