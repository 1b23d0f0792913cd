#pragma once
// The groups the stops tile layer counts stop-and-search records by: police.uk's "Object of search"
// and "Outcome" texts, each mapped to one group (the obj_* and out_* fields of core/layers.hpp).
// A text not listed, or blank, is "other". Pure, thread-safe.
#include <array>
#include <cstdint>
#include <string_view>

namespace crimemap::core {

enum class StopObject : std::uint8_t { drugs, weapons, stolen, theft, damage, other };
inline constexpr std::size_t stop_object_count = 6;
enum class StopOutcome : std::uint8_t { nfa, arrest, summons, caution, community, warning, penalty, other };
inline constexpr std::size_t stop_outcome_count = 8;

// Case-insensitive, surrounding blanks ignored: "Controlled drugs" -> drugs, "" -> other.
StopObject stop_object_group(std::string_view object_of_search) noexcept;
// "A no further action disposal" -> nfa, "Suspect arrested" -> arrest, "" -> other.
StopOutcome stop_outcome_group(std::string_view outcome) noexcept;

// The texts each group holds, lower case (what the reference SQL function lists too).
struct StopGroupTexts {
    std::string_view group;  // "drugs"
    std::array<std::string_view, 4> texts;
};
extern const std::array<StopGroupTexts, stop_object_count - 1> stop_object_texts;    // all but other
extern const std::array<StopGroupTexts, stop_outcome_count - 1> stop_outcome_texts;  // all but other

}  // namespace crimemap::core
