#pragma once
// Team writes (priorities and events of a neighbourhood): input parsing and validation, the token
// scope rule, and the TeamStore interface that store/team_repository.cpp implements on PostgreSQL
// (one transaction per write, with its audit_log row). Pure logic here; no I/O.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/api_data.hpp"
#include "core/error.hpp"

namespace crimemap::core {

// Who a bearer token speaks for: a whole force, or one neighbourhood of it.
struct TokenScope {
    std::int64_t token_id = 0;
    std::string force_id;
    std::optional<std::string> neighbourhood_id;
};

// ok, or forbidden when the token's force or neighbourhood differs from the target's.
std::optional<Error> check_scope(const TokenScope& scope, std::string_view force, std::string_view neighbourhood);

// The bearer token of an "Authorization: Bearer <token>" header value; nullopt when malformed.
std::optional<std::string> bearer_token(std::string_view authorization);

// Field limits in characters (UTF-8 code points; documented in docs/api.md). Team text is plain
// text: stored as written (no HTML sanitising), refused when it holds a NUL or a control character
// other than tab and line breaks, and escaped wherever it is rendered as HTML.
inline constexpr std::size_t max_text_field = 2000;    // issue, action, description
inline constexpr std::size_t max_short_field = 200;    // title, address, type

struct PriorityInput {
    std::string issue;
    std::string issue_date;   // 'YYYY-MM-DDTHH:MM:SS' (normalised); empty = today
    std::string action;       // may be empty
    std::string action_date;  // may be empty
};

struct EventInput {
    std::string title;
    std::string description;
    std::string address;
    std::string type;        // 'meeting', 'surgery', ...
    std::string start_date;  // required
    std::string end_date;    // may be empty; not before start_date
    nlohmann::json contact_details = nlohmann::json::object();
};

// Accepts police.uk's keys ("issue-date") and snake_case ("issue_date"); dates as 'YYYY-MM-DD',
// 'YYYY-MM-DDTHH:MM' or 'YYYY-MM-DDTHH:MM:SS'. Errors name the field.
Result<PriorityInput> parse_priority_input(const nlohmann::json& body);
Result<EventInput> parse_event_input(const nlohmann::json& body);
// 'YYYY-MM-DD[THH:MM[:SS]]' -> 'YYYY-MM-DDTHH:MM:SS'; nullopt when not a real date-time.
std::optional<std::string> normalise_datetime(std::string_view text);

class TeamStore {
public:
    virtual ~TeamStore() = default;
    // The scope of a live (not revoked) token; nullopt when unknown.
    virtual std::optional<TokenScope> authenticate(const std::string& token) = 0;
    // Writes return the entity id; update/remove return false when the id is not in that
    // neighbourhood. Each write and its audit row are one transaction. Throw std::runtime_error
    // when the database fails.
    virtual std::int64_t create_priority(const TokenScope& by, const std::string& force, const std::string& id,
                                         const PriorityInput& in) = 0;
    virtual bool update_priority(const TokenScope& by, const std::string& force, const std::string& id, std::int64_t pid,
                                 const PriorityInput& in) = 0;
    virtual bool remove_priority(const TokenScope& by, const std::string& force, const std::string& id, std::int64_t pid) = 0;
    virtual std::int64_t create_event(const TokenScope& by, const std::string& force, const std::string& id,
                                      const EventInput& in) = 0;
    virtual bool update_event(const TokenScope& by, const std::string& force, const std::string& id, std::int64_t eid,
                              const EventInput& in) = 0;
    virtual bool remove_event(const TokenScope& by, const std::string& force, const std::string& id, std::int64_t eid) = 0;
    // Every team, freshly read (after a write, so readers see it at once).
    virtual std::shared_ptr<const TeamDirectory> load_teams() = 0;
};

}  // namespace crimemap::core
