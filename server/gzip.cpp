#include "server/gzip.hpp"

#include <zlib.h>

#include <charconv>
#include <stdexcept>

#include "server/http_types.hpp"

namespace crimemap::server {

std::string gzip_compress(std::string_view data, int level) {
    z_stream zs{};
    // windowBits 15 + 16: write a gzip header and trailer instead of zlib's.
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    std::size_t produced = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    out.resize(produced);
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

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// q-value of one "coding;q=0.5" element; 1 when absent, 0 when malformed.
double qvalue(std::string_view params) {
    while (!params.empty()) {
        auto semi = params.find(';');
        std::string_view p = trim(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
        if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            std::string_view v = p.substr(2);
            double q = 0;
            auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), q);
            if (ec != std::errc() || ptr != v.data() + v.size()) return 0;
            return q;
        }
    }
    return 1;
}
}  // namespace

bool accepts_gzip(std::string_view header) noexcept {
    std::optional<double> gzip_q, star_q;
    while (!header.empty()) {
        auto comma = header.find(',');
        std::string_view item = trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        auto semi = item.find(';');
        std::string_view coding = trim(item.substr(0, semi));
        double q = semi == std::string_view::npos ? 1.0 : qvalue(item.substr(semi + 1));
        if (iequals(coding, "gzip") || iequals(coding, "x-gzip"))
            gzip_q = q;
        else if (coding == "*")
            star_q = q;
    }
    if (gzip_q) return *gzip_q > 0;
    return star_q && *star_q > 0;
}

}  // namespace crimemap::server
