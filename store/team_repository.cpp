#include "store/team_repository.hpp"

#include <stdexcept>

#include "store/api_loader.hpp"

namespace crimemap::store {

std::string token_hash_sql(int param) {
    return "encode(sha256(convert_to($" + std::to_string(param) + "::text, 'UTF8')), 'hex')";
}

namespace {

std::optional<std::string> opt(const std::string& s) {
    if (s.empty()) return std::nullopt;
    return s;
}

class PgTeamRepository final : public core::TeamStore {
public:
    explicit PgTeamRepository(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

    std::optional<core::TokenScope> authenticate(const std::string& token) override {
        return pool_->run("team store", [&](Connection& db) -> std::optional<core::TokenScope> {
            auto r = db.query("SELECT id, force_id, neighbourhood_id FROM api_tokens WHERE token_hash = " + token_hash_sql(1) +
                                  " AND revoked_at IS NULL",
                              {token});
            if (r.size() == 0) return std::nullopt;
            return core::TokenScope{r.int64(0, 0), std::string(r.text(0, 1)), r.opt_text(0, 2)};
        });
    }

    std::int64_t create_priority(const core::TokenScope& by, const std::string& force, const std::string& id,
                                 const core::PriorityInput& in) override {
        return write("WITH ins AS (INSERT INTO neighbourhood_priorities (force_id, neighbourhood_id, issue, issue_date, action,"
                     " action_date) VALUES ($1, $2, $3, $4::timestamp, $5, $6::timestamp) RETURNING *)"
                     " INSERT INTO audit_log (token_id, action, entity, entity_id, before, after)"
                     " SELECT $7, 'create', 'priority', id, NULL, to_jsonb(ins) FROM ins RETURNING entity_id",
                     {force, id, in.issue, in.issue_date, opt(in.action), opt(in.action_date), std::to_string(by.token_id)});
    }

    bool update_priority(const core::TokenScope& by, const std::string& force, const std::string& id, std::int64_t pid,
                         const core::PriorityInput& in) override {
        return write("WITH old AS (SELECT * FROM neighbourhood_priorities WHERE id = $1 AND force_id = $2 AND neighbourhood_id = $3"
                     " FOR UPDATE),"
                     " upd AS (UPDATE neighbourhood_priorities p SET issue = $4, issue_date = $5::timestamp, action = $6,"
                     " action_date = $7::timestamp FROM old WHERE p.id = old.id RETURNING p.*)"
                     " INSERT INTO audit_log (token_id, action, entity, entity_id, before, after)"
                     " SELECT $8, 'update', 'priority', upd.id, to_jsonb(old), to_jsonb(upd) FROM old JOIN upd ON upd.id = old.id"
                     " RETURNING entity_id",
                     {std::to_string(pid), force, id, in.issue, in.issue_date, opt(in.action), opt(in.action_date),
                      std::to_string(by.token_id)}) != 0;
    }

    bool remove_priority(const core::TokenScope& by, const std::string& force, const std::string& id, std::int64_t pid) override {
        return write("WITH del AS (DELETE FROM neighbourhood_priorities WHERE id = $1 AND force_id = $2 AND neighbourhood_id = $3"
                     " RETURNING *) INSERT INTO audit_log (token_id, action, entity, entity_id, before, after)"
                     " SELECT $4, 'delete', 'priority', id, to_jsonb(del), NULL FROM del RETURNING entity_id",
                     {std::to_string(pid), force, id, std::to_string(by.token_id)}) != 0;
    }

    std::int64_t create_event(const core::TokenScope& by, const std::string& force, const std::string& id,
                              const core::EventInput& in) override {
        return write("WITH ins AS (INSERT INTO neighbourhood_events (force_id, neighbourhood_id, title, description, address, type,"
                     " start_date, end_date, contact_details) VALUES ($1, $2, $3, $4, $5, $6, $7::timestamp, $8::timestamp, $9::jsonb)"
                     " RETURNING *) INSERT INTO audit_log (token_id, action, entity, entity_id, before, after)"
                     " SELECT $10, 'create', 'event', id, NULL, to_jsonb(ins) FROM ins RETURNING entity_id",
                     {force, id, in.title, opt(in.description), opt(in.address), opt(in.type), in.start_date, opt(in.end_date),
                      in.contact_details.dump(), std::to_string(by.token_id)});
    }

    bool update_event(const core::TokenScope& by, const std::string& force, const std::string& id, std::int64_t eid,
                      const core::EventInput& in) override {
        return write("WITH old AS (SELECT * FROM neighbourhood_events WHERE id = $1 AND force_id = $2 AND neighbourhood_id = $3"
                     " FOR UPDATE),"
                     " upd AS (UPDATE neighbourhood_events e SET title = $4, description = $5, address = $6, type = $7,"
                     " start_date = $8::timestamp, end_date = $9::timestamp, contact_details = $10::jsonb FROM old"
                     " WHERE e.id = old.id RETURNING e.*)"
                     " INSERT INTO audit_log (token_id, action, entity, entity_id, before, after)"
                     " SELECT $11, 'update', 'event', upd.id, to_jsonb(old), to_jsonb(upd) FROM old JOIN upd ON upd.id = old.id"
                     " RETURNING entity_id",
                     {std::to_string(eid), force, id, in.title, opt(in.description), opt(in.address), opt(in.type), in.start_date,
                      opt(in.end_date), in.contact_details.dump(), std::to_string(by.token_id)}) != 0;
    }

    bool remove_event(const core::TokenScope& by, const std::string& force, const std::string& id, std::int64_t eid) override {
        return write("WITH del AS (DELETE FROM neighbourhood_events WHERE id = $1 AND force_id = $2 AND neighbourhood_id = $3"
                     " RETURNING *) INSERT INTO audit_log (token_id, action, entity, entity_id, before, after)"
                     " SELECT $4, 'delete', 'event', id, to_jsonb(del), NULL FROM del RETURNING entity_id",
                     {std::to_string(eid), force, id, std::to_string(by.token_id)}) != 0;
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
    // Runs one write statement; its RETURNING entity_id, or 0 when no row matched.
    std::int64_t write(const std::string& sql, const Params& params) {
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
