#include <gtest/gtest.h>

#include <set>

#include "core/secrets.hpp"

using namespace crimemap::core;

// Known answers from FIPS 180-2 (independent of our implementation).
TEST(Secrets, Sha256MatchesPublishedVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Secrets, ConstantTimeEqualsComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equals("abc", "abc"));
    EXPECT_FALSE(constant_time_equals("abc", "abd"));
    EXPECT_FALSE(constant_time_equals("abc", "ab"));
    EXPECT_FALSE(constant_time_equals("", "a"));
    EXPECT_TRUE(constant_time_equals("", ""));
}

TEST(Secrets, RandomSecretsHaveThePrefixAndDiffer) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        auto s = random_secret("cm_", 32);
        ASSERT_EQ(s.size(), 3u + 64u);
        EXPECT_EQ(s.substr(0, 3), "cm_");
        EXPECT_EQ(s.find_first_not_of("0123456789abcdef", 3), std::string::npos);
        seen.insert(s);
    }
    EXPECT_EQ(seen.size(), 100u);
}
