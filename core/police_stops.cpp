#include "core/police_stops.hpp"

#include <cstdio>

#include "base/text.hpp"

namespace crimemap::core::police {
using nlohmann::json;

std::string stop_outcome_id(std::string_view outcome) {
    outcome = base::trim(outcome);
    if (outcome.empty()) return {};
    static const std::pair<std::string_view, std::string_view> known[] = {
        {"A no further action disposal", "bu-no-further-action"},
        {"Nothing found - no further action", "bu-no-further-action"},
        {"Arrest", "bu-arrest"},
        {"Suspect arrested", "bu-arrest"},
        {"Caution (simple or conditional)", "bu-caution"},
        {"Community resolution", "bu-community-resolution"},
        {"Khat or Cannabis warning", "bu-khat-or-cannabis-warning"},
        {"Penalty Notice for Disorder", "bu-penalty-notice"},
        {"Summons / charged by post", "bu-summons"},
        {"Suspect summonsed to court", "bu-summons"},
        {"Local resolution", "bu-local-resolution"},
        {"Offender given penalty notice", "bu-penalty-notice"},
        {"Offender cautioned", "bu-caution"},
    };
    for (const auto& [name, id] : known)
        if (base::iequals(name, outcome)) return std::string(id);
    std::string slug = "bu-";
    for (char ch : outcome) {
        char c = base::ascii_lower(ch);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            slug.push_back(c);
        else if (slug.back() != '-')
            slug.push_back('-');
    }
    while (slug.back() == '-') slug.pop_back();
    return slug;
}

namespace {
json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
json tri(const std::optional<bool>& b) { return b ? json(*b) : json(nullptr); }
std::string coord(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}
}  // namespace

json stop_json(const StopDetail& s) {
    json location = nullptr;
    if (s.location_id)
        location = json{{"latitude", coord(s.lat)},
                        {"street", json{{"id", *s.location_id}, {"name", s.street}}},
                        {"longitude", coord(s.lon)}};
    json outcome_object = nullptr;
    if (!s.outcome.empty()) outcome_object = json{{"id", stop_outcome_id(s.outcome)}, {"name", s.outcome}};
    return json{{"age_range", text_or_null(s.age_range)},
                {"outcome", text_or_null(s.outcome)},
                {"involved_person", !base::iequals(s.type, "Vehicle search")},
                {"self_defined_ethnicity", text_or_null(s.self_defined_ethnicity)},
                {"gender", text_or_null(s.gender)},
                {"legislation", text_or_null(s.legislation)},
                {"outcome_linked_to_object_of_search", tri(s.outcome_linked_to_object_of_search)},
                {"datetime", s.datetime},
                {"removal_of_more_than_outer_clothing", tri(s.removal_of_more_than_outer_clothing)},
                {"outcome_object", outcome_object},
                {"location", location},
                {"operation", tri(s.operation)},
                {"officer_defined_ethnicity", text_or_null(s.officer_defined_ethnicity)},
                {"type", s.type},
                {"operation_name", text_or_null(s.operation_name)},
                {"object_of_search", text_or_null(s.object_of_search)}};
}

}  // namespace crimemap::core::police
