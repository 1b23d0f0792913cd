#include "tools/import_command.hpp"

#include <cstdio>

namespace crimemap::tools {

std::variant<int, ImportSession> open_import(const std::vector<std::string>& argv,
                                             const ImportCommandSpec& spec) {
    std::vector<std::string> value_flags{"database-url"};
    value_flags.insert(value_flags.end(), spec.value_flags.begin(), spec.value_flags.end());
    Args args(argv, value_flags, spec.switches);
    if (args.help() || args.positional().empty()) {
        std::fwrite(spec.help.data(), 1, spec.help.size(), stdout);
        std::fputc('\n', stdout);
        return args.help() ? 0 : 2;
    }
    if (spec.check_options) spec.check_options(args);
    auto files = collect_files(args.positional(), spec.accept);
    if (files.empty()) throw CliError(spec.no_files);
    auto start = std::chrono::steady_clock::now();
    store::Connection db(database_url(args));
    return ImportSession{std::move(args), std::move(files), start, std::move(db)};
}

void RowErrorLog::note(const RowError& e) {
    if (count_++ < limit_) std::fprintf(stderr, "%s\n", e.message().c_str());
}

void RowErrorLog::print_rest(std::string_view what) const {
    if (count_ > limit_)
        std::fprintf(stderr, "... and %s more %.*s\n", with_commas(count_ - limit_).c_str(),
                     static_cast<int>(what.size()), what.data());
}

}  // namespace crimemap::tools
