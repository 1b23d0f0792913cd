// libFuzzer harness: the request line's target as the socket path hands it over
// (server::make_request), and the query and percent-decoding underneath it.
// Oracles besides "no crash": percent_encode -> percent_decode is the identity; a parsed query
// re-encoded parses to the same parameters; a request's decoded segments re-encoded give a request
// with the same segments and query.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "server/http_types.hpp"

using crimemap::fuzz::fuzz_check;
namespace server = crimemap::server;

namespace {

std::string encode_query(const crimemap::core::QueryParams& params) {
    std::string out;
    for (const auto& [k, v] : params) {
        if (!out.empty()) out += '&';
        out += server::percent_encode(k);
        out += '=';
        out += server::percent_encode(v);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // percent_decode never accepts a NUL; otherwise it inverts percent_encode exactly.
    for (bool plus : {false, true}) {
        auto decoded = server::percent_decode(text, plus);
        if (decoded)
            fuzz_check(decoded->find('\0') == std::string::npos, "percent_decode let a NUL through",
                       *decoded);
        auto round = server::percent_decode(server::percent_encode(text), plus);
        if (text.find('\0') == std::string_view::npos)
            fuzz_check(round && *round == text, "percent_decode(percent_encode(s)) != s", std::string(text));
        else
            fuzz_check(!round, "percent_decode accepted an encoded NUL");
    }

    if (auto q = server::parse_query(text)) {
        auto again = server::parse_query(encode_query(*q));
        fuzz_check(again && *again == *q, "a re-encoded query parses differently", std::string(text));
    }

    for (auto method : {server::Method::get, server::Method::post}) {
        auto req = server::make_request(method, text);
        if (!req) continue;
        fuzz_check(!req->segments.empty(), "a request without segments", std::string(text));
        fuzz_check(req->target == text, "target not kept as received");
        std::string path;
        for (const auto& s : req->segments) path += "/" + server::percent_encode(s);
        std::string target = path;
        if (!req->query.empty()) target += "?" + encode_query(req->query);
        auto again = server::make_request(method, target);
        fuzz_check(again.has_value(), "a re-encoded target is refused", target);
        fuzz_check(again->segments == req->segments, "re-encoded segments differ", target);
        fuzz_check(again->query == req->query, "re-encoded query differs", target);
    }
    return 0;
}
