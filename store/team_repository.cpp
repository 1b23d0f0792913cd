#include "store/team_repository.hpp"

#include <stdexcept>

#include "store/api_loader.hpp"

namespace crimemap::store {

namespace {

std::optional<std::string> opt(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return s;
}

class PgTeamRepository final : public core::TeamStore {
  public:
    explicit PgTeamRepository(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

    std::optional<core::StoredToken> find_token(const std::string& token_hash) override {
        return pool_->run("team store", [&](Connection& db) -> std::optional<core::StoredToken> {
            auto r = db.query(
                "SELECT id, token_hash, force_id, neighbourhood_id, array_to_string(scopes, ','),"
                " revoked_at IS NOT NULL, expires_at <= now() FROM api_tokens WHERE token_hash = $1",
                {token_hash});
            if (r.size() == 0) return std::nullopt;
            core::StoredToken t;
            t.scope = {r.int64(0, 0), std::string(r.text(0, 2)), r.opt_text(0, 3), {false, false}};
            // The table's CHECK admits only known names; an unparsable value grants nothing.
            if (auto scopes = core::parse_write_scopes(r.text(0, 4))) t.scope.scopes = *scopes;
            t.token_hash = std::string(r.text(0, 1));
            t.revoked = r.text(0, 5) == "t";
            t.expired = r.text(0, 6) == "t";
            return t;
        });
    }

    std::int64_t create_priority(const core::TeamWriter& by, const std::string& force, const std::string& id,
                                 const core::PriorityInput& in) override {
        return write(
            "WITH ins AS (INSERT INTO neighbourhood_priorities (force_id, neighbourhood_id, issue, "
            "issue_date, action,"
            " action_date) VALUES ($2, $3, $7, $8::timestamp, $9, $10::timestamp) RETURNING *), " +
                touch_and_audit("create", "priority", 201, "ins.id", "NULL", "to_jsonb(ins)", "ins") +
                " SELECT id FROM ins",
            common(by, force, id), {in.issue, in.issue_date, opt(in.action), opt(in.action_date)});
    }

    bool update_priority(const core::TeamWriter& by, const std::string& force, const std::string& id,
                         std::int64_t pid, const core::PriorityInput& in) override {
        return write(
                   "WITH old AS (SELECT * FROM neighbourhood_priorities WHERE id = $7::bigint AND force_id = "
                   "$2"
                   " AND neighbourhood_id = $3 FOR UPDATE),"
                   " upd AS (UPDATE neighbourhood_priorities p SET issue = $8, issue_date = $9::timestamp, "
                   "action = $10,"
                   " action_date = $11::timestamp FROM old WHERE p.id = old.id RETURNING p.*), " +
                       touch_and_audit("update", "priority", 200, "upd.id", "to_jsonb(old)", "to_jsonb(upd)",
                                       "old JOIN upd ON upd.id = old.id") +
                       " SELECT id FROM upd",
                   common(by, force, id),
                   {std::to_string(pid), in.issue, in.issue_date, opt(in.action), opt(in.action_date)}) != 0;
    }

    bool remove_priority(const core::TeamWriter& by, const std::string& force, const std::string& id,
                         std::int64_t pid) override {
        return remove_row("neighbourhood_priorities", "priority", by, force, id, pid);
    }

    std::int64_t create_event(const core::TeamWriter& by, const std::string& force, const std::string& id,
                              const core::EventInput& in) override {
        return write(
            "WITH ins AS (INSERT INTO neighbourhood_events (force_id, neighbourhood_id, title, description, "
            "address, type,"
            " start_date, end_date, contact_details) VALUES ($2, $3, $7, $8, $9, $10, $11::timestamp, "
            "$12::timestamp,"
            " $13::jsonb) RETURNING *), " +
                touch_and_audit("create", "event", 201, "ins.id", "NULL", "to_jsonb(ins)", "ins") +
                " SELECT id FROM ins",
            common(by, force, id),
            {in.title, opt(in.description), opt(in.address), opt(in.type), in.start_date, opt(in.end_date),
             in.contact_details.dump()});
    }

    bool update_event(const core::TeamWriter& by, const std::string& force, const std::string& id,
                      std::int64_t eid, const core::EventInput& in) override {
        return write(
                   "WITH old AS (SELECT * FROM neighbourhood_events WHERE id = $7::bigint AND force_id = $2"
                   " AND neighbourhood_id = $3 FOR UPDATE),"
                   " upd AS (UPDATE neighbourhood_events e SET title = $8, description = $9, address = $10, "
                   "type = $11,"
                   " start_date = $12::timestamp, end_date = $13::timestamp, contact_details = $14::jsonb "
                   "FROM old"
                   " WHERE e.id = old.id RETURNING e.*), " +
                       touch_and_audit("update", "event", 200, "upd.id", "to_jsonb(old)", "to_jsonb(upd)",
                                       "old JOIN upd ON upd.id = old.id") +
                       " SELECT id FROM upd",
                   common(by, force, id),
                   {std::to_string(eid), in.title, opt(in.description), opt(in.address), opt(in.type),
                    in.start_date, opt(in.end_date), in.contact_details.dump()}) != 0;
    }

    bool remove_event(const core::TeamWriter& by, const std::string& force, const std::string& id,
                      std::int64_t eid) override {
        return remove_row("neighbourhood_events", "event", by, force, id, eid);
    }

    void record_refusal(const core::RefusedWrite& f) override {
        static constexpr const char* actions[] = {"create", "update", "delete"};
        pool_->run("team store", [&](Connection& db) {
            db.query(
                "INSERT INTO audit_log (token_id, action, entity, entity_id, outcome, status, reason, "
                "force_id,"
                " neighbourhood_id, client_address, user_agent, request_id)"
                " VALUES ($1::bigint, $2, $3, $4::bigint, $5, $6::smallint, $7, $8, $9, $10, $11, $12)",
                {f.token_id ? std::optional(std::to_string(*f.token_id)) : std::nullopt,
                 actions[static_cast<int>(f.action)],
                 f.entity == core::TeamEntity::priority ? "priority" : "event",
                 f.entity_id ? std::optional(std::to_string(*f.entity_id)) : std::nullopt,
                 f.status == 403 ? "forbidden" : "unauthorized", std::to_string(f.status),
                 core::bounded_printable(f.reason, 200), opt(core::bounded_printable(f.force_id, 100)),
                 opt(core::bounded_printable(f.neighbourhood_id, 100)), opt(f.origin.client_address),
                 opt(f.origin.user_agent), opt(f.origin.request_id)});
            return 0;
        });
    }

    std::shared_ptr<const core::TeamDirectory> load_teams() override {
        return pool_->run("team store", [&](Connection& db) -> std::shared_ptr<const core::TeamDirectory> {
            Transaction tx(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            auto dir = store::load_teams(db);
            tx.commit();
            return dir;
        });
    }

  private:
    // $1..$6 of every write: token id, force, neighbourhood, client address, User-Agent, request id.
    static Params common(const core::TeamWriter& by, const std::string& force, const std::string& id) {
        return {std::to_string(by.token.token_id),
                force,
                id,
                opt(by.origin.client_address),
                opt(by.origin.user_agent),
                opt(by.origin.request_id)};
    }

    // The CTEs every write ends with. touch: the token's last use, written at most once a minute
    // (a burst of writes with one token costs one row update, not one each; the row is also locked
    // only then). aud: the audit row, only when the entity existed (`from` yields a row). Both run
    // whether or not the final SELECT reads them, in the write's own statement.
    static std::string touch_and_audit(const char* action, const char* entity, int status,
                                       const char* entity_id, const char* before, const char* after,
                                       const char* from) {
        return std::string(
                   "touch AS (UPDATE api_tokens SET last_used_at = now() WHERE id = $1::bigint"
                   " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')),"
                   " aud AS (INSERT INTO audit_log (token_id, action, entity, entity_id, before, after, "
                   "outcome, status,"
                   " force_id, neighbourhood_id, client_address, user_agent, request_id) SELECT $1::bigint, "
                   "'") +
               action + "', '" + entity + "', " + entity_id + ", " + before + ", " + after + ", 'ok', " +
               std::to_string(status) + ", $2, $3, $4, $5, $6 FROM " + from + ")";
    }

    // Deletes one of the team's priorities or events (table, audited as entity); false when the
    // team has no such row. One statement for both, so their audit rows match.
    bool remove_row(const std::string& table, const char* entity, const core::TeamWriter& by,
                    const std::string& force, const std::string& id, std::int64_t row_id) {
        return write("WITH del AS (DELETE FROM " + table +
                         " WHERE id = $7::bigint AND force_id = $2"
                         " AND neighbourhood_id = $3 RETURNING *), " +
                         touch_and_audit("delete", entity, 204, "del.id", "to_jsonb(del)", "NULL", "del") +
                         " SELECT id FROM del",
                     common(by, force, id), {std::to_string(row_id)}) != 0;
    }

    // Runs one write statement; the id it returns, or 0 when no row matched.
    std::int64_t write(const std::string& sql, Params params, const Params& specific) {
        params.insert(params.end(), specific.begin(), specific.end());
        return pool_->run("team store", [&](Connection& db) -> std::int64_t {
            auto r = db.query(sql, params);
            return r.size() ? r.int64(0, 0) : 0;
        });
    }
    std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace

std::shared_ptr<core::TeamStore> make_team_repository(std::shared_ptr<ConnectionPool> pool) {
    return std::make_shared<PgTeamRepository>(std::move(pool));
}

}  // namespace crimemap::store
