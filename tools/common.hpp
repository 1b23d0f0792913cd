#pragma once
// Shared helpers of the crimemap CLI: the user-facing error type, argument parsing, progress on a
// terminal, number formatting and file discovery. Nothing here touches the database.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.hpp"

namespace crimemap::tools {

// An error the user caused or can fix (bad path, bad flag, unreadable file). main() prints
// "crimemap: <what>" on one line and exits 1.
struct CliError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Command-line arguments after the subcommand: flags (--name value, --name=value, --switch) and
// positional values. Each command declares the flags it takes; anything else is a CliError.
class Args {
  public:
    // value_flags take a value, switches do not. "--help"/"-h" is always accepted as a switch.
    Args(const std::vector<std::string>& argv, const std::vector<std::string>& value_flags,
         const std::vector<std::string>& switches);
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::optional<std::string> get(const std::string& name) const;
    std::string get_or(const std::string& name, const std::string& fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }
    bool help() const { return has("help"); }

  private:
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

// The database URL: --database-url, else CRIMEMAP_DATABASE_URL, else the private cluster's default.
std::string database_url(const Args& args);

// Whole seconds since a start time, as a double.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// 12345678 -> "12,345,678".
std::string with_commas(std::uint64_t n);
// rows / seconds, rounded, guarded against tiny durations.
std::uint64_t per_second(std::uint64_t rows, double seconds);

// A one-line "\r<label>: N rows, R rows/s" progress display on stderr, only when stderr is a
// terminal (quiet in pipes, logs and tests). tick() is cheap; it redraws at most 4 times a second.
class Progress {
  public:
    explicit Progress(std::string label);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    void tick(std::uint64_t rows) {
        if (enabled_ && (rows & 0x3ff) == 0) draw(rows, false);
    }
    void done(std::uint64_t rows);

  private:
    void draw(std::uint64_t rows, bool force);
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_;
};

// Files under each path (a file is itself; a folder is walked recursively, sorted by path) whose
// name satisfies accept. A path that does not exist is a CliError.
std::vector<std::filesystem::path> collect_files(
    const std::vector<std::string>& paths, const std::function<bool(const std::filesystem::path&)>& accept);

// Lower-cased file name, and whether it ends with the suffix.
bool name_ends_with(const std::filesystem::path& p, std::string_view suffix);
// collect_files for the CSV importers: *.csv and *.csv.gz.
bool is_csv_file(const std::filesystem::path& p);

// A number of residents as written in a CSV or an attribute table: "12345", "12,345", " 12345 ",
// "12345.0". nullopt for anything else (empty, negative, fractional, over 2^31 - 1).
std::optional<std::int32_t> parse_population(std::string_view text);

// The dispatch of a command with subcommands (`crimemap key create ...`): --help prints `usage`
// (exit 0), no subcommand prints it to stderr (exit 2), an unknown one is a CliError naming the others.
int run_subcommand(const Args& args, const char* usage, const std::string& command,
                   const std::map<std::string, std::function<int(const Args&)>>& subcommands);

// ASCII helpers.
std::string to_lower(std::string_view s);
using base::trim;

// Fault injection for tests: the value of an integer environment variable (0 when unset).
std::uint64_t env_u64(const char* name);
// Kills this process with SIGKILL (what an operator's kill -9 or an OOM kill does).
[[noreturn]] void die_now();

}  // namespace crimemap::tools
