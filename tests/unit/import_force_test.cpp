// `crimemap import forces` document parsing (no database) on real police.uk JSON: the force and
// officer fixtures in ../shared/data/police_api_json, copied to tests/fixtures/forces/ in the two
// file forms the import reads (<id>.json with the force, <id>-people.json with its people).
#include <gtest/gtest.h>

#include <fstream>

#include "tools/force_import.hpp"

using namespace crimemap::tools;
using nlohmann::json;

namespace {
json read(const std::string& relative) {
    std::ifstream in(std::string(CRIMEMAP_SOURCE_DIR) + "/" + relative);
    return json::parse(in);
}
}  // namespace

TEST(ImportForce, PoliceUkForceDocument) {
    auto doc = read("tests/fixtures/forces/leicestershire.json");
    auto parsed = parse_force_document(doc);
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.forces.size(), 1u);
    const auto& f = parsed.forces[0];
    EXPECT_EQ(f.id, "leicestershire");
    EXPECT_EQ(f.name, "Leicestershire Constabulary");
    EXPECT_EQ(f.telephone, "0116 222 2222");
    EXPECT_EQ(f.url, "http://www.leics.police.uk/");
    ASSERT_TRUE(f.engagement_methods);
    EXPECT_EQ(*f.engagement_methods, doc["engagement_methods"]);
    EXPECT_FALSE(f.people);  // the file gives none: stored people stay
}

TEST(ImportForce, PeopleFileNamesItsForce) {
    EXPECT_EQ(people_file_force("leicestershire-people.json"), "leicestershire");
    EXPECT_EQ(people_file_force("west-mercia.people.json"), "west-mercia");
    EXPECT_EQ(people_file_force("west-mercia.json"), "");
    auto doc = read("tests/fixtures/forces/leicestershire-people.json");
    auto parsed = parse_force_document(doc, "leicestershire");
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.forces.size(), 1u);
    ASSERT_TRUE(parsed.forces[0].people);
    const auto& p = parsed.forces[0].people->at(0);
    EXPECT_EQ(p.name, doc[0]["name"]);
    EXPECT_EQ(p.rank, doc[0]["rank"]);
    EXPECT_EQ(p.contact_details, doc[0]["contact_details"]);
}

TEST(ImportForce, EmbeddedPeopleAndArrays) {
    auto doc = json::array({read("tests/fixtures/forces/leicestershire.json"),
                            json{{"id", "west-mercia"}, {"telephone", "101"}, {"people", json::array()}}});
    doc[0]["people"] = read("tests/fixtures/forces/leicestershire-people.json");
    auto parsed = parse_force_document(doc);
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.forces.size(), 2u);
    EXPECT_EQ(parsed.forces[0].people->size(), 1u);
    EXPECT_EQ(parsed.forces[1].name, "");  // keep the stored name
    EXPECT_TRUE(parsed.forces[1].people->empty());
}

TEST(ImportForce, BadDocumentsSayWhy) {
    auto error = [](const json& doc, const std::string& people_of = {}) {
        return parse_force_document(doc, people_of).error;
    };
    EXPECT_NE(error(json{{"name", "No id"}}).find("without a police.uk id"), std::string::npos);
    EXPECT_NE(error(json{{"id", "Bad Id"}}).find("without a police.uk id"), std::string::npos);
    EXPECT_EQ(error(json{{"id", "x"}, {"telephone", 101}}), "'telephone' is not a string");
    EXPECT_EQ(error(json{{"id", "x"}, {"engagement_methods", json::object()}}),
              "engagement_methods of x is not an array");
    EXPECT_EQ(error(json{{"id", "x"}, {"engagement_methods", json::array({json{{"url", 1}}})}}),
              "engagement method 'url' of x is not a string");
    EXPECT_EQ(error(json::array({json{{"rank", "Chief"}}}), "x"), "a person without a name");
    EXPECT_EQ(error(json::object(), "x"), "'people' is not an array");
    EXPECT_EQ(error(json::array({json{{"id", "x"}}, 5})), "a force is not an object");
}
