#pragma once
// gzip for HTTP: compression itself lives in core/gzip.hpp (the exporter uses it too); this adds
// Accept-Encoding negotiation. Thread-safe (no shared state).
#include <string_view>

#include "core/gzip.hpp"

namespace crimemap::server {

using core::gzip_compress;
using core::gzip_decompress;

// libdeflate levels (core/gzip.hpp), chosen with bench/gzip on the sample's tiles and answers
// (12 payloads, 0.5-19 KB; totals of median times, 2026-12-07):
//  - gzip_level_once: a body compressed for one client only (uncached tiles). libdeflate 1 is
//    smaller than zlib 1 (43,456 vs 43,845 bytes) in 0.44 of its time (190 vs 433 us).
//  - gzip_level_held: a body compressed once and sent many times (cached tiles and answers,
//    other JSON). libdeflate 5 is smaller than zlib 4, the level used before (42,011 vs 42,340
//    bytes), in 0.66 of its time (401 vs 607 us).
inline constexpr int gzip_level_once = 1;
inline constexpr int gzip_level_held = 5;

// True when an Accept-Encoding value admits gzip: "gzip", "x-gzip" or "*" with q > 0
// ("gzip;q=0" refuses it, as does a "*;q=0" without an explicit gzip).
bool accepts_gzip(std::string_view accept_encoding) noexcept;

}  // namespace crimemap::server
