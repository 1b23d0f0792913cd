#pragma once
// Minimal thread-safe logging to stderr: "2024-05-01T12:00:00Z info message".
#include <string_view>

namespace crimemap::server {

void log_info(std::string_view message);
void log_warn(std::string_view message);
void log_error(std::string_view message);

}  // namespace crimemap::server
