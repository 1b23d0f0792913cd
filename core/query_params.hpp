#pragma once
// A URL's query string after decoding: name/value pairs in URL order, duplicates kept. Every API
// reads its parameters through this type (server/http_types.cpp fills it). Plain values.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crimemap::core {

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded, in URL order

// First value of a parameter, if present.
inline std::optional<std::string_view> find_param(const QueryParams& params, std::string_view name) {
    for (const auto& [k, v] : params)
        if (k == name) return std::string_view(v);
    return std::nullopt;
}

}  // namespace crimemap::core
