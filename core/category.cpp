#include "core/category.hpp"

#include <cctype>

namespace crimemap::core {
namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}
bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}
}  // namespace

std::optional<CategoryIndex> category_from_slug(std::string_view slug) noexcept {
    for (std::size_t i = 0; i < categories.size(); ++i)
        if (categories[i].slug == slug) return static_cast<CategoryIndex>(i);
    return std::nullopt;
}

std::optional<CategoryIndex> category_from_name(std::string_view name) noexcept {
    name = trim(name);
    for (std::size_t i = 0; i < categories.size(); ++i)
        if (iequals(categories[i].name, name)) return static_cast<CategoryIndex>(i);
    if (iequals(name, "Violent crime")) return category_from_slug("violent-crime");
    return std::nullopt;
}

}  // namespace crimemap::core
