// Small pure helpers of the importers: boundary field detection, ONS value clean-up, indicator
// polarity words, lookup kinds, command-line parsing, the police.uk row fields (row_fields.hpp).
#include <gtest/gtest.h>

#include "tools/common.hpp"
#include "tools/indicator_import.hpp"
#include "tools/lookup_import.hpp"
#include "tools/polygons.hpp"
#include "tools/postcode_import.hpp"
#include "tools/row_fields.hpp"

using namespace crimemap::tools;

TEST(ImportFields, DetectsOnsCodeAndNameFields) {
    auto lsoa = detect_fields("lsoa", {"LSOA11CD", "LSOA11NM"}, {});
    EXPECT_EQ(lsoa.code_field, "LSOA11CD");
    EXPECT_EQ(lsoa.name_field, "LSOA11NM");
    auto ward = detect_fields("ward", {"WD13CD", "WD13CDO", "WD13NM", "WD13NMW"}, {});
    EXPECT_EQ(ward.code_field, "WD13CD");
    EXPECT_EQ(ward.name_field, "WD13NM");
    auto lad = detect_fields("lad", {"LAD13CD", "LAD13CDO", "LAD13NM", "LAD13NMW"}, {});
    EXPECT_EQ(lad.code_field, "LAD13CD");
    EXPECT_EQ(lad.name_field, "LAD13NM");
    auto pfa = detect_fields(
        "pfa", {"OBJECTID", "PFA20CD", "PFA20NM", "BNG_E", "BNG_N", "LONG", "LAT", "GlobalID"}, {});
    EXPECT_EQ(pfa.code_field, "PFA20CD");
    EXPECT_EQ(pfa.name_field, "PFA20NM");
    auto lower = detect_fields("lsoa", {"objectid", "lsoa21cd", "lsoa21nm"}, {});
    EXPECT_EQ(lower.code_field, "lsoa21cd");
    EXPECT_EQ(lower.name_field, "lsoa21nm");
    // Another kind's fields still work through the generic XXnnCD rule.
    auto msoa = detect_fields("msoa", {"MSOA11CD", "MSOA11NM"}, {});
    EXPECT_EQ(msoa.code_field, "MSOA11CD");
}

TEST(ImportFields, FallbacksAndExplicitFields) {
    auto generic = detect_fields("neighbourhood", {"Name", "Description"}, {});
    EXPECT_EQ(generic.code_field, "");
    EXPECT_EQ(generic.name_field, "Name");
    auto simple = detect_fields("ward", {"id", "name"}, {});
    EXPECT_EQ(simple.code_field, "id");
    EXPECT_EQ(simple.name_field, "name");
    auto given = detect_fields("lsoa", {"LSOA11CD", "LSOA11NM", "alt_code", "label"}, {"ALT_CODE", "label"});
    EXPECT_EQ(given.code_field, "alt_code");
    EXPECT_EQ(given.name_field, "label");
    auto missing = detect_fields("lsoa", {"LSOA11CD"}, {"nope", ""});
    EXPECT_EQ(missing.code_field, "");
}

TEST(ImportFields, OnsValues) {
    EXPECT_EQ(ons_code("E99999999"), "");
    EXPECT_EQ(ons_code("W99999999"), "");
    EXPECT_EQ(ons_code(" E06000019 "), "E06000019");
    EXPECT_EQ(ons_month_date("199002").value_or(""), "1990-02-01");
    EXPECT_FALSE(ons_month_date(""));
    EXPECT_FALSE(ons_month_date("199013"));
    EXPECT_FALSE(ons_month_date("1990-2"));
}

