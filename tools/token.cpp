#include "tools/token.hpp"

#include <cstdio>

#include "core/secrets.hpp"
#include "core/teams.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"

namespace crimemap::tools {

std::string new_token() { return core::random_secret("cm_", 32); }

std::optional<std::chrono::hours> parse_token_lifetime(std::string_view text) {
    if (text.size() < 2 || text.size() > 8) return std::nullopt;
    long long n = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    const char unit = text.back();
    const long long hours = unit == 'h' ? n : unit == 'd' ? n * 24 : unit == 'w' ? n * 24 * 7 : -1;
    if (hours <= 0 || hours > 10 * 366 * 24) return std::nullopt;
    return std::chrono::hours(hours);
}

namespace {

constexpr const char* usage =
    "usage: crimemap token create --force F [--neighbourhood N] [--scope priorities,events] [--expires "
    "365d]\n"
    "                             [--label TEXT] [--database-url URL]\n"
    "       crimemap token list [--database-url URL]\n"
    "       crimemap token revoke ID [--database-url URL]\n"
    "\n"
    "create prints a new bearer token once (only its SHA-256 is stored). It allows POST, PUT and\n"
    "DELETE on /v1/neighbourhoods/F/{id}/priorities and /events for every neighbourhood of force F,\n"
    "or only for neighbourhood N.\n"
    "  --scope LIST    what it may write: priorities, events or both (default priorities,events)\n"
    "  --expires TIME  lifetime in hours, days or weeks: 12h, 90d, 4w (default 365d, at most 10 years)\n"
    "\n"
    "list shows every token with its scopes, expiry, last use (updated at most once a minute) and\n"
    "state (live, expired, revoked). revoke ends a token at once.\n";

int create(const Args& args) {
    auto force = args.get("force");
    if (!force || force->empty()) throw CliError("--force is required");
    const auto scopes = core::parse_write_scopes(args.get_or("scope", "priorities,events"));
    if (!scopes) throw CliError("--scope takes priorities, events or priorities,events");
    const auto lifetime =
        args.has("expires") ? parse_token_lifetime(*args.get("expires")) : default_token_lifetime;
    if (!lifetime)
        throw CliError(
            "--expires takes a positive number of hours, days or weeks: 12h, 90d, 4w (at most 10 years)");
    store::Connection db(database_url(args));
    if (db.query("SELECT 1 FROM forces WHERE id = $1", {*force}).size() == 0)
        throw CliError("unknown force '" + *force + "' (see /api/forces)");
    auto nb = args.get("neighbourhood");
    if (nb &&
        db.query("SELECT 1 FROM neighbourhoods WHERE force_id = $1 AND id = $2", {*force, *nb}).size() == 0)
        throw CliError("no neighbourhood team '" + *nb + "' in force '" + *force + "'");
    const auto token = new_token();
    // Hashed here: the plain token is never sent to PostgreSQL (nor to its statement log).
    auto r = db.query(
        "INSERT INTO api_tokens (token_hash, force_id, neighbourhood_id, label, scopes, expires_at)"
        " VALUES ($1, $2, $3, $4, string_to_array($5, ','), now() + make_interval(hours => $6::int))"
        " RETURNING id, to_char(expires_at, 'YYYY-MM-DD HH24:MI')",
        {core::sha256_hex(token), *force, nb, args.get("label"), core::to_string(*scopes),
         std::to_string(lifetime->count())});
    std::fprintf(stderr, "token %lld for %s%s, %s, expires %s (store it now: it is not shown again)\n",
                 r.int64(0, 0), force->c_str(), nb ? ("/" + *nb).c_str() : " (every neighbourhood)",
                 core::to_string(*scopes).c_str(), std::string(r.text(0, 1)).c_str());
    std::printf("%s\n", token.c_str());
    return 0;
}

int list(const Args& args) {
    store::Connection db(database_url(args));
    auto r = db.query(
        "SELECT id, force_id, coalesce(neighbourhood_id, '*'), array_to_string(scopes, ','),"
        " to_char(created_at, 'YYYY-MM-DD HH24:MI'), to_char(expires_at, 'YYYY-MM-DD HH24:MI'),"
        " coalesce(to_char(last_used_at, 'YYYY-MM-DD HH24:MI'), 'never'),"
        " CASE WHEN revoked_at IS NOT NULL THEN 'revoked ' || to_char(revoked_at, 'YYYY-MM-DD HH24:MI')"
        " WHEN expires_at <= now() THEN 'expired' ELSE 'live' END, coalesce(label, '') FROM api_tokens ORDER "
        "BY id");
    const char* format = "%-6s %-20s %-14s %-18s %-17s %-17s %-17s %-24s %s\n";
    std::printf(format, "id", "force", "neighbourhood", "scopes", "created", "expires", "last used", "state",
                "label");
    for (int i = 0; i < r.size(); ++i) {
        std::string f[9];
        for (int c = 0; c < 9; ++c) f[c] = std::string(r.text(i, c));
        std::printf(format, f[0].c_str(), f[1].c_str(), f[2].c_str(), f[3].c_str(), f[4].c_str(),
                    f[5].c_str(), f[6].c_str(), f[7].c_str(), f[8].c_str());
    }
    return 0;
}

int revoke(const Args& args) {
    if (args.positional().size() != 2) throw CliError("usage: crimemap token revoke ID");
    store::Connection db(database_url(args));
    auto r = db.query(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1::bigint AND revoked_at IS NULL RETURNING id",
        {args.positional()[1]});
    if (r.size() == 0) throw CliError("no live token with id " + args.positional()[1]);
    std::printf("token %s revoked\n", args.positional()[1].c_str());
    return 0;
}

}  // namespace

int cmd_token(const std::vector<std::string>& argv) {
    const Args args(argv, {"force", "neighbourhood", "label", "scope", "expires", "database-url"}, {});
    return run_subcommand(args, usage, "token", {{"create", create}, {"list", list}, {"revoke", revoke}});
}

}  // namespace crimemap::tools
