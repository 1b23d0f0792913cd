#include <gtest/gtest.h>

#include "server/http_types.hpp"

using namespace crimemap::server;

TEST(ServerHttpTypes, PercentDecoding) {
    EXPECT_EQ(percent_decode("a%20b%2Cc", false), "a b,c");
    EXPECT_EQ(percent_decode("a+b", true), "a b");
    EXPECT_EQ(percent_decode("a+b", false), "a+b");
    EXPECT_EQ(percent_decode("%e2%82%ac", false), "\xe2\x82\xac");
    EXPECT_FALSE(percent_decode("%", false));
    EXPECT_FALSE(percent_decode("%2", false));
    EXPECT_FALSE(percent_decode("%zz", false));
    EXPECT_FALSE(percent_decode("a%00b", false)) << "NUL bytes are refused";
}

TEST(ServerHttpTypes, PercentEncodingRoundTrips) {
    EXPECT_EQ(percent_encode("a b,c/d"), "a%20b%2Cc%2Fd");
    EXPECT_EQ(percent_encode("burglary,drugs", ","), "burglary,drugs");
    std::string all;
    for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
    EXPECT_EQ(percent_decode(percent_encode(all), true), all);
}

TEST(ServerHttpTypes, QueryStringsKeepOrderAndDecode) {
    auto q = parse_query("from=2019-01&category=burglary%2Cdrugs&&flag&x=a+b");
    ASSERT_TRUE(q);
    ASSERT_EQ(q->size(), 4u);
    EXPECT_EQ((*q)[0], (std::pair<std::string, std::string>{"from", "2019-01"}));
    EXPECT_EQ((*q)[1].second, "burglary,drugs");
    EXPECT_EQ((*q)[2], (std::pair<std::string, std::string>{"flag", ""}));
    EXPECT_EQ((*q)[3].second, "a b");
    EXPECT_FALSE(parse_query("a=%G0"));
}

TEST(ServerHttpTypes, RequestTargetsSplitIntoDecodedSegments) {
    auto r = make_request(Method::get, "/tiles/crimes%2Careas/1/2/3.mvt?v=7#frag");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->path, "/tiles/crimes%2Careas/1/2/3.mvt");
    EXPECT_EQ(r->segments, (std::vector<std::string>{"tiles", "crimes,areas", "1", "2", "3.mvt"}));
    ASSERT_EQ(r->query.size(), 1u);
    EXPECT_EQ(r->query[0].second, "7");

    auto root = make_request(Method::get, "/");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->segments, (std::vector<std::string>{""}));
    auto dir = make_request(Method::get, "/docs/");
    ASSERT_TRUE(dir);
    EXPECT_EQ(dir->segments, (std::vector<std::string>{"docs", ""}));
    // A %2F stays inside its segment rather than creating a new one.
    EXPECT_EQ(make_request(Method::get, "/a%2Fb")->segments, (std::vector<std::string>{"a/b"}));

    EXPECT_FALSE(make_request(Method::get, "http://example.com/x"));
    EXPECT_FALSE(make_request(Method::get, "*"));
    EXPECT_FALSE(make_request(Method::get, "/bad%zz"));
    EXPECT_FALSE(make_request(Method::get, "/x?a=%"));
}

TEST(ServerHttpTypes, HeadersAreCaseInsensitive) {
    Headers h;
    h.add("Content-Type", "text/plain");
    h.add("X-Multi", "1");
    h.add("x-multi", "2");
    EXPECT_EQ(h.get("content-type"), "text/plain");
    EXPECT_EQ(h.get("X-MULTI"), "1");
    h.set("x-multi", "3");
    EXPECT_EQ(h.get("X-Multi"), "3");
    EXPECT_EQ(h.items().size(), 2u);
    h.erase("CONTENT-TYPE");
    EXPECT_FALSE(h.has("Content-Type"));
    EXPECT_TRUE(iequals("Accept-Encoding", "accept-encoding"));
    EXPECT_FALSE(iequals("Accept", "Accept-Encoding"));
}

TEST(ServerHttpTypes, Methods) {
    EXPECT_EQ(method_from_string("GET"), Method::get);
    EXPECT_EQ(method_from_string("OPTIONS"), Method::options);
    EXPECT_EQ(method_from_string("get"), Method::other) << "methods are case-sensitive";
    EXPECT_EQ(to_string(Method::del), "DELETE");
    EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
}
