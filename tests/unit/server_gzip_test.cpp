#include <gtest/gtest.h>

#include "server/gzip.hpp"

using namespace crimemap::server;

TEST(ServerGzip, RoundTrips) {
    std::string data;
    for (int i = 0; i < 10000; ++i) data += "crime " + std::to_string(i % 97) + "\n";
    auto gz = gzip_compress(data);
    EXPECT_LT(gz.size(), data.size() / 4);
    ASSERT_GE(gz.size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f) << "gzip magic";
    EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
    EXPECT_EQ(gzip_decompress(gz), data);
    EXPECT_EQ(gzip_decompress(gzip_compress("")), "");
    std::string binary(256, '\0');
    for (int i = 0; i < 256; ++i) binary[static_cast<std::size_t>(i)] = static_cast<char>(i);
    EXPECT_EQ(gzip_decompress(gzip_compress(binary, 1)), binary);
}

TEST(ServerGzip, RefusesGarbageTruncationAndBombs) {
    EXPECT_FALSE(gzip_decompress("not gzip at all"));
    auto gz = gzip_compress(std::string(100000, 'z'));
    EXPECT_FALSE(gzip_decompress(gz.substr(0, gz.size() / 2)));
    EXPECT_FALSE(gzip_decompress(gz, 1000)) << "inflating past the limit fails";
}

TEST(ServerGzip, AcceptEncodingNegotiation) {
    EXPECT_TRUE(accepts_gzip("gzip"));
    EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
    EXPECT_TRUE(accepts_gzip("deflate, GZIP;q=0.5"));
    EXPECT_TRUE(accepts_gzip("x-gzip"));
    EXPECT_TRUE(accepts_gzip("*"));
    EXPECT_TRUE(accepts_gzip("br;q=1.0, *;q=0.1"));
    EXPECT_FALSE(accepts_gzip(""));
    EXPECT_FALSE(accepts_gzip("identity"));
    EXPECT_FALSE(accepts_gzip("br, deflate"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0"));
    EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
    EXPECT_FALSE(accepts_gzip("*;q=0"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));
    EXPECT_TRUE(accepts_gzip("gzip, *;q=0"));
    EXPECT_FALSE(accepts_gzip("gzip;q=abc")) << "a malformed q-value counts as 0";
}
