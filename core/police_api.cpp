#include "core/police_api.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/meeting_pack.hpp"

namespace crimemap::core::police {
namespace {
using nlohmann::json;

// police.uk prints coordinates as strings with six decimals.
std::string coord(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}
std::optional<double> strict_double(std::string_view text) {
    if (text.empty() || text.size() > 32) return std::nullopt;
    std::string s(text);
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}
json null_if_empty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

bool known_force(const Snapshot& s, std::string_view force) {
    if (s.api && s.api->force(force)) return true;
    return false;
}
const Area* neighbourhood_area(const Snapshot& s, std::string_view force, std::string_view id) {
    return s.find_area(AreaKind::neighbourhood, std::string(force) + "/" + std::string(id));
}
JsonReply not_found_nb() { return json_error(404, "Neighbourhood not found"); }
}  // namespace

Result<Month> parse_date(const QueryParams& params, const Snapshot& snapshot) {
    auto d = find_param(params, "date");
    // The npm client ukpd sends its optional date as the literal text "undefined" when not given.
    if (!d || d->empty() || *d == "undefined") return snapshot.last_month;
    auto m = Month::parse(*d);
    if (!m) return bad_request("Invalid date: expected YYYY-MM");
    return *m;
}

Result<std::optional<std::string>> parse_category(std::string_view slug) {
    if (slug.empty() || slug == "all-crime") return std::optional<std::string>{};
    if (!category_from_slug(slug)) return bad_request("Unknown crime category (see /api/crime-categories)");
    return std::optional<std::string>(std::string(slug));
}

Result<geo::LonLat> parse_lat_lng(std::string_view lat, std::string_view lng) {
    auto la = strict_double(lat), lo = strict_double(lng);
    if (!la || !lo || std::abs(*la) > 90 || std::abs(*lo) > 180)
        return bad_request("Invalid lat/lng: expected decimal degrees");
    return geo::LonLat{*lo, *la};
}

Result<std::vector<geo::LonLat>> parse_poly(std::string_view text) {
    std::vector<geo::LonLat> out;
    while (!text.empty()) {
        auto colon = text.find(':');
        auto pair = text.substr(0, colon);
        text = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
        auto comma = pair.find(',');
        if (comma == std::string_view::npos) return bad_request("Invalid poly: expected lat,lng:lat,lng:...");
        auto p = parse_lat_lng(pair.substr(0, comma), pair.substr(comma + 1));
        if (!p) return bad_request("Invalid poly: expected lat,lng:lat,lng:... in decimal degrees");
        if (out.size() >= max_poly_vertices + 1)
            return Error{ErrorCode::payload_too_large,
                         "Too many poly vertices: at most " + std::to_string(max_poly_vertices)};
        out.push_back(*p);
    }
    if (out.size() >= 2 && out.front() == out.back()) out.pop_back();
    if (out.size() > max_poly_vertices)
        return Error{ErrorCode::payload_too_large,
                     "Too many poly vertices: at most " + std::to_string(max_poly_vertices)};
    if (out.size() < 3) return bad_request("Invalid poly: at least 3 vertices are needed");
    return out;
}

json crime_json(const CrimeDetail& c) {
    json location = nullptr;
    if (c.location_id)
        location = json{{"latitude", coord(c.lat)},
                        {"street", json{{"id", *c.location_id}, {"name", c.street}}},
                        {"longitude", coord(c.lon)}};
    // police.uk gives the outcome's own month; the street CSVs only carry the last outcome, so the
    // crime's month stands in for it.
    json outcome = c.outcome.empty() ? json(nullptr) : json{{"category", c.outcome}, {"date", c.month.str()}};
    return json{{"category", c.category},
                {"location_type", c.location_id ? json("Force") : json(nullptr)},
                {"location", location},
                {"context", c.context},
                {"outcome_status", outcome},
                {"persistent_id", c.persistent_id},
                {"id", c.id},
                {"location_subtype", ""},
                {"month", c.month.str()}};
}

json crime_categories() {
    json out = json::array({json{{"url", "all-crime"}, {"name", "All crime"}}});
    for (std::size_t i = 0; i < category_count; ++i) {
        if (categories[i].slug == "public-disorder-weapons") continue;  // pre-2013 only
        out.push_back(json{{"url", categories[i].slug}, {"name", categories[i].name}});
    }
    return out;
}

json crime_last_updated(const Snapshot& s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-01", s.last_month.year(), s.last_month.month());
    return json{{"date", buf}};
}

json crimes_street_dates(const Snapshot& s) {
    json out = json::array();
    std::vector<Month> months;
    if (s.api)
        for (const auto& [force, ms] : s.api->force_months) months.insert(months.end(), ms.begin(), ms.end());
    if (months.empty() && !s.empty())
        for (auto m = s.first_month; m <= s.last_month; m = m.plus(1)) months.push_back(m);
    std::sort(months.begin(), months.end(), std::greater<>());
    months.erase(std::unique(months.begin(), months.end()), months.end());
    for (auto m : months) {
        json forces = json::array();
        if (s.api)
            if (auto it = s.api->stop_forces.find(m.index()); it != s.api->stop_forces.end())
                for (const auto& f : it->second) forces.push_back(f);
        out.push_back(json{{"date", m.str()}, {"stop-and-search", std::move(forces)}});
    }
    return out;
}

json forces(const ApiData& api) {
    json out = json::array();
    for (const auto& f : api.forces) out.push_back(json{{"id", f.id}, {"name", f.name}});
    return out;
}

JsonReply force(const ApiData& api, std::string_view id) {
    const auto* f = api.force(id);
    if (!f) return json_error(404, "Force not found");
    return {200, json{{"description", null_if_empty(f->description)},
                      {"url", null_if_empty(f->url)},
                      {"engagement_methods", f->engagement_methods},
                      {"telephone", null_if_empty(f->telephone)},
                      {"id", f->id},
                      {"name", f->name}}};
}

JsonReply neighbourhoods(const Snapshot& s, const TeamDirectory& teams, std::string_view force) {
    if (!known_force(s, force)) return json_error(404, "Force not found");
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto* t : teams.of_force(force)) list.emplace_back(t->id, t->name);
    const std::string prefix = std::string(force) + "/";
    for (auto i : s.areas_by_kind[static_cast<std::size_t>(AreaKind::neighbourhood)]) {
        const auto& a = s.areas[i];
        if (!a.code.starts_with(prefix)) continue;
        auto id = a.code.substr(prefix.size());
        if (!teams.find(force, id)) list.emplace_back(id, a.name);
    }
    std::sort(list.begin(), list.end());
    json out = json::array();
    for (auto& [id, name] : list) out.push_back(json{{"id", id}, {"name", name}});
    return {200, out};
}

