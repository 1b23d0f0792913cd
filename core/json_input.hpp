#pragma once
// The one way request bodies become JSON: a bounded reader on nlohmann's SAX interface. It enforces
// a byte limit (the caller's, per route), a nesting limit (32), a limit on the items of any one
// array or object, and refuses text holding a NUL (raw or `\u0000`), so a hostile body can neither
// recurse the process to death nor be cut silently. The parse itself never recurses; the value it
// returns is at most `max_depth` deep, so copying, dumping and destroying it are bounded too.
// Also: bounded echoes of request values and a text check for query and path values.
// Pure functions, thread-safe.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace crimemap::core {

inline constexpr std::size_t json_max_depth = 32;

struct JsonLimits {
    std::size_t max_bytes = 64 * 1024;       // the whole body; more -> payload_too_large (413)
    std::size_t max_depth = json_max_depth;  // nested arrays/objects; the top-level value is depth 1
    std::size_t max_items = 1000;            // elements of one array or members of one object
};

// Per-route body limits (documented in docs/api.md, "Limits").
// POST /postcodes: 100 postcodes or locations need a few KB; 512 KiB leaves room for pretty
// printing and still answers hostile bodies (issue 13's is 400 KB) by what is wrong with them.
inline constexpr JsonLimits bulk_body_limits{512 * 1024, json_max_depth, 1000};
inline constexpr JsonLimits team_body_limits{64 * 1024, json_max_depth, 100};  // team writes
inline constexpr std::size_t form_body_max_bytes = 64 * 1024;  // POST /api/crimes-street (poly=…)

// What went wrong, for callers that keep a compatible message for plain syntax errors.
enum class JsonProblem { none, syntax, too_large, too_deep, too_many_items, nul };

// The value, or an Error naming the problem: "Body is not valid JSON at byte N", "JSON nesting
// deeper than 32 levels", "JSON array with more than N items", "Text contains a NUL character"
// (a `\u0000` escape, or a raw NUL byte anywhere: nlohmann would stop reading there),
// "Body larger than N bytes" (payload_too_large); bad_request otherwise. Invalid UTF-8 in a
// string is a syntax error. `problem`, when given, receives the kind.
Result<nlohmann::json> read_json(std::string_view body, const JsonLimits& limits,
                                 JsonProblem* problem = nullptr);

// A request value fit to echo back: numbers, booleans and null as they are, strings cut to
// `max_bytes` (at a UTF-8 character boundary), arrays and objects as null (never a structure).
nlohmann::json bounded_echo(const nlohmann::json& value, std::size_t max_bytes = 100);

// ok, or bad_request naming `what` when text holds a NUL or a control character other than tab,
// line feed and carriage return, or is longer than `max_chars` characters (UTF-8 code points).
std::optional<Error> check_text(std::string_view text, std::string_view what, std::size_t max_chars);

// Code points of UTF-8 text (bytes that do not continue a character).
std::size_t utf8_length(std::string_view text) noexcept;

}  // namespace crimemap::core
