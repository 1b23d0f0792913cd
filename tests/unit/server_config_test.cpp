#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "server/config.hpp"

using namespace crimemap::server;

namespace {
struct Args {
    std::vector<std::string> items;
    std::vector<const char*> argv;
    explicit Args(std::vector<std::string> a) : items(std::move(a)) {
        items.insert(items.begin(), "crimemapd");
        for (auto& s : items) argv.push_back(s.c_str());
    }
    int argc() const { return static_cast<int>(argv.size()); }
};

ConfigParse parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    Args a(std::move(args));
    auto lookup = [env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    // The map outlives the call through the lambda's copy.
    return parse_config(a.argc(), a.argv.data(), Config{}, lookup);
}
}  // namespace

TEST(ServerConfig, Defaults) {
    auto p = parse({});
    ASSERT_EQ(p.error, "");
    EXPECT_FALSE(p.help);
    EXPECT_EQ(p.config.host, "127.0.0.1");
    EXPECT_EQ(p.config.port, 8080);
    EXPECT_EQ(p.config.engine, "memory");
    EXPECT_EQ(p.config.cors_origins, std::vector<std::string>{"*"});
    EXPECT_EQ(p.config.database_url, "postgresql://postgres@127.0.0.1:54329/crimemap");
    EXPECT_EQ(p.config.cache_bytes, 256u << 20);
    EXPECT_EQ(p.config.keepalive_requests, 1000u);
}

TEST(ServerConfig, FlagsAndEnvironmentFlagWins) {
    auto p =
        parse({"--port", "9000", "--cache-bytes=64M", "--cors-origins", "https://a.gov.uk, https://b.org",
               "--engine=postgis", "--read-timeout", "2.5", "--access-log"},
              {{"CRIMEMAP_PORT", "7000"},
               {"CRIMEMAP_THREADS", "3"},
               {"CRIMEMAP_DATABASE_URL", "postgresql://x@h:1/db"},
               {"CRIMEMAP_PUBLIC_URL", "https://tiles.example.org/"},
               {"CRIMEMAP_FRAME_ANCESTORS", "https://www.gov.uk"},
               {"CRIMEMAP_TEST_DATABASE_URL", "ignored"},
               {"CRIMEMAP_KEEPALIVE_REQUESTS", "5"}});
    ASSERT_EQ(p.error, "");
    EXPECT_EQ(p.config.port, 9000) << "the flag wins over CRIMEMAP_PORT";
    EXPECT_EQ(p.config.threads, 3u);
    EXPECT_EQ(p.config.cache_bytes, 64u << 20);
    EXPECT_EQ(p.config.cors_origins, (std::vector<std::string>{"https://a.gov.uk", "https://b.org"}));
    EXPECT_EQ(p.config.engine, "postgis");
    EXPECT_DOUBLE_EQ(p.config.read_timeout, 2.5);
    EXPECT_EQ(p.config.database_url, "postgresql://x@h:1/db");
    EXPECT_EQ(p.config.public_url, "https://tiles.example.org") << "trailing slash dropped";
    EXPECT_EQ(p.config.frame_ancestors, "https://www.gov.uk");
    EXPECT_EQ(p.config.keepalive_requests, 5u);
    EXPECT_TRUE(p.config.access_log);
}

TEST(ServerConfig, ReplicaUrls) {
    auto none = parse({});
    ASSERT_EQ(none.error, "");
    EXPECT_EQ(none.config.notify_url, "") << "LISTEN on --database-url unless it is a standby";
    EXPECT_EQ(none.config.write_url, "");
    auto p = parse({"--database-url", "postgresql://crimemap_server@replica/crimemap", "--write-url",
                    "postgresql://crimemap_server@primary/crimemap"},
                   {{"CRIMEMAP_NOTIFY_URL", "postgresql://crimemap_server@primary/crimemap"}});
    ASSERT_EQ(p.error, "");
    EXPECT_EQ(p.config.database_url, "postgresql://crimemap_server@replica/crimemap");
    EXPECT_EQ(p.config.notify_url, "postgresql://crimemap_server@primary/crimemap");
    EXPECT_EQ(p.config.write_url, "postgresql://crimemap_server@primary/crimemap");
    auto help = parse({"--help"});
    EXPECT_NE(help.help_text.find("--notify-url"), std::string::npos);
    EXPECT_NE(help.help_text.find("--write-url"), std::string::npos);
}

TEST(ServerConfig, ErrorsNameTheOption) {
    EXPECT_NE(parse({"--engine=sqlite"}).error.find("--engine"), std::string::npos);
    EXPECT_NE(parse({"--port=70000"}).error.find("--port"), std::string::npos);
    EXPECT_NE(parse({"--cache-bytes=lots"}).error.find("--cache-bytes"), std::string::npos);
    EXPECT_NE(parse({"--poll-seconds=0"}).error.find("--poll-seconds"), std::string::npos);
    EXPECT_NE(parse({"--no-such-flag"}).error, "");
    auto env = parse({}, {{"CRIMEMAP_PORT", "abc"}});
    EXPECT_NE(env.error.find("environment"), std::string::npos) << env.error;
}

