#pragma once
// crimemapd's settings: command-line flags and CRIMEMAP_* environment variables (a flag wins over
// the variable; CRIMEMAP_CACHE_BYTES sets --cache-bytes). Plain values, copied freely.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace crimemap::server {

struct Config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;      // 0 = any free port (logged at start)
    unsigned threads = 0;           // I/O threads; 0 = std::thread::hardware_concurrency()
    unsigned blocking_threads = 0;  // threads for database-bound handlers; 0 = db + pg connections
    std::string database_url = "postgresql://postgres@127.0.0.1:54329/crimemap";
    // With database_url a streaming replica: the primary to LISTEN on for new dataset versions (a
    // standby cannot LISTEN; versions are still loaded from database_url once it has replayed
    // them), and the database team writes go to (a standby is read-only). Empty: database_url.
    std::string notify_url;
    std::string write_url;
    std::string engine = "memory";         // memory | postgis
    int pg_connections = 4;                // postgis engine: connections in its pool
    double pg_timeout = 30;                // postgis engine: statement timeout and wait for a connection (s)
    int db_connections = 4;                // JSON APIs' pool (crime listings, team writes)
    double db_timeout = 3;                 // its statement timeout and wait for a connection (s)
    std::size_t cache_bytes = 256u << 20;  // tile cache budget; 0 disables it
    std::size_t answer_cache_bytes = 64u << 20;  // lookup answer cache budget; 0 disables it
    std::vector<std::string> cors_origins{"*"};  // allowed Origins; "*" = any, except for team writes
    std::string frame_ancestors;                 // CSP frame-ancestors for HTML pages; empty = not sent
    std::string web_dir;                         // static files ('/' -> index.html); empty = none
    double poll_seconds = 10;                    // dataset version polling (LISTEN also wakes us)
    bool listen_notify = true;                   // LISTEN crimemap_dataset; false = polling only
    std::size_t max_body_bytes = 1u << 20;
    std::size_t max_header_bytes = 16u << 10;
    double read_timeout = 15;                      // seconds to receive a whole request
    double idle_timeout = 60;                      // seconds a keep-alive connection may wait for the next
    unsigned keepalive_requests = 1000;            // requests per connection before it is closed
    double shutdown_timeout = 10;                  // seconds in-flight requests get on SIGTERM
    std::string public_url;                        // base URL in TileJSON; empty = from the Host header
    bool access_log = false;                       // one stderr line per request
    std::size_t max_connections = 10000;           // open connections at once (503 and close beyond)
    std::size_t max_connections_per_client = 256;  // per client address, IPv6 per /64; 0 = no cap
    std::size_t static_cache_bytes = 32u << 20;    // static files kept in memory (LRU); 0 = none
    // Rate limits per client (server/rate_limit.hpp): requests/s and burst; a rate of 0 turns one off.
    double rate_limit = 25;  // JSON APIs (/postcodes, /outcodes, /api/, /v1/, ...)
    double rate_burst = 50;
    double tile_rate_limit = 200;  // tiles, TileJSON, catalog, static files
    double tile_rate_burst = 400;
    std::vector<std::string> trusted_proxies;  // addresses/CIDRs whose X-Forwarded-For is believed
    double api_key_refresh = 10;               // seconds between reloads of the portal API keys
    std::vector<std::string> tile_archives;    // .pmtiles files served at /archives/{file name}
    std::string basemap;                       // a .pmtiles vector basemap served at /basemap.pmtiles
};

struct ConfigParse {
    Config config;
    bool help = false;      // --help given: print help_text and exit 0
    std::string help_text;  // always filled
    std::string error;      // non-empty: print it with help_text and exit 2
};

// getenv: looks up environment variables (std::getenv by default; tests pass a map).
using EnvLookup = std::function<const char*(const char*)>;
ConfigParse parse_config(int argc, const char* const argv[], const Config& defaults = {},
                         const EnvLookup& getenv = {});

// --blocking-threads, with 0 resolved: the connections the blocking handlers can use at once.
unsigned blocking_threads(const Config& config);

// File descriptors crimemapd needs besides its client connections (database connections, logs,
// static files being read, the listening socket, eventfds): the headroom --max-connections gets.
inline constexpr std::size_t fd_headroom = 256;

// What --max-connections fits under the open-file limit: the soft limit to ask for (raised up to
// the hard limit when connections + headroom need more) and the connections that then fit.
struct ConnectionLimit {
    std::uint64_t soft_limit = 0;     // RLIMIT_NOFILE soft value to set
    std::size_t max_connections = 0;  // == requested unless the hard limit is too low
};
ConnectionLimit fit_connections(std::size_t requested, std::uint64_t soft, std::uint64_t hard,
                                std::size_t headroom = fd_headroom);

// "256M", "1G", "512k", "1048576" -> bytes (binary multiples); nullopt when malformed.
std::optional<std::size_t> parse_byte_size(const std::string& text);

}  // namespace crimemap::server
