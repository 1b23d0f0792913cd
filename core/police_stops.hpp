#pragma once
// police.uk stop and search answers (stops-street, stops-at-location, stops-no-location,
// stops-force): the JSON of one stop as police.uk writes it, and the outcome ids police.uk gives
// the CSV's outcome names. Pure, thread-safe.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/crime_details.hpp"

namespace crimemap::core::police {

// police.uk's outcome_object.id for a CSV outcome name: "Arrest" -> "bu-arrest", "A no further
// action disposal" -> "bu-no-further-action"; "bu-" + a slug for names not listed; empty for "".
std::string stop_outcome_id(std::string_view outcome);

// One stop: blank text fields are null, tri-state fields true/false/null, `location` null without
// coordinates, `involved_person` true unless the type is a vehicle search alone.
nlohmann::json stop_json(const StopDetail& s);

}  // namespace crimemap::core::police
