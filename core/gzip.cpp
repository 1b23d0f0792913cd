#include "core/gzip.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <array>
#include <memory>
#include <new>
#include <stdexcept>

namespace crimemap::core {

namespace {
struct CompressorFree {
    void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};
using Compressor = std::unique_ptr<libdeflate_compressor, CompressorFree>;
}  // namespace

std::string gzip_compress(std::string_view data, int level) {
    if (level < 1 || level > 12) throw std::invalid_argument("gzip level must be 1..12");
    // One compressor per thread and level: allocating one (hash tables, several hundred KB at the
    // higher levels) costs more than compressing a typical tile, as zlib's deflateInit2 did.
    thread_local std::array<Compressor, 13> compressors;
    auto& c = compressors[static_cast<std::size_t>(level)];
    if (!c) {
        c.reset(libdeflate_alloc_compressor(level));
        if (!c) throw std::bad_alloc();
    }
    std::string out(libdeflate_gzip_compress_bound(c.get(), data.size()), '\0');
    const std::size_t n = libdeflate_gzip_compress(c.get(), data.data(), data.size(), out.data(), out.size());
    if (n == 0) throw std::runtime_error("libdeflate_gzip_compress: output buffer too small");
    out.resize(n);
    return out;
}

std::optional<std::string> gzip_decompress(std::string_view data, std::size_t max_bytes) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return std::nullopt;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[16384];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) break;
        out.append(buf, sizeof buf - zs.avail_out);
        if (out.size() > max_bytes) {
            rc = Z_DATA_ERROR;
            break;
        }
        if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
            rc = Z_DATA_ERROR;  // truncated stream
            break;
        }
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) return std::nullopt;
    return out;
}

}  // namespace crimemap::core
