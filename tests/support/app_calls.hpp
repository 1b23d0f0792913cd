#pragma once
// Requests through server::App::handle without sockets, as the API tests make them (unit tests
// with fakes, integration tests over a database): one request builder and one JSON check, so a
// refused target or an unexpected status reads the same in every test. Header-only.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "server/app.hpp"

namespace crimemap::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

// m target (with body and headers) through app; a target make_request refuses is a test failure
// and an empty response.
inline server::Response app_call(server::App& app, server::Method m, const std::string& target,
                                 const std::string& body = {}, const Headers& headers = {}) {
    auto req = server::make_request(m, target);
    EXPECT_TRUE(req) << target;
    if (!req) return {};
    req->body = body;
    for (const auto& [k, v] : headers) req->headers.set(k, v);
    return app.handle(*req);
}

// {"Authorization": "Bearer <token>"}, or no header for an empty token.
inline Headers bearer(const std::string& token) {
    return token.empty() ? Headers{} : Headers{{"Authorization", "Bearer " + token}};
}

// res's body as JSON (discarded when unparsable); a status other than `status` is a test failure.
inline nlohmann::json json_body(const server::Response& res, const std::string& target, int status = 200) {
    EXPECT_EQ(res.status, status) << target << ": " << res.body;
    return nlohmann::json::parse(res.body, nullptr, false);
}

}  // namespace crimemap::testing
