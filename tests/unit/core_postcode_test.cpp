// Postcode normalisation: any case and spacing in, compact key and display form out.
#include <gtest/gtest.h>

#include "core/postcode.hpp"

using crimemap::core::parse_outcode;
using crimemap::core::parse_postcode;

TEST(CorePostcode, NormalisesCaseAndSpacing) {
    for (const char* text : {"hr11aa", " HR1  1AA ", "HR1 1AA", "hr1 1aa", "Hr1\t1aA"}) {
        auto pc = parse_postcode(text);
        ASSERT_TRUE(pc) << text;
        EXPECT_EQ(pc->compact, "HR11AA") << text;
        EXPECT_EQ(pc->display, "HR1 1AA") << text;
        EXPECT_EQ(pc->outcode(), "HR1");
        EXPECT_EQ(pc->incode(), "1AA");
    }
}

TEST(CorePostcode, AllOutwardShapes) {
    const std::pair<const char*, const char*> cases[] = {
        {"m11aa", "M1 1AA"},      // A9
        {"m601nw", "M60 1NW"},    // A99
        {"cr26xh", "CR2 6XH"},    // AA9
        {"dn551pt", "DN55 1PT"},  // AA99
        {"w1a1hq", "W1A 1HQ"},    // A9A
        {"ec1a1bb", "EC1A 1BB"},  // AA9A
        {"TF10 7AA", "TF10 7AA"},
    };
    for (const auto& [in, display] : cases) {
        auto pc = parse_postcode(in);
        ASSERT_TRUE(pc) << in;
        EXPECT_EQ(pc->display, display);
    }
}

TEST(CorePostcode, RejectsInvalidForms) {
    for (const char* text : {"", "   ", "HR1", "HR1 1A", "HR1 AAA", "1HR 1AA", "HR1 1AAA", "HRR1 1AA",
                             "H 1AA", "HR1-1AA", "HR1 1ÄA", "12345", "HR111AAA", "AAAA 1AA"}) {
        EXPECT_FALSE(parse_postcode(text)) << "'" << text << "'";
    }
}

TEST(CorePostcode, Outcodes) {
    EXPECT_EQ(parse_outcode("hr1").value_or(""), "HR1");
    EXPECT_EQ(parse_outcode(" tf10 ").value_or(""), "TF10");
    EXPECT_EQ(parse_outcode("W1A").value_or(""), "W1A");
    EXPECT_FALSE(parse_outcode("HR1 1AA"));
    EXPECT_FALSE(parse_outcode("1HR"));
    EXPECT_FALSE(parse_outcode(""));
}
