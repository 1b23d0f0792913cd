// libFuzzer harness: the postcode normaliser (core/postcode.hpp).
// Oracles: a parsed postcode is a fixed point (its compact and display forms parse to the same
// value); compact is display without its one space, upper case; the outward code of a postcode is
// itself a valid outcode; parse_outcode's answer is upper case and parses again to itself.
#include "core/postcode.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

using crimemap::fuzz::fuzz_check;
namespace core = crimemap::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto p = core::parse_postcode(text)) {
        const std::string in(text);
        fuzz_check(p->compact.size() >= 5 && p->compact.size() <= 7, "compact length", in);
        for (char c : p->compact)
            fuzz_check(
                std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)),
                "compact is not upper-case alphanumeric", in);
        std::string joined = p->outcode() + p->incode();
        fuzz_check(joined == p->compact, "display without its space != compact", in);
        fuzz_check(p->incode().size() == 3, "inward code is not 3 characters", in);
        for (auto form : {p->compact, p->display}) {
            auto again = core::parse_postcode(form);
            fuzz_check(again && again->compact == p->compact && again->display == p->display,
                       "not a fixed point", in);
        }
        auto out = core::parse_outcode(p->outcode());
        fuzz_check(out && *out == p->outcode(), "the outward code of a postcode is not an outcode", in);
    }
    if (auto o = core::parse_outcode(text)) {
        for (char c : *o)
            fuzz_check(!std::islower(static_cast<unsigned char>(c)), "outcode not upper case",
                       std::string(text));
        auto again = core::parse_outcode(*o);
        fuzz_check(again && *again == *o, "outcode not a fixed point", std::string(text));
    }
    return 0;
}
