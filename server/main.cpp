// crimemapd: wires the pieces together — settings, the snapshot holder, the dataset watcher that
// loads snapshots from PostGIS (store/, only included here), the tile engine and the HTTP server.
#include <sys/resource.h>

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "core/tile_engine.hpp"
#include "server/app.hpp"
#include "server/config.hpp"
#include "server/http_server.hpp"
#include "server/log.hpp"
#include "store/api_key_refresher.hpp"
#include "store/crime_details.hpp"
#include "store/dataset_watcher.hpp"
#include "store/pool.hpp"
#include "store/postgis_renderer.hpp"
#include "store/snapshot_loader.hpp"
#include "store/team_repository.hpp"

using namespace crimemap;

namespace {
std::chrono::milliseconds ms(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

// Raises the open-file limit (soft, up to the hard limit) to fit --max-connections plus the
// server's own descriptors, logs what was granted, and returns the connections that fit.
std::size_t fit_open_files(std::size_t requested) {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
        server::log_warn("cannot read the open-file limit; --max-connections " + std::to_string(requested) +
                         " unchecked");
        return requested;
    }
    auto fit = server::fit_connections(requested, lim.rlim_cur, lim.rlim_max);
    if (fit.soft_limit != lim.rlim_cur) {
        rlimit raised = lim;
        raised.rlim_cur = static_cast<rlim_t>(fit.soft_limit);
        if (::setrlimit(RLIMIT_NOFILE, &raised) != 0)
            fit = server::fit_connections(requested, lim.rlim_cur, lim.rlim_cur);
    }
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    std::string line =
        "open-file limit " + std::to_string(now.rlim_cur) + " (hard " +
        (now.rlim_max == RLIM_INFINITY ? std::string("unlimited") : std::to_string(now.rlim_max)) + ")";
    if (fit.max_connections < requested) {
        server::log_warn(line + ": --max-connections " + std::to_string(requested) +
                         " does not fit, capped at " + std::to_string(fit.max_connections) +
                         " (raise the hard limit, e.g. LimitNOFILE= or ulimit -Hn)");
    } else {
        server::log_info(line + ": room for --max-connections " + std::to_string(requested));
    }
    return fit.max_connections;
}

// Hides the password of a postgresql:// URL for logs.
std::string redact(const std::string& url) {
    auto scheme = url.find("://");
    auto at = url.find('@');
    if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
    auto colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}
}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    server::Config defaults;
#ifdef CRIMEMAP_WEB_DIR
    defaults.web_dir = CRIMEMAP_WEB_DIR;
