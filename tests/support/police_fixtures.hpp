#pragma once
// The real police.uk responses in ../shared/data/police_api_json, and the shape comparison the
// data.police.uk-compatible routes are tested with. Test-only, header-only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

namespace crimemap::police_fixtures {

using nlohmann::json;

// A fixture by path under police_api_json/; a missing one is a test failure, never a silently
// skipped comparison.
inline json fixture(const std::string& rel) {
    auto path = std::filesystem::path(CRIMEMAP_SOURCE_DIR) / "../shared/data/police_api_json" / rel;
    std::ifstream in(path);
    if (!in) {
        ADD_FAILURE() << "police.uk fixture missing: " << path;
        return nullptr;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // the .NET fixtures start with a BOM
    return json::parse(text, nullptr, false);
}

// Same keys, and each value of a compatible JSON type (null matches anything; numbers match
// numbers; police.uk's coordinates are strings on both sides), recursively for objects.
inline void expect_same_shape(const json& ours, const json& theirs, const std::string& where) {
    ASSERT_FALSE(theirs.is_discarded()) << where << ": fixture unreadable";
    if (theirs.is_null() || ours.is_null()) return;
    if (theirs.is_object()) {
        ASSERT_TRUE(ours.is_object()) << where;
        // contact_details is a free-form object on police.uk (its keys vary by team): type only.
        if (where.ends_with("contact_details")) return;
        for (const auto& [k, v] : theirs.items()) {
            ASSERT_TRUE(ours.contains(k)) << where << ": missing key " << k;
            expect_same_shape(ours[k], v, where + "." + k);
        }
        return;
    }
    if (theirs.is_array()) {
        ASSERT_TRUE(ours.is_array()) << where;
        if (!theirs.empty() && !ours.empty()) expect_same_shape(ours[0], theirs[0], where + "[0]");
        return;
    }
    if (theirs.is_number()) {
        EXPECT_TRUE(ours.is_number()) << where;
        return;
    }
    EXPECT_EQ(ours.type_name(), theirs.type_name()) << where;
}

}  // namespace crimemap::police_fixtures
