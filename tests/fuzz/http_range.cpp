// libFuzzer harness: the Range header parser (server/http_range.hpp) on hostile text and sizes.
// Input: 8 bytes of representation size (little-endian), then the Range value.
// Oracles besides "no crash": a partial answer lies inside the file (first <= last < size); it is
// the same range when written back canonically; an unsatisfiable one really starts past the end
// (or asks for no bytes); If-Range only ever matches our own strong tag.
#include "server/http_range.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

using crimemap::fuzz::fuzz_check;
namespace server = crimemap::server;
using Outcome = server::RangeRequest::Outcome;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | data[i];
    // Small files half of the time: that is where the edges are.
    if (length & 1) length = (length >> 1) % 4096;
    const std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);

    const auto r = server::parse_range(header, length);
    const std::string detail = std::string(header) + " size " + std::to_string(length);
    if (r.outcome == Outcome::partial) {
        fuzz_check(r.first <= r.last && r.last < length, "a partial range outside the file", detail);
        fuzz_check(r.length() >= 1 && r.length() <= length, "a range length out of bounds", detail);
        const std::string canonical = "bytes=" + std::to_string(r.first) + "-" + std::to_string(r.last);
        const auto again = server::parse_range(canonical, length);
        fuzz_check(again.outcome == Outcome::partial && again.first == r.first && again.last == r.last,
                   "the canonical form of a range is another range", detail);
    }
    if (r.outcome == Outcome::unsatisfiable) {
        // Only a syntactically valid single range earns a 416; "bytes=N-" with N past the end must.
        const auto again = server::parse_range(header, UINT64_MAX);
        fuzz_check(again.outcome != Outcome::full, "a 416 for a malformed Range", detail);
    }
    fuzz_check(!server::if_range_matches(header, "\"fixed-tag\"") ||
                   header.find("\"fixed-tag\"") != std::string::npos,
               "If-Range matched another tag", detail);
    return 0;
}
