#include "core/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/area_report.hpp"
#include "core/police_api.hpp"
#include "core/postcode.hpp"
#include "core/similar.hpp"

namespace crimemap::core {
namespace {
using nlohmann::json;

json range_json(MonthRange r) {
    return json{{"from", r.from.str()}, {"to", r.to.str()}, {"months", r.length()}};
}

std::uint64_t total(const std::array<std::uint64_t, category_count>& c) {
    std::uint64_t t = 0;
    for (auto v : c) t += v;
    return t;
}

json rate(std::uint64_t crimes, const std::optional<std::int32_t>& population) {
    if (!population || *population <= 0) return nullptr;
    return std::round(static_cast<double>(crimes) * 1000.0 / *population * 10.0) / 10.0;
}

json area_block(const Snapshot& s, const Area* a, MonthRange cur, MonthRange prev) {
    if (!a) return nullptr;
    auto c = area_counts(s, *a, cur), p = area_counts(s, *a, prev);
    json block{{"kind", to_string(a->kind)},
               {"code", a->code},
               {"name", a->name},
               {"population", a->population ? json(*a->population) : json(nullptr)},
               {"crimes", total(c)},
               {"previous_crimes", total(p)},
               {"per_1000", rate(total(c), a->population)},
               {"previous_per_1000", rate(total(p), a->population)}};
    if (a->population) block["population_source"] = population_source_json(*a);
    return block;
}

}  // namespace

std::string iso_datetime(std::chrono::system_clock::time_point t) {
    auto days = std::chrono::floor<std::chrono::days>(t);
    std::chrono::year_month_day ymd{days};
    std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - days)};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

NextEventsFrom next_events_from(const Snapshot& s, const Team* team,
                                std::chrono::system_clock::time_point now) {
    const std::string today = iso_datetime(now).substr(0, 10);
    const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now)};
    const Month this_month = Month::from_year_month(static_cast<int>(ymd.year()),
                                                    static_cast<int>(static_cast<unsigned>(ymd.month())));
    // Why: "next" normally means from today. But a historical data set (the bundled 2018-19 sample,
    // or an archive) has meetings that all lie years in the past, so residents and meeting packs
    // would never see one. Then we show the meetings that were next when that data was current --
    // from the day after its latest month -- and say so (historical = true). Real upcoming events
    // always win: a team with any event from today on gets those, however old the crime data.
    if (this_month <= s.last_month.plus(next_events_current_lag) || !team) return {today, false};
    for (const auto& e : team->events)
        if (e.start_date >= today) return {today, false};
    return {s.last_month.plus(1).str() + "-01", true};
}

std::array<std::uint64_t, category_count> area_counts(const Snapshot& s, const Area& area, MonthRange range) {
    std::array<std::uint64_t, category_count> out{};
    const auto lo = range.from.index() - s.first_month.index();
    const auto hi = range.to.index() - s.first_month.index();
    for (const auto& mc : area.counts)
        if (mc.month >= lo && mc.month <= hi && mc.category < category_count) out[mc.category] += mc.crimes;
    return out;
}

