#include "server/gzip.hpp"

#include <charconv>

#include "base/text.hpp"
#include "server/http_types.hpp"

namespace crimemap::server {

namespace {
using base::trim;

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
