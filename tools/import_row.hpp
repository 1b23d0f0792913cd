#pragma once
// What an importer's pure row parser returns: a typed row, or where and why the row is malformed
// ("file:line: reason", the message the import prints on stderr). No I/O, no database.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/text.hpp"

namespace crimemap::tools {

// Where a row comes from: the file as the user named it and the 1-based line the record starts on.
struct RowPlace {
    std::string_view file;
    std::uint64_t line = 0;
};

struct RowError {
    std::string file;
    std::uint64_t line = 0;
    std::string reason;
    // "data/x.csv:12: unreadable value 'abc'"
    std::string message() const { return file + ":" + std::to_string(line) + ": " + reason; }
};

inline RowError row_error(const RowPlace& at, std::string reason) {
    return RowError{std::string(at.file), at.line, std::move(reason)};
}

// A field PostgreSQL's COPY would refuse (a NUL byte or malformed UTF-8) fails the whole
// transaction it is in, e.g. a (force, month). Row parsers check it last, once the row is otherwise
// good, and report the row instead: "field N has a NUL byte or is not UTF-8" (N is 1-based).
inline std::optional<std::string> bad_text_reason(const std::vector<std::string_view>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (!base::is_valid_utf8_text(fields[i]))
            return "field " + std::to_string(i + 1) + " has a NUL byte or is not UTF-8";
    return std::nullopt;
}

// A parsed row or a RowError (the subset of std::expected the importers need).
template <class Row>
class RowResult {
  public:
    RowResult(Row row) : v_(std::move(row)) {}           // NOLINT(google-explicit-constructor)
    RowResult(RowError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
    bool ok() const noexcept { return v_.index() == 0; }
    const Row& row() const { return std::get<0>(v_); }
    Row& row() { return std::get<0>(v_); }
    const RowError& error() const { return std::get<1>(v_); }

  private:
    std::variant<Row, RowError> v_;
};

}  // namespace crimemap::tools
