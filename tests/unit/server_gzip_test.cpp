#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

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

// The compressors are reused per thread and level: one answer must never leak into the next.
TEST(ServerGzip, ReusedStreamsStayIndependentAcrossCallsLevelsAndThreads) {
    std::vector<std::string> inputs;
    for (int i = 0; i < 40; ++i)
        inputs.push_back(
            std::string(static_cast<std::size_t>(i * 997 % 20000), static_cast<char>('a' + i % 26)) +
            std::to_string(i));
    auto check = [&](int thread) {
        for (int round = 0; round < 3; ++round)
            for (std::size_t i = 0; i < inputs.size(); ++i) {
                int level = static_cast<int>((i + static_cast<std::size_t>(thread)) % 9) + 1;
                auto gz = gzip_compress(inputs[i], level);
                auto back = gzip_decompress(gz);
                ASSERT_TRUE(back) << "input " << i << " level " << level;
                EXPECT_EQ(*back, inputs[i]) << "input " << i << " level " << level;
            }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back(check, t);
    for (auto& t : threads) t.join();
    EXPECT_THROW(gzip_compress("x", 0), std::invalid_argument);
    EXPECT_THROW(gzip_compress("x", 13), std::invalid_argument);
}

// Compression is libdeflate's; an independent inflater (zlib's own inflate, not our wrapper)
// must read every level's output, on a tile-like binary payload and on JSON text.
TEST(ServerGzip, OutputInflatesWithZlibAtEveryLevel) {
    std::string json = "{\"status\":200,\"result\":[";
    for (int i = 0; i < 300; ++i)
        json += "{\"postcode\":\"HR1 " + std::to_string(i) + "AA\",\"distance\":" + std::to_string(i * 1.5) +
                "},";
    json += "{}]}\n";
    std::string binary(20000, '\0');
    std::uint32_t x = 7;
    for (std::size_t i = 0; i < binary.size(); ++i) {
        x = x * 1103515245u + 12345u;
        binary[i] = static_cast<char>(i % 7 == 0 ? x >> 24 : i % 13);
    }
    for (const std::string* input : {&json, &binary})
        for (int level = 1; level <= 12; ++level) {
            const std::string gz = gzip_compress(*input, level);
            z_stream zs{};
            ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
            std::string out(input->size() + 1, '\0');  // one spare byte: more output would be a bug
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
            zs.avail_in = static_cast<uInt>(gz.size());
            zs.next_out = reinterpret_cast<Bytef*>(out.data());
            zs.avail_out = static_cast<uInt>(out.size());
            EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END) << "level " << level;
            EXPECT_EQ(zs.avail_in, 0u) << "nothing after the gzip trailer";
            out.resize(zs.total_out);
            inflateEnd(&zs);
            EXPECT_EQ(out, *input) << "level " << level;
            EXPECT_LT(gz.size(), input->size()) << "level " << level;
        }
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
