#pragma once
// The JSON APIs without a database: a small hand-built snapshot over Hereford (a neighbourhood
// team, one LSOA, three snap locations, three postcodes, fourteen months so "last year" routes
// have data) and fakes of the two database-backed services. Shared by the API unit tests and the
// libFuzzer harnesses that go through server::App::handle. Header-only; not thread-safe.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/api_data.hpp"
#include "core/crime_details.hpp"
#include "core/postcode_index.hpp"
#include "core/secrets.hpp"
#include "core/snapshot_builder.hpp"
#include "core/teams.hpp"

namespace crimemap::testing {

inline geo::LonLatMultiPolygon square(double lon0, double lat0, double lon1, double lat1) {
    return {{{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}}};
}

// Neighbourhood west-mercia/HE06 "Central" (a demo team: priority 7, event 9) with crimes in
// 2019-02, 2019-01 and 2018-02; LSOA E01013999 inside it; HR1 1AA inside, HR4 9AB and TF1 1AA
// outside.
inline std::shared_ptr<const core::Snapshot> api_snapshot() {
    using core::Month;
    core::SnapshotBuilder b(3, Month::from_year_month(2018, 1), Month::from_year_month(2019, 2));
    const std::string nb = "west-mercia/HE06";
    b.add_area(core::AreaKind::neighbourhood, nb, "Central", std::nullopt,
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
    b.add_crimes(13, Month::from_year_month(2019, 2), burg, 9);
    b.add_area_count(core::AreaKind::neighbourhood, nb, Month::from_year_month(2019, 2), asb, 5);
    b.add_area_count(core::AreaKind::neighbourhood, nb, Month::from_year_month(2019, 2), burg, 2);
    b.add_area_count(core::AreaKind::neighbourhood, nb, Month::from_year_month(2019, 1), burg, 1);
    b.add_area_count(core::AreaKind::neighbourhood, nb, Month::from_year_month(2018, 2), asb, 8);
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
    t.demo = true;
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

// Crime listings: `rows` copies of one burglary at Union Street, whatever is asked (the handlers'
// shaping and limits are what is tested).
struct CannedCrimes : core::CrimeDetails {
    std::size_t rows = 2;
    static std::vector<core::CrimeDetail> make(std::size_t n) {
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
        return make(std::min(rows, limit));
    }
    std::vector<core::CrimeDetail> at_location(std::optional<std::int64_t>, geo::LonLat, core::Month,
                                               std::size_t limit) override {
        return make(std::min(rows, limit));
    }
    std::vector<core::CrimeDetail> no_location(const std::string&, core::Month, std::optional<std::string>,
                                               std::size_t limit) override {
        auto v = make(std::min(rows, limit));
        for (auto& c : v) c.location_id.reset();
        return v;
    }
    std::vector<std::pair<std::string, std::uint64_t>> outcomes(const std::string&, const std::string&,
                                                                core::Month, core::Month) override {
        return {{"Under investigation", 2}, {"", 5}};
    }
};

// Team writes against a fixed token table (keyed by the plain token; the server looks tokens up
// by SHA-256, as the real store does): "good" may write HE06, "force" all of west-mercia, "other"
// dorset, "othernb" HE07, "events" HE06's events only, "revoked" and "expired" nothing.
// Priority 7 and event 9 exist. Every accepted write is counted and its input kept.
struct RecordingTeams : core::TeamStore {
    std::map<std::string, core::StoredToken> tokens{
        {"good", stored(1, "west-mercia", std::string("HE06"))},
        {"force", stored(2, "west-mercia", std::nullopt)},
        {"other", stored(3, "dorset", std::nullopt)},
        {"othernb", stored(4, "west-mercia", std::string("HE07"))},
        {"events", stored(5, "west-mercia", std::string("HE06"), {false, true})},
        {"revoked", stored(6, "west-mercia", std::string("HE06"), {}, true)},
        {"expired", stored(7, "west-mercia", std::string("HE06"), {}, false, true)}};
    int writes = 0;
    std::optional<core::PriorityInput> last_priority;
    std::optional<core::EventInput> last_event;
    std::vector<core::RefusedWrite> refusals;
    std::vector<std::string> hashes_seen;
    std::shared_ptr<const core::TeamDirectory> dir;

    static core::StoredToken stored(std::int64_t id, std::string force, std::optional<std::string> nb,
                                    core::WriteScopes scopes = {}, bool revoked = false,
                                    bool expired = false) {
        return {{id, std::move(force), std::move(nb), scopes}, "", revoked, expired};
    }
    std::optional<core::StoredToken> find_token(const std::string& hash) override {
        hashes_seen.push_back(hash);
        for (const auto& [plain, t] : tokens)
            if (core::sha256_hex(plain) == hash) {
                auto copy = t;
                copy.token_hash = hash;
                return copy;
            }
        return std::nullopt;
    }
    void record_refusal(const core::RefusedWrite& r) override { refusals.push_back(r); }
    std::int64_t create_priority(const core::TeamWriter&, const std::string&, const std::string&,
                                 const core::PriorityInput& in) override {
        return accept_priority(in), 7;
    }
    bool update_priority(const core::TeamWriter&, const std::string&, const std::string&, std::int64_t id,
                         const core::PriorityInput& in) override {
        return accept_priority(in), id == 7;
    }
    bool remove_priority(const core::TeamWriter&, const std::string&, const std::string&,
                         std::int64_t id) override {
        return ++writes, id == 7;
    }
    std::int64_t create_event(const core::TeamWriter&, const std::string&, const std::string&,
                              const core::EventInput& in) override {
        return accept_event(in), 9;
    }
    bool update_event(const core::TeamWriter&, const std::string&, const std::string&, std::int64_t id,
                      const core::EventInput& in) override {
        return accept_event(in), id == 9;
    }
    bool remove_event(const core::TeamWriter&, const std::string&, const std::string&,
                      std::int64_t id) override {
        return ++writes, id == 9;
    }
    std::shared_ptr<const core::TeamDirectory> load_teams() override {
        auto d = std::make_shared<core::TeamDirectory>(*dir);
        d->read_at = std::chrono::steady_clock::now();
        return d;
    }

  private:
    void accept_priority(const core::PriorityInput& in) {
        ++writes;
        last_priority = in;
    }
    void accept_event(const core::EventInput& in) {
        ++writes;
        last_event = in;
    }
};

}  // namespace crimemap::testing