TEST(ImportFields, IndicatorPolarity) {
    EXPECT_EQ(normalise_polarity("higher_is_better").value_or("?"), "higher_is_better");
    EXPECT_EQ(normalise_polarity("Lower").value_or("?"), "lower_is_better");
    EXPECT_EQ(normalise_polarity("desc").value_or("?"), "higher_is_better");  // Oflog rank_order
    EXPECT_EQ(normalise_polarity("DESC").value_or("?"), "higher_is_better");
    EXPECT_EQ(normalise_polarity("None").value_or("?"), "neutral");
    EXPECT_EQ(normalise_polarity("").value_or("?"), "");
    EXPECT_FALSE(normalise_polarity("sideways"));
}

TEST(ImportFields, LookupKinds) {
    EXPECT_EQ(lookup_kind_for_file("districts"), "lad");
    EXPECT_EQ(lookup_kind_for_file("wards"), "ward");
    EXPECT_EQ(lookup_kind_for_file("police_force_areas"), "pfa");
    EXPECT_EQ(lookup_kind_for_file("lsoa"), "lsoa");
    EXPECT_EQ(lookup_kind_for_file("regions"), "region");
    EXPECT_EQ(lookup_kind_for_file("something_else"), "something_else");
}

TEST(ImportFields, CommandLineFlags) {
    Args a({"--kind", "lsoa", "--code-field=LSOA11CD", "--derived", "x.geojson", "--", "--odd-name"},
           {"kind", "code-field"}, {"derived"});
    EXPECT_EQ(a.get_or("kind", ""), "lsoa");
    EXPECT_EQ(a.get_or("code-field", ""), "LSOA11CD");
    EXPECT_TRUE(a.has("derived"));
    EXPECT_FALSE(a.help());
    EXPECT_EQ(a.positional(), (std::vector<std::string>{"x.geojson", "--odd-name"}));
    EXPECT_THROW(Args({"--bogus"}, {}, {}), CliError);
    EXPECT_THROW(Args({"--kind"}, {"kind"}, {}), CliError);
    EXPECT_THROW(Args({"--derived=yes"}, {}, {"derived"}), CliError);
    EXPECT_TRUE(Args({"-h"}, {}, {}).help());
    EXPECT_EQ(with_commas(1234567), "1,234,567");
    EXPECT_EQ(with_commas(12), "12");
}

TEST(ImportFields, PoliceUkDecimalsAndPoints) {
    EXPECT_EQ(parse_decimal("-2.750561"), -2.750561);
    EXPECT_EQ(parse_decimal("+52.3"), 52.3);
    EXPECT_FALSE(parse_decimal(""));
    EXPECT_FALSE(parse_decimal("52.3x"));
    EXPECT_FALSE(parse_decimal("+"));

    std::optional<double> lon, lat;
    EXPECT_FALSE(read_row_point("", "", lon, lat));  // no location is not an error
    EXPECT_FALSE(lon || lat);
    EXPECT_EQ(read_row_point("-2.7", "", lon, lat), "bad coordinates: only one of longitude/latitude");
    EXPECT_EQ(read_row_point("-2.7", "north", lon, lat), "bad coordinates: unreadable ('-2.7', 'north')");
    EXPECT_EQ(read_row_point("-2.7", "40.0", lon, lat), "bad coordinates: outside the UK (-2.7, 40.0)");
    EXPECT_FALSE(lon || lat);  // untouched by a refused pair
    ASSERT_FALSE(read_row_point("-2.750561", "+52.299527", lon, lat));
    EXPECT_EQ(*lon, -2.750561);
    EXPECT_EQ(*lat, 52.299527);

    const CopyPoint located(lon, lat), nowhere(std::nullopt, std::nullopt);
    EXPECT_EQ(located.lon(), "-2.750561");
    EXPECT_EQ(located.lat(), "52.299527");
    EXPECT_FALSE(nowhere.lon());
    EXPECT_FALSE(nowhere.lat());

    const std::vector<std::string_view> fields{"  a ", "b"};
    EXPECT_EQ(column_field(fields, 0), "a");
    EXPECT_EQ(column_field(fields, -1), "");  // a column the header lacks
}