TEST(ServerConfig, HelpListsEveryFlag) {
    auto p = parse({"--help"});
    EXPECT_TRUE(p.help);
    for (const char* flag :
         {"--host", "--port", "--threads", "--database-url", "--engine", "--cache-bytes", "--cors-origins",
          "--frame-ancestors", "--web-dir", "--poll-seconds", "--max-body-bytes", "--read-timeout",
          "--keepalive-requests", "--public-url", "CRIMEMAP_"})
        EXPECT_NE(p.help_text.find(flag), std::string::npos) << flag;
}

TEST(ServerConfig, ByteSizes) {
    EXPECT_EQ(parse_byte_size("0"), 0u);
    EXPECT_EQ(parse_byte_size("1048576"), 1048576u);
    EXPECT_EQ(parse_byte_size("512k"), 512u << 10);
    EXPECT_EQ(parse_byte_size("256M"), 256u << 20);
    EXPECT_EQ(parse_byte_size("2GiB"), std::size_t{2} << 30);
    EXPECT_FALSE(parse_byte_size(""));
    EXPECT_FALSE(parse_byte_size("M"));
    EXPECT_FALSE(parse_byte_size("12X"));
    EXPECT_FALSE(parse_byte_size("-1"));
    EXPECT_FALSE(parse_byte_size("99999999999999999999999"));
}

TEST(ServerConfig, ConnectionOptions) {
    auto d = parse({});
    ASSERT_EQ(d.error, "");
    EXPECT_EQ(d.config.max_connections, 10000u);
    EXPECT_EQ(d.config.max_connections_per_client, 256u);
    EXPECT_EQ(d.config.static_cache_bytes, 32u << 20);
    auto p = parse({"--max-connections=500", "--static-cache-bytes=4M"},
                   {{"CRIMEMAP_MAX_CONNECTIONS", "9"}, {"CRIMEMAP_MAX_CONNECTIONS_PER_CLIENT", "0"}});
    ASSERT_EQ(p.error, "");
    EXPECT_EQ(p.config.max_connections, 500u) << "the flag wins";
    EXPECT_EQ(p.config.max_connections_per_client, 0u) << "0 turns the per-client cap off";
    EXPECT_EQ(p.config.static_cache_bytes, 4u << 20);
    EXPECT_EQ(parse({}, {{"CRIMEMAP_MAX_CONNECTIONS", "7"}}).config.max_connections, 7u);
    EXPECT_NE(parse({"--max-connections=0"}).error.find("--max-connections"), std::string::npos);
    EXPECT_NE(parse({"--max-connections=lots"}).error, "");
    EXPECT_NE(parse({"--static-cache-bytes=x"}).error.find("--static-cache-bytes"), std::string::npos);
    auto help = parse({"--help"}).help_text;
    for (const char* flag : {"--max-connections", "--max-connections-per-client", "--static-cache-bytes"})
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
}

TEST(ServerConfig, ConnectionsFitTheOpenFileLimit) {
    const std::size_t h = fd_headroom;
    // Room already: the soft limit stays.
    auto a = fit_connections(1000, 20000, 20000);
    EXPECT_EQ(a.soft_limit, 20000u);
    EXPECT_EQ(a.max_connections, 1000u);
    // The soft limit is raised just enough, within the hard one.
    auto b = fit_connections(10000, 1024, 1u << 20);
    EXPECT_EQ(b.soft_limit, 10000u + h);
    EXPECT_EQ(b.max_connections, 10000u);
    // The hard limit is too low: everything it allows, and the connections capped to fit.
    auto c = fit_connections(10000, 1024, 4096);
    EXPECT_EQ(c.soft_limit, 4096u);
    EXPECT_EQ(c.max_connections, 4096u - h);
    // Unlimited hard limit (RLIM_INFINITY is the largest value).
    auto d = fit_connections(10000, 1024, ~std::uint64_t{0});
    EXPECT_EQ(d.soft_limit, 10000u + h);
    // A limit below the headroom still serves someone.
    EXPECT_EQ(fit_connections(10, 100, 100).max_connections, 1u);
}

TEST(ServerConfig, AnswerCacheBytes) {
    EXPECT_EQ(parse({}).config.answer_cache_bytes, 64u << 20);
    EXPECT_EQ(parse({"--answer-cache-bytes=8M"}).config.answer_cache_bytes, 8u << 20);
    EXPECT_EQ(parse({}, {{"CRIMEMAP_ANSWER_CACHE_BYTES", "0"}}).config.answer_cache_bytes, 0u)
        << "0 turns it off";
    EXPECT_EQ(
        parse({"--answer-cache-bytes=1K"}, {{"CRIMEMAP_ANSWER_CACHE_BYTES", "2G"}}).config.answer_cache_bytes,
        1024u)
        << "the flag wins";
    EXPECT_NE(parse({"--answer-cache-bytes=much"}).error.find("--answer-cache-bytes"), std::string::npos);
    EXPECT_NE(parse({"--help"}).help_text.find("--answer-cache-bytes"), std::string::npos);
}
