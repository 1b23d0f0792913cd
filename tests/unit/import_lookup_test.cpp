// `crimemap import lookups`: code -> name JSON maps and district -> county CSV rows (no database).
#include <gtest/gtest.h>

#include "support/csv_records.hpp"
#include "tools/common.hpp"
#include "tools/district_county_import.hpp"
#include "tools/lookup_import.hpp"

using namespace crimemap::tools;
using crimemap::test::read_csv;

TEST(ImportLookup, CodeNamesKeepGssCodesOnly) {
    auto doc = nlohmann::json::parse(R"({"E06000019": " Herefordshire, County of ", "E99999999": "pseudo",
        "xx": "not a code", "E05000001": 7, "W02000001": "Cardiff 001"})");
    auto names = parse_code_names(doc, "lad");
    ASSERT_TRUE(names);
    // An independent count: keys that look like GSS codes with string values.
    std::uint64_t good = 0;
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (is_gss_code(it.key()) && it.value().is_string()) ++good;
    EXPECT_EQ(names->entries.size(), good);
    EXPECT_EQ(names->ignored, doc.size() - good);
    for (const auto& e : names->entries) {
        EXPECT_EQ(e.kind, "lad");
        EXPECT_EQ(e.name, std::string(trim(doc[e.code].get<std::string>())));
    }
    EXPECT_FALSE(parse_code_names(nlohmann::json::array({1, 2}), "lad"));
}

TEST(ImportLookup, ObjectValuesOfCcgsAndNuts) {
    // As postcodes.io's ccgs.json and nuts.json write them (lookups_v14).
    auto ccgs = parse_code_names(
        nlohmann::json::parse(
            R"({"E38000236": {"ccg19cdh": "18C", "name": "NHS Herefordshire and Worcestershire"},
                                  "E38000001": {"ccg19cdh": "00C"}, "E38000002": {"name": 5}})"),
        "ccg");
    ASSERT_TRUE(ccgs);
    ASSERT_EQ(ccgs->entries.size(), 2u);
    EXPECT_EQ(ccgs->entries[0].kind, "ccg");
    EXPECT_EQ(ccgs->entries[0].name, "NHS Herefordshire and Worcestershire");
    EXPECT_EQ(ccgs->entries[1].kind, "ccg_id");
    EXPECT_EQ(ccgs->entries[1].code, "E38000236");
    EXPECT_EQ(ccgs->entries[1].name, "18C");
    EXPECT_EQ(ccgs->ignored, 2u);  // no name, a name that is not a string
    auto nuts = parse_code_names(
        nlohmann::json::parse(R"({"E06000019": {"code": "TLG11", "name": "Herefordshire, County of"}})"),
        "nuts");
    ASSERT_TRUE(nuts);
    ASSERT_EQ(nuts->entries.size(), 2u);
    EXPECT_EQ(nuts->entries[0].kind, "nuts");
    EXPECT_EQ(nuts->entries[1].kind, "nuts_code");
    EXPECT_EQ(nuts->entries[1].name, "TLG11");
}

TEST(ImportLookup, KindsOfPostcodesIoFileNames) {
    EXPECT_EQ(lookup_kind_for_file("nhsHa"), "nhs_ha");
    EXPECT_EQ(lookup_kind_for_file("pcts"), "pct");
    EXPECT_EQ(lookup_kind_for_file("wards.json"), "ward");  // the stem of wards.json.gz
    EXPECT_EQ(lookup_kind_for_file("european_registers"), "eer");
    EXPECT_EQ(lookup_kind_for_file("parishes.json"), "parish");
    EXPECT_EQ(lookup_kind_for_file("nuts"), "nuts");
}

TEST(ImportLookup, GssCodes) {
    EXPECT_TRUE(is_gss_code("E06000019"));
    EXPECT_FALSE(is_gss_code("E99999999"));
    EXPECT_FALSE(is_gss_code("e06000019"));
    EXPECT_FALSE(is_gss_code("E0600001"));
    EXPECT_FALSE(is_gss_code("E06000019 "));
}

TEST(ImportLookup, DistrictCountyHeaderByName) {
    auto lad = map_district_county_header(read_csv("FID,LAD19CD,LAD19NM,CTY19CD,CTY19NM\n")[0].views(),
                                          {"l.csv", 1});
    ASSERT_TRUE(lad.ok());
    EXPECT_EQ(lad.row().lad, 1);
    EXPECT_EQ(lad.row().lad_name, 2);
    EXPECT_EQ(lad.row().county, 3);
    EXPECT_EQ(lad.row().county_name, 4);
    auto tier = map_district_county_header(read_csv("ltla21cd,utla21cd\n")[0].views(), {"l.csv", 1});
    ASSERT_TRUE(tier.ok());
    EXPECT_EQ(tier.row().lad_name, -1);
    auto bad = map_district_county_header(read_csv("LAD19CD,LAD19NM,RGN19CD\n")[0].views(), {"dir/l.csv", 1});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().file, "dir/l.csv");
    EXPECT_EQ(bad.error().line, 1u);
    EXPECT_NE(bad.error().reason.find("not a district -> county lookup"), std::string::npos);
}

TEST(ImportLookup, DistrictCountyRowsParseToTypedValues) {
    auto rec = read_csv(
        "LAD19CD,LAD19NM,CTY19CD,CTY19NM\n"
        "E07000234,Bromsgrove,E10000034,Worcestershire\n"
        "E06000019,Herefordshire,E06000019,Herefordshire\n"
        "E06000051,Shropshire,,\n"
        "header again,x,y,z\n");
    auto cols = map_district_county_header(rec[0].views(), {"l.csv", rec[0].line}).row();
    auto two = parse_district_county_row(cols, rec[1].views());
    EXPECT_EQ(two.kind, DistrictCountyRow::Kind::two_tier);
    EXPECT_EQ(two.lad, rec[1].fields[0]);
    EXPECT_EQ(two.lad_name, rec[1].fields[1]);
    EXPECT_EQ(two.county, rec[1].fields[2]);
    EXPECT_EQ(two.county_name, rec[1].fields[3]);
    auto same = parse_district_county_row(cols, rec[2].views());  // county = district: unitary
    EXPECT_EQ(same.kind, DistrictCountyRow::Kind::unitary);
    EXPECT_EQ(same.lad_name, rec[2].fields[1]);
    EXPECT_EQ(same.county, "");
    EXPECT_EQ(parse_district_county_row(cols, rec[3].views()).kind, DistrictCountyRow::Kind::unitary);
    EXPECT_EQ(parse_district_county_row(cols, rec[4].views()).kind, DistrictCountyRow::Kind::no_district);
}
