#include "store/api_loader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace crimemap::store {
namespace {

using nlohmann::json;

template <class T>
std::optional<T> number(const std::optional<std::string>& text) {
    if (!text || text->empty()) return std::nullopt;
    T v{};
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc()) return std::nullopt;
    return v;
}
std::optional<double> real(const std::optional<std::string>& text) {
    if (!text || text->empty()) return std::nullopt;
    return std::strtod(text->c_str(), nullptr);
}
json json_or(const std::optional<std::string>& text, json fallback) {
    if (!text) return fallback;
    auto j = json::parse(*text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}
std::string str(const std::optional<std::string>& s) { return s ? *s : std::string(); }

// A date column as a month index (year * 12 + month - 1).
std::string month_index(const std::string& column) {
    return "(extract(year from " + column + ")::int * 12 + extract(month from " + column + ")::int - 1)";
}
// police.uk's local date-time form.
std::string iso(const std::string& column) { return "to_char(" + column + ", 'YYYY-MM-DD\"T\"HH24:MI:SS')"; }

}  // namespace

std::shared_ptr<core::TeamDirectory> load_teams(Connection& conn) {
    auto dir = std::make_shared<core::TeamDirectory>();
    dir->read_at = std::chrono::steady_clock::now();
    auto teams = conn.query(
        "SELECT force_id, id, name, description, url_force, population, contact_details::text, links::text, "
        "centre_lat, centre_lon, demo FROM neighbourhoods ORDER BY force_id, id");
    for (int i = 0; i < teams.size(); ++i) {
        core::Team t;
        t.force_id = std::string(teams.text(i, 0));
        t.id = std::string(teams.text(i, 1));
        t.name = std::string(teams.text(i, 2));
        t.description = str(teams.opt_text(i, 3));
        t.url_force = str(teams.opt_text(i, 4));
        t.population = number<std::int32_t>(teams.opt_text(i, 5));
        t.contact_details = json_or(teams.opt_text(i, 6), json::object());
        t.links = json_or(teams.opt_text(i, 7), json::array());
        t.centre_lat = real(teams.opt_text(i, 8));
        t.centre_lon = real(teams.opt_text(i, 9));
        t.demo = teams.text(i, 10) == "t";
        dir->teams.push_back(std::move(t));
    }
    dir->sort();
    auto team_of = [&](std::string_view f, std::string_view n) {
        return const_cast<core::Team*>(dir->find(f, n));
    };
    auto people = conn.query(
        "SELECT force_id, neighbourhood_id, name, rank, bio, contact_details::text FROM neighbourhood_people "
        "ORDER BY force_id, neighbourhood_id, seq");
    for (int i = 0; i < people.size(); ++i)
        if (auto* t = team_of(people.text(i, 0), people.text(i, 1)))
            t->people.push_back({std::string(people.text(i, 2)), str(people.opt_text(i, 3)),
                                 str(people.opt_text(i, 4)), json_or(people.opt_text(i, 5), json::object())});
    auto prios = conn.query("SELECT force_id, neighbourhood_id, id, issue, " + iso("issue_date") +
                            ", action, " + iso("action_date") +
                            " FROM neighbourhood_priorities ORDER BY force_id, neighbourhood_id, issue_date "
                            "DESC NULLS LAST, id DESC");
    for (int i = 0; i < prios.size(); ++i)
        if (auto* t = team_of(prios.text(i, 0), prios.text(i, 1)))
            t->priorities.push_back({prios.int64(i, 2), std::string(prios.text(i, 3)),
                                     str(prios.opt_text(i, 4)), str(prios.opt_text(i, 5)),
                                     str(prios.opt_text(i, 6))});
    auto events = conn.query("SELECT force_id, neighbourhood_id, id, title, description, address, type, " +
                             iso("start_date") + ", " + iso("end_date") +
                             ", contact_details::text FROM neighbourhood_events ORDER BY force_id, "
                             "neighbourhood_id, start_date, id");
    for (int i = 0; i < events.size(); ++i)
        if (auto* t = team_of(events.text(i, 0), events.text(i, 1))) {
            core::TeamEvent e;
            e.id = events.int64(i, 2);
            e.title = std::string(events.text(i, 3));
            e.description = str(events.opt_text(i, 4));
            e.address = str(events.opt_text(i, 5));
            e.type = str(events.opt_text(i, 6));
            e.start_date = str(events.opt_text(i, 7));
            e.end_date = str(events.opt_text(i, 8));
            e.contact_details = json_or(events.opt_text(i, 9), json::object());
            t->events.push_back(std::move(e));
        }
    return dir;
}

