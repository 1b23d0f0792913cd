#pragma once
// fuzz_check: a harness's own oracle. On failure it prints why and aborts, which libFuzzer records
// as a crash (the input is saved as crash-<sha1>). Header-only, no dependency beyond std.
#include <cstdio>
#include <cstdlib>
#include <string>

namespace crimemap::fuzz {

// A failed oracle is a finding: print why and abort, which libFuzzer saves as a crash input.
inline void fuzz_check(bool ok, const char* what, const std::string& detail = {}) {
    if (ok) return;
    std::fprintf(stderr, "fuzz check failed: %s\n%s\n", what, detail.c_str());
    std::abort();
}

}  // namespace crimemap::fuzz
