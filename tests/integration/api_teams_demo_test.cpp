// The sample's demo neighbourhood teams (data/sample/neighbourhoods/west-mercia/<id>.json, made by
// demo_teams.py) after `crimemap seed`: every team has people, priorities and meetings marked as
// demo; the police.uk-compatible /api/ routes return them in police.uk's shapes (compared with the
// fixtures in ../shared/data/police_api_json); the meeting pack for 2019-02 and the postcode
// summary list the priorities and the next meetings. Routes go through App::handle without sockets,
// with the snapshot and the database services loaded from a private PostGIS.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/meeting_pack.hpp"
#include "support/db_app.hpp"
#include "support/police_fixtures.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string demo_dir = "data/sample/neighbourhoods/west-mercia";

json read_json(const fs::path& path) {
    std::ifstream in(path);
    if (!in) return nullptr;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // the .NET fixtures start with a BOM
    return json::parse(text, nullptr, false);
}
json team_file(const std::string& id) { return read_json(test::source_path(demo_dir + "/" + id + ".json")); }
using police_fixtures::expect_same_shape;
using police_fixtures::fixture;

bool starts_with(const json& v, const std::string& prefix) {
    return v.is_string() && v.get<std::string>().rfind(prefix, 0) == 0;
}

class ApiTeamsDemo : public test::SeededAppSuite {
  protected:
    // The team's events that start after the sample's last month (2019-02), in start order.
    static json upcoming_after_sample(const json& team) {
        json out = json::array();
        for (const auto& e : team["events"])
            if (e["start_date"].get<std::string>() >= "2019-03-01") out.push_back(e);
        return out;
    }
};

}  // namespace

TEST_F(ApiTeamsDemo, EveryDemoTeamHasPeoplePrioritiesAndMeetingsMarkedAsDemo) {
    // What the files hold is what the database holds.
    long long people = 0, priorities = 0, events = 0, files = 0;
    for (const auto& e : fs::directory_iterator(test::source_path(demo_dir))) {
        if (e.path().extension() != ".json") continue;
        auto t = read_json(e.path());
        ASSERT_TRUE(t.is_object()) << e.path();
        ++files;
        people += static_cast<long long>(t["people"].size());
        priorities += static_cast<long long>(t["priorities"].size());
        events += static_cast<long long>(t["events"].size());
    }
    ASSERT_EQ(files, 62);
    EXPECT_EQ(db_->count("SELECT count(*) FROM neighbourhood_people WHERE force_id = 'west-mercia'"), people);
    EXPECT_EQ(db_->count("SELECT count(*) FROM neighbourhood_priorities WHERE force_id = 'west-mercia'"),
              priorities);
    EXPECT_EQ(db_->count("SELECT count(*) FROM neighbourhood_events WHERE force_id = 'west-mercia'"), events);

    // Per team: demo, a Sergeant and 2-3 PCSOs, 2-3 priorities, meetings before and after the data's end.
    EXPECT_EQ(db_->count("SELECT count(*) FROM neighbourhoods n WHERE demo AND contact_details ? 'email'"
                         " AND (SELECT count(*) FROM neighbourhood_people p WHERE p.force_id = n.force_id"
                         "      AND p.neighbourhood_id = n.id AND p.rank = 'Sergeant') = 1"
                         " AND (SELECT count(*) FROM neighbourhood_people p WHERE p.force_id = n.force_id"
                         "      AND p.neighbourhood_id = n.id AND p.rank = 'PCSO') BETWEEN 2 AND 3"
                         " AND (SELECT count(*) FROM neighbourhood_priorities p WHERE p.force_id = n.force_id"
                         "      AND p.neighbourhood_id = n.id) BETWEEN 2 AND 3"
                         " AND EXISTS (SELECT 1 FROM neighbourhood_events e WHERE e.force_id = n.force_id"
                         "      AND e.neighbourhood_id = n.id AND e.start_date < '2019-03-01')"
                         " AND (SELECT count(*) FROM neighbourhood_events e WHERE e.force_id = n.force_id"
                         "      AND e.neighbourhood_id = n.id AND e.start_date >= '2019-03-01') >= 2"),
              62);
    // Clearly demo: bios, issues and event descriptions start "Demo data:"; no real contact details.
    EXPECT_EQ(db_->count("SELECT count(*) FROM neighbourhood_people WHERE bio NOT LIKE 'Demo data: %'"
                         " OR contact_details->>'email' NOT LIKE '%.demo@example.org'"
                         " OR contact_details->>'mobile' NOT LIKE '07700 900%'"),
              0);
    EXPECT_EQ(
        db_->count(
            "SELECT count(*) FROM neighbourhood_priorities WHERE issue NOT LIKE 'Demo data: %'"
            " OR action NOT LIKE 'Demo data: %' OR issue_date IS NULL"
            " OR issue_date < '2018-10-01' OR issue_date >= '2019-03-01' OR action_date >= '2019-03-01'"),
        0);
    EXPECT_EQ(
        db_->count("SELECT count(*) FROM neighbourhood_events WHERE description NOT LIKE 'Demo data: %'"
                   " OR address NOT LIKE 'Demo venue: %' OR type <> 'meeting' OR end_date <= start_date"),
        0);
    EXPECT_EQ(
        db_->count(
            "SELECT count(*) FROM neighbourhoods WHERE contact_details->>'telephone' NOT LIKE '01632 960%'"),
        0);
}

