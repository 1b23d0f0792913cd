// bench/gzip: zlib against libdeflate on crimemapd's own payloads (tiles, JSON answers), at the
// same output size. For every zlib level 1..9 it finds the lowest libdeflate level (1..12) whose
// output is no larger, and prints the median time of each (streams and compressors reused, as in
// core/gzip.cpp), then the totals over all payloads per level of each. Usage: gzip_compare FILE...
// (each file one payload).
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {
using clock_type = std::chrono::steady_clock;

struct Result {
    std::size_t bytes = 0;
    double us = 0;  // median microseconds per compression
};

template <class F>
double median_us(F&& f, int reps) {
    std::vector<double> t;
    for (int r = 0; r < reps; ++r) {
        auto t0 = clock_type::now();
        f();
        t.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

Result zlib_run(const std::string& in, int level, int reps) {
    z_stream zs{};
    deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, in.size()) + 32, '\0');
    Result r;
    r.us = median_us(
        [&] {
            deflateReset(&zs);
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
            zs.avail_in = static_cast<uInt>(in.size());
            zs.next_out = reinterpret_cast<Bytef*>(out.data());
            zs.avail_out = static_cast<uInt>(out.size());
            deflate(&zs, Z_FINISH);
            r.bytes = zs.total_out;
        },
        reps);
    deflateEnd(&zs);
    return r;
}

Result libdeflate_run(const std::string& in, int level, int reps) {
    auto* c = libdeflate_alloc_compressor(level);
    std::string out(libdeflate_gzip_compress_bound(c, in.size()), '\0');
    Result r;
    r.us = median_us(
        [&] { r.bytes = libdeflate_gzip_compress(c, in.data(), in.size(), out.data(), out.size()); }, reps);
    libdeflate_free_compressor(c);
    return r;
}
}  // namespace

int main(int argc, char** argv) {
    std::printf("%-28s %8s | %-5s %8s %9s | %-5s %8s %9s | %s\n", "payload", "bytes", "zlib", "out", "us",
                "ldefl", "out", "us", "libdeflate time / zlib time");
    std::vector<Result> zlib_total(10), ld_total(13);
    for (int i = 1; i < argc; ++i) {
        std::ifstream f(argv[i], std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        const std::string in = ss.str();
        const int reps = in.size() > 100000 ? 51 : 501;
        std::vector<Result> ld(13);
        for (int l = 1; l <= 12; ++l) {
            auto& d = ld[static_cast<std::size_t>(l)] = libdeflate_run(in, l, reps);
            ld_total[static_cast<std::size_t>(l)].bytes += d.bytes;
            ld_total[static_cast<std::size_t>(l)].us += d.us;
        }
        for (int l = 1; l <= 9; ++l) {
            auto z = zlib_run(in, l, reps);
            zlib_total[static_cast<std::size_t>(l)].bytes += z.bytes;
            zlib_total[static_cast<std::size_t>(l)].us += z.us;
        }
        std::string name = argv[i];
        name = name.substr(name.find_last_of('/') + 1);
        for (int zl : {1, 4, 6, 9}) {
            auto z = zlib_run(in, zl, reps);
            int pick = 12;
            for (int l = 1; l <= 12; ++l)
                if (ld[static_cast<std::size_t>(l)].bytes <= z.bytes) {
                    pick = l;
                    break;
                }
            const auto& d = ld[static_cast<std::size_t>(pick)];
            std::printf("%-28s %8zu | z%-4d %8zu %9.1f | ld%-3d %8zu %9.1f | %.2f\n", name.c_str(), in.size(),
                        zl, z.bytes, z.us, pick, d.bytes, d.us, d.us / z.us);
        }
    }
    std::printf("\ntotals over the %d payloads (bytes out, sum of median us):\n", argc - 1);
    for (int l = 1; l <= 12; ++l) {
        if (l <= 9)
            std::printf("  zlib %d: %8zu bytes %9.1f us   ", l, zlib_total[static_cast<std::size_t>(l)].bytes,
                        zlib_total[static_cast<std::size_t>(l)].us);
        else
            std::printf("  %37s", "");
        std::printf("libdeflate %2d: %8zu bytes %9.1f us\n", l, ld_total[static_cast<std::size_t>(l)].bytes,
                    ld_total[static_cast<std::size_t>(l)].us);
    }
}