JsonReply neighbourhood(const Snapshot& s, const TeamDirectory& teams, std::string_view force,
                        std::string_view id) {
    const auto* t = teams.find(force, id);
    const auto* area = neighbourhood_area(s, force, id);
    if (!t && !area) return not_found_nb();
    json centre = nullptr;
    if (t && t->centre_lat && t->centre_lon) {
        centre = json{{"latitude", coord(*t->centre_lat)}, {"longitude", coord(*t->centre_lon)}};
    } else if (area && !area->bounds.empty()) {
        auto c = geo::from_world_xy(
            {(area->bounds.min_x + area->bounds.max_x) / 2, (area->bounds.min_y + area->bounds.max_y) / 2});
        centre = json{{"latitude", coord(c.lat)}, {"longitude", coord(c.lon)}};
    }
    // police.uk writes the population as a number in a string: the team record's, else the
    // neighbourhood area's, else the sum of the LSOAs centred in it (ApiData::index_areas).
    json population = nullptr;
    if (t && t->population)
        population = std::to_string(*t->population);
    else if (area && area->population)
        population = std::to_string(*area->population);
    else if (s.api)
        if (auto it = s.api->neighbourhood_population.find(std::string(force) + "/" + std::string(id));
            it != s.api->neighbourhood_population.end())
            population = std::to_string(it->second);
    json out{{"url_force", t ? null_if_empty(t->url_force) : json(nullptr)},
             {"contact_details", t ? t->contact_details : json::object()},
             {"name", t ? t->name : area->name},
             {"links", t ? t->links : json::array()},
             {"centre", centre},
             {"locations", json::array()},
             {"description", t ? null_if_empty(t->description) : json(nullptr)},
             {"id", std::string(id)},
             {"population", population}};
    // Demo teams are flagged in /v1/ answers only (the summary, the meeting pack): police.uk clients
    // get police.uk's fields and nothing else.
    return {200, out};
}

