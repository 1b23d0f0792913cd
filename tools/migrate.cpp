#include "tools/migrate.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "tools/common.hpp"

#ifndef CRIMEMAP_SCHEMA_DIR
#define CRIMEMAP_SCHEMA_DIR "schema"
#endif

namespace crimemap::tools {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMigrateLock = "SELECT pg_advisory_lock(7260491001)";
constexpr const char* kMigrateUnlock = "SELECT pg_advisory_unlock(7260491001)";

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw CliError(p.string() + ": cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// FNV-1a 64: enough to notice that a migration file was edited after it was applied.
std::string checksum(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::vector<fs::path> numbered_sql_files(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw CliError(dir.string() + ": no such folder (set --schema-dir)");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto name = e.path().filename().string();
        if (e.is_regular_file() && name.size() > 9 && name.ends_with(".sql") &&
            std::isdigit(static_cast<unsigned char>(name[0])))
            files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

fs::path schema_dir(const Args& args) {
    if (auto d = args.get("schema-dir")) return *d;
    if (const char* env = std::getenv("CRIMEMAP_SCHEMA_DIR"); env && *env) return env;
    return CRIMEMAP_SCHEMA_DIR;
}

MigrationResult apply_migrations(store::Connection& db, const fs::path& schema) {
    auto files = numbered_sql_files(schema / "migrations");
    auto functions = numbered_sql_files(schema / "functions");
    MigrationResult result;
    db.exec(kMigrateLock);
    struct Unlock {
        store::Connection& db;
        ~Unlock() {
            try {
                db.exec(kMigrateUnlock);
            } catch (...) {
            }
        }
    } unlock{db};
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    std::map<std::string, std::string> applied;
    auto rows = db.query("SELECT name, checksum FROM schema_migrations");
    for (int i = 0; i < rows.size(); ++i)
        applied[std::string(rows.text(i, 0))] = std::string(rows.text(i, 1));

    for (const auto& file : files) {
        std::string name = file.filename().string();
        std::string sql = read_text(file);
        std::string sum = checksum(sql);
        if (auto it = applied.find(name); it != applied.end()) {
            ++result.already;
            if (it->second != sum) result.changed.push_back(name);
            continue;
        }
        store::Transaction tx(db);
        try {
            db.exec(sql);
        } catch (const store::PgError& e) {
            throw store::PgError("migration " + name + " failed: " + e.what());
        }
        db.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", {name, sum});
        tx.commit();
        result.applied.push_back(name);
    }

    // Functions (the ST_AsMVT reference engine) are CREATE OR REPLACE: re-applied on every run so an
    // edited function takes effect without a new migration. One transaction for all of them.
    store::Transaction tx(db);
    for (const auto& file : functions) {
        try {
            db.exec(read_text(file));
        } catch (const store::PgError& e) {
            throw store::PgError("function file " + file.filename().string() + " failed: " + e.what());
        }
        ++result.functions;
    }
    // The server's role and its grants (schema/migrations/0007): re-applied on every run, so tables
    // of later migrations are covered and a cluster without the role (a restored dump) gets it.
    if (db.query("SELECT to_regprocedure('crimemap_grant_server_role()') IS NOT NULL").text(0, 0) == "t") {
        try {
            db.exec("SELECT crimemap_grant_server_role()");
        } catch (const store::PgError& e) {
            throw store::PgError(std::string("granting the crimemap_server role failed: ") + e.what());
        }
        result.server_role = true;
    }
    tx.commit();
    return result;
}

void set_server_password(store::Connection& db, const std::string& password) {
    // The SCRAM verifier is computed by libpq here: the password itself never reaches the server
    // (nor its statement log). ALTER ROLE takes no parameters, hence the escaped literal.
    char* verifier = PQencryptPasswordConn(db.raw(), password.c_str(), "crimemap_server", "scram-sha-256");
    if (!verifier)
        throw store::PgError(std::string("cannot encrypt the crimemap_server password: ") +
                             PQerrorMessage(db.raw()));
    std::unique_ptr<char, decltype(&PQfreemem)> verifier_owner(verifier, &PQfreemem);
    char* literal = PQescapeLiteral(db.raw(), verifier, std::strlen(verifier));
    if (!literal)
        throw store::PgError(std::string("cannot quote the crimemap_server password: ") +
                             PQerrorMessage(db.raw()));
    std::unique_ptr<char, decltype(&PQfreemem)> literal_owner(literal, &PQfreemem);
    db.exec(std::string("ALTER ROLE crimemap_server PASSWORD ") + literal);
}

int cmd_migrate(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url", "schema-dir"}, {"quiet"});
    if (args.help()) {
        std::puts(
            "usage: crimemap migrate [--database-url URL] [--schema-dir DIR] [--quiet]\n"
            "\n"
            "Applies schema/migrations/NNNN_*.sql in file-name order, each in its own transaction,\n"
            "and records them in the schema_migrations table. Already applied files are skipped, so\n"
            "running it again is harmless; a file edited after it was applied is reported.\n"
            "\n"
            "Every run also creates (when missing) the crimemap_server role crimemapd connects as, and\n"
            "grants it what it needs: read what it serves, write the team tables, append to audit_log.\n"
            "Its password is set from CRIMEMAP_SERVER_PASSWORD when that is set (none otherwise: for\n"
            "clusters that trust local connections).\n"
            "\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)\n"
            "  --schema-dir DIR    folder holding migrations/ (default: $CRIMEMAP_SCHEMA_DIR or the source "
            "tree)\n"
            "  --quiet             print nothing when there is nothing to do");
        return 0;
    }
    if (!args.positional().empty()) throw CliError("migrate takes no arguments (see --help)");
    store::Connection db(database_url(args));
    auto r = apply_migrations(db, schema_dir(args));
    if (const char* pw = std::getenv("CRIMEMAP_SERVER_PASSWORD"); pw && *pw) {
        if (!r.server_role)
            throw CliError("CRIMEMAP_SERVER_PASSWORD is set but the schema has no crimemap_server role");
        set_server_password(db, pw);
        if (!args.has("quiet"))
            std::printf("migrate: crimemap_server password set (from CRIMEMAP_SERVER_PASSWORD)\n");
    }
    for (const auto& name : r.changed)
        std::fprintf(stderr, "migrate: warning: %s changed after it was applied (not re-applied)\n",
                     name.c_str());
    if (r.applied.empty()) {
        if (!args.has("quiet")) std::printf("migrate: up to date (%zu migrations)\n", r.already);
    } else {
        for (const auto& name : r.applied) std::printf("migrate: applied %s\n", name.c_str());
        std::printf("migrate: %zu applied, %zu already present\n", r.applied.size(), r.already);
    }
    return 0;
}

namespace {
bool table_exists(store::Connection& db, const std::string& name) {
    auto r = db.query("SELECT to_regclass($1) IS NOT NULL", {name});
    return r.text(0, 0) == "t";
}
}  // namespace

int cmd_status(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url", "schema-dir"}, {"crimes"});
    if (args.help()) {
        std::puts(
            "usage: crimemap status [--crimes] [--database-url URL]\n"
            "\n"
            "Shows migrations, row counts, loaded force-months and the current dataset version.\n"
            "\n"
            "  --crimes            print only the number of crimes (for scripts)\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return 0;
    }
    if (!args.positional().empty()) throw CliError("status takes no arguments (see --help)");
    store::Connection db(database_url(args));
    if (!table_exists(db, "crimes"))
        throw CliError("the database has no crimemap schema yet: run crimemap migrate");
    if (args.has("crimes")) {
        auto r = db.query("SELECT count(*) FROM crimes");
        std::printf("%s\n", std::string(r.text(0, 0)).c_str());
        return 0;
    }
    auto ver = db.query("SELECT current_setting('server_version'), postgis_lib_version()");
    std::printf("database:    PostgreSQL %s, PostGIS %s\n", std::string(ver.text(0, 0)).c_str(),
                std::string(ver.text(0, 1)).c_str());
    if (table_exists(db, "schema_migrations")) {
        std::size_t pending = 0;
        auto applied = db.query("SELECT name FROM schema_migrations ORDER BY name");
        std::vector<std::string> names;
        for (int i = 0; i < applied.size(); ++i) names.emplace_back(applied.text(i, 0));
        try {
            for (const auto& f : numbered_sql_files(schema_dir(args) / "migrations"))
                if (std::find(names.begin(), names.end(), f.filename().string()) == names.end()) ++pending;
        } catch (const CliError&) {
        }
        std::printf("migrations:  %d applied, %zu pending\n", applied.size(), pending);
    }
    auto count = [&](const std::string& sql) { return std::string(db.query(sql).text(0, 0)); };
    std::printf(
        "crimes:      %s (%s with a location)\n",
        with_commas(std::stoull(count("SELECT count(*) FROM crimes"))).c_str(),
        with_commas(std::stoull(count("SELECT count(*) FROM crimes WHERE geom IS NOT NULL"))).c_str());
    auto loads = db.query(
        "SELECT l.force_id, to_char(min(l.month), 'YYYY-MM'), to_char(max(l.month), 'YYYY-MM'), count(*), "
        "sum(l.rows_loaded)"
        " FROM crime_loads l GROUP BY l.force_id ORDER BY l.force_id");
    for (int i = 0; i < loads.size(); ++i)
        std::printf("  %-20s %s..%s  %s months, %s crimes\n", std::string(loads.text(i, 0)).c_str(),
                    std::string(loads.text(i, 1)).c_str(), std::string(loads.text(i, 2)).c_str(),
                    std::string(loads.text(i, 3)).c_str(),
                    with_commas(std::stoull(std::string(loads.text(i, 4)))).c_str());
    auto areas = db.query(
        "SELECT kind, count(*), count(*) FILTER (WHERE derived), count(population) FROM areas"
        " GROUP BY kind ORDER BY kind");
    std::string area_line;
    for (int i = 0; i < areas.size(); ++i) {
        if (!area_line.empty()) area_line += ", ";
        area_line +=
            std::string(areas.text(i, 0)) + " " + with_commas(std::stoull(std::string(areas.text(i, 1))));
        if (areas.text(i, 2) != "0") area_line += " (" + std::string(areas.text(i, 2)) + " derived)";
        if (areas.text(i, 3) != "0")
            area_line += " (" + std::string(areas.text(i, 3)) + " with a population)";
    }
    std::printf("areas:       %s\n", area_line.empty() ? "none" : area_line.c_str());
    std::printf("postcodes:   %s (%s terminated)\n",
                with_commas(std::stoull(count("SELECT count(*) FROM postcodes"))).c_str(),
                with_commas(std::stoull(count("SELECT count(*) FROM postcodes WHERE terminated IS NOT NULL")))
                    .c_str());
    std::printf("indicators:  %s values, %s indicators\n",
                with_commas(std::stoull(count("SELECT count(*) FROM indicators"))).c_str(),
                count("SELECT count(DISTINCT indicator) FROM indicators").c_str());
    std::printf("teams:       %s neighbourhoods (%s demo)\n",
                count("SELECT count(*) FROM neighbourhoods").c_str(),
                count("SELECT count(*) FROM neighbourhoods WHERE demo").c_str());
    auto v = db.query(
        "SELECT version, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS'), crimes FROM dataset_versions ORDER BY "
        "version DESC LIMIT 1");
    if (v.size() == 0)
        std::printf("dataset:     no version yet (run crimemap refresh)\n");
    else
        std::printf("dataset:     version %s, refreshed %s, %s crimes\n", std::string(v.text(0, 0)).c_str(),
                    std::string(v.text(0, 1)).c_str(),
                    with_commas(std::stoull(std::string(v.text(0, 2)))).c_str());
    return 0;
}

}  // namespace crimemap::tools
