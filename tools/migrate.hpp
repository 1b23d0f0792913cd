#pragma once
// `crimemap migrate` and `crimemap status`: schema/migrations/NNNN_name.sql applied in file-name
// order, each in its own transaction, recorded in schema_migrations (name, checksum, applied_at);
// then the schema functions and the crimemapd role's grants (crimemap_grant_server_role()).
#include <filesystem>
#include <string>
#include <vector>

#include "store/pg.hpp"

namespace crimemap::tools {

class Args;

// The schema folder: --schema-dir, else CRIMEMAP_SCHEMA_DIR from the environment, else the source
// tree's schema/ (compiled in).
std::filesystem::path schema_dir(const Args& args);

struct MigrationResult {
    std::vector<std::string> applied;  // file names applied by this run
    std::vector<std::string> changed;  // already applied, but the file differs from what was applied
    std::size_t already = 0;           // applied earlier
    std::size_t functions = 0;         // schema/functions/*.sql files (re-)applied
    bool server_role = false;          // crimemap_server created or re-granted
};

// Applies the pending migrations of dir/migrations, then (re-)creates dir/functions/*.sql. Idempotent; safe
// against a concurrent run (an advisory lock serialises them). Throws store::PgError naming the file that
// failed.
MigrationResult apply_migrations(store::Connection& db, const std::filesystem::path& schema);

// Sets the crimemap_server role's password (sent as a SCRAM verifier computed in the process).
void set_server_password(store::Connection& db, const std::string& password);

int cmd_migrate(const std::vector<std::string>& argv);
int cmd_status(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
