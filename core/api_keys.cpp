#include "core/api_keys.hpp"

namespace crimemap::core {

// std::atomic_load/atomic_store on shared_ptr (C++11 free functions, as ServerContext does for the
// renderer): the request path copies a pointer under the library's spin lock, never a mutex held
// across a database query.
std::optional<ApiKey> ApiKeyDirectory::find(std::string_view key_hash) const {
    auto keys = std::atomic_load(&keys_);
    auto it = keys->find(std::string(key_hash));
    if (it == keys->end()) return std::nullopt;
    return it->second;
}

void ApiKeyDirectory::replace(ApiKeyMap keys) {
    std::atomic_store(&keys_, std::shared_ptr<const ApiKeyMap>(std::make_shared<ApiKeyMap>(std::move(keys))));
    loaded_.store(true, std::memory_order_release);
}

std::size_t ApiKeyDirectory::size() const { return std::atomic_load(&keys_)->size(); }

bool valid_api_key_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            return false;
    return true;
}

}  // namespace crimemap::core