TEST_F(ApiTeamsDemo, PoliceApiReturnsTheDemoRecordsInPoliceUkShapes) {
    for (const std::string id : {"HE06", "BR01", "WY07"}) {
        const auto file = team_file(id);
        ASSERT_TRUE(file.is_object()) << id;
        const std::string base = "/api/west-mercia/" + id;
        auto people = get_json(base + "/people");
        EXPECT_EQ(people, file["people"]) << id;  // same records, same order, police.uk keys only
        ASSERT_FALSE(people.empty());
        expect_same_shape(people[0], fixture("police_data_kit_fixtures/police-officer.json"), id + " person");
        expect_same_shape(people, fixture("policeuk_net_fixtures/NeighbourhoodTeam.Multiple.json"),
                          id + " team");
        EXPECT_EQ(people[0]["rank"], "Sergeant");

        // The team text is plain text; police.uk's HTML fields (priority issue and action, event
        // description) carry it HTML-escaped (issue 13), everything else as it is.
        auto as_html = [](json records, std::initializer_list<const char*> keys) {
            for (auto& r : records)
                for (const char* k : keys)
                    if (r[k].is_string()) r[k] = core::html_escape(r[k].get<std::string>());
            return records;
        };
        auto prios = get_json(base + "/priorities");
        EXPECT_EQ(prios, as_html(file["priorities"], {"issue", "action"}))
            << id;  // newest issue first, as police.uk
        ASSERT_GE(prios.size(), 2u);
        for (const auto& p : prios) {
            expect_same_shape(p, fixture("police_data_kit_fixtures/neighbourhood-priority.json"),
                              id + " priority");
            EXPECT_TRUE(p.contains("issue-date") && p.contains("action-date"))
                << p;  // hyphenated, as police.uk
            EXPECT_TRUE(starts_with(p["issue"], "Demo data: ")) << p;
        }

        auto events = get_json(base + "/events");
        EXPECT_EQ(events, as_html(file["events"], {"description"})) << id;
        expect_same_shape(events, fixture("policeuk_net_fixtures/NeighbourhoodEvents.Multiple.json"),
                          id + " events");
        for (const auto& e : events) {
            EXPECT_EQ(e["type"], "meeting");
            EXPECT_TRUE(starts_with(e["description"], "Demo data: ")) << e;
            EXPECT_TRUE(e["end_date"].is_string()) << e;
        }

        auto detail = get_json(base);
        EXPECT_FALSE(detail.contains("demo")) << "demo is a /v1/ field, not police.uk's";
        EXPECT_EQ(detail["contact_details"], file["contact_details"]);
        EXPECT_NE(detail["name"].get<std::string>().find("(derived from 2013 wards)"), std::string::npos);
    }
}

