#include "core/area_report.hpp"

#include <algorithm>
#include <cmath>

#include "core/summary.hpp"

namespace crimemap::core {
namespace {
using nlohmann::json;

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
}  // namespace

const Area* find_area_any(const Snapshot& s, std::string_view code) {
    static constexpr AreaKind order[] = {AreaKind::lsoa, AreaKind::ward, AreaKind::lad,
                                         AreaKind::pfa,  AreaKind::msoa, AreaKind::neighbourhood};
    const std::string c(code);
    for (auto k : order)
        if (const auto* a = s.find_area(k, c)) return a;
    return nullptr;
}

json population_source_json(const Area& a) {
    const auto& p = a.population_source;
    json j{{"method", p.method.empty() ? json(nullptr) : json(p.method)},
           {"source", p.source.empty() ? json(nullptr) : json(p.source)},
           {"period", p.period.empty() ? json(nullptr) : json(p.period)}};
    if (p.method == "lsoa_sum") {
        j["lsoas"] = p.lsoas;
        j["description"] =
            "sum of the " + std::to_string(p.lsoas) + " LSOAs whose representative point lies in the area";
    }
    return j;
}

json deprivation_json(const Deprivation& d) {
    json domains = json::object();
    for (std::size_t m = 1; m < deprivation_measures; ++m)
        domains[std::string(deprivation_keys[m])] =
            json{{"name", deprivation_names[m]}, {"rank", d.rank[m]}, {"decile", d.decile[m]}};
    return json{{"edition", d.edition},
                {"imd_rank", d.rank[0]},
                {"imd_decile", d.decile[0]},
                {"domains", domains},
                {"order", "rank 1 and decile 1 are the most deprived (of 32,844 LSOAs in England)"}};
}

JsonReply area_report(const Snapshot& s, std::string_view code) {
    if (code.size() > 64) return json_error(404, "Area not found");
    const auto* a = find_area_any(s, code);
    std::vector<std::string> indicators;
    for (const auto& [ic, series] : s.indicators)
        for (const auto& [period, by_area] : series.by_period)
            if (by_area.count(std::string(code))) {
                indicators.push_back(ic);
                break;
            }
    std::sort(indicators.begin(), indicators.end());
    if (!a && indicators.empty()) return json_error(404, "Area not found");
    json r;
    r["code"] = std::string(code);
    r["kind"] = a ? json(to_string(a->kind)) : json("lad");
    std::string name = a ? a->name : (s.api ? s.api->name_of(code) : std::string());
    r["name"] = name.empty() ? json(nullptr) : json(name);
    r["population"] = a && a->population ? json(*a->population) : json(nullptr);
    if (a && a->population) r["population_source"] = population_source_json(*a);
    if (a && a->deprivation) r["deprivation"] = deprivation_json(*a->deprivation);
    if (a && a->classification)
        r["classification"] = json{{"group", a->classification->group},
                                   {"name", a->classification->name},
                                   {"supergroup", a->classification->supergroup},
                                   {"source", "ONS 2011 area classification (LSOA lookup)"}};
    if (a && a->area_km2 > 0) {
        r["area_km2"] = std::round(a->area_km2 * 1000.0) / 1000.0;
        if (a->population) r["density_per_km2"] = std::round(*a->population / a->area_km2 * 10.0) / 10.0;
    }
    if (s.api) {
        if (auto d = s.api->lsoa_district.find(std::string(code)); d != s.api->lsoa_district.end())
            r["district"] = json{{"code", d->second}, {"name", s.api->name_of(d->second)}};
    }
    json monthly = json::array();
    if (a) {
        for (auto m = s.first_month; m <= s.last_month; m = m.plus(1)) {
            auto c = area_counts(s, *a, {m, m});
            json cats = json::object();
            std::uint64_t t = 0;
            for (std::size_t i = 0; i < category_count; ++i)
                if (c[i]) cats[std::string(categories[i].slug)] = c[i], t += c[i];
            json month{{"month", m.str()}, {"total", t}, {"by_category", cats}};
            if (a->population && *a->population > 0)
                month["per_1000"] =
                    std::round(static_cast<double>(t) * 1000.0 / *a->population * 100.0) / 100.0;
            monthly.push_back(std::move(month));
        }
        // The whole period of the data, so that a rate is never given without its period.
        std::uint64_t all = 0;
        for (const auto& mc : a->counts) all += mc.crimes;
        json totals{{"from", s.first_month.str()},
                    {"to", s.last_month.str()},
                    {"months", MonthRange{s.first_month, s.last_month}.length()},
                    {"crimes", all}};
        totals["population"] = a->population ? json(*a->population) : json(nullptr);
        totals["per_1000"] =
            a->population && *a->population > 0
                ? json(std::round(static_cast<double>(all) * 1000.0 / *a->population * 100.0) / 100.0)
                : json(nullptr);
        r["crimes_total"] = totals;
        if (!a->bounds.empty()) {
            auto nw = geo::from_world_xy({a->bounds.min_x, a->bounds.min_y});
            auto se = geo::from_world_xy({a->bounds.max_x, a->bounds.max_y});
            r["bbox"] = json::array({nw.lon, se.lat, se.lon, nw.lat});
        }
    }
    r["crimes_by_month"] = monthly;
    r["indicators"] = indicators;
    return json_ok(std::move(r));
}

JsonReply area_performance(const Snapshot& s, std::string_view code, const QueryParams& params) {
    const std::string c(code);
    auto wanted = find_param(params, "indicator");
    json out = json::array();
    std::vector<std::string> codes;
    for (const auto& [ic, series] : s.indicators) codes.push_back(ic);
    std::sort(codes.begin(), codes.end());
    for (const auto& ic : codes) {
        if (wanted && *wanted != ic) continue;
        const auto& series = s.indicators.at(ic);
        json points = json::array();
        for (const auto& period : series.periods) {
            auto by = series.by_period.find(period);
            if (by == series.by_period.end()) continue;
            auto mine = by->second.find(c);
            if (mine == by->second.end()) continue;
            std::vector<double> values;
            for (const auto& [area, v] : by->second) values.push_back(v.value);
            // Nearest comparators: the areas whose values are closest to this one's.
            std::vector<std::pair<double, std::string>> near;
            for (const auto& [area, v] : by->second)
                if (area != c) near.emplace_back(std::abs(v.value - mine->second.value), area);
            std::sort(near.begin(), near.end());
            if (near.size() > comparators) near.resize(comparators);
            json comps = json::array();
            for (const auto& [d, area] : near) {
                const auto& v = by->second.at(area);
                comps.push_back(json{{"code", area},
                                     {"name", s.api ? json(s.api->name_of(area)) : json(nullptr)},
                                     {"value", v.value},
                                     {"rank", v.rank}});
            }
            auto optional = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
            points.push_back(json{{"period", period},
                                  {"value", mine->second.value},
                                  {"rank", mine->second.rank},
                                  {"of", mine->second.of},
                                  {"quintile", mine->second.quintile},
                                  {"target", optional(mine->second.target)},
                                  {"benchmark", optional(mine->second.benchmark)},
                                  {"national_median", median(values)},
                                  {"comparators", comps}});
        }
        if (points.empty()) continue;
        out.push_back(json{{"indicator", ic},
                           {"name", series.name},
                           {"unit", series.unit},
                           // rank 1 is the best value, or for neutral indicators simply the highest
                           {"polarity", to_string(series.polarity)},
                           {"series", points}});
    }
    if (out.empty())
        return json_error(
            404, wanted ? "No values of this indicator for this area" : "No indicators for this area");
    return json_ok(
        json{{"code", c}, {"name", s.api ? json(s.api->name_of(c)) : json(nullptr)}, {"indicators", out}});
}

}  // namespace crimemap::core
