// libFuzzer harness: any GET target through server::App::handle (router, every read route of the
// JSON APIs, tiles, TileJSON, metrics) against a small synthetic snapshot (fuzz_support.hpp).
// The input is the request target ("/postcodes/HR11AA?x=1"), parsed by server::make_request.
// Oracle: never a 500; JSON answers parse; errors carry the envelope with the response's status.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"

namespace server = crimemap::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& f = crimemap::fuzz::fuzz_app();
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    auto req = server::make_request(server::Method::get, target);
    if (!req) return 0;
    auto res = f.app->handle(*req);
    crimemap::fuzz::check_json_response(res, "GET " + std::string(target));
    return 0;
}
