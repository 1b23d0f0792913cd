#pragma once
// The opening every `crimemap import KIND` command shares: options (always --database-url and
// --help), the help text (stdout; exit 0 for --help, 2 when no PATH is given), option checks,
// the files under the PATHs (folders walked recursively, sorted; plain and .gz alike when the
// command's filter accepts them), the start time and the database connection. Plus the report of
// bad rows on stderr ("file:line: reason", the first 10, then a count). Errors are CliError or
// store::PgError, which `crimemap` prints as one line with exit status 1.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/import_row.hpp"

namespace crimemap::tools {

struct ImportCommandSpec {
    std::string_view help;                                     // the whole usage text, printed as is
    std::vector<std::string> value_flags;                      // options with a value, besides --database-url
    std::vector<std::string> switches;                         // options without a value, besides --help
    std::function<bool(const std::filesystem::path&)> accept;  // which files count
    std::string no_files;                                 // the error when no file under the PATHs counts
    std::function<void(const Args&)> check_options = {};  // throws CliError; runs before file collection
};

// An opened import: its options, the files to read in order, when it started, a live connection.
struct ImportSession {
    Args args;
    std::vector<std::filesystem::path> files;
    std::chrono::steady_clock::time_point start;
    store::Connection db;
    double seconds() const { return seconds_since(start); }
};

// Parses argv per spec. Returns the exit status when the help was printed instead; otherwise the
// session, connected to database_url(args).
std::variant<int, ImportSession> open_import(const std::vector<std::string>& argv,
                                             const ImportCommandSpec& spec);

// Bad rows (and other per-row notes) on stderr: the first `limit` as "file:line: reason", all counted.
class RowErrorLog {
  public:
    explicit RowErrorLog(std::uint64_t limit = 10) : limit_(limit) {}
    void note(const RowError& e);
    std::uint64_t count() const { return count_; }
    std::uint64_t limit() const { return limit_; }
    // "... and N more <what>" on stderr when more were noted than shown, e.g. what = "bad rows not shown".
    void print_rest(std::string_view what) const;

  private:
    std::uint64_t limit_;
    std::uint64_t count_ = 0;
};

}  // namespace crimemap::tools
