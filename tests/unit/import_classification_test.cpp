// `crimemap import classification`: the ONS LSOA area-classification lookup's header and rows
// (CRLF line ends, quoted names), and the pure row parser (no database).
#include <gtest/gtest.h>

#include "support/csv_records.hpp"
#include "tools/classification_import.hpp"

using namespace crimemap::tools;
using crimemap::test::read_csv;

namespace {
const std::string kText =
    "LSOA11CD,LSOA11NM,SOAC11CD,SOAC11NM,MSOA11CD,MSOA11NM,LAD17CD,LAD17NM,RGN11CD,RGN11NM,CTRY11CD\r\n"
    "E01013988,Herefordshire 011B,5a,Ageing urban communities,E02002915,Herefordshire 011,E06000019,"
    "\"Herefordshire, County of\",E12000005,West Midlands,E92000001\r\n"
    ",x,5a,n,,,,,,,\r\n"
    "E01000002,x,55,n,,,,,,,\r\n"
    "E01000003,x,,n,,,,,,,\r\n";
}  // namespace

TEST(ImportClassification, HeaderAndRealRow) {
    auto rec = read_csv(kText);
    auto cols = map_classification_header(rec[0].views());
    ASSERT_TRUE(cols);
    EXPECT_EQ(cols->lsoa, 0);
    EXPECT_EQ(cols->group, 2);
    EXPECT_EQ(cols->name, 3);
    EXPECT_EQ(cols->msoa, 4);
    EXPECT_EQ(cols->lad, 6);
    EXPECT_EQ(cols->region, 8);
    EXPECT_EQ(cols->country, 10);
    auto parsed = parse_classification_row(*cols, rec[1].views(), {"l.csv", rec[1].line});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    EXPECT_EQ(parsed.row().lsoa, "E01013988");
    EXPECT_EQ(parsed.row().group, "5a");
    EXPECT_EQ(parsed.row().name, "Ageing urban communities");
    EXPECT_EQ(parsed.row().supergroup, 5);
    EXPECT_EQ(parsed.row().lad, "E06000019");
    EXPECT_EQ(parsed.row().country, "E92000001");
    EXPECT_FALSE(map_classification_header(read_csv("LSOA11CD,SOAC11NM\n")[0].views()));
}

TEST(ImportClassification, MalformedRowsGiveFileLineAndReason) {
    auto rec = read_csv(kText);
    auto cols = *map_classification_header(rec[0].views());
    const std::vector<std::string> expected = {"l.csv:3: no LSOA code",
                                               "l.csv:4: unreadable group code '55' for E01000002",
                                               "l.csv:5: unreadable group code '' for E01000003"};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        auto parsed = parse_classification_row(cols, rec[i + 2].views(), {"l.csv", rec[i + 2].line});
        ASSERT_FALSE(parsed.ok()) << i;
        EXPECT_EQ(parsed.error().message(), expected[i]);
    }
}
