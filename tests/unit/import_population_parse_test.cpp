// Population numbers as the importers read them (import population, import boundaries
// --population-field).
#include <gtest/gtest.h>

#include "tools/common.hpp"

using crimemap::tools::parse_population;

TEST(ImportPopulation, ReadsWholeNumbers) {
    EXPECT_EQ(parse_population("1520").value_or(-1), 1520);
    EXPECT_EQ(parse_population(" 1520 ").value_or(-1), 1520);
    EXPECT_EQ(parse_population("12,345").value_or(-1), 12345);
    EXPECT_EQ(parse_population("12345.0").value_or(-1), 12345);
    EXPECT_EQ(parse_population("0").value_or(-1), 0);
    EXPECT_EQ(parse_population("2147483647").value_or(-1), 2147483647);
}

TEST(ImportPopulation, RefusesAnythingElse) {
    for (const char* bad : {"", " ", "-5", "12.5", "1e4", "abc", "12 345", "2147483648", "99999999999"})
        EXPECT_FALSE(parse_population(bad)) << bad;
}
