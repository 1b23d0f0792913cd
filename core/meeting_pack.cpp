#include "core/meeting_pack.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/police_api.hpp"
#include "core/report_text.hpp"
#include "core/similar.hpp"
#include "core/summary.hpp"
#include "geo/polygon.hpp"

namespace crimemap::core {
namespace {
using nlohmann::json;

std::string month_name(Month m) {
    static constexpr const char* names[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
    return std::string(names[m.month() - 1]) + " " + std::to_string(m.year());
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

Result<MeetingPack> build_meeting_pack(const Snapshot& s, const TeamDirectory& teams, std::string_view force,
                                       std::string_view id, std::optional<Month> month,
                                       std::chrono::system_clock::time_point now) {
    const std::string code = std::string(force) + "/" + std::string(id);
    const Area* area = s.find_area(AreaKind::neighbourhood, code);
    if (!area) return not_found("Neighbourhood not found");
    MeetingPack p;
    p.force = force;
    p.id = id;
    p.name = area->name;
    p.team = teams.find(force, id);
    if (p.team) p.name = p.team->name;
    p.month = month.value_or(s.last_month);
    if (p.month < s.first_month || p.month > s.last_month)
        return bad_request("Invalid month: data covers " + s.first_month.str() + " to " + s.last_month.str());
    const auto in_data = [&](Month m) { return s.first_month <= m && m <= s.last_month; };
    p.have_last_month = in_data(p.month.plus(-1));
    p.have_last_year = in_data(p.month.plus(-12));
    auto now_c = area_counts(s, *area, {p.month, p.month});
    auto lm_c = area_counts(s, *area, {p.month.plus(-1), p.month.plus(-1)});
    auto ly_c = area_counts(s, *area, {p.month.plus(-12), p.month.plus(-12)});
    for (std::size_t i = 0; i < category_count; ++i) {
        p.total += now_c[i];
        p.total_last_month += lm_c[i];
        p.total_last_year += ly_c[i];
        if (now_c[i] || lm_c[i] || ly_c[i])
            p.categories.push_back({std::string(categories[i].slug), std::string(categories[i].name),
                                    now_c[i], lm_c[i], ly_c[i]});
    }
    std::sort(p.categories.begin(), p.categories.end(), [](const auto& a, const auto& b) {
        return a.this_month != b.this_month ? a.this_month > b.this_month : a.slug < b.slug;
    });
    for (int k = 11; k >= 0; --k) {
        Month m = p.month.plus(-k);
        if (!in_data(m)) {
            p.trend.emplace_back(m, std::nullopt);
            continue;
        }
        auto c = area_counts(s, *area, {m, m});
        std::uint64_t t = 0;
        for (auto v : c) t += v;
        p.trend.emplace_back(m, t);
    }
    // Hot spots: snap locations inside the boundary with crimes this month.
    const auto& geom = area->levels.empty() ? geo::MultiPolygon{} : area->levels.back();
    const auto offset = p.month.index() - s.first_month.index();
    for (std::size_t i = 0; i < s.locations.size(); ++i) {
        const auto& loc = s.locations[i];
        geo::WorldXY w{static_cast<double>(loc.world.x) + 0.5, static_cast<double>(loc.world.y) + 0.5};
        if (!area->bounds.contains(w)) continue;
        std::uint64_t n = 0;
        for (auto r = s.record_offsets[i]; r < s.record_offsets[i + 1]; ++r)
            if (s.records[r].month == offset) n += s.records[r].crimes;
        if (n == 0 || !geo::contains(geom, w)) continue;
        p.top_locations.push_back({loc.name, geo::from_world(loc.world), n});
    }
    std::sort(p.top_locations.begin(), p.top_locations.end(), [](const auto& a, const auto& b) {
        return a.crimes != b.crimes ? a.crimes > b.crimes : a.name < b.name;
    });
    if (p.top_locations.size() > meeting_pack_top_locations)
        p.top_locations.resize(meeting_pack_top_locations);
    // "Next" from today, or from the day after the data's latest month when the data is
    // historical (see next_events_from): the same rule as the postcode summary.
    const auto from = next_events_from(s, p.team, now);
    p.next_events_from = from.date;
    p.next_events_historical = from.historical;
    if (p.team) {
        for (const auto& pr : p.team->priorities) p.priorities.push_back(&pr);
        for (const auto& e : p.team->events)
            if (e.start_date >= from.date && p.next_events.size() < 5) p.next_events.push_back(&e);
    }
    p.population = area->population;
    p.population_period = area->population_source.period;
    if (profile_of(s, *area)) {
        CrimeFilter f;
        f.months = {std::max(s.first_month, p.month.plus(-11)), p.month};
        f.categories.set();
        p.compare = similar_comparison_json(s, *area, meeting_pack_similar, Within::country, f);
    }
    for (const auto& poly : geom)
        if (!poly.rings.empty()) {
            geo::LonLatRing ring;
            for (const auto& v : poly.rings[0]) ring.push_back(geo::from_world_xy(v));
            p.boundary.push_back(std::move(ring));
        }
    return p;
}

namespace {
// The neighbourhoods' league table over the pack's comparison period.
std::string league_link(const MeetingPack& p) {
    const Month from = p.compare.is_null()
                           ? p.month
                           : Month::parse(p.compare["period"]["from"].get<std::string>()).value_or(p.month);
    return "/league?kind=neighbourhood&from=" + from.str() + "&to=" + p.month.str();
}
}  // namespace

json meeting_pack_json(const MeetingPack& p) {
    json cats = json::array();
    for (const auto& c : p.categories)
        cats.push_back(json{{"category", c.slug},
                            {"name", c.name},
                            {"this_month", c.this_month},
                            {"last_month", p.have_last_month ? json(c.last_month) : json(nullptr)},
                            {"same_month_last_year", p.have_last_year ? json(c.last_year) : json(nullptr)}});
    json trend = json::array();
    for (const auto& [m, v] : p.trend)
        trend.push_back(json{{"month", m.str()}, {"crimes", v ? json(*v) : json(nullptr)}});
    json spots = json::array();
    for (const auto& sp : p.top_locations)
        spots.push_back(json{{"location", sp.name},
                             {"latitude", sp.where.lat},
                             {"longitude", sp.where.lon},
                             {"crimes", sp.crimes}});
    json outcomes = nullptr;
    if (p.outcomes_known) {
        outcomes = json::array();
        for (const auto& [o, n] : p.outcomes)
            outcomes.push_back(json{{"outcome", o.empty() ? json(nullptr) : json(o)}, {"crimes", n}});
    }
    json prios = json::array(), events = json::array();
    for (const auto* x : p.priorities) prios.push_back(police::priority_json(*x));
    for (const auto* x : p.next_events) events.push_back(police::event_json(*x));
    return json{
        {"neighbourhood",
         json{{"force", p.force}, {"id", p.id}, {"name", p.name}, {"demo", p.team && p.team->demo}}},
        {"month", p.month.str()},
        {"totals",
         json{{"this_month", p.total},
              {"last_month", p.have_last_month ? json(p.total_last_month) : json(nullptr)},
              {"same_month_last_year", p.have_last_year ? json(p.total_last_year) : json(nullptr)}}},
        {"categories", cats},
        {"trend", trend},
        {"top_locations", spots},
        {"outcomes", outcomes},
        {"priorities", prios},
        {"next_events", events},
        {"next_events_from",
         json{{"date", p.next_events_from}, {"basis", p.next_events_historical ? "as_of_data" : "today"}}},
        {"population", p.population ? json(*p.population) : json(nullptr)},
        {"population_period", p.population_period.empty() ? json(nullptr) : json(p.population_period)},
        {"compare", p.compare.is_null() ? json(nullptr) : p.compare},
        {"league", league_link(p)}};
}

std::string meeting_pack_csv(const MeetingPack& p) {
    std::string out = "section,key,label,this_month,last_month,same_month_last_year\n";
    auto opt = [](bool have, std::uint64_t v) { return have ? std::to_string(v) : std::string(); };
    out += "total,all,All crimes," + std::to_string(p.total) + "," +
           opt(p.have_last_month, p.total_last_month) + "," + opt(p.have_last_year, p.total_last_year) + "\n";
    for (const auto& c : p.categories)
        out += "category," + c.slug + "," + csv_quote(c.name) + "," + std::to_string(c.this_month) + "," +
               opt(p.have_last_month, c.last_month) + "," + opt(p.have_last_year, c.last_year) + "\n";
    for (const auto& [m, v] : p.trend)
        out += "trend," + m.str() + "," + m.str() + "," + (v ? std::to_string(*v) : "") + ",,\n";
    for (const auto& sp : p.top_locations)
        out += "location," + format_number("%.6f", sp.where.lat) + " " + format_number("%.6f", sp.where.lon) +
               "," + csv_quote(sp.name) + "," + std::to_string(sp.crimes) + ",,\n";
    for (const auto& [o, n] : p.outcomes)
        out +=
            "outcome,," + csv_quote(o.empty() ? "No outcome recorded" : o) + "," + std::to_string(n) + ",,\n";
    return out;
}

std::string meeting_pack_html(const MeetingPack& p) {
    std::string h;
    const std::string title = "Meeting pack: " + p.name + " — " + month_name(p.month);
    h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
         "</title>\n";
    h += "<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}"
         "h1{font-size:1.6em;margin:0}h2{font-size:1.15em;border-bottom:2px solid #234;margin-top:1.6em}"
         "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.25em "
         ".5em;text-align:left}"
         "td.n,th.n{text-align:right}.up{color:#a11}.down{color:#161}.note{color:#666;font-size:.9em}"
         "svg{max-width:100%;height:auto}@media "
         "print{body{margin:0;max-width:none}h2{break-after:avoid}section{break-inside:avoid}}"
         "</style></head><body>\n";
    // Everything in landmarks (axe: region): the pack in <main>, the licence notice in <footer>.
    h += "<main>\n<h1>" + html_escape(p.name) + "</h1>\n<p>Neighbourhood meeting pack for <strong>" +
         month_name(p.month) + "</strong> · " + html_escape(p.force) + "/" + html_escape(p.id) + "</p>\n";
    if (p.team && p.team->demo)
        h += "<p class=\"note\">Demo team: this neighbourhood was derived from ward boundaries and its team "
             "record is "
             "made up for demonstration.</p>\n";

    // Categories table.
    auto change = [](std::uint64_t now, std::uint64_t before) {
        auto d = static_cast<long long>(now) - static_cast<long long>(before);
        if (d == 0) return std::string("<td class=\"n\">0</td>");
        return std::string("<td class=\"n ") + (d > 0 ? "up\">+" : "down\">") + std::to_string(d) + "</td>";
    };
    h += "<section><h2>Crimes by category</h2><table><tr><th>Category</th><th class=\"n\">" +
         html_escape(month_name(p.month)) +
         "</th><th class=\"n\">Last month</th><th class=\"n\">Change</th><th class=\"n\">Same month last "
         "year</th><th class=\"n\">Change</th></tr>\n";
    auto row = [&](const std::string& label, std::uint64_t a, std::uint64_t b, std::uint64_t c, bool strong) {
        std::string o = "<tr><td>" + std::string(strong ? "<strong>" : "") + html_escape(label) +
                        (strong ? "</strong>" : "") + "</td><td class=\"n\">" + std::to_string(a) + "</td>";
        o += p.have_last_month ? "<td class=\"n\">" + std::to_string(b) + "</td>" + change(a, b)
                               : "<td class=\"n\">–</td><td></td>";
        o += p.have_last_year ? "<td class=\"n\">" + std::to_string(c) + "</td>" + change(a, c)
                              : "<td class=\"n\">–</td><td></td>";
        return o + "</tr>\n";
    };
    for (const auto& c : p.categories) h += row(c.name, c.this_month, c.last_month, c.last_year, false);
    h += row("All crimes", p.total, p.total_last_month, p.total_last_year, true);
    h += "</table>";
    if (!p.have_last_year) h += "<p class=\"note\">– : the data does not cover that month.</p>";
    h += "</section>\n";

    // 12-month trend as an inline SVG bar chart.
    std::uint64_t peak = 1;
    for (const auto& [m, v] : p.trend)
        if (v) peak = std::max(peak, *v);
    h += "<section><h2>12-month trend</h2><svg viewBox=\"0 0 600 180\" role=\"img\" aria-label=\"Crimes per "
         "month\">";
    for (std::size_t i = 0; i < p.trend.size(); ++i) {
        const auto& [m, v] = p.trend[i];
        const double x = 10 + static_cast<double>(i) * 48.5;
        if (v) {
            const double bh = 130.0 * static_cast<double>(*v) / static_cast<double>(peak);
            h += "<rect x=\"" + format_number("%.1f", x) + "\" y=\"" + format_number("%.1f", 145 - bh) +
                 "\" width=\"38\" height=\"" + format_number("%.1f", bh) + "\" fill=\"#2b5c8a\"/><text x=\"" +
                 format_number("%.1f", x + 19) + "\" y=\"" + format_number("%.1f", 140 - bh) +
                 "\" font-size=\"11\" text-anchor=\"middle\">" + std::to_string(*v) + "</text>";
        } else {
            h += "<text x=\"" + format_number("%.1f", x + 19) +
                 "\" y=\"140\" font-size=\"11\" text-anchor=\"middle\" fill=\"#999\">n/a</text>";
        }
        h += "<text x=\"" + format_number("%.1f", x + 19) +
             "\" y=\"165\" font-size=\"10\" text-anchor=\"middle\">" + m.str().substr(2) + "</text>";
    }
    h += "</svg></section>\n";

    // Map: boundary and hot spots, projected to Web Mercator and fitted into the viewBox.
    geo::Box box;
    for (const auto& ring : p.boundary)
        for (const auto& v : ring) box.expand(geo::to_world_xy(v));
    h += "<section><h2>Boundary and hot spots</h2>";
    if (!box.empty()) {
        const double w = 600, hgt = 400, pad = 10;
        const double scale = std::min((w - 2 * pad) / std::max(1.0, box.max_x - box.min_x),
                                      (hgt - 2 * pad) / std::max(1.0, box.max_y - box.min_y));
        auto px = [&](geo::LonLat ll) {
            auto q = geo::to_world_xy(ll);
            return std::pair{pad + (q.x - box.min_x) * scale, pad + (q.y - box.min_y) * scale};
        };
        h += "<svg viewBox=\"0 0 600 400\" role=\"img\" aria-label=\"Map of the neighbourhood\"><rect "
             "width=\"600\" height=\"400\" fill=\"#f4f4f0\"/>";
        for (const auto& ring : p.boundary) {
            h += "<polygon fill=\"#dfe8f1\" stroke=\"#234\" stroke-width=\"1.5\" points=\"";
            for (const auto& v : ring) {
                auto [x, y] = px(v);
                h += format_number("%.1f", x) + "," + format_number("%.1f", y) + " ";
            }
            h += "\"/>";
        }
        const double top =
            p.top_locations.empty() ? 1.0 : static_cast<double>(p.top_locations.front().crimes);
        for (std::size_t i = 0; i < p.top_locations.size(); ++i) {
            const auto& sp = p.top_locations[i];
            auto [x, y] = px(sp.where);
            const double r = 4 + 10 * std::sqrt(static_cast<double>(sp.crimes) / top);
            h += "<circle cx=\"" + format_number("%.1f", x) + "\" cy=\"" + format_number("%.1f", y) +
                 "\" r=\"" + format_number("%.1f", r) + "\" fill=\"#c0392b\" fill-opacity=\"0.6\"><title>" +
                 html_escape(sp.name) + ": " + std::to_string(sp.crimes) + "</title></circle><text x=\"" +
                 format_number("%.1f", x) + "\" y=\"" + format_number("%.1f", y + 4) +
                 "\" font-size=\"10\" text-anchor=\"middle\" fill=\"#fff\">" + std::to_string(i + 1) +
                 "</text>";
        }
        h += "</svg>";
    }
    h += "</section>\n";

    h += "<section><h2>Top locations</h2><table><tr><th>#</th><th>Location</th><th "
         "class=\"n\">Crimes</th></tr>\n";
    for (std::size_t i = 0; i < p.top_locations.size(); ++i)
        h += "<tr><td>" + std::to_string(i + 1) + "</td><td>" + html_escape(p.top_locations[i].name) +
             "</td><td class=\"n\">" + std::to_string(p.top_locations[i].crimes) + "</td></tr>\n";
    h += "</table></section>\n";

    h += "<section><h2>Outcomes</h2>";
    if (p.outcomes_known) {
        h += "<table><tr><th>Last outcome</th><th class=\"n\">Crimes</th></tr>\n";
        for (const auto& [o, n] : p.outcomes)
            h += "<tr><td>" +
                 html_escape(o.empty() ? "No outcome recorded (e.g. anti-social behaviour)" : o) +
                 "</td><td class=\"n\">" + std::to_string(n) + "</td></tr>\n";
        h += "</table>";
    } else {
        h += "<p class=\"note\">Outcomes are not available right now.</p>";
    }
    h += "</section>\n";

    // Against similar neighbourhoods: rates per 1,000 over the comparison period.
    h += "<section><h2>Compared with similar neighbourhoods</h2>";
    if (p.compare.is_null()) {
        h += "<p class=\"note\">No comparison: the population or deprivation data for this neighbourhood is "
             "not "
             "loaded.</p>";
    } else {
        const auto& c = p.compare;
        auto num = [](const json& v) {
            return v.is_number() ? format_number("%.2f", v.get<double>()) : std::string("–");
        };
        h +=
            "<p>Crimes per 1,000 residents, " + c["period"]["from"].get<std::string>() + " to " +
            c["period"]["to"].get<std::string>() + " (" + std::to_string(c["period"]["months"].get<int>()) +
            " months; residents: " + (p.population ? std::to_string(*p.population) : std::string("unknown")) +
            (p.population_period.empty() ? "" : ", " + html_escape(p.population_period) + " estimates") +
            "). Similar neighbourhoods are those most alike in deprivation, population density and area "
            "type.</p>";
        h += "<table><tr><th>Neighbourhood</th><th class=\"n\">Residents</th><th class=\"n\">Crimes</th>"
             "<th class=\"n\">Per 1,000</th><th class=\"n\">95% interval</th></tr>\n";
        auto row = [&](const json& a, bool strong) {
            std::string ci = a["ci95"].is_array() ? num(a["ci95"][0]) + "–" + num(a["ci95"][1]) : "–";
            std::string name = html_escape(a["name"].get<std::string>());
            if (strong) name = "<strong>" + name + "</strong>";
            h += "<tr><td>" + name + "</td><td class=\"n\">" +
                 (a["population"].is_number() ? std::to_string(a["population"].get<std::int64_t>()) : "–") +
                 "</td><td class=\"n\">" + std::to_string(a["crimes"].get<std::uint64_t>()) +
                 "</td><td class=\"n\">" + num(a["per_1000"]) + "</td><td class=\"n\">" + ci + "</td></tr>\n";
        };
        row(c["area"], true);
        for (const auto& a : c["similar"]) row(a, false);
        h += "</table>";
        const auto& g = c["group"];
        if (g["per_1000"].is_number()) {
            std::string band = c["area"].value("band", "");
            std::string verdict = band == "significantly_higher"  ? "significantly higher than"
                                  : band == "significantly_lower" ? "significantly lower than"
                                                                  : "not significantly different from";
            h += "<p>The similar neighbourhoods together: <strong>" + num(g["per_1000"]) +
                 "</strong> per 1,000 (range " + num(g["min_per_1000"]) + " to " + num(g["max_per_1000"]) +
                 "). This neighbourhood's rate is " + verdict + " theirs (95% interval).</p>";
        }
    }
    h += "<p><a href=\"" + html_escape(league_link(p)) + "\">League table of all neighbourhoods</a></p>";
    h += "</section>\n<section><h2>Priorities</h2>";
    if (p.priorities.empty()) h += "<p class=\"note\">No priorities published.</p>";
    for (const auto* x : p.priorities) {
        h += "<h3>" + html_escape(x->issue) + "</h3><p class=\"note\">Set " +
             html_escape(x->issue_date.substr(0, 10)) + "</p>";
        if (!x->action.empty())
            h += "<p><strong>Action:</strong> " + html_escape(x->action) +
                 (x->action_date.empty()
                      ? ""
                      : " <span class=\"note\">(" + html_escape(x->action_date.substr(0, 10)) + ")</span>") +
                 "</p>";
    }
    h += "</section>\n<section><h2>Next meetings</h2>";
    if (p.next_events_historical)
        h += "<p class=\"note\">Meetings from " + html_escape(p.next_events_from) +
             ", the day after the latest month of crime data, as they stood then; none is scheduled from "
             "today.</p>";
    if (p.next_events.empty())
        h += "<p class=\"note\">No meetings scheduled.</p>";
    else
        h += "<ul>";
    for (const auto* e : p.next_events) {
        std::string when = e->start_date.substr(0, 10) + " " + e->start_date.substr(11, 5);
        h += "<li><strong>" + html_escape(when) + "</strong> — " + html_escape(e->title) +
             (e->address.empty() ? "" : ", " + html_escape(e->address)) + "</li>";
    }
    if (!p.next_events.empty()) h += "</ul>";
    h += "</section>\n</main>\n<footer><p class=\"note\">Contains public sector information licensed under "
         "the Open Government Licence v3.0. "
         "Crime locations are approximate (police.uk anonymised points).</p></footer>\n</body></html>\n";
    return h;
}

}  // namespace crimemap::core
