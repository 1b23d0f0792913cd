// GET /v1/neighbourhoods/{force}/{id}/meeting-pack[.json|.csv]?month=YYYY-MM. Figures come from
// the snapshot; outcome counts from core::CrimeDetails (left out, with a note, if the database
// does not answer).
#include <stdexcept>

#include "core/crime_details.hpp"
#include "core/database_error.hpp"
#include "core/meeting_pack.hpp"
#include "server/api_common.hpp"
#include "server/handlers.hpp"
#include "server/log.hpp"

namespace crimemap::server::api {

namespace {
enum class Format { html, json, csv };

Response meeting_pack(ServerContext& ctx, const Request& req, const RouteParams& p, Format format) {
    auto s = snapshot_with_api(ctx);
    if (!s) return unavailable();
    std::optional<core::Month> month;
    if (auto m = core::find_param(req.query, "month")) {
        month = core::Month::parse(*m);
        if (!month) return error_response(400, "Invalid month: expected YYYY-MM");
    }
    auto pack = core::build_meeting_pack(*s, *current_teams(*s), p.get("force"), p.get("id"), month,
                                         std::chrono::system_clock::now());
    if (!pack) return error_response(pack.error());
    if (auto crimes = ctx.services().crimes) {
        try {
            pack->outcomes = crimes->outcomes("neighbourhood",
                                              std::string(p.get("force")) + "/" + std::string(p.get("id")),
                                              pack->month, pack->month);
            pack->outcomes_known = true;
        } catch (const core::DatabaseError& e) {
            // The pack is still useful without them: left out, with a note in the pack.
            log_warn(std::string("meeting pack without outcome counts: ") + e.what());
        }
    }
    Response res;
    res.status = 200;
    res.headers.set("Cache-Control", "no-cache");
    switch (format) {
        case Format::json:
            return json_response(
                200, nlohmann::json{{"status", 200}, {"result", core::meeting_pack_json(*pack)}}, "no-cache");
        case Format::csv:
            res.headers.set("Content-Type", "text/csv; charset=utf-8");
            res.headers.set("Content-Disposition", "attachment; filename=\"meeting-pack-" + pack->force +
                                                       "-" + pack->id + "-" + pack->month.str() + ".csv\"");
            res.body = core::meeting_pack_csv(*pack);
            return res;
        case Format::html:
            res.headers.set("Content-Type", "text/html; charset=utf-8");
            // Self-contained page: nothing is loaded from anywhere, not even from us.
            res.headers.set("Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
            res.body = core::meeting_pack_html(*pack);
            return res;
    }
    return res;
}
}  // namespace

Response v1_meeting_pack_html(ServerContext& c, const Request& r, const RouteParams& p) {
    return meeting_pack(c, r, p, Format::html);
}
Response v1_meeting_pack_json(ServerContext& c, const Request& r, const RouteParams& p) {
    return meeting_pack(c, r, p, Format::json);
}
Response v1_meeting_pack_csv(ServerContext& c, const Request& r, const RouteParams& p) {
    return meeting_pack(c, r, p, Format::csv);
}

}  // namespace crimemap::server::api
