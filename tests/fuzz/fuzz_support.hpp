#pragma once
// Shared by the libFuzzer harnesses that go through server::App::handle: the API unit tests'
// snapshot and fake database services (tests/support/api_fixture.hpp), and one App built once
// per process.
// Header-only; every harness is its own executable. Not thread-safe (libFuzzer runs one thread).
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz_check.hpp"
#include "server/app.hpp"
#include "support/api_fixture.hpp"

namespace crimemap::fuzz {

struct FuzzApp {
    core::SnapshotHolder holder;
    std::shared_ptr<testing::CannedCrimes> crimes = std::make_shared<testing::CannedCrimes>();
    std::shared_ptr<testing::RecordingTeams> teams = std::make_shared<testing::RecordingTeams>();
    std::unique_ptr<server::App> app;
};

// Built on first use and kept for the process (libFuzzer calls the harness millions of times).
inline FuzzApp& fuzz_app() {
    static FuzzApp* f = [] {
        auto* a = new FuzzApp;
        auto snap = testing::api_snapshot();
        a->holder.set(snap);
        a->teams->dir = snap->api->teams;
        server::Config config;
        config.web_dir.clear();
        config.access_log = false;
        // Requests built in-process have no peer address, so the rate limiter never refuses them.
        a->app = std::make_unique<server::App>(config, a->holder, server::ApiServices{a->crimes, a->teams});
        return a;
    }();
    return *f;
}

// Every answer of the JSON APIs: a status the route may give (never 500: that is an exception
// escaping a handler) and, for JSON answers, a body that parses as JSON (errors in the
// {"status", "error"} envelope with the same status as the response).
inline void check_json_response(const server::Response& res, const std::string& what) {
    fuzz_check(res.status != 500, "a handler threw (500)", what + " -> " + res.body.substr(0, 400));
    fuzz_check(res.status >= 200 && res.status < 600, "status out of range", what);
    auto type = res.headers.get("Content-Type");
    if (res.headers.get("Content-Encoding")) return;
    if (!type || type->find("json") == std::string_view::npos || res.body.empty()) return;
    auto j = nlohmann::json::parse(res.body, nullptr, false);
    fuzz_check(!j.is_discarded(), "JSON answer does not parse", what + " -> " + res.body.substr(0, 400));
    if (res.status >= 400) {
        fuzz_check(j.is_object() && j.contains("error") && j.contains("status"), "error without the envelope",
                   what + " -> " + res.body.substr(0, 400));
        fuzz_check(j["status"] == res.status, "envelope status differs from the HTTP status", what);
    }
}

}  // namespace crimemap::fuzz
