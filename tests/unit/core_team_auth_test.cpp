// Token rules of team writes without a database: scopes, the authorisation decision (unknown,
// revoked, expired, scope, force, neighbourhood), bounded audit text and token lifetimes.
#include <gtest/gtest.h>

#include "core/secrets.hpp"
#include "core/teams.hpp"
#include "tools/token.hpp"

using namespace crimemap;

TEST(TeamAuth, WriteScopesParseAndPrint) {
    for (const char* text : {"priorities", "events", "priorities,events"}) {
        auto s = core::parse_write_scopes(text);
        ASSERT_TRUE(s) << text;
        EXPECT_EQ(core::to_string(*s), text);
    }
    EXPECT_EQ(core::to_string(*core::parse_write_scopes("events,priorities")), "priorities,events");
    for (const char* bad :
         {"", ",", "priorities,", "people", "priorities,priorities", "Priorities", "events events"})
        EXPECT_FALSE(core::parse_write_scopes(bad)) << bad;
    EXPECT_TRUE(core::parse_write_scopes("priorities")->allows(core::TeamEntity::priority));
    EXPECT_FALSE(core::parse_write_scopes("priorities")->allows(core::TeamEntity::event));
}

TEST(TeamAuth, AuthorizeDecidesEachCase) {
    const std::string token = core::random_secret("cm_");
    const std::string hash = core::sha256_hex(token);
    core::StoredToken row{{42, "west-mercia", std::string("HE06"), {true, false}}, hash, false, false};
    auto decide = [&](const std::optional<core::StoredToken>& found, std::string_view presented,
                      core::TeamEntity what, std::string_view force = "west-mercia",
                      std::string_view nb = "HE06") {
        return core::authorize(found, presented, what, force, nb);
    };
    auto ok = decide(row, hash, core::TeamEntity::priority);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->token_id, 42);

    auto status = [](const core::Result<core::TokenScope>& r) {
        return r ? 0 : core::http_status(r.error().code);
    };
    EXPECT_EQ(status(decide(std::nullopt, hash, core::TeamEntity::priority)), 401);
    // A row whose hash differs from the presented one (as a lookup bug would return) is refused.
    EXPECT_EQ(status(decide(row, core::sha256_hex(token + "x"), core::TeamEntity::priority)), 401);
    auto revoked = row;
    revoked.revoked = revoked.expired = true;
    auto r = decide(revoked, hash, core::TeamEntity::priority);
    EXPECT_EQ(status(r), 401);
    EXPECT_NE(r.error().detail.find("revoked"), std::string::npos);
    auto expired = row;
    expired.expired = true;
    r = decide(expired, hash, core::TeamEntity::priority);
    EXPECT_EQ(status(r), 401);
    EXPECT_NE(r.error().detail.find("expired"), std::string::npos);
    r = decide(row, hash, core::TeamEntity::event);
    EXPECT_EQ(status(r), 403);
    EXPECT_NE(r.error().detail.find("events"), std::string::npos);
    EXPECT_EQ(status(decide(row, hash, core::TeamEntity::priority, "dorset")), 403);
    EXPECT_EQ(status(decide(row, hash, core::TeamEntity::priority, "west-mercia", "HE07")), 403);
    auto force_wide = row;
    force_wide.scope.neighbourhood_id.reset();
    EXPECT_TRUE(decide(force_wide, hash, core::TeamEntity::priority, "west-mercia", "HE07"));
    // No answer ever echoes the token or its hash.
    for (const auto& e :
         {decide(std::nullopt, hash, core::TeamEntity::priority),
          decide(revoked, hash, core::TeamEntity::priority), decide(row, hash, core::TeamEntity::event)}) {
        EXPECT_EQ(e.error().detail.find(token), std::string::npos);
        EXPECT_EQ(e.error().detail.find(hash), std::string::npos);
    }
}

TEST(TeamAuth, AuditTextIsBoundedAndPrintable) {
    const std::string ua = std::string("curl/8\t\x01\xc3\xa9") + std::string(1000, 'x');
    auto origin = core::make_request_origin("2001:db8::1", ua, "abc-1");
    EXPECT_EQ(origin.user_agent.size(), core::max_user_agent);
    EXPECT_EQ(origin.user_agent.substr(0, 10), "curl/8????");
    for (char c : origin.user_agent) EXPECT_TRUE(c >= 0x20 && c <= 0x7e);
    EXPECT_EQ(origin.client_address, "2001:db8::1");
    EXPECT_EQ(origin.request_id, "abc-1");
    EXPECT_EQ(core::bounded_printable(std::string(3, '\0'), 2), "??");
}

TEST(TeamAuth, TokenLifetimes) {
    using std::chrono::hours;
    EXPECT_EQ(tools::parse_token_lifetime("12h"), hours(12));
    EXPECT_EQ(tools::parse_token_lifetime("90d"), hours(90 * 24));
    EXPECT_EQ(tools::parse_token_lifetime("4w"), hours(4 * 7 * 24));
    EXPECT_EQ(tools::parse_token_lifetime("3650d"), hours(3650 * 24));
    for (const char* bad : {"", "d", "0d", "90", "90m", "-1d", "1.5d", "99999w", "1y", " 9d"})
        EXPECT_FALSE(tools::parse_token_lifetime(bad)) << bad;
    EXPECT_EQ(tools::default_token_lifetime, hours(365 * 24));
    // Tokens the CLI makes are 'cm_' + 64 hex digits, and differ every time.
    auto a = tools::new_token(), b = tools::new_token();
    EXPECT_EQ(a.size(), 67u);
    EXPECT_EQ(a.rfind("cm_", 0), 0u);
    EXPECT_NE(a, b);
}