JsonReply postcode_summary(const Snapshot& s, const TeamDirectory& teams, std::string_view text,
                           const QueryParams& params, std::chrono::system_clock::time_point now) {
    if (!s.api) return json_error(503, "Postcode data not loaded yet");
    const auto& api = *s.api;
    int months = summary_months_default;
    if (auto m = find_param(params, "months")) {
        int v = 0;
        bool ok = !m->empty() && m->size() <= 2;
        for (char c : *m) {
            ok = ok && c >= '0' && c <= '9';
            if (!ok) break;  // a long or non-digit value is refused before it can overflow
            v = v * 10 + (c - '0');
        }
        if (!ok || v < 1 || v > summary_months_max)
            return json_error(400, "Invalid months: expected 1.." + std::to_string(summary_months_max));
        months = v;
    }
    auto pc = parse_postcode(text);
    if (!pc) return json_error(404, pcio::invalid_postcode);
    const auto* rec = api.postcodes.find(pc->compact);
    if (!rec) return json_error(404, pcio::not_found);
    if (!rec->live()) return lookup_postcode(s, text);  // 404 with its terminated block

    const MonthRange cur{s.last_month.plus(-(months - 1)), s.last_month};
    const MonthRange prev = cur.previous();
    const geo::LonLat where{rec->lon(), rec->lat()};
    auto locate = [&](AreaKind k) -> const Area* {
        return rec->located() ? api.area_index[static_cast<std::size_t>(k)].locate(s, where) : nullptr;
    };
    const std::string lsoa_code(api.postcodes.code(*rec, PcCode::lsoa));
    const std::string lad_code(api.postcodes.code(*rec, PcCode::lad));
    const std::string pfa_code(api.postcodes.code(*rec, PcCode::pfa));
    const Area* lsoa = s.find_area(AreaKind::lsoa, lsoa_code);
    if (!lsoa) lsoa = locate(AreaKind::lsoa);
    const Area* ward = locate(AreaKind::ward);  // crimes are assigned to ward polygons by location
    const Area* lad = s.find_area(AreaKind::lad, lad_code);
    if (!lad) lad = locate(AreaKind::lad);
    const Area* pfa = s.find_area(AreaKind::pfa, pfa_code);
    if (!pfa) pfa = locate(AreaKind::pfa);
    const Area* nb = locate(AreaKind::neighbourhood);

    json result;
    result["postcode"] = rec->display();
    result["location"] =
        rec->located() ? json{{"longitude", rec->lon()}, {"latitude", rec->lat()}} : json(nullptr);
    result["period"] = json{{"current", range_json(cur)}, {"previous", range_json(prev)}};

    // Areas, each with its crime totals for both periods.
    json areas;
    areas["lsoa"] = lsoa ? area_block(s, lsoa, cur, prev)
                         : (lsoa_code.empty() ? json(nullptr)
                                              : json{{"code", lsoa_code}, {"name", api.name_of(lsoa_code)}});
    areas["ward"] = area_block(s, ward, cur, prev);
    if (auto wc = api.postcodes.code(*rec, PcCode::ward); !wc.empty())
        areas["current_ward"] =
            json{{"code", wc}, {"name", api.name_of(wc)}};  // the directory's (newer) ward
    areas["district"] =
        lad ? area_block(s, lad, cur, prev)
            : (lad_code.empty() ? json(nullptr) : json{{"code", lad_code}, {"name", api.name_of(lad_code)}});
    const Force* force = api.force_by_pfa(pfa_code);
    json force_j = nullptr;
    if (force || pfa) {
        force_j =
            pfa ? area_block(s, pfa, cur, prev) : json{{"code", pfa_code}, {"name", api.name_of(pfa_code)}};
        force_j["id"] = force ? json(force->id) : json(nullptr);
        if (force) force_j["force_name"] = force->name;
    }
    areas["force"] = force_j;
    json nb_j = nullptr;
    const Team* team = nullptr;
    if (nb) {
        nb_j = area_block(s, nb, cur, prev);
        auto slash = nb->code.find('/');
        if (slash != std::string::npos) {
            nb_j["force"] = nb->code.substr(0, slash);
            nb_j["id"] = nb->code.substr(slash + 1);
            team = teams.find(nb->code.substr(0, slash), nb->code.substr(slash + 1));
        }
        if (team) {
            json people = json::array();
            for (const auto& p : team->people) people.push_back(police::person_json(p));
            nb_j["team"] =
                json{{"name", team->name},
                     {"contact_details", team->contact_details},
                     {"url_force", team->url_force.empty() ? json(nullptr) : json(team->url_force)},
                     {"people", people},
                     {"demo", team->demo}};
        } else {
            nb_j["team"] = nullptr;
        }
    }
    areas["neighbourhood"] = nb_j;
    result["areas"] = areas;

    // Crimes by category for the most local area with crimes assigned: the LSOA.
    const Area* basis = lsoa ? lsoa : (nb ? nb : ward);
    json crimes = nullptr;
    if (basis) {
        auto c = area_counts(s, *basis, cur), p = area_counts(s, *basis, prev);
        json cats = json::array();
        for (std::size_t i = 0; i < category_count; ++i) {
            if (c[i] == 0 && p[i] == 0) continue;
            json row{{"category", categories[i].slug},
                     {"name", categories[i].name},
                     {"current", c[i]},
                     {"previous", p[i]},
                     {"change", static_cast<std::int64_t>(c[i]) - static_cast<std::int64_t>(p[i])}};
            row["per_1000"] = rate(c[i], basis->population);
            cats.push_back(row);
        }
        std::sort(cats.begin(), cats.end(), [](const json& a, const json& b) {
            return a["current"].get<std::uint64_t>() > b["current"].get<std::uint64_t>();
        });
        crimes = json{
            {"area", json{{"kind", to_string(basis->kind)}, {"code", basis->code}, {"name", basis->name}}},
            {"total", total(c)},
            {"previous_total", total(p)},
            {"per_1000", rate(total(c), basis->population)},
            {"by_category", cats}};
    }
    result["crimes"] = crimes;

    // Rank of the LSOA among the LSOAs of its district (1 = fewest crimes; per 1,000 residents
    // when every one has a population, else counts).
    json rank = nullptr;
    if (lsoa) {
        auto district = api.lsoa_district.find(lsoa->code);
        std::vector<const Area*> peers;
        for (auto i : s.areas_by_kind[static_cast<std::size_t>(AreaKind::lsoa)]) {
            const auto& a = s.areas[i];
            auto d = api.lsoa_district.find(a.code);
            if (district == api.lsoa_district.end() ||
                (d != api.lsoa_district.end() && d->second == district->second))
                peers.push_back(&a);
        }
        const bool rates = std::all_of(peers.begin(), peers.end(),
                                       [](const Area* a) { return a->population && *a->population > 0; });
        auto measure = [&](const Area* a) {
            double v = static_cast<double>(total(area_counts(s, *a, cur)));
            return rates ? v * 1000.0 / *a->population : v;
        };
        const double mine = measure(lsoa);
        int better = 0;
        for (const auto* a : peers)
            if (measure(a) < mine) ++better;
        rank =
            json{{"area", lsoa->code},
                 {"rank", better + 1},
                 {"of", peers.size()},
                 {"among", district != api.lsoa_district.end() ? "LSOAs in " + api.name_of(district->second)
                                                               : "all LSOAs"},
                 {"measure", rates ? "crimes per 1,000 residents" : "crimes"},
                 {"order", "1 = fewest crimes"}};
    }
    result["rank"] = rank;

    // Deprivation of the LSOA, and the LSOA against the LSOAs most like it (core/similar.hpp).
    result["deprivation"] = lsoa && lsoa->deprivation ? deprivation_json(*lsoa->deprivation) : json(nullptr);
    json compare = nullptr;
    if (lsoa && profile_of(s, *lsoa)) {
        CrimeFilter f;
        f.months = cur;
        f.categories.set();
        compare = similar_comparison_json(s, *lsoa, summary_similar_areas, Within::country, f);
        compare["link"] =
            "/v1/areas/" + lsoa->code + "/similar?from=" + cur.from.str() + "&to=" + cur.to.str();
        const std::string& district = lsoa->parent(AreaKind::lad);
        compare["league"] = "/league?kind=lsoa" + (district.empty() ? std::string() : "&within=" + district) +
                            "&from=" + cur.from.str() + "&to=" + cur.to.str();
    }
    result["compare"] = compare;

    json prios = json::array(), events = json::array();
    const auto from = next_events_from(s, team, now);
    if (team) {
        for (const auto& p : team->priorities) prios.push_back(police::priority_json(p));
        for (const auto& e : team->events)
            if (e.start_date >= from.date && events.size() < 5) events.push_back(police::event_json(e));
    }
    result["priorities"] = prios;
    result["next_events"] = events;
    // From when "next" counts; "as_of_data" when that is the day after the data's latest month.
    result["next_events_from"] =
        json{{"date", from.date}, {"basis", from.historical ? "as_of_data" : "today"}};

    // Data quality: months the force did not publish in either period, crimes without a location.
    json quality{{"notes", json::array()}};
    std::vector<std::string> missing;
    std::uint64_t unlocated = 0;
    if (force) {
        auto fm = api.force_months.find(force->id);
        for (auto m = prev.from; m <= cur.to; m = m.plus(1)) {
            bool have =
                fm != api.force_months.end() && std::binary_search(fm->second.begin(), fm->second.end(), m);
            if (!have) missing.push_back(m.str());
        }
        if (auto u = api.unlocated.find(force->id); u != api.unlocated.end())
            for (const auto& [mi, n] : u->second)
                if (cur.contains(Month::from_index(mi))) unlocated += n;
    }
    quality["force_months_missing"] = missing;
    quality["force_crimes_without_location"] = unlocated;
    if (!missing.empty())
        quality["notes"].push_back("The force published no data for " + std::to_string(missing.size()) +
                                   " of the months compared; those months count as zero.");
    if (unlocated)
        quality["notes"].push_back(
            std::to_string(unlocated) +
            " crimes in the force had no location in the current period and are not in these area counts.");
    if (team && from.historical && !events.empty())
        quality["notes"].push_back("The data ends in " + s.last_month.str() +
                                   ", so the next events are those from " + from.date +
                                   ", as they stood then; the team has none scheduled from today.");
    if (!rec->located())
        quality["notes"].push_back(
            "This postcode has no grid reference; areas come from its directory codes.");
    if (!lsoa) quality["notes"].push_back("No LSOA boundary is loaded for this postcode.");
    if (lsoa && !lsoa->population)
        quality["notes"].push_back("Population is not known for this LSOA, so no rates per 1,000 residents.");
    if (lsoa && lsoa->population)
        quality["notes"].push_back(
            "Rates are crimes in the period per 1,000 residents" +
            (lsoa->population_source.period.empty() ? std::string()
                                                    : " (" + lsoa->population_source.period + " estimates)") +
            "; residents are counted where they live, so town centres with many visitors show high rates.");
    result["data_quality"] = quality;
    return json_ok(std::move(result));
}

}  // namespace crimemap::core
