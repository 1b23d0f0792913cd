#include "server/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace crimemap::server {

namespace {
std::mutex log_mutex;

void write(std::string_view level, std::string_view message) {
    auto now = std::chrono::system_clock::now();
    std::time_t tt = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string line = std::string(ts) + " " + std::string(level) + " " + std::string(message) + "\n";
    std::lock_guard lock(log_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}
}  // namespace

void log_info(std::string_view message) { write("info", message); }
void log_warn(std::string_view message) { write("warn", message); }
void log_error(std::string_view message) { write("error", message); }

}  // namespace crimemap::server
