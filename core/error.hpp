#pragma once
// Errors are values at module boundaries: an Error carries a code and a detail for the user.
// One table (error.cpp) maps each code to its HTTP status, as valhalla and pg_tileserv do.
#include <string>
#include <utility>
#include <variant>

namespace crimemap::core {

enum class ErrorCode {
    bad_request,        // a parameter is malformed; detail names it
    not_found,          // unknown resource, layer, postcode, area
    unauthorized,       // missing or invalid bearer token
    forbidden,          // token scope does not cover the resource
    payload_too_large,  // bulk request, polygon or body over its limit
    unavailable,        // snapshot not loaded yet, database down
    internal,           // a bug or an unexpected failure
};

struct Error {
    ErrorCode code;
    std::string detail;  // safe to show to the user
};

// HTTP status for an error code (400, 404, 401, 403, 413, 503, 500).
int http_status(ErrorCode code) noexcept;

inline Error bad_request(std::string detail) { return {ErrorCode::bad_request, std::move(detail)}; }
inline Error not_found(std::string detail) { return {ErrorCode::not_found, std::move(detail)}; }

// A value or an Error (std::expected is C++23; this is the small subset we use).
template <class T>
class Result {
  public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

}  // namespace crimemap::core
