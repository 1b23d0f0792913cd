#include "core/police_outcomes.hpp"

#include <algorithm>

#include "base/text.hpp"
#include "core/police_api.hpp"

namespace crimemap::core::police {
using nlohmann::json;

const std::vector<OutcomeCategory>& outcome_categories() {
    static const std::vector<OutcomeCategory> all = {
        {"action-taken-by-another-organisation", "Action to be taken by another organisation"},
        {"awaiting-court-result", "Awaiting court outcome"},
        {"unable-to-proceed", "Court case unable to proceed"},
        {"court-result-unavailable", "Court result unavailable"},
        {"sent-to-crown-court", "Defendant sent to Crown Court"},
        {"not-guilty", "Defendant found not guilty"},
        {"formal-action-not-in-public-interest", "Formal action is not in the public interest"},
        {"further-action-not-in-public-interest", "Further action is not in the public interest"},
        {"further-investigation-not-in-public-interest",
         "Further investigation is not in the public interest"},
        {"no-further-action", "Investigation complete; no suspect identified"},
        {"local-resolution", "Local resolution"},
        {"deprived-of-property", "Offender deprived of property"},
        {"fined", "Offender fined"},
        {"absolute-discharge", "Offender given absolute discharge"},
        {"cautioned", "Offender given a caution"},
        {"drugs-possession-warning", "Offender given a drugs possession warning"},
        {"penalty-notice-issued", "Offender given penalty notice"},
        {"community-penalty", "Offender given community sentence"},
        {"conditional-discharge", "Offender given conditional discharge"},
        {"suspended-sentence", "Offender given suspended prison sentence"},
        {"imprisoned", "Offender sent to prison"},
        {"other-court-disposal", "Offender otherwise dealt with"},
        {"compensation", "Offender ordered to pay compensation"},
        {"status-update-unavailable", "Status update unavailable"},
        {"sentenced-in-another-case", "Suspect charged as part of another case"},
        {"charged", "Suspect charged"},
        {"unable-to-prosecute", "Unable to prosecute suspect"},
        {"under-investigation", "Under investigation"},
    };
    return all;
}

std::string outcome_code(std::string_view name) {
    name = base::trim(name);
    if (name.empty()) return {};
    for (const auto& c : outcome_categories())
        if (base::iequals(c.name, name)) return std::string(c.code);
    // Names police.uk has written differently in some months.
    if (base::iequals(name, "Offender given a penalty notice")) return "penalty-notice-issued";
    std::string slug;
    for (char ch : name) {
        char c = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            slug.push_back(c);
        else if (!slug.empty() && slug.back() != '-')
            slug.push_back('-');
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    return slug;
}

std::string_view outcome_source_name(OutcomeSource s) {
    return s == OutcomeSource::outcomes_file ? "outcomes-file" : "street-file";
}

json outcome_json(const OutcomeDetail& o) {
    return json{{"category", json{{"code", outcome_code(o.name)}, {"name", o.name}}},
                {"date", o.month.str()},
                {"person_id", nullptr}};
}

json outcome_crime_json(const CrimeDetail& c) {
    json j = crime_json(c);
    j.erase("outcome_status");
    if (c.category.empty()) j["category"] = nullptr;
    return j;
}

json outcomes_for_crime_json(const CrimeDetail& crime, const std::vector<OutcomeDetail>& outcomes) {
    json list = json::array();
    for (const auto& o : outcomes) list.push_back(outcome_json(o));
    return json{{"outcomes", std::move(list)}, {"crime", outcome_crime_json(crime)}};
}

json outcome_at_location_json(const OutcomeDetail& o) {
    json j = outcome_json(o);
    j["crime"] = outcome_crime_json(o.crime);
    return j;
}

bool plausible_persistent_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
}

}  // namespace crimemap::core::police
