#pragma once
// `crimemap import forces`: force details in police.uk's JSON shapes into forces and force_people.
// A file holds one force as /api/forces/{id} answers it (id, name, description, url, telephone,
// engagement_methods), optionally with "people": its senior officers as /api/forces/{id}/people
// answers them, or an array of such forces; a file named <id>-people.json (or <id>.people.json)
// holds just the people array of force <id>. Each force named is updated in one transaction (its
// people replaced when the file gives them). The document parser is pure and unit-tested
// (tests/unit/import_force_test.cpp).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::tools {

struct ForcePerson {
    std::string name, rank, bio;
    nlohmann::json contact_details = nlohmann::json::object();
};

struct ForceDetails {
    std::string id, name;  // name empty: keep the stored one
    std::optional<std::string> description, url, telephone;
    std::optional<nlohmann::json> engagement_methods;  // an array of {title, url, description[, type]}
    std::optional<std::vector<ForcePerson>> people;    // nullopt: leave the stored people alone
};

// The forces of one document; `people_of` is the force id of a people-only file (from its name).
// An error says what is wrong (a missing id, a field of the wrong type, a person without a name).
struct ForceDocument {
    std::vector<ForceDetails> forces;
    std::string error;  // empty when the document is usable
};
ForceDocument parse_force_document(const nlohmann::json& doc, const std::string& people_of = {});

// The force id of a people file name ("west-mercia-people.json" -> "west-mercia"), else empty.
std::string people_file_force(std::string_view file_name);

int cmd_import_forces(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
