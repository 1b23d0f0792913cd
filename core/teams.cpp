#include "core/teams.hpp"

#include <chrono>
#include <cstdio>

#include "core/json_input.hpp"
#include "core/secrets.hpp"

namespace crimemap::core {
namespace {
using nlohmann::json;

Error field_error(const std::string& field, const std::string& why) {
    return bad_request("Invalid " + field + ": " + why);
}

// Reads an optional string field under either spelling; error when present but not a string.
Result<std::string> text_field(const json& body, std::initializer_list<const char*> names,
                               std::size_t max_len, bool required) {
    for (const char* n : names) {
        if (!body.contains(n) || body[n].is_null()) continue;
        if (!body[n].is_string()) return field_error(n, "expected a string");
        auto v = body[n].get<std::string>();
        // Kept literally as plain text (escaped wherever it is rendered, never sanitised here);
        // only NULs and control characters other than tab and line breaks are refused.
        if (auto e = check_text(v, n, max_len)) return *e;
        if (required && v.find_first_not_of(" \t\r\n") == std::string::npos)
            return field_error(n, "must not be empty");
        return v;
    }
    if (required) return bad_request(std::string("Missing ") + *names.begin());
    return std::string();
}

Result<std::string> date_field(const json& body, std::initializer_list<const char*> names, bool required) {
    auto t = text_field(body, names, 32, required);
    if (!t) return t.error();
    if (t->empty()) return std::string();
    auto d = normalise_datetime(*t);
    if (!d) return field_error(*names.begin(), "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]");
    return *d;
}

std::string today() {
    std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT00:00:00", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}
}  // namespace

std::optional<Error> check_scope(const TokenScope& scope, std::string_view force,
                                 std::string_view neighbourhood) {
    if (scope.force_id != force) return Error{ErrorCode::forbidden, "This token is for another force"};
    if (scope.neighbourhood_id && *scope.neighbourhood_id != neighbourhood)
        return Error{ErrorCode::forbidden, "This token is for another neighbourhood"};
    return std::nullopt;
}

std::optional<std::string> bearer_token(std::string_view h) {
    constexpr std::string_view prefix = "bearer ";
    if (h.size() <= prefix.size()) return std::nullopt;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(h[i])) != prefix[i]) return std::nullopt;
    auto t = h.substr(prefix.size());
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.empty() || t.size() > 256) return std::nullopt;
    for (char c : t)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            return std::nullopt;
    return std::string(t);
}

std::optional<WriteScopes> parse_write_scopes(std::string_view csv) {
    WriteScopes out{false, false};
    bool any = false;
    while (true) {
        const auto comma = csv.find(',');
        const auto name = csv.substr(0, comma);
        bool* slot = name == "priorities" ? &out.priorities : name == "events" ? &out.events : nullptr;
        if (!slot || *slot) return std::nullopt;
        *slot = any = true;
        if (comma == std::string_view::npos) break;
        csv.remove_prefix(comma + 1);
    }
    if (!any) return std::nullopt;
    return out;
}

std::string to_string(WriteScopes s) {
    if (s.priorities && s.events) return "priorities,events";
    return s.priorities ? "priorities" : s.events ? "events" : "";
}

std::string_view scope_name(TeamEntity e) noexcept {
    return e == TeamEntity::priority ? "priorities" : "events";
}

Result<TokenScope> authorize(const std::optional<StoredToken>& found, std::string_view presented_hash,
                             TeamEntity what, std::string_view force, std::string_view neighbourhood) {
    // The database found the row by an index lookup on the hash; comparing again here in constant
    // time means no answer depends on how much of a guessed hash matched.
    if (!found || !constant_time_equals(found->token_hash, presented_hash))
        return Error{ErrorCode::unauthorized, "Invalid token"};
    // Revoked before expired: a revoked token stays revoked whatever its expiry.
    if (found->revoked) return Error{ErrorCode::unauthorized, "This token has been revoked"};
    if (found->expired) return Error{ErrorCode::unauthorized, "This token has expired"};
    if (!found->scope.scopes.allows(what))
        return Error{ErrorCode::forbidden,
                     "This token's scope does not include " + std::string(scope_name(what))};
    if (auto e = check_scope(found->scope, force, neighbourhood)) return *e;
    return found->scope;
}

