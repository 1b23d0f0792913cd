#include "tools/neighbourhood_import.hpp"

#include <optional>

#include "core/teams.hpp"

namespace crimemap::tools {
namespace {

std::optional<std::string> text(const nlohmann::json& j, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (j.contains(k) && j[k].is_string() && !j[k].get<std::string>().empty())
            return j[k].get<std::string>();
    return std::nullopt;
}
std::optional<std::string> date(const nlohmann::json& j, std::initializer_list<const char*> keys) {
    auto t = text(j, keys);
    if (!t) return std::nullopt;
    return core::normalise_datetime(*t);
}

}  // namespace

std::pair<int, int> import_team_activity(store::Connection& db, const std::string& force,
                                         const std::string& id, const nlohmann::json& team) {
    int priorities = 0, events = 0;
    if (team.contains("priorities") && team["priorities"].is_array()) {
        for (const auto& p : team["priorities"]) {
            if (!p.is_object()) continue;
            auto issue = text(p, {"issue"});
            if (!issue) continue;
            auto r = db.query(
                "INSERT INTO neighbourhood_priorities (force_id, neighbourhood_id, issue, issue_date, "
                "action, action_date)"
                " SELECT $1, $2, $3, $4::timestamp, $5, $6::timestamp WHERE NOT EXISTS (SELECT 1 FROM "
                "neighbourhood_priorities"
                "  WHERE force_id = $1 AND neighbourhood_id = $2 AND issue = $3"
                "  AND issue_date IS NOT DISTINCT FROM $4::timestamp) RETURNING id",
                {force, id, *issue, date(p, {"issue-date", "issue_date"}), text(p, {"action"}),
                 date(p, {"action-date", "action_date"})});
            priorities += r.size();
        }
    }
    if (team.contains("events") && team["events"].is_array()) {
        for (const auto& e : team["events"]) {
            if (!e.is_object()) continue;
            auto title = text(e, {"title"});
            auto start = date(e, {"start_date", "start-date"});
            if (!title || !start) continue;
            std::optional<std::string> contact;
            if (e.contains("contact_details") && e["contact_details"].is_object())
                contact = e["contact_details"].dump();
            auto r = db.query(
                "INSERT INTO neighbourhood_events (force_id, neighbourhood_id, title, description, address, "
                "type, start_date,"
                " end_date, contact_details)"
                " SELECT $1, $2, $3, $4, $5, $6, $7::timestamp, $8::timestamp, coalesce($9::jsonb, '{}')"
                " WHERE NOT EXISTS (SELECT 1 FROM neighbourhood_events WHERE force_id = $1 AND "
                "neighbourhood_id = $2"
                "  AND title = $3 AND start_date = $7::timestamp) RETURNING id",
                {force, id, *title, text(e, {"description"}), text(e, {"address"}), text(e, {"type"}), *start,
                 date(e, {"end_date", "end-date"}), contact});
            events += r.size();
        }
    }
    return {priorities, events};
}

}  // namespace crimemap::tools
