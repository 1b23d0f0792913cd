#include "support/test_db.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef CRIMEMAP_SOURCE_DIR
#error "CRIMEMAP_SOURCE_DIR must be defined"
#endif
#ifndef CRIMEMAP_BINARY_DIR
#error "CRIMEMAP_BINARY_DIR must be defined"
#endif

namespace crimemap::test {
namespace fs = std::filesystem;

std::string source_path(const std::string& relative) {
    return (fs::path(CRIMEMAP_SOURCE_DIR) / relative).string();
}
std::string crimemap_binary() { return (fs::path(CRIMEMAP_BINARY_DIR) / "tools" / "crimemap").string(); }

std::string test_server_url() {
    const char* url = std::getenv("CRIMEMAP_TEST_DATABASE_URL");
    if (!url || !*url) {
        ADD_FAILURE()
            << "CRIMEMAP_TEST_DATABASE_URL is not set: run the integration tests through scripts/test, "
               "or start a database (scripts/db start) and export CRIMEMAP_TEST_DATABASE_URL";
        throw std::runtime_error("CRIMEMAP_TEST_DATABASE_URL is not set");
    }
    return url;
}

std::string url_with_database(const std::string& url, const std::string& database) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
    if (!opts) {
        std::string msg = err ? err : "unparsable";
        PQfreemem(err);
        throw std::runtime_error("bad database URL '" + url + "': " + msg);
    }
    auto quote = [](const std::string& v) {
        std::string out = "'";
        for (char c : v) {
            if (c == '\'' || c == '\\') out.push_back('\\');
            out.push_back(c);
        }
        return out + "'";
    };
    std::string out;
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
        std::string key = o->keyword;
        if (key == "dbname") continue;
        if (o->val && *o->val) out += key + "=" + quote(o->val) + " ";
    }
    PQconninfoFree(opts);
    return out + "dbname=" + quote(database);
}

std::string CommandResult::describe() const {
    std::string s =
        signal ? "killed by signal " + std::to_string(signal) : "exit " + std::to_string(exit_code);
    return s + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
}

CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env) {
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        close(out_pipe[0]);
        close(out_pipe[1]);
        close(err_pipe[0]);
        close(err_pipe[1]);
        for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(program.c_str()));
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(program.c_str(), argv.data());
        std::fprintf(stderr, "cannot run %s: %s\n", program.c_str(), std::strerror(errno));
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    CommandResult r;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open_fds = 2;
    char buf[65536];
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    return r;
}

namespace {

constexpr long long kTemplateLock = 7260491100LL;

std::uint64_t fnv(std::uint64_t h, const std::string& text) {
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string stamp(const fs::path& p) {
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    auto time = fs::last_write_time(p, ec).time_since_epoch().count();
    return p.string() + ":" + std::to_string(size) + ":" + std::to_string(time) + ";";
}

std::string hex(std::uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(h & 0xffffffffffffULL));
    return buf;
}

// Key of the migrated template: the binary (it runs the migrations), the migration files and the
// tile functions.
std::string migrated_key() {
    std::uint64_t h = fnv(1469598103934665603ULL, stamp(crimemap_binary()));
    std::vector<fs::path> files;
    for (const char* dir : {"schema/migrations", "schema/functions"})
        for (const auto& e : fs::directory_iterator(source_path(dir))) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        h = fnv(h, f.filename().string() + "\n" + s.str());
    }
    return hex(h);
}

std::string sample_key() {
    std::uint64_t h = fnv(1469598103934665603ULL, migrated_key());
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(source_path("data/sample")))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) h = fnv(h, stamp(f));
    return hex(h);
}

bool database_exists(store::Connection& admin, const std::string& name) {
    return admin.query("SELECT 1 FROM pg_database WHERE datname = $1", {name}).size() > 0;
}

std::string ident(const std::string& name) { return "\"" + name + "\""; }

// Drops cmtest_<pid>_* databases whose process is gone (a test run that crashed or was killed).
void drop_orphans(store::Connection& admin) {
    auto rows = admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'cmtest\\_%'");
    for (int i = 0; i < rows.size(); ++i) {
        std::string name(rows.text(i, 0));
        long pid = std::strtol(name.c_str() + 7, nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
            try {
                admin.exec("DROP DATABASE IF EXISTS " + ident(name) + " WITH (FORCE)");
            } catch (const std::exception&) {
            }
        }
    }
}

