// docker/nginx.conf (the file scripts/cluster and docker/compose.yml use) against crimemapd's route
// table: the location that neither retries a 503 nor counts it against a server must cover every
// route that queries PostgreSQL, or a database outage would take every server out of nginx's
// rotation for tiles too; tiles must stay under the cached /tiles/ location.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "server/routes.hpp"

using namespace crimemap::server;

namespace {
std::string nginx_conf() {
    std::ifstream in(std::string(CRIMEMAP_SOURCE_DIR) + "/docker/nginx.conf");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The regex of the location whose proxy_next_upstream leaves out http_503.
std::string database_location_regex(const std::string& conf) {
    static const std::regex location(R"(location ~ (\S+) \{\s*proxy_pass http://crimemapd;\s*)"
                                     R"(proxy_next_upstream error timeout;)");
    std::smatch m;
    if (!std::regex_search(conf, m, location)) return {};
    return m[1].str();
}

// A concrete path for a route pattern: every {param} becomes a plausible value.
std::string example_path(std::string_view pattern) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '{') {
            i = pattern.find('}', i);
            out += "x1";
        } else {
            out.push_back(pattern[i]);
        }
    }
    return out;
}
}  // namespace

TEST(ClusterNginxConf, DatabaseRoutesAreNotRetriedOrCountedOn503) {
    const std::string conf = nginx_conf();
    ASSERT_FALSE(conf.empty()) << "docker/nginx.conf not found";
    const std::string regex = database_location_regex(conf);
    ASSERT_FALSE(regex.empty())
        << "no `location ~ ... { proxy_pass ...; proxy_next_upstream error timeout; }`";
    const std::regex database(regex);
    // Snapshot routes under the same prefixes: harmless there (their 503 means "no snapshot yet").
    const std::set<std::string_view> also_matched{"/v1/neighbourhoods/{force}/{id}/priorities",
                                                  "/v1/neighbourhoods/{force}/{id}/events"};
    int database_routes = 0;
    for (const auto& route : route_table()) {
        const std::string path = example_path(route.pattern);
        const bool matched = std::regex_search(path, database);
        if (route.flags.blocking) {
            ++database_routes;
            EXPECT_TRUE(matched) << route.pattern << " queries PostgreSQL but is outside the location "
                                 << regex;
            // postcodes.io-style trailing slashes reach the same handler.
            EXPECT_TRUE(std::regex_search(path + "/", database)) << route.pattern << "/";
        } else if (!also_matched.count(route.pattern)) {
            EXPECT_FALSE(matched) << route.pattern << " is served from the snapshot but matched " << regex;
        }
    }
    EXPECT_GE(database_routes, 8);
}

// What issue 11 asks of the edge, pinned so that an edit cannot drop it silently (the cluster
// tests exercise each of them).
TEST(ClusterNginxConf, CachesTilesSaysSoRetriesAndPassesTheClientOn) {
    const std::string conf = nginx_conf();
    EXPECT_NE(
        conf.find("location /tiles/ {\n            proxy_pass http://crimemapd;\n            proxy_cache "),
        std::string::npos);
    EXPECT_NE(conf.find("add_header X-Cache-Status $upstream_cache_status always;"), std::string::npos);
    EXPECT_NE(conf.find("proxy_set_header X-Forwarded-For $remote_addr;"), std::string::npos);
    EXPECT_NE(conf.find("proxy_next_upstream error timeout http_502 http_503;"), std::string::npos);
    EXPECT_NE(conf.find("max_fails=1 fail_timeout=5s"), std::string::npos);
    EXPECT_EQ(conf.find("proxy_cache_valid"), std::string::npos)
        << "the cache must follow crimemapd's Cache-Control";
    EXPECT_EQ(conf.find("proxy_ignore_headers Cache-Control"), std::string::npos);
    // A proxy_set_header inside a location replaces every one set for the server (Host,
    // X-Forwarded-For, Connection for keep-alive...): they belong before the first location.
    std::string code;  // without comment lines
    std::istringstream lines(conf);
    for (std::string line; std::getline(lines, line);)
        if (line.find_first_not_of(' ') == std::string::npos || line[line.find_first_not_of(' ')] != '#')
            code += line + "\n";
    ASSERT_NE(code.find("location "), std::string::npos);
    EXPECT_LT(code.rfind("proxy_set_header"), code.find("location ")) << "proxy_set_header inside a location";
}
