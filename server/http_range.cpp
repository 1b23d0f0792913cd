#include "server/http_range.hpp"

#include <optional>

#include "base/text.hpp"

namespace crimemap::server {

namespace {

// Digits as a number; saturates at UINT64_MAX instead of overflowing (the caller decides what a
// huge value means). nullopt when empty or not all digits.
std::optional<std::uint64_t> saturating_number(std::string_view digits) noexcept {
    if (digits.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    return v;
}

}  // namespace

RangeRequest parse_range(std::string_view header, std::uint64_t size) noexcept {
    RangeRequest full;  // the answer whenever the header is not one valid byte range
    std::string_view text = base::trim(header);
    constexpr std::string_view unit = "bytes";
    if (text.size() < unit.size() || !base::iequals(text.substr(0, unit.size()), unit)) return full;
    text = base::trim(text.substr(unit.size()));
    if (text.empty() || text.front() != '=') return full;
    text = base::trim(text.substr(1));
    // Several ranges would need multipart/byteranges; we answer them with the whole file, as the
    // RFC allows a server to ignore Range (and as a pmtiles reader never sends them).
    if (text.find(',') != std::string_view::npos) return full;
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) return full;
    const std::string_view first_text = base::trim(text.substr(0, dash));
    const std::string_view last_text = base::trim(text.substr(dash + 1));

    RangeRequest r;
    if (first_text.empty()) {
        // Suffix range: the last N bytes.
        auto suffix = saturating_number(last_text);
        if (!suffix) return full;
        if (*suffix == 0 || size == 0) {
            r.outcome = RangeRequest::Outcome::unsatisfiable;
            return r;
        }
        r.outcome = RangeRequest::Outcome::partial;
        r.first = *suffix >= size ? 0 : size - *suffix;
        r.last = size - 1;
        return r;
    }
    auto first = saturating_number(first_text);
    if (!first) return full;
    std::uint64_t last = UINT64_MAX;
    if (!last_text.empty()) {
        auto parsed = saturating_number(last_text);
        if (!parsed || *parsed < *first) return full;  // malformed: ignored, not 416
        last = *parsed;
    }
    if (*first >= size) {
        r.outcome = RangeRequest::Outcome::unsatisfiable;
        return r;
    }
    r.outcome = RangeRequest::Outcome::partial;
    r.first = *first;
    r.last = last >= size ? size - 1 : last;
    return r;
}

bool if_range_matches(std::string_view if_range, std::string_view strong_etag) noexcept {
    const std::string_view v = base::trim(if_range);
    return v.size() >= 2 && v.front() == '"' && v == strong_etag;
}

}  // namespace crimemap::server
