#pragma once
// police.uk outcomes (outcomes-for-crime, outcomes-at-location): the outcome categories as
// police.uk's API names them ({code, name}; the CSVs carry only the name), and the JSON of an
// outcome and of an outcomes-for-crime answer. Pure, thread-safe.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crime_details.hpp"
#include "core/month.hpp"

namespace crimemap::core::police {

struct OutcomeCategory {
    std::string_view code;  // 'no-further-action'
    std::string_view name;  // 'Investigation complete; no suspect identified'
};
// Every outcome category police.uk publishes (the API's codes and the CSVs' names).
const std::vector<OutcomeCategory>& outcome_categories();
// The code for a CSV name (case-insensitive, aliases police.uk has used); a slug of the name for
// a name police.uk adds later; empty for an empty name.
std::string outcome_code(std::string_view name);

// Where an outcome list came from: the force's *-outcomes.csv files, or (when none is imported
// for it) the street file's "Last outcome category". Sent as X-Crimemap-Outcomes-Source.
enum class OutcomeSource { outcomes_file, street_file };
std::string_view outcome_source_name(OutcomeSource s);

// {"category": {"code", "name"}, "date": "YYYY-MM", "person_id": null}
nlohmann::json outcome_json(const OutcomeDetail& o);
// The police.uk crime object inside outcome answers (crime_json without outcome_status).
nlohmann::json outcome_crime_json(const CrimeDetail& c);
// outcomes-for-crime: {"outcomes": [...], "crime": {...}}, outcomes in date order.
nlohmann::json outcomes_for_crime_json(const CrimeDetail& crime, const std::vector<OutcomeDetail>& outcomes);
// outcomes-at-location element: outcome_json + "crime".
nlohmann::json outcome_at_location_json(const OutcomeDetail& o);

// A police.uk persistent crime id as it can be looked up: 1..128 characters of [0-9a-zA-Z].
bool plausible_persistent_id(std::string_view id);

}  // namespace crimemap::core::police