TEST_F(ApiTeamsDemo, MeetingPackFor201902ListsPrioritiesAndNextMeetings) {
    const auto file = team_file("HE06");
    const auto upcoming = upcoming_after_sample(file);
    ASSERT_GE(upcoming.size(), 2u);
    auto pack = get_json("/v1/neighbourhoods/west-mercia/HE06/meeting-pack.json?month=2019-02")["result"];
    EXPECT_EQ(pack["month"], "2019-02");
    EXPECT_EQ(pack["neighbourhood"]["demo"], true);
    EXPECT_EQ(pack["priorities"], file["priorities"]);
    // The data is historical (it ends 2019-02) and the demo meetings all lie in 2019: the pack lists
    // those that were next when the data was current, and says from when.
    EXPECT_EQ(pack["next_events"], upcoming);
    EXPECT_EQ(pack["next_events_from"], (json{{"date", "2019-03-01"}, {"basis", "as_of_data"}}));

    auto html = get("/v1/neighbourhoods/west-mercia/HE06/meeting-pack?month=2019-02");
    ASSERT_EQ(html.status, 200);
    EXPECT_NE(html.body.find("Demo team"), std::string::npos);
    EXPECT_NE(html.body.find(core::html_escape(file["priorities"][0]["issue"].get<std::string>())),
              std::string::npos);
    EXPECT_EQ(html.body.find("No priorities published"), std::string::npos);
    EXPECT_EQ(html.body.find("No meetings scheduled"), std::string::npos);
    for (const auto& e : upcoming) {
        const auto start = e["start_date"].get<std::string>();
        EXPECT_NE(html.body.find(start.substr(0, 10) + " " + start.substr(11, 5) + "</strong> — " +
                                 core::html_escape(e["title"].get<std::string>())),
                  std::string::npos)
            << start;
    }
    const auto january = file["events"][0]["start_date"].get<std::string>();
    ASSERT_LT(january, "2019-03-01");
    EXPECT_EQ(html.body.find(january.substr(0, 10) + " " + january.substr(11, 5) + "</strong>"),
              std::string::npos)
        << "the January meeting was over when the data ended";

    // Every demo neighbourhood's pack for the latest month has priorities and next meetings.
    auto ids =
        db_->connect().query("SELECT id FROM neighbourhoods WHERE force_id = 'west-mercia' ORDER BY id");
    ASSERT_EQ(ids.size(), 62);
    for (int i = 0; i < ids.size(); ++i) {
        const std::string id(ids.text(i, 0));
        auto p = get_json("/v1/neighbourhoods/west-mercia/" + id + "/meeting-pack.json")["result"];
        EXPECT_GE(p["priorities"].size(), 2u) << id;
        EXPECT_GE(p["next_events"].size(), 2u) << id;
    }
}

TEST_F(ApiTeamsDemo, PostcodeSummaryListsTheTeamPrioritiesAndNextEvents) {
    const auto file = team_file("HE06");
    auto s = get_json("/v1/postcodes/HR1%201AA/summary")["result"];
    const auto& nb = s["areas"]["neighbourhood"];
    ASSERT_TRUE(nb.is_object());
    ASSERT_EQ(nb["id"], "HE06");
    EXPECT_EQ(nb["team"]["demo"], true);
    EXPECT_EQ(nb["team"]["people"], file["people"]);
    EXPECT_EQ(nb["team"]["contact_details"], file["contact_details"]);
    EXPECT_EQ(s["priorities"], file["priorities"]);
    EXPECT_EQ(s["next_events"], upcoming_after_sample(file));
    EXPECT_EQ(s["next_events_from"], (json{{"date", "2019-03-01"}, {"basis", "as_of_data"}}));
    bool noted = false;
    for (const auto& n : s["data_quality"]["notes"])
        noted |= n.get<std::string>().find("next events are those from 2019-03-01") != std::string::npos;
    EXPECT_TRUE(noted) << s["data_quality"];
}

TEST(ApiTeamsDemoImport, ImportingTheSampleTeamsAgainChangesNothing) {
    test::TestDatabase db;
    db.seed_sample();
    const std::string counts =
        "SELECT (SELECT count(*) FROM neighbourhood_people) || '/' || (SELECT count(*) FROM "
        "neighbourhood_priorities)"
        " || '/' || (SELECT count(*) FROM neighbourhood_events)";
    const auto before = db.scalar(counts);
    auto r = db.crimemap({"import", "neighbourhoods", test::source_path("data/sample/neighbourhoods")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(db.scalar(counts), before);
}
