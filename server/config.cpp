#include "server/config.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "server/rate_limit.hpp"

namespace crimemap::server {

namespace po = boost::program_options;

unsigned blocking_threads(const Config& c) {
    if (c.blocking_threads) return c.blocking_threads;
    return static_cast<unsigned>(c.db_connections + (c.engine == "postgis" ? c.pg_connections : 0));
}

std::optional<std::size_t> parse_byte_size(const std::string& text) {
    if (text.empty()) return std::nullopt;
    std::size_t i = 0;
    unsigned long long v = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        if (v > (~0ull) / 10) return std::nullopt;
        v = v * 10 + static_cast<unsigned long long>(text[i] - '0');
        ++i;
    }
    if (i == 0) return std::nullopt;
    std::string suffix = text.substr(i);
    for (auto& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    unsigned shift = 0;
    if (suffix.empty() || suffix == "b")
        shift = 0;
    else if (suffix == "k" || suffix == "kb" || suffix == "kib")
        shift = 10;
    else if (suffix == "m" || suffix == "mb" || suffix == "mib")
        shift = 20;
    else if (suffix == "g" || suffix == "gb" || suffix == "gib")
        shift = 30;
    else
        return std::nullopt;
    if (shift && v > ((~0ull) >> shift)) return std::nullopt;
    return static_cast<std::size_t>(v << shift);
}

ConnectionLimit fit_connections(std::size_t requested, std::uint64_t soft, std::uint64_t hard,
                                std::size_t headroom) {
    ConnectionLimit out;
    const std::uint64_t wanted = static_cast<std::uint64_t>(requested) + headroom;
    out.soft_limit = std::max(soft, std::min(wanted, hard));  // never lower what we were given
    const std::uint64_t room = out.soft_limit > headroom ? out.soft_limit - headroom : 0;
    out.max_connections = static_cast<std::size_t>(std::min<std::uint64_t>(requested, room));
    if (out.max_connections == 0 && requested > 0)
        out.max_connections = 1;  // a tiny limit still serves someone
    return out;
}

namespace {
std::string env_name(const std::string& option) {
    std::string out = "CRIMEMAP_";
    for (char c : option)
        out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return out;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        auto b = item.find_first_not_of(" \t");
        auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}
}  // namespace

ConfigParse parse_config(int argc, const char* const argv[], const Config& d, const EnvLookup& getenv_fn) {
    ConfigParse result;
    EnvLookup getenv = getenv_fn ? getenv_fn : EnvLookup([](const char* n) { return std::getenv(n); });

    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
        return s;
    };
    po::options_description desc(
        "crimemapd: vector tiles and JSON APIs for police.uk crime data\n\n"
        "Every option can also be set by an environment variable CRIMEMAP_<NAME> (upper case, '-' as\n"
        "'_', e.g. CRIMEMAP_CACHE_BYTES=512M); a flag wins over the variable.\n\nOptions",
        100, 50);
    // clang-format off
    desc.add_options()
        ("help,h", "show this help and exit")
        ("host", po::value<std::string>()->default_value(d.host), "address to listen on")
        ("port", po::value<unsigned>()->default_value(d.port), "TCP port (0: any free port, logged)")
        ("threads", po::value<unsigned>()->default_value(d.threads), "I/O threads: everything answered from memory (0: one per core)")
        ("blocking-threads", po::value<unsigned>()->default_value(d.blocking_threads), "threads for requests that query the database (crime listings, meeting packs, team writes, postgis tiles), so they never hold an I/O thread (0: --db-connections, plus --pg-connections with --engine=postgis)")
        ("database-url", po::value<std::string>()->default_value(d.database_url), "PostgreSQL/PostGIS connection URL")
        ("notify-url", po::value<std::string>()->default_value(d.notify_url), "with --database-url a streaming replica: its primary, where crimemapd LISTENs for new dataset versions (a standby cannot); each is loaded from the replica once replayed there (empty: LISTEN on --database-url unless it is a standby, which is then polled)")
        ("write-url", po::value<std::string>()->default_value(d.write_url), "with --database-url a read-only replica: the primary, for team writes and their token checks (empty: --database-url)")
        ("engine", po::value<std::string>()->default_value(d.engine), "tile engine: memory (in-memory snapshot) or postgis (ST_AsMVT reference)")
        ("pg-connections", po::value<int>()->default_value(d.pg_connections), "database connections of the postgis engine")
        ("pg-timeout", po::value<double>()->default_value(d.pg_timeout), "postgis engine: seconds a tile query may run, and may wait for a free connection (503 beyond)")
        ("db-connections", po::value<int>()->default_value(d.db_connections), "database connections of the JSON APIs (crime listings, meeting packs, team writes)")
        ("db-timeout", po::value<double>()->default_value(d.db_timeout), "JSON APIs: seconds a query may run, and may wait for a free connection (503 beyond)")
        ("cache-bytes", po::value<std::string>()->default_value(std::to_string(d.cache_bytes)), "tile cache budget in bytes (suffix K, M, G; 0 disables)")
        ("answer-cache-bytes", po::value<std::string>()->default_value(std::to_string(d.answer_cache_bytes)), "budget in bytes of the cache of postcode, reverse-geocode and summary answers (suffix K, M, G; 0 disables)")
        ("cors-origins", po::value<std::string>()->default_value(join(d.cors_origins)), "comma-separated allowed CORS origins, or * for any; token-guarded team writes (POST/PUT/DELETE) are allowed only to origins listed by name, never through *")
        ("frame-ancestors", po::value<std::string>()->default_value(d.frame_ancestors), "CSP frame-ancestors for HTML pages (embedding); empty: not sent")
        ("web-dir", po::value<std::string>()->default_value(d.web_dir), "folder of static files served at / (index.html)")
        ("poll-seconds", po::value<double>()->default_value(d.poll_seconds), "seconds between dataset version checks (LISTEN crimemap_dataset also triggers one)")
        ("listen-notify", po::value<bool>()->default_value(d.listen_notify)->implicit_value(true), "LISTEN crimemap_dataset to notice refreshes at once (false: --poll-seconds alone, e.g. behind a pooler that drops notifications)")
        ("max-body-bytes", po::value<std::string>()->default_value(std::to_string(d.max_body_bytes)), "largest request body (413 beyond)")
        ("max-header-bytes", po::value<std::string>()->default_value(std::to_string(d.max_header_bytes)), "largest request line + headers (431 beyond)")
        ("read-timeout", po::value<double>()->default_value(d.read_timeout), "seconds to receive a whole request")
        ("idle-timeout", po::value<double>()->default_value(d.idle_timeout), "seconds a keep-alive connection may wait for its next request")
        ("keepalive-requests", po::value<unsigned>()->default_value(d.keepalive_requests), "requests per connection before it is closed")
        ("shutdown-timeout", po::value<double>()->default_value(d.shutdown_timeout), "seconds in-flight requests get after SIGTERM/SIGINT")
        ("public-url", po::value<std::string>()->default_value(d.public_url), "base URL used in TileJSON (default: from the Host header)")
        ("access-log", po::value<bool>()->default_value(d.access_log)->implicit_value(true), "log one line per request to stderr")
        ("max-connections", po::value<std::size_t>()->default_value(d.max_connections), "open client connections at once; beyond, new ones get 503 and are closed (idle keep-alive ones are closed first to make room). The open-file limit is raised to fit at start")
        ("max-connections-per-client", po::value<std::size_t>()->default_value(d.max_connections_per_client), "open connections per client address (IPv6: per /64); 0: no per-client cap")
        ("static-cache-bytes", po::value<std::string>()->default_value(std::to_string(d.static_cache_bytes)), "memory for static files (least recently used ones leave first; suffix K, M, G; 0: read from disk each time)")
        ("rate-limit", po::value<std::string>()->default_value(to_string(RateSpec{d.rate_limit, d.rate_burst})), "JSON APIs: requests per second / burst per client address (IPv6: per /64) or portal key; 0 turns it off")
        ("tile-rate-limit", po::value<std::string>()->default_value(to_string(RateSpec{d.tile_rate_limit, d.tile_rate_burst})), "tiles, TileJSON, catalog and static files: requests per second / burst per client address; 0 turns it off")
        ("trusted-proxies", po::value<std::string>()->default_value(join(d.trusted_proxies)), "comma-separated addresses/CIDRs (IPv4, IPv6) of reverse proxies whose X-Forwarded-For names the client")
        ("api-key-refresh", po::value<double>()->default_value(d.api_key_refresh), "seconds between reloads of the portal API keys from the database (a revoke takes effect within this)")
        ("tiles", po::value<std::string>()->default_value(join(d.tile_archives)), "comma-separated .pmtiles archives (from crimemap export tiles) served with HTTP Range at /archives/{file name}")
        ("basemap", po::value<std::string>()->default_value(d.basemap), "a .pmtiles vector basemap served with HTTP Range at /basemap.pmtiles (listed in /catalog)");
    // clang-format on
    {
        std::ostringstream os;
        os << desc;
        result.help_text = os.str();
    }

    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        // Environment second: store() keeps values already set by flags.
        std::vector<std::string> env_args{"crimemapd"};
        for (const auto& opt : desc.options()) {
            const std::string& name = opt->long_name();
            if (name == "help") continue;
            if (const char* v = getenv(env_name(name).c_str()); v != nullptr)
                env_args.push_back("--" + name + "=" + v);
        }
        std::vector<const char*> env_argv;
        env_argv.reserve(env_args.size());
        for (const auto& a : env_args) env_argv.push_back(a.c_str());
        try {
            po::store(po::parse_command_line(static_cast<int>(env_argv.size()), env_argv.data(), desc), vm);
        } catch (const po::error& e) {
            throw po::error(std::string(e.what()) + " (from a CRIMEMAP_* environment variable)");
        }
        po::notify(vm);
        if (vm.count("help")) {
            result.help = true;
            return result;
        }
        Config c;
        c.host = vm["host"].as<std::string>();
        unsigned port = vm["port"].as<unsigned>();
        if (port > 65535) throw po::error("--port must be 0..65535");
        c.port = static_cast<std::uint16_t>(port);
        c.threads = vm["threads"].as<unsigned>();
        c.database_url = vm["database-url"].as<std::string>();
        c.notify_url = vm["notify-url"].as<std::string>();
        c.write_url = vm["write-url"].as<std::string>();
        c.engine = vm["engine"].as<std::string>();
        if (c.engine != "memory" && c.engine != "postgis")
            throw po::error("--engine must be memory or postgis");
        c.pg_connections = vm["pg-connections"].as<int>();
        if (c.pg_connections < 1) throw po::error("--pg-connections must be at least 1");
        c.db_connections = vm["db-connections"].as<int>();
        if (c.db_connections < 1) throw po::error("--db-connections must be at least 1");
        c.blocking_threads = vm["blocking-threads"].as<unsigned>();
        if (c.blocking_threads > 1024) throw po::error("--blocking-threads must be at most 1024");
        auto size = [&](const char* name) {
            auto v = parse_byte_size(vm[name].as<std::string>());
            if (!v)
                throw po::error(std::string("--") + name + " must be a byte count such as 1048576 or 256M");
            return *v;
        };
        c.cache_bytes = size("cache-bytes");
        c.answer_cache_bytes = size("answer-cache-bytes");
        c.max_body_bytes = size("max-body-bytes");
        c.max_header_bytes = size("max-header-bytes");
        if (c.max_header_bytes < 1024) throw po::error("--max-header-bytes must be at least 1K");
        c.cors_origins = split_list(vm["cors-origins"].as<std::string>());
        c.frame_ancestors = vm["frame-ancestors"].as<std::string>();
        c.web_dir = vm["web-dir"].as<std::string>();
        auto positive = [&](const char* name) {
            double v = vm[name].as<double>();
            if (!(v > 0) || v > 86400 * 365)
                throw po::error(std::string("--") + name + " must be a positive number of seconds");
            return v;
        };
        c.poll_seconds = positive("poll-seconds");
        c.listen_notify = vm["listen-notify"].as<bool>();
        c.db_timeout = positive("db-timeout");
        c.pg_timeout = positive("pg-timeout");
        c.read_timeout = positive("read-timeout");
        c.idle_timeout = positive("idle-timeout");
        c.shutdown_timeout = positive("shutdown-timeout");
        c.keepalive_requests = vm["keepalive-requests"].as<unsigned>();
        if (c.keepalive_requests == 0) throw po::error("--keepalive-requests must be at least 1");
        c.public_url = vm["public-url"].as<std::string>();
        while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
        c.access_log = vm["access-log"].as<bool>();
        c.max_connections = vm["max-connections"].as<std::size_t>();
        if (c.max_connections < 1 || c.max_connections > 10'000'000)
            throw po::error("--max-connections must be 1..10000000");
        c.max_connections_per_client = vm["max-connections-per-client"].as<std::size_t>();
        c.static_cache_bytes = size("static-cache-bytes");
        auto rate = [&](const char* name, double& r, double& b) {
            auto spec = parse_rate_spec(vm[name].as<std::string>());
            if (!spec)
                throw po::error(std::string("--") + name +
                                " must be RPS/BURST (e.g. 25/50), RPS, or 0 for none");
            r = spec->rate;
            b = spec->burst;
        };
        rate("rate-limit", c.rate_limit, c.rate_burst);
        rate("tile-rate-limit", c.tile_rate_limit, c.tile_rate_burst);
        std::string bad_proxy;
        if (!parse_cidr_list(vm["trusted-proxies"].as<std::string>(), &bad_proxy))
            throw po::error("--trusted-proxies: '" + bad_proxy + "' is not an address or CIDR");
        c.trusted_proxies = split_list(vm["trusted-proxies"].as<std::string>());
        c.api_key_refresh = positive("api-key-refresh");
        c.tile_archives = split_list(vm["tiles"].as<std::string>());
        c.basemap = vm["basemap"].as<std::string>();
        result.config = std::move(c);
    } catch (const std::exception& e) {
        result.error = e.what();
    }
    return result;
}

}  // namespace crimemap::server
