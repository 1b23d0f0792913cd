#include "tools/common.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "store/pg.hpp"

namespace crimemap::tools {

Args::Args(const std::vector<std::string>& argv, const std::vector<std::string>& value_flags,
           const std::vector<std::string>& switches) {
    auto takes_value = [&](const std::string& n) {
        return std::find(value_flags.begin(), value_flags.end(), n) != value_flags.end();
    };
    auto is_switch = [&](const std::string& n) {
        return n == "help" || std::find(switches.begin(), switches.end(), n) != switches.end();
    };
    bool only_positional = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (only_positional || a.size() < 2 || a[0] != '-') {
            positional_.push_back(a);
            continue;
        }
        if (a == "--") {
            only_positional = true;
            continue;
        }
        if (a == "-h") {
            values_["help"] = "";
            continue;
        }
        if (a.rfind("--", 0) != 0) throw CliError("unknown option '" + a + "' (see --help)");
        std::string name = a.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (takes_value(name)) {
            if (inline_value) {
                values_[name] = *inline_value;
            } else {
                if (i + 1 >= argv.size()) throw CliError("option --" + name + " needs a value");
                values_[name] = argv[++i];
            }
        } else if (is_switch(name)) {
            if (inline_value) throw CliError("option --" + name + " takes no value");
            values_[name] = "";
        } else {
            throw CliError("unknown option '--" + name + "' (see --help)");
        }
    }
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
    auto v = get(name);
    return v ? *v : fallback;
}

std::string database_url(const Args& args) {
    if (auto url = args.get("database-url"); url && !url->empty()) return *url;
    return store::database_url_from_env();
}

std::string with_commas(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    int count = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (count > 0 && count % 3 == 0) out.push_back(',');
        out.push_back(*it);
        ++count;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::uint64_t per_second(std::uint64_t rows, double seconds) {
    if (seconds < 1e-6) seconds = 1e-6;
    return static_cast<std::uint64_t>(std::round(static_cast<double>(rows) / seconds));
}

Progress::Progress(std::string label)
    : label_(std::move(label)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() {
    if (drawn_) std::fputs("\r\x1b[K", stderr);
}

void Progress::draw(std::uint64_t rows, bool force) {
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    double s = seconds_since(start_);
    std::fprintf(stderr, "\r\x1b[K%s: %s rows, %s rows/s", label_.c_str(), with_commas(rows).c_str(),
                 with_commas(per_second(rows, s)).c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void Progress::done(std::uint64_t rows) {
    if (!enabled_) return;
    draw(rows, true);
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
}

bool is_csv_file(const std::filesystem::path& p) {
    return name_ends_with(p, ".csv") || name_ends_with(p, ".csv.gz");
}

std::vector<std::filesystem::path> collect_files(
    const std::vector<std::string>& paths, const std::function<bool(const std::filesystem::path&)>& accept) {
    namespace fs = std::filesystem;
    std::vector<fs::path> out;
    for (const auto& p : paths) {
        fs::path path(p);
        std::error_code ec;
        auto st = fs::status(path, ec);
        if (ec || !fs::exists(st)) throw CliError(p + ": no such file or folder");
        if (fs::is_directory(st)) {
            std::vector<fs::path> found;
            for (auto it = fs::recursive_directory_iterator(
                     path, fs::directory_options::follow_directory_symlink, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (it->is_regular_file() && accept(it->path())) found.push_back(it->path());
            }
            if (ec) throw CliError(p + ": " + ec.message());
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else {
            out.push_back(path);
        }
    }
    return out;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool name_ends_with(const std::filesystem::path& p, std::string_view suffix) {
    std::string name = to_lower(p.filename().string());
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int run_subcommand(const Args& args, const char* usage, const std::string& command,
                   const std::map<std::string, std::function<int(const Args&)>>& subcommands) {
    if (args.help() || args.positional().empty()) {
        std::fputs(usage, args.help() ? stdout : stderr);
        return args.help() ? 0 : 2;
    }
    const auto& sub = args.positional()[0];
    if (auto it = subcommands.find(sub); it != subcommands.end()) return it->second(args);
    std::string names;
    for (const auto& entry : subcommands) names += (names.empty() ? "" : ", ") + entry.first;
    throw CliError("unknown " + command + " command '" + sub + "' (" + names + ")");
}

std::optional<std::int32_t> parse_population(std::string_view text) {
    text = trim(text);
    std::string digits;
    for (char c : text)
        if (c != ',') digits.push_back(c);
    if (digits.size() > 2 && digits.ends_with(".0")) digits.resize(digits.size() - 2);
    if (digits.empty() || digits.size() > 10) return std::nullopt;
    std::int64_t v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (v > 2147483647) return std::nullopt;
    return static_cast<std::int32_t>(v);
}

std::uint64_t env_u64(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return 0;
    return std::strtoull(v, nullptr, 10);
}

void die_now() {
    std::fflush(stdout);
    std::fflush(stderr);
    ::kill(::getpid(), SIGKILL);
    std::_Exit(137);
}

}  // namespace crimemap::tools
