#pragma once
// A throw-away PostgreSQL 15 cluster for the fault tests that stop or freeze the database: a fresh
// folder under /tmp (a copy of a cached cluster that holds the test templates, or initdb the first
// time), listening on 127.0.0.1 at a free port, started and stopped with
// pg_ctl (as the postgres user when run as root, as scripts/db does). freeze()/thaw() send
// SIGSTOP/SIGCONT to the postmaster and every process under it. The destructor thaws, stops
// (immediate mode) and deletes the folder. Header-only.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/process_tree.hpp"
#include "support/server_process.hpp"
#include "support/test_db.hpp"

namespace crimemap::testing {

class PgCluster {
  public:
    PgCluster() : port_(free_port()) {
        char tmpl[] = "/tmp/crimemap-faults-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        root_ = tmpl;
        if (::geteuid() == 0) run({"/usr/bin/chown", "postgres:postgres", root_});
        namespace fs = std::filesystem;
        // A cluster that already holds the migrated and seeded template databases is kept in
        // cache_dir() and copied (a second or two), instead of initdb + migrate + seed each time.
        // TestDatabase re-creates templates whose key changed, so a stale cache is only slower.
        if (fs::exists(cache_dir() + "/data/PG_VERSION")) {
            run({"/bin/cp", "-a", cache_dir() + "/data", data()});
            configure();
            start();
            // New binaries or sample data mean new template keys: build them once and refresh
            // the cache, rather than in every test.
            const auto before = templates();
            seed_templates();
            if (templates() != before) save_cache();
            return;
        }
        as_postgres({bin("initdb"), "-D", data(), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                     "--locale=C.UTF-8"});
        std::ofstream conf(data() + "/postgresql.conf", std::ios::app);
        conf << "listen_addresses = '127.0.0.1'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = "
                "off\n"
                "max_connections = 60\n";
        conf.close();
        configure();
        start();
        seed_templates();
        save_cache();
    }
    static std::string cache_dir() { return "/tmp/crimemap-faults-pgcache"; }
    ~PgCluster() {
        try {
            thaw();
            as_postgres({bin("pg_ctl"), "-D", data(), "-m", "immediate", "-w", "stop"}, false);
        } catch (...) {
        }
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url(const std::string& database = "postgres") const {
        return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
    }

    void start() {
        as_postgres({bin("pg_ctl"), "-D", data(), "-l", root_ + "/postgres.log", "-w", "-t", "60", "start"});
    }
    void stop() { as_postgres({bin("pg_ctl"), "-D", data(), "-m", "fast", "-w", "-t", "60", "stop"}); }

    // The postmaster and all its descendants (backends, checkpointer, walwriter...).
    std::vector<pid_t> processes() const {
        std::ifstream pidfile(data() + "/postmaster.pid");
        long long pm = 0;
        if (!(pidfile >> pm) || pm <= 0) return {};
        return process_tree(static_cast<pid_t>(pm));
    }
    // SIGSTOP to every process of the cluster: connections stay open, nothing answers.
    void freeze() {
        frozen_ = processes();
        for (pid_t p : frozen_) ::kill(p, SIGSTOP);
    }
    void thaw() {
        for (pid_t p : frozen_) ::kill(p, SIGCONT);
        for (pid_t p : processes()) ::kill(p, SIGCONT);  // and any forked meanwhile (none should be)
        frozen_.clear();
    }

  private:
    // Builds the migrated and seeded template databases (TestDatabase's) on this cluster.
    void seed_templates() {
        const char* previous = std::getenv("CRIMEMAP_TEST_DATABASE_URL");
        const std::string saved = previous ? previous : "";
        ::setenv("CRIMEMAP_TEST_DATABASE_URL", url().c_str(), 1);
        {
            test::TestDatabase seeded;
            seeded.seed_sample();
        }
        if (previous)
            ::setenv("CRIMEMAP_TEST_DATABASE_URL", saved.c_str(), 1);
        else
            ::unsetenv("CRIMEMAP_TEST_DATABASE_URL");
    }
    std::string templates() const {
        store::Connection c(url());
        auto r = c.query(
            "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE 'cmtpl%'");
        return r.is_null(0, 0) ? "" : std::string(r.text(0, 0));
    }
    // Stops, copies the data folder to cache_dir() (swapped in atomically: another test process
    // may be doing the same) and starts again.
    void save_cache() {
        namespace fs = std::filesystem;
        stop();
        const std::string staging = root_ + "-cache";
        std::error_code ec;
        run({"/bin/mkdir", "-p", staging});
        run({"/bin/cp", "-a", data(), staging + "/data"});
        const std::string old = root_ + "-old-cache";
        fs::rename(cache_dir(), old, ec);  // absent the first time
        fs::rename(staging, cache_dir(), ec);
        fs::remove_all(ec ? staging : old, ec);
        fs::remove_all(old, ec);
        start();
    }
    // This copy's port and socket folder (appended: the last setting wins).
    void configure() {
        std::ofstream conf(data() + "/postgresql.conf", std::ios::app);
        conf << "port = " << port_ << "\nunix_socket_directories = '" << root_ << "'\n";
    }
    static std::string bin(const std::string& name) { return "/usr/lib/postgresql/15/bin/" + name; }
    std::string data() const { return root_ + "/data"; }
    static void run(const std::vector<std::string>& argv, bool check = true) {
        std::vector<std::string> args(argv.begin() + 1, argv.end());
        auto r = test::run_program(argv[0], args);
        if (check && r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.describe());
    }
    static void as_postgres(const std::vector<std::string>& argv, bool check = true) {
        if (::geteuid() != 0) return run(argv, check);
        std::vector<std::string> wrapped{"/usr/sbin/runuser", "-u", "postgres", "--"};
        wrapped.insert(wrapped.end(), argv.begin(), argv.end());
        run(wrapped, check);
    }

    std::uint16_t port_;
    std::string root_;
    std::vector<pid_t> frozen_;
};

}  // namespace crimemap::testing
