#include "core/category.hpp"

#include "base/text.hpp"

namespace crimemap::core {
using base::iequals;
using base::trim;

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
