#pragma once
// Plain HTTP request/response values, independent of Beast, so handlers and the router are tested
// without sockets. The Beast session (http_server.cpp) converts to and from these.
// Values only; not shared between threads.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/text.hpp"
#include "core/query_params.hpp"
#include "server/rate_decision.hpp"

namespace crimemap::server {

enum class Method { get, head, post, put, patch, del, options, other };

std::string_view to_string(Method m) noexcept;
Method method_from_string(std::string_view text) noexcept;

// ASCII case-insensitive comparison (header names, tokens).
using base::iequals;

// Ordered header list with case-insensitive lookup. set() replaces, add() appends.
class Headers {
  public:
    std::optional<std::string_view> get(std::string_view name) const;
    bool has(std::string_view name) const { return get(name).has_value(); }
    void set(std::string_view name, std::string_view value);
    void add(std::string_view name, std::string_view value);
    void erase(std::string_view name);
    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
    bool empty() const { return items_.empty(); }

  private:
    std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
    Method method = Method::get;
    std::string target;                 // as received: "/tiles/crimes/1/2/3.mvt?from=2019-01"
    std::string path;                   // raw path, still percent-encoded
    std::vector<std::string> segments;  // path split on '/', each percent-decoded ('' for "/")
    core::QueryParams query;            // decoded ('+' is a space), in order
    Headers headers;
    std::string body;
    // The TCP peer's address ("203.0.113.7", "2001:db8::1"); empty when not from a socket (tests).
    // X-Forwarded-For is believed only from --trusted-proxies (rate_limit.hpp).
    std::string peer_address;
    // Unique per request within this process ("<process tag>-<counter>"): sent back as
    // X-Request-Id and written to logs and the audit log. Empty outside the socket path (tests).
    std::string request_id;
    // Set when the rate limiter already charged this request on its I/O thread, before a blocking
    // dispatch (App::admit_to_blocking_pool); App::handle then uses it instead of charging again.
    std::optional<RateLimitResult> rate_limit;
};

// Builds a Request from the request line's target. Returns nullopt when the target is not an
// origin-form path ("/...") or has invalid percent-encoding.
std::optional<Request> make_request(Method method, std::string_view target);

// Percent-decoding; plus_is_space for query strings. nullopt on a malformed escape or a NUL byte.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
// Encodes everything but unreserved characters (RFC 3986) and those in `keep` (e.g. "," for
// query values that are lists).
std::string percent_encode(std::string_view text, std::string_view keep = {});
// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}; nullopt on bad escapes.
std::optional<core::QueryParams> parse_query(std::string_view query);

// An open, read-only file descriptor, closed with the last owner (archives served by range).
class FileHandle {
  public:
    explicit FileHandle(int fd) noexcept : fd_(fd) {}
    ~FileHandle();
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    int fd() const noexcept { return fd_; }

  private:
    int fd_;
};

// A body read from a file while it is written, for answers too large to hold in memory (a whole
// archive): `length` bytes from `offset`. Content-Length is `length`; `body` stays empty.
struct FileSlice {
    std::shared_ptr<const FileHandle> file;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    std::optional<FileSlice> file;  // set instead of body by the archive handler for large answers
    std::uint64_t body_size() const { return file ? file->length : body.size(); }
};

// Standard reason phrase ("Not Found") for a status code.
std::string_view reason_phrase(int status) noexcept;

}  // namespace crimemap::server