JsonReply boundary(const Snapshot& s, std::string_view force, std::string_view id) {
    const auto* area = neighbourhood_area(s, force, id);
    if (!area || area->levels.empty()) return not_found_nb();
    // police.uk gives one ring of lat/lng strings: the exterior of the largest polygon.
    const auto& mp = area->levels.back();
    const geo::Polygon* best = nullptr;
    double best_area = -1;
    for (const auto& p : mp) {
        double a = geo::area(p);
        if (a > best_area && !p.rings.empty()) best = &p, best_area = a;
    }
    json out = json::array();
    if (best)
        for (const auto& v : best->rings[0]) {
            auto ll = geo::from_world_xy(v);
            out.push_back(json{{"latitude", coord(ll.lat)}, {"longitude", coord(ll.lon)}});
        }
    return {200, out};
}

json person_json(const TeamPerson& p) {
    return json{{"bio", null_if_empty(p.bio)},
                {"contact_details", p.contact_details},
                {"name", p.name},
                {"rank", p.rank}};
}
json priority_json(const TeamPriority& p) {
    return json{{"action", null_if_empty(p.action)},
                {"issue-date", null_if_empty(p.issue_date)},
                {"action-date", null_if_empty(p.action_date)},
                {"issue", p.issue}};
}
json event_json(const TeamEvent& e) {
    return json{{"contact_details", e.contact_details},
                {"description", null_if_empty(e.description)},
                {"title", e.title},
                {"address", null_if_empty(e.address)},
                {"type", null_if_empty(e.type)},
                {"start_date", e.start_date},
                {"end_date", null_if_empty(e.end_date)}};
}

JsonReply people(const TeamDirectory& teams, std::string_view force, std::string_view id) {
    const auto* t = teams.find(force, id);
    json out = json::array();
    if (t)
        for (const auto& p : t->people) out.push_back(person_json(p));
    return {200, out};
}
// police.uk's priority `issue`/`action` and event `description` are HTML fragments, and portals
// insert them as such. Ours are plain text, so they go out HTML-escaped: a portal that renders them
// shows `<img src=x onerror=...>` as text. (The /v1/ answers carry the plain text.)
namespace {
json html_text(const json& v) {
    return v.is_string() ? json(html_escape(v.get_ref<const std::string&>())) : v;
}
}  // namespace

JsonReply events(const TeamDirectory& teams, std::string_view force, std::string_view id) {
    const auto* t = teams.find(force, id);
    json out = json::array();
    if (t)
        for (const auto& e : t->events) {
            auto j = event_json(e);
            j["description"] = html_text(j["description"]);
            out.push_back(std::move(j));
        }
    return {200, out};
}
JsonReply priorities(const TeamDirectory& teams, std::string_view force, std::string_view id) {
    const auto* t = teams.find(force, id);
    json out = json::array();
    if (t)
        for (const auto& p : t->priorities) {
            auto j = priority_json(p);
            j["issue"] = html_text(j["issue"]);
            j["action"] = html_text(j["action"]);
            out.push_back(std::move(j));
        }
    return {200, out};
}

JsonReply locate_neighbourhood(const Snapshot& s, std::string_view q) {
    auto comma = q.find(',');
    if (q.empty() || comma == std::string_view::npos) return json_error(400, "Invalid q: expected lat,lng");
    auto p = parse_lat_lng(q.substr(0, comma), q.substr(comma + 1));
    if (!p) return json_error(400, "Invalid q: expected lat,lng");
    auto nb = neighbourhood_json(s, *p);
    if (nb.is_null()) return json_error(404, "No neighbourhood contains this point");
    return {200, json{{"force", nb["force"]}, {"neighbourhood", nb["id"]}}};
}

}  // namespace crimemap::core::police
