#pragma once
// Portal API keys as the server knows them: SHA-256 hex of the key -> {name, rate, burst}. The map
// is filled from the database by store/ (store/api_key_refresher.hpp) and replaced whole, so a
// lookup on the request path is a hash-map probe on an immutable snapshot and never waits on I/O.
// Plain keys are never stored here: callers hash what the client sent (core/secrets.hpp).
// Thread-safe: find() and replace() may be called concurrently from any thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace crimemap::core {

struct ApiKey {
    std::int64_t id = 0;
    std::string name;  // [A-Za-z0-9._-]{1,64}: shown in /metrics labels and logs
    double rate = 0;   // requests per second
    double burst = 0;  // bucket size
};

// key_hash (64 lowercase hex digits) -> key.
using ApiKeyMap = std::unordered_map<std::string, ApiKey>;

class ApiKeyDirectory {
  public:
    // The key whose hash is `key_hash`, or nullopt (unknown or revoked).
    std::optional<ApiKey> find(std::string_view key_hash) const;
    // Installs a new set of live keys (atomically: readers see the old or the new map, whole).
    void replace(ApiKeyMap keys);
    // True once replace() has been called: before the first load from the database, an unknown
    // key cannot be told from a key not loaded yet.
    bool loaded() const noexcept { return loaded_.load(std::memory_order_acquire); }
    std::size_t size() const;

  private:
    std::shared_ptr<const ApiKeyMap> keys_ = std::make_shared<const ApiKeyMap>();
    std::atomic<bool> loaded_{false};
};

// A key name that is safe as a metrics label and a log word: 1..64 of [A-Za-z0-9._-].
bool valid_api_key_name(std::string_view name) noexcept;

}  // namespace crimemap::core
