// Issue 13's "done when", over real HTTP: the anonymous 400 KB request that used to end crimemapd
// (`POST /postcodes` with {"postcodes":[ then 200,000 '[' and as many ']') is a 400 naming the
// problem, and the server keeps serving; so are its siblings (NUL, too many results, a %00 target).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/server_process.hpp"
#include "support/test_db.hpp"

using namespace crimemap;
using crimemap::testing::HttpConnection;
using crimemap::testing::ServerProcess;
using nlohmann::json;

namespace {
std::optional<crimemap::testing::HttpResponse> post_json(std::uint16_t port, const std::string& target,
                                                         const std::string& body) {
    HttpConnection c(port, 30000);
    return c.request("POST " + target +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body);
}
}  // namespace

TEST(ServerHostileInput, DeepJsonIsA400AndTheServerKeepsServing) {
    test::TestDatabase db;
    db.seed_sample();
    ServerProcess server(db.url());  // the default --max-body-bytes (1 MiB) lets the 400 KB body in
    ASSERT_TRUE(server.wait_ready()) << server.log();

    const std::string deep = R"({"postcodes":[)" + std::string(200000, '[') + std::string(200000, ']') + "]}";
    for (int i = 0; i < 3; ++i) {  // more than once: a crash or a leak would show
        auto r = post_json(server.port(), "/postcodes", deep);
        ASSERT_TRUE(r) << server.log();
        EXPECT_EQ(r->status, 400);
        auto j = json::parse(r->body);
        EXPECT_EQ(j["status"], 400);
        EXPECT_EQ(j["error"], "JSON nesting deeper than 32 levels");
    }
    auto nul = post_json(server.port(), "/postcodes", R"({"postcodes":["HR1\u00001AA"]})");
    ASSERT_TRUE(nul);
    EXPECT_EQ(nul->status, 400);
    EXPECT_EQ(json::parse(nul->body)["error"], "Text contains a NUL character");
    json many = json::array();
    for (int i = 0; i < 100; ++i)
        many.push_back(json{{"longitude", -2.71}, {"latitude", 52.06}, {"limit", 100}, {"radius", 2000}});
    auto work = post_json(server.port(), "/postcodes", json{{"geolocations", many}}.dump());
    ASSERT_TRUE(work);
    EXPECT_EQ(work->status, 400);
    HttpConnection target(server.port());
    auto bad_target = target.get("/postcodes/HR1%001AA");
    ASSERT_TRUE(bad_target);
    EXPECT_EQ(bad_target->status, 400);

    EXPECT_TRUE(server.running());
    auto ok = post_json(server.port(), "/postcodes", R"({"postcodes":["HR1 1AA"]})");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(json::parse(ok->body)["result"][0]["result"]["postcode"], "HR1 1AA");
    auto health = server.get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
}
