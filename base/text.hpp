#pragma once
// Small ASCII text helpers shared by every module (the bottom of the dependency graph: no other
// crimemap header is included here). Locale-independent; pure functions, thread-safe.
#include <string_view>

namespace crimemap::base {

constexpr bool is_ascii_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// `s` without leading and trailing ASCII whitespace.
constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
    return s;
}

// `s` without leading and trailing HTTP optional whitespace (RFC 9110 OWS: spaces and tabs only),
// so any other control character in a header value stays for its parser to refuse.
constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (header names, tokens, category names).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

// 0..15 for a hexadecimal digit, -1 otherwise.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// True when `s` is well-formed UTF-8 without NUL bytes: what PostgreSQL accepts in a UTF8 text
// column (overlong forms, surrogates and code points above U+10FFFF are refused).
constexpr bool is_valid_utf8_text(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0) return false;
        if (c < 0x80) {
            ++i;
            continue;
        }
        // Lead byte: 110xxxxx, 1110xxxx or 11110xxx starts a sequence of 1, 2 or 3 more bytes.
        const std::size_t n = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
        if (n == 0) return false;
        constexpr unsigned shortest[] = {0, 0x80, 0x800, 0x10000};  // below these: overlong
        const unsigned min = shortest[n];
        unsigned cp = c & (0x3Fu >> n);
        if (s.size() - i <= n) return false;  // truncated sequence
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

}  // namespace crimemap::base
