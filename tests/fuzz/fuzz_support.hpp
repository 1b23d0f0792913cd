#pragma once
// Shared by the libFuzzer harnesses that go through server::App::handle: a small hand-built
// snapshot with postcodes, one neighbourhood team and crimes (the same shape as
// tests/unit/api_handlers_test.cpp), fake database services, and one App built once per process.
// Header-only; every harness is its own executable. Not thread-safe (libFuzzer runs one thread).
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/api_data.hpp"
#include "core/crime_details.hpp"
#include "core/postcode_index.hpp"
#include "core/secrets.hpp"
#include "core/snapshot_builder.hpp"
#include "core/teams.hpp"
#include "fuzz_check.hpp"
#include "server/app.hpp"

namespace crimemap::fuzz {

inline geo::LonLatMultiPolygon square(double lon0, double lat0, double lon1, double lat1) {
    return {{{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}}};
}

// Two LSOA-like squares and a neighbourhood over Hereford, three snap locations, two postcodes
// (one inside the neighbourhood, one outside), fourteen months so "last year" routes have data.
inline std::shared_ptr<const core::Snapshot> api_snapshot() {
    using core::Month;
    core::SnapshotBuilder b(3, Month::from_year_month(2018, 1), Month::from_year_month(2019, 2));
    b.add_area(core::AreaKind::neighbourhood, "west-mercia/HE06", "Central", std::nullopt,
               square(-2.75, 52.04, -2.68, 52.08));
    b.add_area(core::AreaKind::lsoa, "E01013999", "Herefordshire 999Z", 1500,
               square(-2.73, 52.05, -2.69, 52.07));
    b.add_location(11, {-2.71, 52.06}, "On or near High Town");
    b.add_location(12, {-2.72, 52.05}, "On or near Union Street");
    b.add_location(13, {-2.60, 52.30}, "On or near Far Away");
    auto asb = *core::category_from_slug("anti-social-behaviour");
    auto burg = *core::category_from_slug("burglary");
    b.add_crimes(11, Month::from_year_month(2019, 2), asb, 5);
    b.add_crimes(12, Month::from_year_month(2019, 2), burg, 2);
    b.add_crimes(13, Month::from_year_month(2019, 1), burg, 9);
    b.add_area_count(core::AreaKind::neighbourhood, "west-mercia/HE06", Month::from_year_month(2019, 2), asb,
                     5);
    b.add_area_count(core::AreaKind::neighbourhood, "west-mercia/HE06", Month::from_year_month(2018, 2), burg,
                     2);
    b.add_area_count(core::AreaKind::lsoa, "E01013999", Month::from_year_month(2019, 2), burg, 1);
    auto snap = b.finish();

    auto api = std::make_shared<core::ApiData>();
    core::PostcodeIndexBuilder pcs;
    auto add_postcode = [&](const char* compact, double lon, double lat) {
        core::PostcodeRow r;
        r.compact = compact;
        r.lon = lon;
        r.lat = lat;
        r.codes[static_cast<std::size_t>(core::PcCode::pfa)] = "E23000016";
        pcs.add(r);
    };
    add_postcode("HR11AA", -2.710027, 52.060745);
    add_postcode("HR49AB", -2.7402, 52.0650);
    add_postcode("TF11AA", -2.5150, 52.7000);
    api->postcodes = pcs.finish();
    api->forces.push_back({"west-mercia",
                           "West Mercia Police",
                           "E23000016",
                           "https://www.westmercia.police.uk",
                           "101",
                           "",
                           nlohmann::json::array(),
                           {}});
    auto teams = std::make_shared<core::TeamDirectory>();
    core::Team t;
    t.force_id = "west-mercia";
    t.id = "HE06";
    t.name = "Central";
    t.contact_details = nlohmann::json{{"telephone", "101"}};
    t.people.push_back({"PC Example", "PC", "Demo officer", nlohmann::json{{"email", "x@example.org"}}});
    t.priorities.push_back({7, "Street drinking", "2019-01-10T00:00:00", "Patrols", "2019-02-01T00:00:00"});
    t.events.push_back({9, "Beat surgery", "Drop in", "Library", "meeting", "2999-03-05T18:30:00", "",
                        nlohmann::json::object()});
    teams->teams.push_back(t);
    api->teams = teams;
    api->index_areas(*snap);
    std::const_pointer_cast<core::Snapshot>(snap)->api = api;
    return snap;
}

// Crime listings: a couple of rows whatever is asked (the handlers' shaping is what is fuzzed).
struct FakeCrimes : core::CrimeDetails {
    std::vector<core::CrimeDetail> make(std::size_t n) {
        std::vector<core::CrimeDetail> out;
        for (std::size_t i = 0; i < n; ++i) {
            core::CrimeDetail c;
            c.id = static_cast<std::int64_t>(100 + i);
            c.persistent_id = "abc";
            c.month = core::Month::from_year_month(2019, 2);
            c.category = "burglary";
            c.force_id = "west-mercia";
            c.location_id = 12;
            c.lat = 52.05;
            c.lon = -2.72;
            c.street = "On or near Union Street";
            c.outcome = "Under investigation";
            out.push_back(c);
        }
        return out;
    }
    std::vector<core::CrimeDetail> in_area(const core::CrimeArea&, core::Month, std::optional<std::string>,
                                           std::size_t limit) override {
        return make(std::min<std::size_t>(2, limit));
    }
    std::vector<core::CrimeDetail> at_location(std::optional<std::int64_t>, geo::LonLat, core::Month,
                                               std::size_t limit) override {
        return make(std::min<std::size_t>(2, limit));
    }
    std::vector<core::CrimeDetail> no_location(const std::string&, core::Month, std::optional<std::string>,
                                               std::size_t limit) override {
        auto v = make(std::min<std::size_t>(2, limit));
        for (auto& c : v) c.location_id.reset();
        return v;
    }
    std::vector<std::pair<std::string, std::uint64_t>> outcomes(const std::string&, const std::string&,
                                                                core::Month, core::Month) override {
        return {{"Under investigation", 2}, {"", 5}};
    }
};

// Team writes: token "good" may write HE06 of west-mercia; ids 7 (priority) and 9 (event) exist.
// Every accepted write's input is kept in `last_*` so harnesses can check what reached the store.
struct FakeTeams : core::TeamStore {
    std::shared_ptr<const core::TeamDirectory> dir;
    std::optional<core::PriorityInput> last_priority;
    std::optional<core::EventInput> last_event;
    // Looked up by SHA-256, as the server does; only "good" is stored.
    std::optional<core::StoredToken> find_token(const std::string& hash) override {
        static const std::string good_hash = core::sha256_hex("good");
        if (hash != good_hash) return std::nullopt;
        return core::StoredToken{{1, "west-mercia", std::string("HE06"), {}}, good_hash, false, false};
    }
    void record_refusal(const core::RefusedWrite&) override {}
    std::int64_t create_priority(const core::TeamWriter&, const std::string&, const std::string&,
                                 const core::PriorityInput& in) override {
        last_priority = in;
        return 7;
    }
    bool update_priority(const core::TeamWriter&, const std::string&, const std::string&, std::int64_t id,
                         const core::PriorityInput& in) override {
        last_priority = in;
        return id == 7;
    }
    bool remove_priority(const core::TeamWriter&, const std::string&, const std::string&,
                         std::int64_t id) override {
        return id == 7;
    }
    std::int64_t create_event(const core::TeamWriter&, const std::string&, const std::string&,
                              const core::EventInput& in) override {
        last_event = in;
        return 9;
    }
    bool update_event(const core::TeamWriter&, const std::string&, const std::string&, std::int64_t id,
                      const core::EventInput& in) override {
        last_event = in;
        return id == 9;
    }
    bool remove_event(const core::TeamWriter&, const std::string&, const std::string&,
                      std::int64_t id) override {
        return id == 9;
    }
    std::shared_ptr<const core::TeamDirectory> load_teams() override {
        auto d = std::make_shared<core::TeamDirectory>(*dir);
        d->read_at = std::chrono::steady_clock::now();
        return d;
    }
};

struct FuzzApp {
    core::SnapshotHolder holder;
    std::shared_ptr<FakeCrimes> crimes = std::make_shared<FakeCrimes>();
    std::shared_ptr<FakeTeams> teams = std::make_shared<FakeTeams>();
    std::unique_ptr<server::App> app;
};

// Built on first use and kept for the process (libFuzzer calls the harness millions of times).
inline FuzzApp& fuzz_app() {
    static FuzzApp* f = [] {
        auto* a = new FuzzApp;
        auto snap = api_snapshot();
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
