// libFuzzer harness: police.uk's poly=lat,lng:lat,lng:... parser (core/police_api.hpp), the text of
// /api/crimes-street?poly= and of its POST form.
// Oracles: an accepted polygon has 3..max_poly_vertices vertices, all inside the valid ranges,
// and printing it back ("%.17g") parses to the same vertices.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/police_api.hpp"
#include "fuzz_check.hpp"

using crimemap::fuzz::fuzz_check;
namespace police = crimemap::core::police;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto poly = police::parse_poly(text);
    if (!poly) return 0;
    const std::string in(text);
    fuzz_check(poly->size() >= 3 && poly->size() <= police::max_poly_vertices, "vertex count out of bounds",
               in);
    std::string printed;
    for (const auto& p : *poly) {
        fuzz_check(p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180, "vertex out of range", in);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%s%.17g,%.17g", printed.empty() ? "" : ":", p.lat, p.lon);
        printed += buf;
    }
    // "a:b:a:a" is accepted as [a, b, a]; printed, its closing vertex is dropped again: skip those.
    if (poly->front() == poly->back()) return 0;
    auto again = police::parse_poly(printed);
    fuzz_check(static_cast<bool>(again), "a printed polygon is refused", printed);
    fuzz_check(again->size() == poly->size(), "printed polygon has another vertex count", printed);
    for (std::size_t i = 0; i < again->size(); ++i)
        fuzz_check((*again)[i].lat == (*poly)[i].lat && (*again)[i].lon == (*poly)[i].lon, "vertex changed",
                   printed);
    return 0;
}