// Builds template `name` (unless present) by running crimemap on a scratch database created from
// `base` (or empty). Serialised across processes with an advisory lock.
void ensure_template(const std::string& server, const std::string& name, const std::string& base,
                     const std::vector<std::string>& crimemap_args) {
    store::Connection admin(server);
    admin.query("SELECT pg_advisory_lock($1)", {std::to_string(kTemplateLock)});
    struct Unlock {
        store::Connection& c;
        ~Unlock() {
            try {
                c.query("SELECT pg_advisory_unlock($1)", {std::to_string(kTemplateLock)});
            } catch (...) {
            }
        }
    } unlock{admin};
    if (database_exists(admin, name)) return;
    drop_orphans(admin);
    std::string building = name + "_build";
    admin.exec("DROP DATABASE IF EXISTS " + ident(building) + " WITH (FORCE)");
    exec_when_unused(admin,
                     "CREATE DATABASE " + ident(building) + (base.empty() ? "" : " TEMPLATE " + ident(base)));
    auto r = run_crimemap(crimemap_args, {{"CRIMEMAP_DATABASE_URL", url_with_database(server, building)}});
    if (r.exit_code != 0) {
        admin.exec("DROP DATABASE IF EXISTS " + ident(building) + " WITH (FORCE)");
        ADD_FAILURE() << "building test template " << name << " failed: " << r.describe();
        throw std::runtime_error("cannot build test template " + name);
    }
    exec_when_unused(admin, "ALTER DATABASE " + ident(building) + " RENAME TO " + ident(name));
    // Templates of older binaries, migrations or samples are dead weight.
    std::string prefix = name.substr(0, name.rfind('_') + 1);
    auto stale = admin.query(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2", {prefix, name});
    for (int i = 0; i < stale.size(); ++i) {
        try {
            admin.exec("DROP DATABASE IF EXISTS " + ident(std::string(stale.text(i, 0))));
        } catch (const std::exception&) {
        }
    }
}

std::string migrated_template(const std::string& server) {
    std::string name = "cmtpl_migrated_" + migrated_key();
    ensure_template(server, name, "", {"migrate"});
    return name;
}

std::string sample_template(const std::string& server) {
    // Cached per process too: hashing data/sample's file list once is enough.
    static std::string cached;
    if (!cached.empty()) return cached;
    std::string base = migrated_template(server);
    std::string name = "cmtpl_sample_" + sample_key();
    ensure_template(server, name, base, {"seed", source_path("data/sample")});
    cached = name;
    return name;
}

std::atomic<int> counter{0};

}  // namespace

// PostgreSQL refuses to copy or rename a database (55006) while another session is still in it.
// The session of the crimemap process that just built a template ends asynchronously after that
// process exits, and PostgreSQL waits only 5 s for it: on a loaded machine that was not always
// enough, and every test that then found no template failed (issue 12, "the flaky import test").
void exec_when_unused(store::Connection& admin, const std::string& sql) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    for (;;) {
        try {
            admin.exec(sql);
            return;
        } catch (const store::PgError& e) {
            if (e.sqlstate != "55006" || std::chrono::steady_clock::now() > deadline) throw;
            std::fprintf(stderr, "test_db: %s; retrying\n", e.what());
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
    }
}

TestDatabase::TestDatabase() {
    std::string server = test_server_url();
    name_ = "cmtest_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
    url_ = url_with_database(server, name_);
    recreate_from(migrated_template(server));
}

TestDatabase::~TestDatabase() {
    try {
        store::Connection admin(test_server_url());
        admin.exec("DROP DATABASE IF EXISTS " + ident(name_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "warning: could not drop test database %s: %s\n", name_.c_str(), e.what());
    }
}

void TestDatabase::recreate_from(const std::string& template_name) {
    store::Connection admin(test_server_url());
    admin.exec("DROP DATABASE IF EXISTS " + ident(name_) + " WITH (FORCE)");
    exec_when_unused(admin, "CREATE DATABASE " + ident(name_) + " TEMPLATE " + ident(template_name));
}

void TestDatabase::seed_sample() {
    std::string server = test_server_url();
    std::string tpl = sample_template(server);
    // Nobody connected: swap in a copy of the seeded template (about a second). Someone connected
    // (e.g. a server under test that should see the data arrive): seed in place, as a user would.
    store::Connection admin(server);
    auto users = admin.query("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", {name_});
    if (users.int64(0, 0) == 0) {
        recreate_from(tpl);
        return;
    }
    auto r = crimemap({"seed", source_path("data/sample")});
    if (r.exit_code != 0) {
        ADD_FAILURE() << "crimemap seed into " << name_ << " failed: " << r.describe();
        throw std::runtime_error("crimemap seed failed");
    }
}

CommandResult TestDatabase::crimemap(const std::vector<std::string>& args,
                                     std::map<std::string, std::string> env) const {
    env["CRIMEMAP_DATABASE_URL"] = url_;
    return run_crimemap(args, env);
}

std::string TestDatabase::scalar(const std::string& sql, const store::Params& params) const {
    auto c = connect();
    auto r = c.query(sql, params);
    if (r.size() == 0 || r.is_null(0, 0)) return {};
    return std::string(r.text(0, 0));
}

long long TestDatabase::count(const std::string& sql, const store::Params& params) const {
    auto v = scalar(sql, params);
    return v.empty() ? 0 : std::stoll(v);
}

}  // namespace crimemap::test
