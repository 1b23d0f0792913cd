#include "server/http_types.hpp"

#include <unistd.h>

#include <algorithm>

namespace crimemap::server {

FileHandle::~FileHandle() {
    if (fd_ >= 0) ::close(fd_);
}

std::string_view to_string(Method m) noexcept {
    switch (m) {
        case Method::get: return "GET";
        case Method::head: return "HEAD";
        case Method::post: return "POST";
        case Method::put: return "PUT";
        case Method::patch: return "PATCH";
        case Method::del: return "DELETE";
        case Method::options: return "OPTIONS";
        case Method::other: return "OTHER";
    }
    return "OTHER";
}

Method method_from_string(std::string_view text) noexcept {
    // Methods are case-sensitive (RFC 9110 9.1).
    if (text == "GET") return Method::get;
    if (text == "HEAD") return Method::head;
    if (text == "POST") return Method::post;
    if (text == "PUT") return Method::put;
    if (text == "PATCH") return Method::patch;
    if (text == "DELETE") return Method::del;
    if (text == "OPTIONS") return Method::options;
    return Method::other;
}

using base::hex_value;

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& [k, v] : items_)
        if (iequals(k, name)) return std::string_view(v);
    return std::nullopt;
}

void Headers::set(std::string_view name, std::string_view value) {
    erase(name);
    items_.emplace_back(std::string(name), std::string(value));
}

void Headers::add(std::string_view name, std::string_view value) {
    items_.emplace_back(std::string(name), std::string(value));
}

void Headers::erase(std::string_view name) {
    std::erase_if(items_, [&](const auto& kv) { return iequals(kv.first, name); });
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = hex_value(text[i + 1]);
            int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') return std::nullopt;
        out.push_back(c);
    }
    return out;
}

std::string percent_encode(std::string_view text, std::string_view keep) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '.' || c == '_' || c == '~' ||
                          keep.find(c) != std::string_view::npos;
        if (unreserved) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(digits[u >> 4]);
            out.push_back(digits[u & 15]);
        }
    }
    return out;
}

std::optional<core::QueryParams> parse_query(std::string_view query) {
    core::QueryParams params;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        auto value =
            percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!name || !value) return std::nullopt;
        params.emplace_back(std::move(*name), std::move(*value));
    }
    return params;
}

std::optional<Request> make_request(Method method, std::string_view target) {
    if (target.empty() || target.front() != '/') return std::nullopt;
    Request req;
    req.method = method;
    req.target = std::string(target);
    auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    if (auto hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
    req.path = std::string(path);
    if (q != std::string_view::npos) {
        std::string_view query = target.substr(q + 1);
        if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
        auto params = parse_query(query);
        if (!params) return std::nullopt;
        req.query = std::move(*params);
    }
    // "/a/b" -> {"a","b"}; "/" -> {""}; "/a/" -> {"a",""}.
    std::string_view rest = path.substr(1);
    while (true) {
        auto slash = rest.find('/');
        auto seg = percent_decode(rest.substr(0, slash), false);
        if (!seg) return std::nullopt;
        req.segments.push_back(std::move(*seg));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
    }
    return req;
}

std::string_view reason_phrase(int status) noexcept {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 413: return "Payload Too Large";
        case 414: return "URI Too Long";
        case 416: return "Range Not Satisfiable";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 503: return "Service Unavailable";
        default: return "Unknown";
    }
}

}  // namespace crimemap::server
