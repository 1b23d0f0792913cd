#include "tools/key.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/api_keys.hpp"
#include "core/secrets.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"

namespace crimemap::tools {

namespace {

constexpr const char* usage =
    "usage: crimemap key create --name NAME [--rate RPS/BURST] [--database-url URL]\n"
    "       crimemap key list [--database-url URL]\n"
    "       crimemap key revoke ID|NAME [--database-url URL]\n"
    "\n"
    "create prints a new portal API key once (only its SHA-256 hash is stored). Clients send it as\n"
    "X-Api-Key (or ?api_key=) and get their own bucket on the JSON APIs at --rate (default 250/500:\n"
    "250 requests/s, bursts of 500; 0 = unlimited) instead of the per-address limit. NAME (letters,\n"
    "digits, '.', '_', '-', at most 64) labels the key in /metrics. crimemapd loads keys every\n"
    "--api-key-refresh seconds (10 by default): a revoked key stops working within that.\n";

constexpr const char* default_rate = "250/500";

// "RPS/BURST" or "RPS" (burst = RPS); "0" = unlimited. The server's parser (server/rate_limit.hpp)
// accepts the same forms; the CLI cannot link server/.
std::pair<double, double> parse_rate(const std::string& text) {
    auto number = [&](const std::string& s) {
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v < 0 || v > 1e6)
            throw CliError("--rate must be RPS/BURST (e.g. 250/500), RPS, or 0 for unlimited; got '" + text +
                           "'");
        return v;
    };
    auto slash = text.find('/');
    double rate = number(text.substr(0, slash));
    double burst = slash == std::string::npos ? std::max(1.0, rate) : number(text.substr(slash + 1));
    if (rate > 0 && rate < 0.001) throw CliError("--rate: at least 0.001 requests/s (or 0 for unlimited)");
    if (burst < 1 || burst > 1e7) throw CliError("--rate: the burst must be 1..10000000");
    return {rate, burst};
}

int create(const Args& args) {
    auto name = args.get("name");
    if (!name || !core::valid_api_key_name(*name))
        throw CliError("--name is required: 1 to 64 letters, digits, '.', '_' or '-'");
    auto [rate, burst] = parse_rate(args.get_or("rate", default_rate));
    store::Connection db(database_url(args));
    if (db.query("SELECT 1 FROM api_keys WHERE name = $1", {*name}).size() != 0)
        throw CliError("a key named '" + *name + "' exists already (names stay taken after a revoke)");
    const std::string key = core::random_secret("ck_");
    // Hashed here: the plain key never reaches PostgreSQL (nor its statement log).
    auto r =
        db.query("INSERT INTO api_keys (name, key_hash, rate, burst) VALUES ($1, $2, $3, $4) RETURNING id",
                 {*name, core::sha256_hex(key), std::to_string(rate), std::to_string(burst)});
    std::fprintf(stderr, "key %lld '%s' (%g requests/s, bursts of %g; store it now: it is not shown again)\n",
                 r.int64(0, 0), name->c_str(), rate, burst);
    std::printf("%s\n", key.c_str());
    return 0;
}

int list(const Args& args) {
    store::Connection db(database_url(args));
    auto r = db.query(
        "SELECT id, name, rate, burst, to_char(created_at, 'YYYY-MM-DD HH24:MI'),"
        " coalesce(to_char(revoked_at, 'YYYY-MM-DD HH24:MI'), ''),"
        " coalesce(to_char(last_used_at, 'YYYY-MM-DD HH24:MI'), '') FROM api_keys ORDER BY id");
    std::printf("%-6s %-24s %-14s %-17s %-17s %s\n", "id", "name", "rate/burst", "created", "revoked",
                "last used");
    for (int i = 0; i < r.size(); ++i) {
        char rate[48];
        std::snprintf(rate, sizeof rate, "%g/%g", r.float64(i, 2), r.float64(i, 3));
        std::printf("%-6s %-24s %-14s %-17s %-17s %s\n", std::string(r.text(i, 0)).c_str(),
                    std::string(r.text(i, 1)).c_str(), rate, std::string(r.text(i, 4)).c_str(),
                    std::string(r.text(i, 5)).c_str(), std::string(r.text(i, 6)).c_str());
    }
    return 0;
}

int revoke(const Args& args) {
    if (args.positional().size() != 2) throw CliError("usage: crimemap key revoke ID|NAME");
    const std::string& which = args.positional()[1];
    const bool is_id =
        !which.empty() && which.size() <= 18 && which.find_first_not_of("0123456789") == std::string::npos;
    store::Connection db(database_url(args));
    auto r = is_id ? db.query(
                         "UPDATE api_keys SET revoked_at = now() WHERE id = $1::bigint AND revoked_at IS NULL"
                         " RETURNING id, name",
                         {which})
                   : db.query(
                         "UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL"
                         " RETURNING id, name",
                         {which});
    if (r.size() == 0) throw CliError("no live key with " + std::string(is_id ? "id " : "name ") + which);
    std::printf("key %s '%s' revoked (crimemapd refuses it within --api-key-refresh seconds)\n",
                std::string(r.text(0, 0)).c_str(), std::string(r.text(0, 1)).c_str());
    return 0;
}

}  // namespace

int cmd_key(const std::vector<std::string>& argv) {
    const Args args(argv, {"name", "rate", "database-url"}, {});
    return run_subcommand(args, usage, "key", {{"create", create}, {"list", list}, {"revoke", revoke}});
}

}  // namespace crimemap::tools