std::shared_ptr<core::ApiData> load_api_data(Connection& conn) {
    auto api = std::make_shared<core::ApiData>();

    core::PostcodeIndexBuilder pcs;
    conn.copy_out(
        "COPY (SELECT pc_compact, lon, lat, eastings, northings, quality, " + month_index("introduced") +
            ", " + month_index("terminated") +
            ", country, region, county, lad, ward, parish, lsoa, msoa, pcon, pfa, ccg, nhs_ha, ced, "
            "eer, pct, itl, array_to_string(pseudo_codes, ',') FROM postcodes) TO STDOUT",
        [&](std::string_view line) {
            auto f = split_copy_line(line);
            if (f.size() < 9 + core::pc_code_count || !f[0]) return;
            core::PostcodeRow row;
            row.compact = *f[0];
            row.lon = real(f[1]);
            row.lat = real(f[2]);
            row.eastings = number<std::int32_t>(f[3]);
            row.northings = number<std::int32_t>(f[4]);
            row.quality = number<int>(f[5]).value_or(9);
            if (auto m = number<std::int32_t>(f[6])) row.introduced = core::Month::from_index(*m);
            if (auto m = number<std::int32_t>(f[7])) row.terminated = core::Month::from_index(*m);
            for (std::size_t k = 0; k < core::pc_code_count; ++k) row.codes[k] = str(f[8 + k]);
            // A view of the field itself: `field ? *field : ""` would be a temporary std::string.
            const auto& pseudo_field = f[8 + core::pc_code_count];
            std::string_view pseudo = pseudo_field ? std::string_view(*pseudo_field) : std::string_view();
            while (!pseudo.empty()) {
                auto comma = pseudo.find(',');
                if (auto c = core::pc_code_from_column(pseudo.substr(0, comma)))
                    row.pseudo |= core::pc_code_bit(*c);
                pseudo = comma == std::string_view::npos ? "" : pseudo.substr(comma + 1);
            }
            pcs.add(row);
        });
    api->postcodes = pcs.finish();

    conn.copy_out("COPY (SELECT kind, code, name FROM code_names) TO STDOUT", [&](std::string_view line) {
        auto f = split_copy_line(line);
        if (f.size() < 3 || !f[0] || !f[1] || !f[2]) return;
        // Kinds keyed by another kind's code (nuts.json by district) stay apart from the names.
        if (core::ApiData::is_keyed_kind(*f[0]))
            api->keyed[*f[0]].emplace(*f[1], *f[2]);
        else
            api->code_names.emplace(*f[1], *f[2]);
    });

    auto forces = conn.query(
        "SELECT id, name, coalesce(pfa_code, ''), coalesce(url, ''), coalesce(telephone, ''), "
        "coalesce(description, ''), "
        "engagement_methods::text FROM forces ORDER BY id");
    for (int i = 0; i < forces.size(); ++i)
        api->forces.push_back({std::string(forces.text(i, 0)),
                               std::string(forces.text(i, 1)),
                               std::string(forces.text(i, 2)),
                               std::string(forces.text(i, 3)),
                               std::string(forces.text(i, 4)),
                               std::string(forces.text(i, 5)),
                               json_or(forces.opt_text(i, 6), json::array()),
                               {}});
    auto officers = conn.query(
        "SELECT force_id, name, rank, bio, contact_details::text FROM force_people ORDER BY force_id, seq");
    for (int i = 0; i < officers.size(); ++i)
        for (auto& f : api->forces)
            if (f.id == officers.text(i, 0))
                f.people.push_back({std::string(officers.text(i, 1)), str(officers.opt_text(i, 2)),
                                    str(officers.opt_text(i, 3)),
                                    json_or(officers.opt_text(i, 4), json::object())});

    auto loads = conn.query("SELECT force_id, " + month_index("month") + " FROM crime_loads ORDER BY 1, 2");
    for (int i = 0; i < loads.size(); ++i)
        api->force_months[std::string(loads.text(i, 0))].push_back(
            core::Month::from_index(static_cast<std::int32_t>(loads.int64(i, 1))));

    auto stops =
        conn.query("SELECT DISTINCT " + month_index("month") + ", force_id FROM stop_loads ORDER BY 1, 2");
    for (int i = 0; i < stops.size(); ++i)
        api->stop_forces[static_cast<std::int32_t>(stops.int64(i, 0))].emplace_back(stops.text(i, 1));

    auto unlocated = conn.query("SELECT force_id, " + month_index("month") +
                                ", count(*) FROM crimes WHERE location_id IS NULL GROUP BY 1, 2");
    for (int i = 0; i < unlocated.size(); ++i)
        api->unlocated[std::string(unlocated.text(i, 0))][static_cast<std::int32_t>(unlocated.int64(i, 1))] =
            static_cast<std::uint64_t>(unlocated.int64(i, 2));

    api->teams = load_teams(conn);
    return api;
}

std::shared_ptr<const core::Snapshot> attach_api_data(std::shared_ptr<const core::Snapshot> snapshot,
                                                      std::shared_ptr<core::ApiData> api) {
    if (!snapshot || !api) return snapshot;
    api->index_areas(*snapshot);
    // The builder made this Snapshot as a non-const object and nobody else holds it yet.
    std::const_pointer_cast<core::Snapshot>(snapshot)->api = std::move(api);
    return snapshot;
}

}  // namespace crimemap::store
