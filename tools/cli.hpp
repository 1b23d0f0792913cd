#pragma once
// The crimemap command line: `crimemap <command> [options]`. run() is main() minus process exit,
// so tests can call commands in-process; it returns the exit status (0 ok, 1 error, 2 usage).
#include <string>
#include <vector>

namespace crimemap::tools {

int run(const std::vector<std::string>& args);

}  // namespace crimemap::tools
