#include "tools/token.hpp"

#include <cstdio>
#include <fstream>

#include "store/pg.hpp"
#include "store/team_repository.hpp"
#include "tools/common.hpp"

namespace crimemap::tools {

std::string new_token() {
    std::ifstream random("/dev/urandom", std::ios::binary);
    unsigned char bytes[32];
    if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes)) throw CliError("cannot read /dev/urandom");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "cm_";
    for (unsigned char b : bytes) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 15]);
    }
    return out;
}

namespace {

constexpr const char* usage =
    "usage: crimemap token create --force F [--neighbourhood N] [--label TEXT] [--database-url URL]\n"
    "       crimemap token list [--database-url URL]\n"
    "       crimemap token revoke ID [--database-url URL]\n"
    "\n"
    "create prints a new bearer token once (only its SHA-256 hash is stored). It allows POST, PUT and\n"
    "DELETE on /v1/neighbourhoods/F/{id}/priorities and /events for every neighbourhood of force F,\n"
    "or only for neighbourhood N.\n";

int create(const Args& args) {
    auto force = args.get("force");
    if (!force || force->empty()) throw CliError("--force is required");
    store::Connection db(database_url(args));
    if (db.query("SELECT 1 FROM forces WHERE id = $1", {*force}).size() == 0)
        throw CliError("unknown force '" + *force + "' (see /api/forces)");
    auto nb = args.get("neighbourhood");
    if (nb && db.query("SELECT 1 FROM neighbourhoods WHERE force_id = $1 AND id = $2", {*force, *nb}).size() == 0)
        throw CliError("no neighbourhood team '" + *nb + "' in force '" + *force + "'");
    const auto token = new_token();
    auto r = db.query("INSERT INTO api_tokens (token_hash, force_id, neighbourhood_id, label) VALUES (" +
                          store::token_hash_sql(1) + ", $2, $3, $4) RETURNING id",
                      {token, *force, nb, args.get("label")});
    std::fprintf(stderr, "token %lld for %s%s (store it now: it is not shown again)\n", r.int64(0, 0), force->c_str(),
                 nb ? ("/" + *nb).c_str() : " (every neighbourhood)");
    std::printf("%s\n", token.c_str());
    return 0;
}

int list(const Args& args) {
    store::Connection db(database_url(args));
    auto r = db.query(
        "SELECT id, force_id, coalesce(neighbourhood_id, '*'), coalesce(label, ''), to_char(created_at, 'YYYY-MM-DD HH24:MI'),"
        " coalesce(to_char(revoked_at, 'YYYY-MM-DD HH24:MI'), '') FROM api_tokens ORDER BY id");
    std::printf("%-6s %-20s %-14s %-17s %-17s %s\n", "id", "force", "neighbourhood", "created", "revoked", "label");
    for (int i = 0; i < r.size(); ++i)
        std::printf("%-6s %-20s %-14s %-17s %-17s %s\n", std::string(r.text(i, 0)).c_str(), std::string(r.text(i, 1)).c_str(),
                    std::string(r.text(i, 2)).c_str(), std::string(r.text(i, 4)).c_str(), std::string(r.text(i, 5)).c_str(),
                    std::string(r.text(i, 3)).c_str());
    return 0;
}

int revoke(const Args& args) {
    if (args.positional().size() != 2) throw CliError("usage: crimemap token revoke ID");
    store::Connection db(database_url(args));
    auto r = db.query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1::bigint AND revoked_at IS NULL RETURNING id",
                      {args.positional()[1]});
    if (r.size() == 0) throw CliError("no live token with id " + args.positional()[1]);
    std::printf("token %s revoked\n", args.positional()[1].c_str());
    return 0;
}

}  // namespace

int cmd_token(const std::vector<std::string>& argv) {
    Args args(argv, {"force", "neighbourhood", "label", "database-url"}, {});
    if (args.help() || args.positional().empty()) {
        std::fputs(usage, args.help() ? stdout : stderr);
        return args.help() ? 0 : 2;
    }
    const auto& sub = args.positional()[0];
    if (sub == "create") return create(args);
    if (sub == "list") return list(args);
    if (sub == "revoke") return revoke(args);
    throw CliError("unknown token command '" + sub + "' (create, list, revoke)");
}

}  // namespace crimemap::tools
