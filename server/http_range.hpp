#pragma once
// HTTP Range requests (RFC 9110 section 14) for serving archives: one byte range per answer, no
// multipart. Pure functions on hostile text; nothing here allocates more than the input.
//   "bytes=0-99"     first 100 bytes        "bytes=100-"   from byte 100 to the end
//   "bytes=-500"     the last 500 bytes     "bytes=5-1,9-" several ranges: ignored (full answer)
// Numbers of any length are read without overflow: a first position past 2^64 is past the end
// (416), a last position past it means "to the end". Thread-safe.
#include <cstdint>
#include <string_view>

namespace crimemap::server {

struct RangeRequest {
    enum class Outcome {
        full,           // no usable Range header (absent, another unit, malformed, several ranges): 200
        partial,        // one satisfiable range: 206 with first..last
        unsatisfiable,  // a valid single range that lies past the end: 416 with "bytes */size"
    };
    Outcome outcome = Outcome::full;
    std::uint64_t first = 0;  // inclusive, < size when partial
    std::uint64_t last = 0;   // inclusive, < size when partial
    std::uint64_t length() const { return last - first + 1; }
};

// `header` is the Range field's value (std::nullopt-free: pass "" when absent); size the
// representation's length in bytes.
RangeRequest parse_range(std::string_view header, std::uint64_t size) noexcept;

// Whether an If-Range value lets the range apply: only an exact strong entity tag equal to ours
// (a date or a weak tag never matches, so the client gets the whole, current representation).
bool if_range_matches(std::string_view if_range, std::string_view strong_etag) noexcept;

}  // namespace crimemap::server
