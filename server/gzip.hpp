#pragma once
// gzip for HTTP: compression itself lives in core/gzip.hpp (the exporter uses it too); this adds
// Accept-Encoding negotiation. Thread-safe (no shared state).
#include <string_view>

#include "core/gzip.hpp"

namespace crimemap::server {

using core::gzip_compress;
using core::gzip_decompress;

// True when an Accept-Encoding value admits gzip: "gzip", "x-gzip" or "*" with q > 0
// ("gzip;q=0" refuses it, as does a "*;q=0" without an explicit gzip).
bool accepts_gzip(std::string_view accept_encoding) noexcept;

}  // namespace crimemap::server
