#pragma once
// A process and every process under it, read from /proc (Linux): what the fault and cluster tests
// signal or wait on (a postmaster and its backends, nginx and its workers). One walk, shared, so
// both see the same tree. Header-only.
#include <dirent.h>
#include <sys/types.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace crimemap::testing {

// root first, then its descendants breadth-first; root is taken as given (not checked to exist).
inline std::vector<pid_t> process_tree(pid_t root) {
    std::vector<pid_t> out{root};
    for (std::size_t i = 0; i < out.size(); ++i) {
        DIR* d = ::opendir("/proc");
        if (!d) break;
        while (dirent* e = ::readdir(d)) {
            const pid_t pid = static_cast<pid_t>(std::atoll(e->d_name));
            if (pid <= 0) continue;
            std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
            std::string line;
            std::getline(stat, line);
            const auto close = line.rfind(')');
            if (close == std::string::npos) continue;
            char state = 0;
            long long ppid = 0;
            std::istringstream rest(line.substr(close + 1));
            rest >> state >> ppid;
            if (ppid == out[i]) out.push_back(pid);
        }
        ::closedir(d);
    }
    return out;
}

}  // namespace crimemap::testing
