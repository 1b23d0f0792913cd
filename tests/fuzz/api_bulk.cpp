// libFuzzer harness: POST /postcodes (postcodes.io bulk lookup: {"postcodes": [...]} and bulk
// reverse geocoding {"geolocations": [...]}) through server::App::handle, the way the socket path
// calls it, against a small synthetic snapshot (fuzz_support.hpp). The input is the body.
// Oracle: never a 500 (an exception escaping a handler); JSON answers parse, errors carry the
// {"status", "error"} envelope with the response's status; a 200 answers the queries in order.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/json_input.hpp"
#include "core/postcode_api.hpp"
#include "fuzz_support.hpp"

using crimemap::fuzz::fuzz_check;
namespace server = crimemap::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& f = crimemap::fuzz::fuzz_app();
    static const auto base = *server::make_request(server::Method::post, "/postcodes");
    server::Request req = base;
    req.headers.set("Content-Type", "application/json");
    req.body.assign(reinterpret_cast<const char*>(data), size);
    auto res = f.app->handle(req);
    crimemap::fuzz::check_json_response(res, "POST /postcodes");
    if (res.status == 200) {
        auto in = nlohmann::json::parse(req.body, nullptr, false);
        auto out = nlohmann::json::parse(res.body, nullptr, false);
        fuzz_check(in.is_object() && out.is_object() && out["result"].is_array(),
                   "a 200 without a result list", res.body.substr(0, 400));
        const auto& list = in.contains("postcodes") ? in["postcodes"] : in["geolocations"];
        // Like postcodes.io, the list ends at the first null or empty item: a prefix of the queries.
        fuzz_check(list.is_array() && out["result"].size() <= list.size(), "more results than queries",
                   res.body.substr(0, 400));
        // Each result echoes its own query, bounded the way every echo is (scalars, strings cut
        // to echo_max_bytes); geolocation queries echo only their known keys.
        if (in.contains("postcodes"))
            for (std::size_t i = 0; i < out["result"].size(); ++i)
                fuzz_check(out["result"][i]["query"] ==
                               crimemap::core::bounded_echo(list[i], crimemap::core::pcio::echo_max_bytes),
                           "a result answers another query", res.body.substr(0, 400));
    }
    return 0;
}
