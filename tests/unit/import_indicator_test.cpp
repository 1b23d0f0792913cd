// `crimemap import indicators`: header layouts and the pure row parser (no database).
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/csv_records.hpp"
#include "tools/indicator_import.hpp"

using namespace crimemap::tools;
using crimemap::test::read_csv;

namespace {

const char* kOflogHeader =
    "Financial year,Local authority code,Local authority "
    "name,Grouping,Entity_Name,Region,Measure,Code,Value,MEDIAN,"
    "MADs_from_median,rank_order\n";

}  // namespace

TEST(ImportIndicator, RecognisesBothLayoutsAndNothingElse) {
    auto oflog = read_csv(kOflogHeader);
    auto o = map_indicator_header(oflog[0].views());
    ASSERT_TRUE(o);
    EXPECT_EQ(o->layout, IndicatorLayout::oflog);
    EXPECT_EQ(o->width, oflog[0].fields.size());
    EXPECT_EQ(o->indicator, 7);  // "Code"
    EXPECT_EQ(o->benchmark, 9);  // "MEDIAN"
    auto lng = read_csv("Indicator,AREA_CODE,period,value,polarity\n");
    auto l = map_indicator_header(lng[0].views());
    ASSERT_TRUE(l);
    EXPECT_EQ(l->layout, IndicatorLayout::long_format);
    EXPECT_EQ(l->area, 1);
    EXPECT_EQ(l->target, -1);
    EXPECT_FALSE(map_indicator_header(read_csv("area_code,indicator,value\n")[0].views()));
}

TEST(ImportIndicator, OflogRowsParseToTypedValues) {
    const std::string value = "7.6", median = "7.4";
    auto rec = read_csv(std::string(kOflogHeader) +
                        "2016-17,E06000005,Darlington,LA_Raw,Unitary Authorities,North East,\"Outcome, ASC "
                        "Carer Quality of Life\","
                        "ASC1," +
                        value + "," + median + ",0,desc\n");
    auto cols = *map_indicator_header(rec[0].views());
    auto parsed = parse_indicator_row(cols, rec[1].views(), {"oflog.csv", rec[1].line});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    ASSERT_TRUE(parsed.row());
    const IndicatorRow& r = *parsed.row();
    EXPECT_EQ(r.area_code, rec[1].fields[1]);
    EXPECT_EQ(r.indicator, rec[1].fields[7]);
    EXPECT_EQ(r.period, rec[1].fields[0]);
    EXPECT_EQ(r.name, rec[1].fields[6].substr(std::string("Outcome, ").size()));  // the prefix is dropped
    EXPECT_EQ(r.value, std::strtod(value.c_str(), nullptr));
    ASSERT_TRUE(r.benchmark);
    EXPECT_EQ(*r.benchmark, std::strtod(median.c_str(), nullptr));
    EXPECT_FALSE(r.target);
    EXPECT_EQ(r.polarity, *normalise_polarity(rec[1].fields[11]));
    EXPECT_EQ(r.unit, "score");  // ASC1
    EXPECT_EQ(r.area_group, rec[1].fields[4]);
}

TEST(ImportIndicator, OflogRowWithoutValueIsSkippedNotAnError) {
    auto rec = read_csv(std::string(kOflogHeader) +
                        "2016-17,E06000005,Darlington,LA_Raw,UA,NE,M,ASC1,,7.6,0,desc\n");
    auto parsed =
        parse_indicator_row(*map_indicator_header(rec[0].views()), rec[1].views(), {"o.csv", rec[1].line});
    ASSERT_TRUE(parsed.ok());
    EXPECT_FALSE(parsed.row());
}

TEST(ImportIndicator, LongRowsParseToTypedValues) {
    auto rec = read_csv(
        "area_code,indicator,period,value,target,polarity,unit,name,benchmark,area_group\n"
        "E06000019, CRIME1 ,2019,+12.5,-3e2,Lower,per 1000,,abc,\n");
    auto cols = *map_indicator_header(rec[0].views());
    auto parsed = parse_indicator_row(cols, rec[1].views(), {"long.csv", rec[1].line});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    const IndicatorRow& r = *parsed.row();
    EXPECT_EQ(r.indicator, "CRIME1");  // trimmed
    EXPECT_EQ(r.name, r.indicator);    // no name: the indicator code
    EXPECT_EQ(r.value, std::strtod("12.5", nullptr));
    ASSERT_TRUE(r.target);
    EXPECT_EQ(*r.target, std::strtod("-3e2", nullptr));
    EXPECT_EQ(r.polarity, "lower_is_better");
    EXPECT_EQ(r.unit, rec[1].fields[6]);
    EXPECT_FALSE(r.benchmark);  // unreadable benchmark: dropped, the row still loads
    EXPECT_EQ(r.area_group, "");
}

TEST(ImportIndicator, MalformedRowsGiveFileLineAndReason) {
    auto rec = read_csv(
        "area_code,indicator,period,value,target,polarity\n"
        "E1,I,2019,1\n"            // line 2: short
        ",I,2019,1,,\n"            // line 3: no area
        "E1,I,2019,many,,\n"       // line 4
        "E1,I,2019,1,,sideways\n"  // line 5
        "E1,I,2019,1,soon,\n");    // line 6
    auto cols = *map_indicator_header(rec[0].views());
    const std::vector<std::pair<std::uint64_t, std::string>> expected = {
        {2, "got 4 fields, expected 6"}, {3, "missing area code, indicator or period"},
        {4, "unreadable value 'many'"},  {5, "unknown polarity 'sideways'"},
        {6, "unreadable target 'soon'"},
    };
    ASSERT_EQ(rec.size(), expected.size() + 1);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        auto parsed = parse_indicator_row(cols, rec[i + 1].views(), {"data/ind.csv", rec[i + 1].line});
        ASSERT_FALSE(parsed.ok()) << i;
        EXPECT_EQ(parsed.error().file, "data/ind.csv");
        EXPECT_EQ(parsed.error().line, expected[i].first);
        EXPECT_EQ(parsed.error().reason, expected[i].second);
        EXPECT_EQ(parsed.error().message(),
                  "data/ind.csv:" + std::to_string(expected[i].first) + ": " + expected[i].second);
    }
}

TEST(ImportIndicator, OflogTakesAnyPolarityWord) {
    auto rec = read_csv(std::string(kOflogHeader) + "2016-17,E1,X,G,E,R,M,ASC9,1,1,0,sideways\n");
    auto parsed =
        parse_indicator_row(*map_indicator_header(rec[0].views()), rec[1].views(), {"o.csv", rec[1].line});
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.row()->polarity, "");
    EXPECT_EQ(parsed.row()->unit, "");  // a code without a known unit
}
