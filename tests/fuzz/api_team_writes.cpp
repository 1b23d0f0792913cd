// libFuzzer harness: the team write routes (POST/PUT priorities and events under
// /v1/neighbourhoods/{force}/{id}/) through server::App::handle with a valid bearer token and a
// fake TeamStore (fuzz_support.hpp). Input: one selector byte (route, mod 4), then the JSON body.
// Oracles: never a 500; JSON answers and error envelopes as in api_bulk; what reaches the store on
// a 2xx is within the documented limits, with dates in normalised form.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/teams.hpp"
#include "fuzz_support.hpp"

using crimemap::fuzz::fuzz_check;
namespace server = crimemap::server;
namespace core = crimemap::core;

namespace {

void check_date(const std::string& d, bool required) {
    if (d.empty()) {
        fuzz_check(!required, "a required date reached the store empty");
        return;
    }
    auto n = core::normalise_datetime(d);
    fuzz_check(n && *n == d, "a date reached the store unnormalised", d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto& f = crimemap::fuzz::fuzz_app();
    struct Route {
        server::Method method;
        const char* target;
    };
    static const Route routes[] = {
        {server::Method::post, "/v1/neighbourhoods/west-mercia/HE06/priorities"},
        {server::Method::put, "/v1/neighbourhoods/west-mercia/HE06/priorities/7"},
        {server::Method::post, "/v1/neighbourhoods/west-mercia/HE06/events"},
        {server::Method::put, "/v1/neighbourhoods/west-mercia/HE06/events/9"},
    };
    const auto& route = routes[data[0] % 4];
    auto req = *server::make_request(route.method, route.target);
    req.headers.set("Authorization", "Bearer good");
    req.headers.set("Content-Type", "application/json");
    req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
    f.teams->last_priority.reset();
    f.teams->last_event.reset();
    auto res = f.app->handle(req);
    const std::string what = std::string(server::to_string(route.method)) + " " + route.target;
    crimemap::fuzz::check_json_response(res, what);
    if (res.status >= 200 && res.status < 300) {
        if (auto& p = f.teams->last_priority) {
            fuzz_check(!p->issue.empty() && p->issue.size() <= core::max_text_field, "issue length", what);
            fuzz_check(p->action.size() <= core::max_text_field, "action length", what);
            check_date(p->issue_date, true);
            check_date(p->action_date, false);
        } else if (auto& e = f.teams->last_event) {
            fuzz_check(!e->title.empty() && e->title.size() <= core::max_short_field, "title length", what);
            fuzz_check(e->description.size() <= core::max_text_field, "description length", what);
            check_date(e->start_date, true);
            check_date(e->end_date, false);
            fuzz_check(e->end_date.empty() || e->end_date >= e->start_date,
                       "an event ending before it starts", what);
            fuzz_check(e->contact_details.is_object(), "contact_details not an object", what);
        } else {
            fuzz_check(false, "a 2xx write that never reached the store", what);
        }
    }
    return 0;
}
