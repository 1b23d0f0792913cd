#pragma once
// police.uk crime categories: the CSV "Crime type" names and the API slugs, with a compact index.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace crimemap::core {

struct Category {
    std::string_view slug;  // 'anti-social-behaviour' (data.police.uk API)
    std::string_view name;  // 'Anti-social behaviour' (CSV "Crime type", API crime-categories name)
};

// Current categories first (index order is stable: snapshots and tiles use it), then legacy ones
// that police.uk used before 2013 and may still appear in archives.
inline constexpr std::array<Category, 15> categories{{
    {"anti-social-behaviour", "Anti-social behaviour"},
    {"bicycle-theft", "Bicycle theft"},
    {"burglary", "Burglary"},
    {"criminal-damage-arson", "Criminal damage and arson"},
    {"drugs", "Drugs"},
    {"other-theft", "Other theft"},
    {"possession-of-weapons", "Possession of weapons"},
    {"public-order", "Public order"},
    {"robbery", "Robbery"},
    {"shoplifting", "Shoplifting"},
    {"theft-from-the-person", "Theft from the person"},
    {"vehicle-crime", "Vehicle crime"},
    {"violent-crime", "Violence and sexual offences"},
    {"other-crime", "Other crime"},
    {"public-disorder-weapons", "Public disorder and weapons"},
}};
inline constexpr std::size_t category_count = categories.size();
using CategoryIndex = std::uint8_t;

std::optional<CategoryIndex> category_from_slug(std::string_view slug) noexcept;
// Accepts the CSV "Crime type" (case-insensitive, surrounding spaces ignored); the pre-2013 name
// "Violent crime" maps to violent-crime, as police.uk does.
std::optional<CategoryIndex> category_from_name(std::string_view name) noexcept;

}  // namespace crimemap::core
