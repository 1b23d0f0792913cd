#pragma once
// Small tabular imports: `crimemap import indicators` (per-area performance values),
// `crimemap import lookups` (ONS code -> name maps into code_names, district -> county lookups)
// and `crimemap import population` (residents per area into areas.population).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::tools {

// Polarity words accepted by the long format: higher_is_better/higher/up, lower_is_better/lower/down,
// neutral/none. nullopt for anything else; empty input gives "" (unknown).
std::optional<std::string> normalise_polarity(std::string_view text);

// code_names kind for a lookup file name ("districts.json" -> "lad", "wards.json" -> "ward").
std::string lookup_kind_for_file(std::string_view stem);

int cmd_import_indicators(const std::vector<std::string>& argv);
int cmd_import_lookups(const std::vector<std::string>& argv);
int cmd_import_population(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
