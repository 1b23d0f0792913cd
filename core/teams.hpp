#pragma once
// Team writes (priorities and events of a neighbourhood): input parsing and validation, the token
// rules (hash lookup, revocation, expiry, scopes, force and neighbourhood), the audit values, and
// the TeamStore interface that store/team_repository.cpp implements on PostgreSQL
// (one transaction per write, with its audit_log row). Pure logic here; no I/O.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/api_data.hpp"
#include "core/error.hpp"

namespace crimemap::core {

// What a team writes; a token's scopes name the entities it may write.
enum class TeamEntity { priority, event };
enum class TeamAction { create, update, remove };

// A token's scopes (`crimemap token create --scope priorities,events`, default both).
struct WriteScopes {
    bool priorities = true;
    bool events = true;
    bool allows(TeamEntity e) const noexcept { return e == TeamEntity::priority ? priorities : events; }
};
// "priorities,events" in any order; nullopt for an unknown or repeated name, or none at all.
std::optional<WriteScopes> parse_write_scopes(std::string_view csv);
// "priorities,events", "priorities" or "events": the stored form (api_tokens.scopes).
std::string to_string(WriteScopes scopes);
// The scope a write of `e` needs: "priorities" or "events".
std::string_view scope_name(TeamEntity e) noexcept;

// Who a bearer token speaks for: a whole force, or one neighbourhood of it, for some entities.
struct TokenScope {
    std::int64_t token_id = 0;
    std::string force_id;
    std::optional<std::string> neighbourhood_id;
    WriteScopes scopes;
};

// ok, or forbidden when the token's force or neighbourhood differs from the target's.
std::optional<Error> check_scope(const TokenScope& scope, std::string_view force,
                                 std::string_view neighbourhood);

// The bearer token of an "Authorization: Bearer <token>" header value; nullopt when malformed.
std::optional<std::string> bearer_token(std::string_view authorization);

// An api_tokens row, found by the SHA-256 (core::sha256_hex) of a presented token.
struct StoredToken {
    TokenScope scope;
    std::string token_hash;  // as stored: 64 lowercase hex digits
    bool revoked = false;
    bool expired = false;  // judged by the database's clock
};

// May the token whose hash is `presented_hash` write `what` in force/neighbourhood? `found` is the
// row stored under that hash (nullopt: none). Unknown, revoked or expired -> unauthorized (401);
// another entity than its scopes, force or neighbourhood -> forbidden (403). The hashes are
// compared again in constant time. The details are safe to answer (they never echo the token).
Result<TokenScope> authorize(const std::optional<StoredToken>& found, std::string_view presented_hash,
                             TeamEntity what, std::string_view force, std::string_view neighbourhood);

// Who asked, as the audit log keeps it (never the token).
inline constexpr std::size_t max_user_agent = 256;
inline constexpr std::size_t max_audit_field = 64;  // client address, request id
struct RequestOrigin {
    std::string client_address;  // the TCP peer
    std::string user_agent;      // at most max_user_agent bytes
    std::string request_id;      // also sent back as X-Request-Id
};
// Header or path text made safe for a text column and a log line: printable ASCII kept, any other
// byte becomes '?', cut at `max` bytes.
std::string bounded_printable(std::string_view text, std::size_t max);
RequestOrigin make_request_origin(std::string_view client_address, std::string_view user_agent,
                                  std::string_view request_id);

// An authorised writer: the token's scope and the request it came with.
struct TeamWriter {
    TokenScope token;
    RequestOrigin origin;
};

// A write refused with 401 or 403, for the audit log: no entity changed.
struct RefusedWrite {
    RequestOrigin origin;
    std::optional<std::int64_t> token_id;  // when a stored token was presented
    TeamAction action = TeamAction::create;
    TeamEntity entity = TeamEntity::priority;
    std::optional<std::int64_t> entity_id;
    std::string force_id;          // as requested (bounded_printable)
    std::string neighbourhood_id;  // as requested (bounded_printable)
    int status = 401;
    std::string reason;  // the message answered
};

// Field limits in characters (UTF-8 code points; documented in docs/api.md). Team text is plain
// text: stored as written (no HTML sanitising), refused when it holds a NUL or a control character
// other than tab and line breaks, and escaped wherever it is rendered as HTML.
inline constexpr std::size_t max_text_field = 2000;  // issue, action, description
inline constexpr std::size_t max_short_field = 200;  // title, address, type

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
    // The token stored under this hash (core::sha256_hex of the presented token), revoked and
    // expired ones included; nullopt when none. The plain token never reaches the store.
    virtual std::optional<StoredToken> find_token(const std::string& token_hash) = 0;
    // Writes return the entity id; update/remove return false when the id is not in that
    // neighbourhood. Each write, its audit row (with by.origin) and the token's last use are one
    // statement. Throw core::DatabaseError when the database fails.
    virtual std::int64_t create_priority(const TeamWriter& by, const std::string& force,
                                         const std::string& id, const PriorityInput& in) = 0;
    virtual bool update_priority(const TeamWriter& by, const std::string& force, const std::string& id,
                                 std::int64_t pid, const PriorityInput& in) = 0;
    virtual bool remove_priority(const TeamWriter& by, const std::string& force, const std::string& id,
                                 std::int64_t pid) = 0;
    virtual std::int64_t create_event(const TeamWriter& by, const std::string& force, const std::string& id,
                                      const EventInput& in) = 0;
    virtual bool update_event(const TeamWriter& by, const std::string& force, const std::string& id,
                              std::int64_t eid, const EventInput& in) = 0;
    virtual bool remove_event(const TeamWriter& by, const std::string& force, const std::string& id,
                              std::int64_t eid) = 0;
    // Appends an audit row for a refused attempt (401/403).
    virtual void record_refusal(const RefusedWrite& refused) = 0;
    // Every team, freshly read (after a write, so readers see it at once).
    virtual std::shared_ptr<const TeamDirectory> load_teams() = 0;
};

}  // namespace crimemap::core
