#pragma once
// Runs the real crimemapd binary for the server integration tests: on a free loopback port, log
// captured to a file, killed in the destructor if a test left it running, connected to the test
// cluster as the least-privileged crimemap_server role (as in production). Header-only.
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/test_db.hpp"
#include "support/wait.hpp"

namespace crimemap::testing {

inline std::string crimemapd_binary() { return std::string(CRIMEMAP_BINARY_DIR) + "/server/crimemapd"; }

// A port the kernel just handed out and released; nobody else binds loopback ports here.
inline std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// The URL crimemapd gets: one on the test cluster (CRIMEMAP_TEST_DATABASE_URL's host and port) as
// the crimemap_server role `crimemap migrate` creates (no password: the private cluster trusts
// local connections); any other URL (an unreachable server in a test) unchanged. Makes sure the
// role exists first: a fresh cluster has it once a migrated template database is built.
inline std::string as_server_role(const std::string& url) {
    const char* test_url = std::getenv("CRIMEMAP_TEST_DATABASE_URL");
    if (!test_url || !*test_url) return url;
    auto parse = [](const std::string& text) {
        std::map<std::string, std::string> out;
        char* err = nullptr;
        PQconninfoOption* opts = PQconninfoParse(text.c_str(), &err);
        if (!opts) {
            PQfreemem(err);
            return out;
        }
        for (PQconninfoOption* o = opts; o->keyword; ++o)
            if (o->val && *o->val) out[o->keyword] = o->val;
        PQconninfoFree(opts);
        return out;
    };
    auto target = parse(url);
    const auto test = parse(test_url);
    auto value = [](const std::map<std::string, std::string>& m, const char* key) {
        auto it = m.find(key);
        return it == m.end() ? std::string() : it->second;
    };
    if (target.empty() || value(target, "host") != value(test, "host") ||
        value(target, "port") != value(test, "port"))
        return url;
    static const bool role_ready = [] {
        store::Connection admin(test::test_server_url());
        if (admin.query("SELECT 1 FROM pg_roles WHERE rolname = 'crimemap_server'").size() == 0)
            test::TestDatabase migrate_once;
        return true;
    }();
    (void)role_ready;
    target["user"] = "crimemap_server";
    target.erase("password");
    std::string out;
    for (const auto& [key, v] : target) {
        out += key + "='";
        for (char c : v) {
            if (c == '\'' || c == '\\') out.push_back('\\');
            out.push_back(c);
        }
        out += "' ";
    }
    return out;
}

class ServerProcess {
  public:
    // Which role crimemapd connects as: crimemap_server (as deployed), or the URL's own user.
    enum class Role { server, as_given };
    ServerProcess(const std::string& database_url, std::vector<std::string> extra_args = {},
                  Role role = Role::server)
        : port_(free_port()) {
        log_path_ = (std::filesystem::temp_directory_path() /
                     ("crimemapd-test-" + std::to_string(::getpid()) + "-" + std::to_string(port_) + ".log"))
                        .string();
        std::vector<std::string> args{crimemapd_binary(), "--port", std::to_string(port_), "--database-url",
                                      role == Role::server ? as_server_role(database_url) : database_url};
        // Two I/O threads unless the test asks for a number.
        if (std::find(extra_args.begin(), extra_args.end(), "--threads") == extra_args.end()) {
            args.push_back("--threads");
            args.push_back("2");
        }
        // Rate limits off unless the test sets them: tests hammer one server from 127.0.0.1.
        for (const char* limit : {"--rate-limit", "--tile-rate-limit"}) {
            if (std::find(extra_args.begin(), extra_args.end(), limit) == extra_args.end()) {
                args.push_back(limit);
                args.push_back("0");
            }
        }
        for (auto& a : extra_args) args.push_back(std::move(a));
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                ::dup2(fd, 1);
                ::dup2(fd, 2);
                ::close(fd);
            }
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            std::perror("execv crimemapd");
            ::_exit(127);
        }
    }
    ~ServerProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int st = 0;
            ::waitpid(pid_, &st, 0);
        }
        std::error_code ec;
        std::filesystem::remove(log_path_, ec);
    }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }

    // Polls path until it answers `status` (true) or the timeout passes or the process dies (false).
    bool wait_for(const std::string& path, int status,
                  std::chrono::seconds timeout = std::chrono::seconds(120)) {
        return wait_for_answer(
            path, [status](const HttpResponse& res) { return res.status == status; }, timeout);
    }
    // Polls path until its answer satisfies `done` (true) or the timeout passes or the process dies.
    template <class Condition>
    bool wait_for_answer(const std::string& path, Condition&& done, std::chrono::seconds timeout) {
        bool answered = false;
        wait_until(
            [&] {
                if (!running()) return true;
                try {
                    HttpConnection c(port_, 2000);
                    auto res = c.get(path);
                    answered = res && done(*res);
                } catch (const std::exception&) {
                }
                return answered;
            },
            timeout, std::chrono::milliseconds(100));
        return answered;
    }
    bool wait_ready(std::chrono::seconds timeout = std::chrono::seconds(120)) {
        return wait_for("/ready", 200, timeout);
    }

    std::optional<HttpResponse> get(const std::string& target, const std::string& headers = "") {
        HttpConnection c(port_);
        return c.get(target, headers);
    }

    bool running() {
        if (pid_ <= 0) return false;
        int st = 0;
        pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            exit_status_ = st;
            pid_ = -1;
            return false;
        }
        return true;
    }

    // Sends `sig` and waits for the exit; the wait status (WIFEXITED...), or nullopt on timeout.
    std::optional<int> stop(int sig = SIGTERM, std::chrono::seconds timeout = std::chrono::seconds(20)) {
        if (!running()) return exit_status_;
        ::kill(pid_, sig);
        if (wait_until([&] { return !running(); }, timeout, std::chrono::milliseconds(20)))
            return exit_status_;
        return std::nullopt;
    }

    std::string log() const {
        std::ifstream in(log_path_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

  private:
    std::uint16_t port_;
    pid_t pid_ = -1;
    std::optional<int> exit_status_;
    std::string log_path_;
};

}  // namespace crimemap::testing
