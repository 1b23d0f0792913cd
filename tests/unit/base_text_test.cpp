// base/text.hpp: the ASCII helpers and the UTF-8 check that keeps rows PostgreSQL would refuse
// (NUL, malformed UTF-8) out of COPY streams.
#include <gtest/gtest.h>

#include <string>

#include "base/text.hpp"

using namespace crimemap::base;
using namespace std::string_literals;

TEST(BaseText, TrimIequalsHexValue) {
    EXPECT_EQ(trim(" \t HR1 1AA \r\n"), "HR1 1AA");
    EXPECT_EQ(trim("   "), "");
    EXPECT_TRUE(iequals("Content-Length", "content-LENGTH"));
    EXPECT_FALSE(iequals("abc", "abd"));
    EXPECT_FALSE(iequals("abc", "ab"));
    EXPECT_EQ(hex_value('0'), 0);
    EXPECT_EQ(hex_value('f'), 15);
    EXPECT_EQ(hex_value('F'), 15);
    EXPECT_EQ(hex_value('g'), -1);
}

TEST(BaseText, ValidUtf8TextAcceptsEveryWellFormedLength) {
    EXPECT_TRUE(is_valid_utf8_text(""));
    EXPECT_TRUE(is_valid_utf8_text("On or near High Town"));
    EXPECT_TRUE(is_valid_utf8_text("Ynys Môn"));                 // 2 bytes
    EXPECT_TRUE(is_valid_utf8_text("£5 – “quoted”"));            // 2 and 3 bytes
    EXPECT_TRUE(is_valid_utf8_text("\xF0\x9F\x9A\x93 police"));  // 4 bytes (U+1F693)
    EXPECT_TRUE(is_valid_utf8_text("\xF4\x8F\xBF\xBF"));         // U+10FFFF, the last code point
}

TEST(BaseText, ValidUtf8TextRefusesWhatPostgresqlRefuses) {
    EXPECT_FALSE(is_valid_utf8_text("High\0Town"s));
    EXPECT_FALSE(is_valid_utf8_text("caf\xE9"));           // Latin-1 é
    EXPECT_FALSE(is_valid_utf8_text("\xC3"));              // truncated 2-byte sequence
    EXPECT_FALSE(is_valid_utf8_text("\xE2\x82"));          // truncated 3-byte sequence
    EXPECT_FALSE(is_valid_utf8_text("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(is_valid_utf8_text("\xE0\x80\xAF"));      // overlong, 3 bytes
    EXPECT_FALSE(is_valid_utf8_text("\xED\xA0\x80"));      // a UTF-16 surrogate (U+D800)
    EXPECT_FALSE(is_valid_utf8_text("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8_text("\x80 stray continuation"));
    EXPECT_FALSE(is_valid_utf8_text("\xF8\x88\x80\x80\x80"));  // 5-byte form
}