std::string bounded_printable(std::string_view text, std::size_t max) {
    std::string out(text.substr(0, max));
    for (char& c : out)
        if (c < 0x20 || c > 0x7e) c = '?';
    return out;
}

RequestOrigin make_request_origin(std::string_view client_address, std::string_view user_agent,
                                  std::string_view request_id) {
    return {bounded_printable(client_address, max_audit_field), bounded_printable(user_agent, max_user_agent),
            bounded_printable(request_id, max_audit_field)};
}

std::optional<std::string> normalise_datetime(std::string_view t) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    auto digits = [&](std::size_t pos, std::size_t n, int& out) {
        if (pos + n > t.size()) return false;
        out = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return false;
            out = out * 10 + (t[i] - '0');
        }
        return true;
    };
    if (!(digits(0, 4, y) && t.size() >= 10 && t[4] == '-' && digits(5, 2, mo) && t[7] == '-' &&
          digits(8, 2, d)))
        return std::nullopt;
    if (t.size() == 10) {
    } else if ((t.size() == 16 || t.size() == 19) && (t[10] == 'T' || t[10] == ' ') && digits(11, 2, h) &&
               t[13] == ':' && digits(14, 2, mi)) {
        if (t.size() == 19 && !(t[16] == ':' && digits(17, 2, s))) return std::nullopt;
    } else {
        return std::nullopt;
    }
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                    std::chrono::day(static_cast<unsigned>(d))};
    if (!ymd.ok() || y < 1900 || y > 2999 || h > 23 || mi > 59 || s > 59) return std::nullopt;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
    return std::string(buf);
}

Result<PriorityInput> parse_priority_input(const json& body) {
    if (!body.is_object()) return bad_request("Expected a JSON object");
    PriorityInput in;
    auto issue = text_field(body, {"issue"}, max_text_field, true);
    if (!issue) return issue.error();
    in.issue = *issue;
    auto idate = date_field(body, {"issue-date", "issue_date"}, false);
    if (!idate) return idate.error();
    in.issue_date = idate->empty() ? today() : *idate;
    auto action = text_field(body, {"action"}, max_text_field, false);
    if (!action) return action.error();
    in.action = *action;
    auto adate = date_field(body, {"action-date", "action_date"}, false);
    if (!adate) return adate.error();
    in.action_date = *adate;
    return in;
}

Result<EventInput> parse_event_input(const json& body) {
    if (!body.is_object()) return bad_request("Expected a JSON object");
    EventInput in;
    auto title = text_field(body, {"title"}, max_short_field, true);
    if (!title) return title.error();
    in.title = *title;
    auto desc = text_field(body, {"description"}, max_text_field, false);
    if (!desc) return desc.error();
    in.description = *desc;
    auto addr = text_field(body, {"address"}, max_short_field, false);
    if (!addr) return addr.error();
    in.address = *addr;
    auto type = text_field(body, {"type"}, max_short_field, false);
    if (!type) return type.error();
    in.type = *type;
    auto start = date_field(body, {"start_date", "start-date"}, true);
    if (!start) return start.error();
    in.start_date = *start;
    auto end = date_field(body, {"end_date", "end-date"}, false);
    if (!end) return end.error();
    in.end_date = *end;
    if (!in.end_date.empty() && in.end_date < in.start_date)
        return field_error("end_date", "before start_date");
    if (body.contains("contact_details") && !body["contact_details"].is_null()) {
        const auto& c = body["contact_details"];
        if (!c.is_object()) return field_error("contact_details", "expected an object of strings");
        if (c.size() > 20) return field_error("contact_details", "at most 20 entries");
        for (const auto& [k, v] : c.items()) {
            if (!v.is_string() || utf8_length(v.get_ref<const std::string&>()) > max_short_field ||
                k.size() > 64)
                return field_error("contact_details", "expected an object of short strings");
            if (auto e = check_text(k, "contact_details", 64)) return *e;
            if (auto e = check_text(v.get_ref<const std::string&>(), "contact_details", max_short_field))
                return *e;
        }
        in.contact_details = c;
    }
    return in;
}

}  // namespace crimemap::core
