// core/json_input: the bounded JSON reader for request bodies. Valid documents must read exactly as
// nlohmann's own parser reads them; hostile ones (deep nesting, huge arrays, NULs, oversize bodies,
// bad UTF-8) must give the error naming the problem, without deep recursion.
#include <gtest/gtest.h>
#include <pthread.h>

#include <string>

#include "core/json_input.hpp"

using namespace crimemap::core;
using nlohmann::json;

namespace {

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

JsonLimits roomy() { return JsonLimits{1 << 20, json_max_depth, 1000}; }

// Runs f on a thread with a small stack (128 KiB): a parser or a destructor that recursed once per
// level of a 200,000-level body would overflow it and crash the test.
template <class F>
void on_small_stack(F f) {
    struct Box {
        F* f;
        static void* run(void* p) {
            (*static_cast<Box*>(p)->f)();
            return nullptr;
        }
    } box{&f};
    pthread_attr_t attr;
    ASSERT_EQ(pthread_attr_init(&attr), 0);
    ASSERT_EQ(pthread_attr_setstacksize(&attr, 128 * 1024), 0);
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, &attr, &Box::run, &box), 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
}

}  // namespace

TEST(JsonInput, ValidDocumentsReadAsNlohmannReadsThem) {
    const char* docs[] = {
        R"({"postcodes":["HR1 1AA","TF1 1AA",null,""]})",
        R"({"geolocations":[{"longitude":-2.71,"latitude":52.06,"radius":500,"limit":3,"widesearch":true}]})",
        R"([1, -2, 3.5e2, 18446744073709551615, -9223372036854775808, true, false, null, "\u00e9\ud83d\ude00"])",
        R"({"a":{"b":{"c":[[],{}]}},"a2":"x","dup":1,"dup":2})",
        R"(  "just a string"  )",
        "\xEF\xBB\xBF{\"bom\":1}",
        "42",
    };
    for (const char* d : docs) {
        auto ours = read_json(d, roomy());
        ASSERT_TRUE(ours) << d << ": " << ours.error().detail;
        EXPECT_EQ(*ours, json::parse(d)) << d;
    }
}

TEST(JsonInput, NestingUpToTheLimitIsReadAndOneMoreIsRefused) {
    auto ok = read_json(nested_arrays(json_max_depth), roomy());
    ASSERT_TRUE(ok) << ok.error().detail;
    EXPECT_EQ(*ok, json::parse(nested_arrays(json_max_depth)));

    JsonProblem problem{};
    auto deep = read_json(nested_arrays(json_max_depth + 1), roomy(), &problem);
    ASSERT_FALSE(deep);
    EXPECT_EQ(problem, JsonProblem::too_deep);
    EXPECT_EQ(deep.error().code, ErrorCode::bad_request);
    EXPECT_EQ(deep.error().detail, "JSON nesting deeper than " + std::to_string(json_max_depth) + " levels");

    // Objects count as levels too, mixed with arrays.
    std::string mixed;
    for (std::size_t i = 0; i < json_max_depth; ++i) mixed += i % 2 ? "[" : "{\"k\":";
    for (std::size_t i = json_max_depth; i-- > 0;) mixed += i % 2 ? "]" : "}";
    EXPECT_TRUE(read_json(mixed, roomy()));
    EXPECT_FALSE(read_json("[" + mixed + "]", roomy()));
}

TEST(JsonInput, TheIssuesDeepBodyFailsWithoutDeepRecursion) {
    // The request from issue 13: {"postcodes":[ then 200,000 '[' and as many ']' (~400 KB).
    const std::string body = R"({"postcodes":[)" + nested_arrays(200000) + "]}";
    JsonProblem problem{};
    std::string detail;
    bool failed = false;
    on_small_stack([&] {
        auto r = read_json(body, JsonLimits{1 << 20, json_max_depth, 1000}, &problem);
        failed = !r;
        if (!r) detail = r.error().detail;
    });
    EXPECT_TRUE(failed);
    EXPECT_EQ(problem, JsonProblem::too_deep);
    EXPECT_NE(detail.find("nesting deeper than 32"), std::string::npos) << detail;
    // Unclosed too: 200,000 '[' with nothing after.
    on_small_stack([&] { failed = !read_json(std::string(200000, '['), roomy(), &problem); });
    EXPECT_TRUE(failed);
    EXPECT_EQ(problem, JsonProblem::too_deep);
}

TEST(JsonInput, TextWithANulIsRefusedNeverCut) {
    for (const char* d : {R"({"issue":"a\u0000b"})", R"(["\u0000"])", R"({"a\u0000":1})"}) {
        JsonProblem problem{};
        auto r = read_json(d, roomy(), &problem);
        ASSERT_FALSE(r) << d;
        EXPECT_EQ(problem, JsonProblem::nul) << d;
        EXPECT_EQ(r.error().detail, "Text contains a NUL character");
    }
    // A raw NUL byte anywhere: nlohmann alone would stop at it and read "[1]\0[2]" as [1].
    ASSERT_EQ(json::parse(std::string("[1]\0[2]", 7)), json::parse("[1]")) << "the behaviour guarded against";
    for (const std::string& d :
         {std::string("[\"a\0b\"]", 7), std::string("[1]\0[2]", 7), std::string("\0", 1)}) {
        JsonProblem problem{};
        auto r = read_json(d, roomy(), &problem);
        ASSERT_FALSE(r);
        EXPECT_EQ(problem, JsonProblem::nul);
        EXPECT_EQ(r.error().detail, "Text contains a NUL character");
    }
    // Other raw control characters in a string are not JSON.
    JsonProblem problem{};
    EXPECT_FALSE(read_json("[\"a\x01b\"]", roomy(), &problem));
    EXPECT_EQ(problem, JsonProblem::syntax);
}

