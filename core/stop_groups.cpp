#include "core/stop_groups.hpp"

#include "base/text.hpp"

namespace crimemap::core {

// police.uk's texts since 2011 (older files say "Suspect arrested", newer "Arrest"). The same lists
// are in crimemap_stop_object_group / crimemap_stop_outcome_group (schema/functions/0001_tiles.sql).
const std::array<StopGroupTexts, stop_object_count - 1> stop_object_texts{{
    {"drugs", {"controlled drugs", "psychoactive substances"}},
    {"weapons", {"offensive weapons", "firearms", "anything to threaten or harm anyone", "crossbows"}},
    {"stolen", {"stolen goods"}},
    {"theft", {"article for use in theft"}},
    {"damage", {"articles for use in criminal damage", "fireworks"}},
}};
const std::array<StopGroupTexts, stop_outcome_count - 1> stop_outcome_texts{{
    {"nfa", {"a no further action disposal", "nothing found - no further action"}},
    {"arrest", {"arrest", "suspect arrested"}},
    {"summons", {"summons / charged by post", "suspect summonsed to court"}},
    {"caution", {"caution (simple or conditional)", "offender cautioned"}},
    {"community", {"community resolution", "local resolution"}},
    {"warning", {"khat or cannabis warning", "offender given drugs possession warning"}},
    {"penalty", {"penalty notice for disorder", "offender given penalty notice"}},
}};

namespace {
template <class Group, std::size_t N>
Group find_group(const std::array<StopGroupTexts, N>& groups, std::string_view text, Group other) {
    text = base::trim(text);
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (std::string_view t : groups[g].texts)
            if (!t.empty() && base::iequals(t, text)) return static_cast<Group>(g);
    return other;
}
}  // namespace

StopObject stop_object_group(std::string_view object_of_search) noexcept {
    return find_group(stop_object_texts, object_of_search, StopObject::other);
}

StopOutcome stop_outcome_group(std::string_view outcome) noexcept {
    return find_group(stop_outcome_texts, outcome, StopOutcome::other);
}

}  // namespace crimemap::core
