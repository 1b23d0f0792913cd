// `crimemap import postcodes`: NSPL/ONSPD header mapping and the pure row parser (no database; the
// grid conversion is a fixed, recording fake, so these tests do not depend on PROJ).
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/csv_records.hpp"
#include "tools/postcode_import.hpp"

using namespace crimemap::tools;
using crimemap::test::read_csv;

namespace {

const char* kHeader = "pcds,dointr,doterm,oseast1m,osnrth1m,osgrdind,laua,ward,lsoa11,lat,long\n";

// A stand-in for OsgbToWgs84 that records its calls.
struct RecordingGrid {
    int calls = 0;
    GridToLonLat fn() {
        return [this](double e, double n) -> std::optional<LonLat> {
            ++calls;
            return LonLat{e / 1e5, n / 1e5};
        };
    }
};

}  // namespace

TEST(ImportPostcode, HeaderNamesBothLayouts) {
    auto nspl = map_postcode_header(read_csv(kHeader)[0].views());
    ASSERT_TRUE(nspl);
    EXPECT_EQ(nspl->postcode, 0);
    EXPECT_EQ(nspl->lon, 10);
    const auto& names = postcode_code_columns();
    auto index_of = [&](std::string_view n) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (n == names[i]) return i;
        return names.size();
    };
    EXPECT_EQ(nspl->codes[index_of("lad")], 6);
    EXPECT_EQ(nspl->codes[index_of("pcon")], -1);
    auto onspd = map_postcode_header(read_csv("PCD,OSLAUA,OSWARD\n")[0].views());
    ASSERT_TRUE(onspd);
    EXPECT_EQ(onspd->codes[index_of("lad")], 1);
    EXPECT_EQ(onspd->codes[index_of("ward")], 2);
    EXPECT_FALSE(map_postcode_header(read_csv("post,lat\n")[0].views()));
}

TEST(ImportPostcode, GoodRowsParseToTypedValues) {
    auto rec = read_csv(std::string(kHeader) +
                        "hr1 1aa,198001,,351080,239892,1,E06000019,E05012345,E99999999,52.056,-2.716\n"
                        "HR1 1AB,198001,200012,351000,240000,1,E06000019,,E01014010,99.999999,0.000000\n");
    auto cols = *map_postcode_header(rec[0].views());
    RecordingGrid grid;
    auto a = parse_postcode_row(cols, rec[1].views(), grid.fn(), {"p.csv", rec[1].line});
    ASSERT_TRUE(a.ok()) << a.error().message();
    EXPECT_EQ(a.row().postcode.compact, crimemap::core::parse_postcode("hr1 1aa")->compact);
    ASSERT_TRUE(a.row().location);
    EXPECT_EQ(a.row().location->lat, std::strtod("52.056", nullptr));
    EXPECT_EQ(a.row().location->lon, std::strtod("-2.716", nullptr));
    EXPECT_FALSE(a.row().from_grid);
    EXPECT_EQ(grid.calls, 0);
    ASSERT_TRUE(a.row().grid);
    EXPECT_EQ((*a.row().grid)[0], 351080);
    EXPECT_EQ(a.row().quality, 1);
    EXPECT_EQ(a.row().introduced, ons_month_date("198001"));
    EXPECT_FALSE(a.row().terminated);
    EXPECT_EQ(a.row().codes[3], "E06000019");  // lad
    EXPECT_EQ(a.row().codes[6], "");           // lsoa: the pseudo code is no code
    // The 99.999999 placeholder: located from the grid reference.
    auto b = parse_postcode_row(cols, rec[2].views(), grid.fn(), {"p.csv", rec[2].line});
    ASSERT_TRUE(b.ok());
    EXPECT_TRUE(b.row().from_grid);
    EXPECT_EQ(grid.calls, 1);
    EXPECT_EQ(b.row().location->lon, 351000 / 1e5);
    EXPECT_EQ(b.row().terminated, ons_month_date("200012"));
}

TEST(ImportPostcode, NoCoordinatesWithoutLatLongOrUsableGrid) {
    auto rec = read_csv(std::string(kHeader) + "HR1 1AA,,,351080,239892,9,,,,,\n");
    RecordingGrid grid;
    auto r = parse_postcode_row(*map_postcode_header(rec[0].views()), rec[1].views(), grid.fn(),
                                {"p.csv", rec[1].line});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.row().location);  // quality 9: the grid reference is not a location
    EXPECT_FALSE(r.row().grid);
    EXPECT_EQ(r.row().quality, 9);
    EXPECT_EQ(grid.calls, 0);
}

TEST(ImportPostcode, MalformedRowsGiveFileLineAndReason) {
    auto rec = read_csv(std::string(kHeader) + "HR1 1AA,1\nNOT A CODE,,,,,,,,,,\n");
    auto cols = *map_postcode_header(rec[0].views());
    RecordingGrid grid;
    auto short_row = parse_postcode_row(cols, rec[1].views(), grid.fn(), {"pc/nspl.csv", rec[1].line});
    ASSERT_FALSE(short_row.ok());
    EXPECT_EQ(short_row.error().message(), "pc/nspl.csv:2: got 2 fields, expected 11");
    auto bad = parse_postcode_row(cols, rec[2].views(), grid.fn(), {"pc/nspl.csv", rec[2].line});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message(), "pc/nspl.csv:3: unreadable postcode 'NOT A CODE'");
}