TEST(JsonInput, SyntaxErrorsNameTheByte) {
    for (const std::string d :
         {"[1,2,x]", "{\"a\":}", "[1,2", "{\"a\":1} trailing", "[\"\xff\"]", "[\"\xc3\"]"}) {
        std::size_t expected_byte = 0;
        try {
            auto parsed = json::parse(d);
            FAIL() << d << " parsed: " << parsed.dump();
        } catch (const json::parse_error& e) {
            expected_byte = e.byte;
        }
        JsonProblem problem{};
        auto r = read_json(d, roomy(), &problem);
        ASSERT_FALSE(r) << d;
        EXPECT_EQ(problem, JsonProblem::syntax) << d;
        EXPECT_EQ(r.error().detail, "Body is not valid JSON at byte " + std::to_string(expected_byte)) << d;
    }
    JsonProblem problem{};
    EXPECT_EQ(read_json("  ", roomy(), &problem).error().detail, "Body is empty: expected JSON");
    EXPECT_EQ(problem, JsonProblem::syntax);
    EXPECT_FALSE(read_json("[1e999]", roomy()));  // a number out of range is refused, not infinity
}

TEST(JsonInput, BodyLimitIsTheCallers) {
    const std::string body = R"({"postcodes":["HR1 1AA"]})";
    EXPECT_TRUE(read_json(body, JsonLimits{body.size(), json_max_depth, 10}));
    JsonProblem problem{};
    auto r = read_json(body, JsonLimits{body.size() - 1, json_max_depth, 10}, &problem);
    ASSERT_FALSE(r);
    EXPECT_EQ(problem, JsonProblem::too_large);
    EXPECT_EQ(r.error().code, ErrorCode::payload_too_large);
    EXPECT_EQ(http_status(r.error().code), 413);
    EXPECT_EQ(r.error().detail, "Body larger than " + std::to_string(body.size() - 1) + " bytes");
}

TEST(JsonInput, ItemsPerArrayAndKeysPerObjectAreBounded) {
    auto array_of = [](std::size_t n) {
        std::string s = "[";
        for (std::size_t i = 0; i < n; ++i) s += (i ? ",0" : "0");
        return s + "]";
    };
    auto object_of = [](std::size_t n) {
        std::string s = "{";
        for (std::size_t i = 0; i < n; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
        return s + "}";
    };
    const JsonLimits limits{1 << 20, json_max_depth, 50};
    auto ok = read_json(array_of(50), limits);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->size(), 50u);
    JsonProblem problem{};
    auto big = read_json(array_of(51), limits, &problem);
    ASSERT_FALSE(big);
    EXPECT_EQ(problem, JsonProblem::too_many_items);
    EXPECT_EQ(big.error().detail, "JSON array with more than 50 items");
    EXPECT_TRUE(read_json(object_of(50), limits));
    auto wide = read_json(object_of(51), limits, &problem);
    ASSERT_FALSE(wide);
    EXPECT_EQ(wide.error().detail, "JSON object with more than 50 keys");
    // The limit is per container, not per document.
    EXPECT_TRUE(read_json("[" + array_of(50) + "," + array_of(50) + "]", limits));
}

TEST(JsonInput, EchoesAreShortScalars) {
    EXPECT_EQ(bounded_echo(json("HR1 1AA")), "HR1 1AA");
    EXPECT_EQ(bounded_echo(json(12.5)), 12.5);
    EXPECT_EQ(bounded_echo(json(true)), true);
    EXPECT_TRUE(bounded_echo(json(nullptr)).is_null());
    EXPECT_TRUE(bounded_echo(json::parse("[[[1]]]")).is_null());
    EXPECT_TRUE(bounded_echo(json::parse(R"({"a":1})")).is_null());
    EXPECT_EQ(bounded_echo(json(std::string(500, 'x')), 100), std::string(100, 'x'));
    // Cut at a character boundary: "é" is two bytes, so 99 x + é (101 bytes) cuts before the é.
    auto cut = bounded_echo(json(std::string(99, 'x') + "\xc3\xa9"), 100).get<std::string>();
    EXPECT_EQ(cut, std::string(99, 'x'));
    EXPECT_NO_THROW((void)json(cut).dump());  // still valid UTF-8
}

TEST(JsonInput, CheckTextRefusesControlCharactersAndCountsCharacters) {
    EXPECT_FALSE(check_text("Street drinking\tin High Town\r\nEvenings", "issue", 2000));
    EXPECT_FALSE(check_text("<img src=x onerror=alert(1)>", "issue", 2000))
        << "kept literally, not sanitised";
    auto nul = check_text(std::string("a\0b", 3), "issue", 2000);
    ASSERT_TRUE(nul);
    EXPECT_EQ(nul->detail, "Invalid issue: text contains a NUL character");
    EXPECT_TRUE(check_text("bell\x07", "title", 200));
    EXPECT_TRUE(check_text("del\x7f", "title", 200));
    // 200 two-byte characters are 200 characters, not 400.
    std::string welsh;
    for (int i = 0; i < 200; ++i) welsh += "\xc5\xb5";  // ŵ
    EXPECT_EQ(utf8_length(welsh), 200u);
    EXPECT_FALSE(check_text(welsh, "title", 200));
    EXPECT_TRUE(check_text(welsh + "w", "title", 200));
}