#endif
    auto parsed = server::parse_config(argc, argv, defaults);
    if (parsed.help) {
        std::cout << parsed.help_text;
        return 0;
    }
    if (!parsed.error.empty()) {
        std::cerr << "crimemapd: " << parsed.error << "\n\n" << parsed.help_text;
        return 2;
    }
    const server::Config config = parsed.config;
    const unsigned threads =
        config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());

    core::SnapshotHolder snapshots;
    // JSON APIs: crime listings, meeting-pack outcomes and team writes query the database (pool
    // opened lazily, --db-timeout per statement and per wait for a connection); everything else
    // they answer comes from the snapshot. Their handlers run on the server's blocking pool.
    store::PoolOptions api_pool_options;
    api_pool_options.url = config.database_url;
    api_pool_options.max_connections = static_cast<std::size_t>(config.db_connections);
    api_pool_options.statement_timeout = ms(config.db_timeout);
    api_pool_options.acquire_timeout = ms(config.db_timeout);
    api_pool_options.application_name = "crimemapd-api";
    auto api_pool = std::make_shared<store::ConnectionPool>(api_pool_options);
    // Team writes go to --write-url (the primary) when the reads come from a read-only replica.
    auto write_pool = api_pool;
    if (!config.write_url.empty()) {
        store::PoolOptions write_pool_options = api_pool_options;
        write_pool_options.url = config.write_url;
        write_pool_options.application_name = "crimemapd-writes";
        write_pool = std::make_shared<store::ConnectionPool>(write_pool_options);
    }
    server::App app(config, snapshots,
                    {store::make_crime_details(api_pool), store::make_team_repository(write_pool)});
    auto& ctx = app.context();
    if (!config.tile_archives.empty() || !config.basemap.empty()) {
        try {
            ctx.set_archives(
                std::make_shared<const server::TileArchives>(config.tile_archives, config.basemap));
        } catch (const std::exception& e) {
            std::cerr << "crimemapd: " << e.what() << "\n";
            return 2;
        }
        for (const auto& name : ctx.archives()->names())
            server::log_info("serving archive /archives/" + name);
        if (ctx.archives()->basemap())
            server::log_info("serving basemap /basemap.pmtiles from " + ctx.archives()->basemap()->path());
    }
    if (config.engine == "memory") ctx.set_renderer(core::make_memory_renderer());
    store::PoolOptions tile_pool_options = api_pool_options;
    tile_pool_options.max_connections = static_cast<std::size_t>(config.pg_connections);
    tile_pool_options.statement_timeout = ms(config.pg_timeout);
    tile_pool_options.acquire_timeout = ms(config.pg_timeout);
    tile_pool_options.application_name = "crimemapd-tiles";

    // Portal API keys: read from the database on their own thread every --api-key-refresh seconds
    // (and after each dataset reload) into the rate limiter's in-memory directory; requests only
    // ever probe that map.
    store::ApiKeyRefresher key_refresher(config.database_url, ms(config.api_key_refresh),
                                         ctx.rate_limiter().keys(),
                                         [](const std::string& message, bool error) {
                                             (error ? server::log_warn : server::log_info)(message);
                                         });

    // Loads run on the watcher's thread; requests keep being served from the old snapshot (or
    // answer 503 before the first) until the swap. A version that fails to load is retried with
    // backoff (2 s doubling to 5 min) while the old one serves; /ready and /metrics say so.
    store::DatasetWatcherOptions watcher_options;
    watcher_options.database_url = config.database_url;
    watcher_options.poll_interval = ms(config.poll_seconds);
    watcher_options.listen = config.listen_notify;
    watcher_options.notify_url = config.notify_url;
    // A frozen server is noticed within this (client side); loads are bounded only as a backstop.
    watcher_options.check_timeout = std::max(ms(config.db_timeout) * 2, std::chrono::milliseconds(5000));
    watcher_options.load_timeout = std::chrono::minutes(15);
    auto watcher_log = [](const std::string& message, bool warning) {
        (warning ? server::log_warn : server::log_info)(message);
    };
    std::unique_ptr<store::DatasetWatcher> watcher_holder;
    watcher_holder = std::make_unique<store::DatasetWatcher>(
        watcher_options,
        [&](store::Connection& conn, std::int64_t version) {
            const auto t0 = std::chrono::steady_clock::now();
            try {
                if (!ctx.renderer() && config.engine == "postgis")
                    ctx.set_renderer(store::make_postgis_renderer(tile_pool_options));
                auto snapshot = store::load_snapshot(conn);
                const double seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                char line[256];
                std::snprintf(
                    line, sizeof line,
                    "loaded dataset version %lld (notified %lld): %llu located crimes, %zu locations, "
                    "%zu areas, months %s..%s in %.2f s",
                    static_cast<long long>(snapshot->version), static_cast<long long>(version),
                    static_cast<unsigned long long>(snapshot->located_crimes), snapshot->locations.size(),
                    snapshot->areas.size(), snapshot->first_month.str().c_str(),
                    snapshot->last_month.str().c_str(), seconds);
                const std::int64_t loaded = snapshot->version;
                ctx.swap_snapshot(std::move(snapshot));
                ctx.metrics().record_reload(true);
                key_refresher.refresh_now();
                server::log_info(line);
                return loaded;
            } catch (...) {
                ctx.metrics().record_reload(false);
                throw;
            }
        },
        [&](const std::string& message, bool error, const std::string& detail) {
            // /ready shows `message` only; the database's own words go to the log.
            const std::string line = detail.empty() ? message : message + ": " + detail;
            if (error)
                server::log_warn(line);
            else
                server::log_info(line);
            ctx.set_status_message(message);
            const auto failure = watcher_holder->load_failure();
            ctx.set_failed_version(failure ? failure->version : 0);
        },
        watcher_log);
    store::DatasetWatcher& watcher = *watcher_holder;

    server::HttpServerOptions options;
    options.host = config.host;
    options.port = config.port;
    options.threads = threads;
    options.blocking_threads = server::blocking_threads(config);
    options.max_header_bytes = config.max_header_bytes;
    options.max_body_bytes = config.max_body_bytes;
    options.read_timeout = ms(config.read_timeout);
    options.idle_timeout = ms(config.idle_timeout);
    options.shutdown_timeout = ms(config.shutdown_timeout);
    options.keepalive_requests = config.keepalive_requests;
    options.max_connections = fit_open_files(config.max_connections);
    options.max_connections_per_client = config.max_connections_per_client;
    server::HttpServer http(options, app);
    std::uint16_t port = 0;
    try {
        port = http.listen();
    } catch (const std::exception& e) {
        server::log_error(e.what());
        return 1;
    }
    server::log_info("crimemapd listening on http://" + config.host + ":" + std::to_string(port) + "/ (" +
                     std::to_string(threads) + " I/O threads, " + std::to_string(options.blocking_threads) +
                     " blocking threads, engine " + config.engine + ", cache " +
                     std::to_string(config.cache_bytes >> 20) + " MiB, database " +
                     redact(config.database_url) +
                     (config.notify_url.empty() ? std::string() : ", notify " + redact(config.notify_url)) +
                     (config.write_url.empty() ? std::string() : ", writes " + redact(config.write_url)) +
                     ", web " + (ctx.static_files().enabled() ? config.web_dir : std::string("off")) + ")");
    server::log_info("rate limits per client: JSON APIs " +
                     server::to_string(server::RateSpec{config.rate_limit, config.rate_burst}) +
                     ", tiles and files " +
                     server::to_string(server::RateSpec{config.tile_rate_limit, config.tile_rate_burst}) +
                     " (requests/s / burst; 0 = off), " + std::to_string(config.trusted_proxies.size()) +
                     " trusted proxies");

    // Shutdown: in-flight requests get most of --shutdown-timeout; then database calls still
    // waiting (a frozen or unreachable server) are abandoned so that the process exits in time.
    std::mutex shutdown_mutex;
    std::condition_variable shutdown_cv;
    bool shutdown_done = false;
    std::thread shutdown_guard;
    http.on_shutdown([&] {
        std::lock_guard lock(shutdown_mutex);
        if (shutdown_guard.joinable()) return;
        const auto grace = std::max(ms(config.shutdown_timeout) - std::chrono::milliseconds(1000),
                                    ms(config.shutdown_timeout) / 2);
        shutdown_guard = std::thread([&, grace] {
            std::unique_lock wait_lock(shutdown_mutex);
            if (!shutdown_cv.wait_for(wait_lock, grace, [&] { return shutdown_done; })) {
                server::log_warn("shutdown: abandoning database calls still in progress");
                api_pool->interrupt();
                if (write_pool != api_pool) write_pool->interrupt();
            }
        });
    });
    key_refresher.start();
    watcher.start();
    http.run();
    watcher.stop();
    key_refresher.stop();
    {
        std::lock_guard lock(shutdown_mutex);
        shutdown_done = true;
    }
    shutdown_cv.notify_all();
    {
        std::unique_lock lock(shutdown_mutex);
        if (shutdown_guard.joinable()) {
            lock.unlock();
            shutdown_guard.join();
        }
    }
    server::log_info("crimemapd stopped");
    return 0;
}
