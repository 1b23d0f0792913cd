// Team text is text (issue 13, item 10), end to end on the real store: a priority and an event
// carrying an HTML payload are written over the team-write route (App::handle, bearer token,
// PostgreSQL TeamStore), stored exactly as written, and read back as text everywhere: escaped in
// the HTML meeting pack and in police.uk's HTML fields (/api/…/priorities issue and action, /events
// description), unchanged in the /v1/ JSON. Hostile bodies are refused before anything is written.
#include <gtest/gtest.h>

#include "core/meeting_pack.hpp"
#include "support/db_app.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using nlohmann::json;

namespace {

const std::string payload = "<img src=x onerror=alert(1)> & \"Tea\" at Mary's";

class ApiTeamText : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::make_unique<test::TestDatabase>();
        db_->seed_sample();
        app_ = std::make_unique<test::DbApp>(*db_);
        auto created = db_->crimemap(
            {"token", "create", "--force", "west-mercia", "--neighbourhood", "HE06", "--label", "text"});
        ASSERT_EQ(created.exit_code, 0) << created.describe();
        token_ = created.out.substr(0, created.out.find('\n'));
    }
    void TearDown() override {
        app_.reset();
        db_.reset();
    }
    server::Response call(server::Method m, const std::string& target, const std::string& body = {},
                          bool auth = false) {
        return app_->call(m, target, body, auth ? token_ : std::string());
    }
    json get_json(const std::string& target) { return app_->get_json(target); }

    std::unique_ptr<test::TestDatabase> db_;
    std::unique_ptr<test::DbApp> app_;
    std::string token_;
};

}  // namespace

TEST_F(ApiTeamText, HtmlPayloadIsStoredLiterallyAndShownAsText) {
    const std::string base = "/v1/neighbourhoods/west-mercia/HE06";
    const std::string escaped = core::html_escape(payload);
    ASSERT_EQ(escaped.find('<'), std::string::npos);

    auto created = call(server::Method::post, base + "/priorities",
                        json{{"issue", payload}, {"action", payload}}.dump(), true);
    ASSERT_EQ(created.status, 201) << created.body;
    const auto id = json::parse(created.body)["result"]["id"].get<std::int64_t>();
    auto event = call(server::Method::post, base + "/events",
                      json{{"title", payload},
                           {"description", payload},
                           {"address", payload},
                           {"start_date", "2019-03-01T09:00"}}
                          .dump(),
                      true);
    ASSERT_EQ(event.status, 201) << event.body;

    // Stored as written: no sanitising on the way in.
    EXPECT_EQ(db_->scalar("SELECT issue FROM neighbourhood_priorities WHERE id = $1", {std::to_string(id)}),
              payload);
    EXPECT_EQ(db_->scalar("SELECT action FROM neighbourhood_priorities WHERE id = $1", {std::to_string(id)}),
              payload);
    EXPECT_EQ(db_->count("SELECT count(*) FROM neighbourhood_events WHERE description = $1 AND title = $1 "
                         "AND address = $1",
                         {payload}),
              1);

    // /v1/ JSON: the text as written.
    bool seen_v1 = false;
    const json v1 = get_json(base + "/priorities");
    for (const auto& p : v1["result"])
        seen_v1 |= p["id"] == id && p["issue"] == payload && p["action"] == payload;
    EXPECT_TRUE(seen_v1) << v1.dump();

    // police.uk-compatible JSON: issue, action and description are HTML there, so escaped text here.
    bool seen_api = false;
    for (const auto& p : get_json("/api/west-mercia/HE06/priorities")) {
        EXPECT_EQ(p["issue"].get<std::string>().find('<'), std::string::npos) << p.dump();
        seen_api |= p["issue"] == escaped && p["action"] == escaped;
    }
    EXPECT_TRUE(seen_api);
    bool seen_event = false;
    for (const auto& e : get_json("/api/west-mercia/HE06/events"))
        if (e["title"] == payload) seen_event = e["description"] == escaped;
    EXPECT_TRUE(seen_event);

    // The HTML meeting pack: the payload appears only escaped, never as a tag.
    auto html = call(server::Method::get, base + "/meeting-pack?month=2019-02");
    ASSERT_EQ(html.status, 200);
    EXPECT_EQ(html.body.find("<img"), std::string::npos);
    EXPECT_EQ(html.body.find(payload), std::string::npos);
    EXPECT_NE(html.body.find("<h3>" + escaped + "</h3>"), std::string::npos) << "the priority, as text";
}

TEST_F(ApiTeamText, HostileBodiesWriteNothing) {
    const std::string target = "/v1/neighbourhoods/west-mercia/HE06/priorities";
    const auto before = db_->count("SELECT count(*) FROM neighbourhood_priorities");
    const auto audit_before = db_->count("SELECT count(*) FROM audit_log");
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    for (const auto& [body, status] : std::vector<std::pair<std::string, int>>{
             {deep, 413},  // over the team writes' 64 KiB
             {std::string(40, '[') + std::string(40, ']'), 400},
             {R"({"issue": "a\u0000b"})", 400},
             {R"({"issue": "bell\u0007"})", 400},
             {R"({"issue": ")" + std::string(core::max_text_field + 1, 'x') + R"("})", 400}}) {
        auto res = call(server::Method::post, target, body, true);
        EXPECT_EQ(res.status, status) << body.substr(0, 60) << ": " << res.body;
        EXPECT_EQ(json::parse(res.body, nullptr, false)["status"], status);
    }
    EXPECT_EQ(db_->count("SELECT count(*) FROM neighbourhood_priorities"), before);
    EXPECT_EQ(db_->count("SELECT count(*) FROM audit_log"), audit_before);
    // And the server keeps answering.
    EXPECT_EQ(get_json("/api/west-mercia/HE06/priorities").size(),
              static_cast<std::size_t>(db_->count("SELECT count(*) FROM neighbourhood_priorities WHERE "
                                                  "force_id = 'west-mercia' AND neighbourhood_id = 'HE06'")));
}
