#include "core/league.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/meeting_pack.hpp"  // html_escape
#include "core/report_text.hpp"
#include "core/similar.hpp"

namespace crimemap::core {
namespace {
using nlohmann::json;

double round2(double v) { return std::round(v * 100.0) / 100.0; }

// A CSV cell; text that a spreadsheet would run as a formula gets a leading apostrophe.
std::string csv_field(std::string_view s) {
    std::string v(s);
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v.insert(0, "'");
    return csv_quote(v);
}

std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~' || c == ',') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string_view kind_plural(AreaKind k) {
    switch (k) {
        case AreaKind::lsoa: return "LSOAs";
        case AreaKind::msoa: return "MSOAs";
        case AreaKind::ward: return "wards";
        case AreaKind::lad: return "districts";
        case AreaKind::pfa: return "police force areas";
        case AreaKind::neighbourhood: return "neighbourhoods";
    }
    return "areas";
}

std::string_view sort_name(LeagueSort s) {
    switch (s) {
        case LeagueSort::name: return "name";
        case LeagueSort::count: return "count";
        case LeagueSort::population: return "population";
        case LeagueSort::rate: return "rate";
        case LeagueSort::rank: break;
    }
    return "rank";
}

// Is `outer` a kind that contains areas of kind `inner` (through Area::parents)?
bool contains_kind(AreaKind outer, AreaKind inner) {
    switch (inner) {
        case AreaKind::lsoa: return outer != AreaKind::lsoa;
        case AreaKind::msoa:
        case AreaKind::ward:
        case AreaKind::neighbourhood: return outer == AreaKind::lad || outer == AreaKind::pfa;
        case AreaKind::lad: return outer == AreaKind::pfa;
        case AreaKind::pfa: return false;
    }
    return false;
}

std::string categories_label(const CrimeFilter& f) {
    if (f.all_categories()) return "All crime";
    std::string out;
    for (std::size_t i = 0; i < category_count; ++i)
        if (f.categories.test(i)) {
            if (!out.empty()) out += ", ";
            out += categories[i].name;
        }
    return out;
}

std::string categories_param(const CrimeFilter& f) {
    if (f.all_categories()) return "";
    std::string out;
    for (std::size_t i = 0; i < category_count; ++i)
        if (f.categories.test(i)) {
            if (!out.empty()) out += ',';
            out += categories[i].slug;
        }
    return out;
}

// The query string of a league with another sort (and format); parameters in a fixed order.
std::string league_query_string(const LeagueQuery& q, std::optional<LeagueSort> sort,
                                std::optional<bool> desc, bool csv) {
    std::string out = "kind=" + std::string(to_string(q.kind));
    if (q.indicator.empty()) {
        out += "&measure=crimes";
        if (auto c = categories_param(q.filter); !c.empty()) out += "&category=" + url_encode(c);
        out += "&from=" + q.filter.months.from.str() + "&to=" + q.filter.months.to.str();
    } else {
        out += "&indicator=" + url_encode(q.indicator) + "&period=" + url_encode(q.period);
    }
    if (!q.within.empty()) out += "&within=" + url_encode(q.within);
    const LeagueSort s = sort.value_or(q.sort);
    if (s != LeagueSort::rank) out += "&sort=" + std::string(sort_name(s));
    if (desc.value_or(q.descending)) out += "&order=desc";
    if (csv) out += "&format=csv";
    return out;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Competition ranking ("1224") of rows already in best-first order by `key`.
template <class Key>
void assign_ranks(std::vector<LeagueRow*>& ordered, Key key) {
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        if (i > 0 && key(*ordered[i]) == key(*ordered[i - 1]))
            ordered[i]->rank = ordered[i - 1]->rank;
        else
            ordered[i]->rank = static_cast<std::int32_t>(i) + 1;
    }
}

}  // namespace

Result<LeagueQuery> parse_league_query(const QueryParams& given, const Snapshot& s) {
    // The page's form sends every field; an empty one means "not given".
    QueryParams params;
    for (const auto& [k, v] : given)
        if (!v.empty()) params.emplace_back(k, v);
    LeagueQuery q;
    if (auto k = find_param(params, "kind")) {
        auto kind = area_kind_from_string(*k);
        if (!kind) return bad_request("Invalid kind: expected lsoa, msoa, ward, lad, pfa or neighbourhood");
        q.kind = *kind;
    }
    auto measure = find_param(params, "measure");
    auto indicator = find_param(params, "indicator");
    if (measure && *measure != "crimes")
        return bad_request("Invalid measure: expected crimes (or indicator=CODE)");
    if (measure && indicator)
        return bad_request("Invalid indicator: give measure=crimes or indicator=CODE, not both");
    if (indicator) {
        auto it = s.indicators.find(std::string(*indicator));
        if (it == s.indicators.end()) {
            std::string_view shown = indicator->substr(0, 64);
            return bad_request("Invalid indicator: unknown indicator '" + std::string(shown) +
                               "' (see /catalog)");
        }
        if (find_param(params, "kind") && q.kind != AreaKind::lad)
            return bad_request(
                "Invalid kind: indicators are published for districts and counties (kind=lad)");
        for (const char* p : {"category", "from", "to"})
            if (find_param(params, p))
                return bad_request("Invalid " + std::string(p) +
                                   ": crime filters do not apply to an indicator");
        q.indicator = it->first;
        if (it->second.periods.empty()) return bad_request("Invalid indicator: it has no values");
        q.period = it->second.periods.back();
        if (auto p = find_param(params, "period")) {
            if (std::find(it->second.periods.begin(), it->second.periods.end(), *p) ==
                it->second.periods.end())
                return bad_request("Invalid period: the indicator has no values for it");
            q.period = std::string(*p);
        }
    } else {
        if (find_param(params, "period")) return bad_request("Invalid period: use from and to for crimes");
        auto f = parse_comparison_filter(params, s);
        if (!f) return f.error();
        q.filter = *f;
        q.explicit_months = find_param(params, "from") || find_param(params, "to");
    }
    if (auto w = find_param(params, "within"); w && !w->empty()) {
        if (w->size() > 64) return bad_request("Invalid within: no such area");
        q.within = std::string(*w);
    }
    if (auto so = find_param(params, "sort")) {
        static constexpr std::pair<std::string_view, LeagueSort> names[] = {
            {"rank", LeagueSort::rank},
            {"name", LeagueSort::name},
            {"count", LeagueSort::count},
            {"value", LeagueSort::rate},
            {"population", LeagueSort::population},
            {"rate", LeagueSort::rate}};
        bool found = false;
        for (const auto& [n, v] : names)
            if (*so == n) q.sort = v, found = true;
        if (!found) return bad_request("Invalid sort: expected rank, name, count, population or rate");
    }
    if (auto o = find_param(params, "order")) {
        if (*o != "asc" && *o != "desc") return bad_request("Invalid order: expected asc or desc");
        q.descending = *o == "desc";
    }
    if (auto f = find_param(params, "format")) {
        if (*f != "json" && *f != "csv") return bad_request("Invalid format: expected json or csv");
        q.csv = *f == "csv";
    }
    return q;
}

Result<League> build_league(const Snapshot& s, const LeagueQuery& q) {
    League l;
    l.query = q;
    // Scope: the containing area (by the areas' parent codes), or a county's districts.
    std::optional<AreaKind> within_kind;
    bool within_county = false;
    if (!q.within.empty()) {
        for (auto k : all_area_kinds)
            if (s.find_area(k, q.within)) {
                within_kind = k;
                l.within_name = s.find_area(k, q.within)->name;
                break;
            }
        if (!within_kind) {
            for (auto i : s.areas_by_kind[static_cast<std::size_t>(AreaKind::lad)])
                if (s.areas[i].county == q.within) within_county = true;
            if (!within_county) return bad_request("Invalid within: no such area");
            if (q.kind != AreaKind::lad)
                return bad_request("Invalid within: a county contains districts (kind=lad)");
            l.within_name = s.api ? s.api->name_of(q.within) : q.within;
        } else if (!contains_kind(*within_kind, q.kind)) {
            return bad_request("Invalid within: " + std::string(kind_plural(q.kind)) +
                               " are not inside an area of kind " + std::string(to_string(*within_kind)));
        }
    }
    auto in_scope = [&](const Area& a) {
        if (q.within.empty()) return true;
        if (within_county) return a.county == q.within;
        return a.parent(*within_kind) == q.within;
    };
    auto parent_of = [&](const Area& a) {
        return a.kind == AreaKind::lad ? a.parent(AreaKind::pfa)
                                       : (a.kind == AreaKind::pfa ? std::string() : a.parent(AreaKind::lad));
    };

    if (q.indicator.empty()) {
        l.measure = "crimes";
        l.measure_name = categories_label(q.filter);
        l.polarity = Polarity::lower_is_better;
        std::set<std::string> periods;
        for (auto i : s.areas_by_kind[static_cast<std::size_t>(q.kind)]) {
            const Area& a = s.areas[i];
            if (!in_scope(a)) continue;
            LeagueRow row;
            row.code = a.code;
            row.name = a.name;
            row.parent = parent_of(a);
            row.count = filtered_crimes(s, a, q.filter);
            if (a.population && *a.population > 0) {
                row.population = a.population;
                row.rate = poisson_rate_interval(row.count, *a.population);
                l.total_count += row.count;
                l.total_population += *a.population;
                if (!a.population_source.period.empty()) periods.insert(a.population_source.period);
            }
            l.rows.push_back(std::move(row));
        }
        if (l.total_population > 0) {
            l.average = static_cast<double>(l.total_count) * rate_per / l.total_population;
            for (auto& r : l.rows)
                if (r.rate) r.band = band_of(*r.rate, *l.average);
        }
        for (const auto& p : periods) {
            if (!l.population_period.empty()) l.population_period += ", ";
            l.population_period += p;
        }
        std::vector<LeagueRow*> ranked;
        for (auto& r : l.rows)
            if (r.rate) ranked.push_back(&r);
        std::sort(ranked.begin(), ranked.end(), [](const LeagueRow* a, const LeagueRow* b) {
            return a->rate->rate != b->rate->rate ? a->rate->rate < b->rate->rate : a->code < b->code;
        });
        assign_ranks(ranked, [](const LeagueRow& r) { return r.rate->rate; });
        l.ranked = static_cast<std::int32_t>(ranked.size());
        l.title = "Crimes per 1,000 residents: " + std::string(kind_plural(q.kind)) +
                  (l.within_name.empty() ? "" : " in " + l.within_name) + ", " + q.filter.months.from.str() +
                  (q.filter.months.length() > 1 ? " to " + q.filter.months.to.str() : "");
    } else {
        const auto& series = s.indicators.at(q.indicator);
        l.measure = q.indicator;
        l.measure_name = series.name;
        l.unit = series.unit;
        l.polarity = series.polarity;
        l.periods = series.periods;
        const auto& values = series.by_period.at(q.period);
        std::vector<double> all;
        for (const auto& [code, v] : values) all.push_back(v.value);
        l.average = median(all);
        // Districts in scope, and the counties over them (county-level indicators).
        std::set<std::string> scope;
        for (auto i : s.areas_by_kind[static_cast<std::size_t>(AreaKind::lad)]) {
            const Area& a = s.areas[i];
            if (!in_scope(a)) continue;
            scope.insert(a.code);
            if (!a.county.empty()) scope.insert(a.county);
        }
        if (within_county) scope.insert(q.within);
        for (const auto& [code, v] : values) {
            if (!q.within.empty() && !scope.count(code)) continue;
            LeagueRow row;
            row.code = code;
            const Area* a = s.find_area(AreaKind::lad, code);
            row.name = a ? a->name : (s.api ? s.api->name_of(code) : std::string());
            if (a) row.parent = a->parent(AreaKind::pfa);
            row.value = v.value;
            row.rank = v.rank;
            row.quintile = v.quintile;
            l.rows.push_back(std::move(row));
        }
        l.ranked = static_cast<std::int32_t>(l.rows.size());
        l.title = series.name + " (" + q.indicator + "), " + q.period +
                  (l.within_name.empty() ? "" : ", authorities in " + l.within_name);
    }

    // The requested order; unranked rows (no population) always last.
    const bool desc = q.descending;
    std::stable_sort(l.rows.begin(), l.rows.end(), [&](const LeagueRow& a, const LeagueRow& b) {
        if (a.rank.has_value() != b.rank.has_value()) return a.rank.has_value();
        auto cmp = [&](auto x, auto y) { return desc ? y < x : x < y; };
        switch (q.sort) {
            case LeagueSort::name:
                if (a.name != b.name) return cmp(a.name, b.name);
                break;
            case LeagueSort::count:
                if (a.count != b.count) return cmp(a.count, b.count);
                break;
            case LeagueSort::population:
                if (a.population.value_or(0) != b.population.value_or(0))
                    return cmp(a.population.value_or(0), b.population.value_or(0));
                break;
            case LeagueSort::rate: {
                const double x = a.rate ? a.rate->rate : a.value.value_or(0);
                const double y = b.rate ? b.rate->rate : b.value.value_or(0);
                if (x != y) return cmp(x, y);
                break;
            }
            case LeagueSort::rank: break;
        }
        if (a.rank != b.rank) return cmp(a.rank.value_or(0), b.rank.value_or(0));
        return a.code < b.code;
    });
    return l;
}

json league_json(const League& l) {
    const auto& q = l.query;
    json rows = json::array();
    for (const auto& r : l.rows) {
        json j{{"rank", r.rank ? json(*r.rank) : json(nullptr)}, {"code", r.code}, {"name", r.name}};
        j["parent"] = r.parent.empty() ? json(nullptr) : json(r.parent);
        if (q.indicator.empty()) {
            j["count"] = r.count;
            j["population"] = r.population ? json(*r.population) : json(nullptr);
            j["per_1000"] = r.rate ? json(round2(r.rate->rate)) : json(nullptr);
            j["ci95"] = r.rate ? json::array({round2(r.rate->lower), round2(r.rate->upper)}) : json(nullptr);
            j["band"] = r.band ? json(to_string(*r.band)) : json(nullptr);
        } else {
            j["value"] = *r.value;
            j["quintile"] = r.quintile;
        }
        rows.push_back(std::move(j));
    }
    json out{{"kind", to_string(q.kind)},
             {"title", l.title},
             {"measure", l.measure},
             {"measure_name", l.measure_name},
             {"polarity", to_string(l.polarity)},
             {"order",
              q.indicator.empty() ? "rank 1 = the lowest rate" : "rank 1 = the best value by the polarity"},
             {"within", q.within.empty() ? json(nullptr) : json{{"code", q.within}, {"name", l.within_name}}},
             {"ranked", l.ranked},
             {"rows", rows}};
    if (q.indicator.empty()) {
        out["period"] = json{{"from", q.filter.months.from.str()},
                             {"to", q.filter.months.to.str()},
                             {"months", q.filter.months.length()}};
        out["category"] =
            categories_param(q.filter).empty() ? json("all-crime") : json(categories_param(q.filter));
        out["population_period"] = l.population_period.empty() ? json(nullptr) : json(l.population_period);
        out["comparison"] = json{
            {"per_1000", l.average ? json(round2(*l.average)) : json(nullptr)},
            {"crimes", l.total_count},
            {"population", l.total_population},
            {"description", "pooled rate of the ranked areas: their crimes per 1,000 of their residents"}};
        out["method"] =
            "Rates are crimes in the period per 1,000 residents. 95% confidence intervals are exact Poisson "
            "(Garwood: chi-square quantiles). Band: significantly higher or lower when the interval excludes "
            "the comparison rate, else not significantly different.";
    } else {
        out["period"] = q.period;
        out["periods"] = l.periods;
        out["unit"] = l.unit;
        out["comparison"] = json{{"national_median", l.average ? json(*l.average) : json(nullptr)}};
        out["method"] =
            "Ranked by the indicator's polarity among every authority with a value for the period. The "
            "indicator file gives no numerators or denominators, so no confidence interval or band.";
    }
    out["csv"] = "/v1/league?" + league_query_string(q, std::nullopt, std::nullopt, true);
    out["page"] = "/league?" + league_query_string(q, std::nullopt, std::nullopt, false);
    return out;
}

std::string league_csv(const League& l) {
    const auto& q = l.query;
    std::string out;
    if (q.indicator.empty()) {
        out =
            "rank,code,name,parent,crimes,population,per_1000,ci95_lower,ci95_upper,band,comparison_per_1000,"
            "from,to,category,population_period\n";
        const std::string tail =
            "," + (l.average ? format_number("%.2f", *l.average) : std::string()) + "," +
            q.filter.months.from.str() + "," + q.filter.months.to.str() + "," +
            csv_field(categories_param(q.filter).empty() ? "all-crime" : categories_param(q.filter)) + "," +
            csv_field(l.population_period) + "\n";
        for (const auto& r : l.rows) {
            out +=
                (r.rank ? std::to_string(*r.rank) : "") + "," + csv_field(r.code) + "," + csv_field(r.name) +
                "," + csv_field(r.parent) + "," + std::to_string(r.count) + "," +
                (r.population ? std::to_string(*r.population) : "") + "," +
                (r.rate ? format_number("%.2f", r.rate->rate) + "," + format_number("%.2f", r.rate->lower) +
                              "," + format_number("%.2f", r.rate->upper)
                        : std::string(",,")) +
                "," + (r.band ? std::string(to_string(*r.band)) : "") + tail;
        }
    } else {
        out = "rank,code,name,parent,value,unit,quintile,polarity,national_median,indicator,period\n";
        for (const auto& r : l.rows)
            out += std::to_string(r.rank.value_or(0)) + "," + csv_field(r.code) + "," + csv_field(r.name) +
                   "," + csv_field(r.parent) + "," + format_number("%.10g", *r.value) + "," +
                   csv_field(l.unit) + "," + std::to_string(r.quintile) + "," +
                   std::string(to_string(l.polarity)) + "," +
                   (l.average ? format_number("%.10g", *l.average) : std::string()) + "," +
                   csv_field(q.indicator) + "," + csv_field(q.period) + "\n";
    }
    return out;
}

std::string league_funnel_svg(const League& l) {
    if (!l.query.indicator.empty() || !l.average || l.ranked == 0) return {};
    constexpr double W = 640, H = 360, left = 56, right = 16, top = 16, bottom = 44;
    double min_pop = 1e18, max_pop = 0, max_rate = 0;
    for (const auto& r : l.rows)
        if (r.rate) {
            min_pop = std::min(min_pop, static_cast<double>(*r.population));
            max_pop = std::max(max_pop, static_cast<double>(*r.population));
            max_rate = std::max(max_rate, r.rate->rate);
        }
    if (max_pop <= 0) return {};
    min_pop = std::max(1.0, min_pop * 0.9);
    max_pop *= 1.1;
    // Limits at the smallest population bound the y axis, so the funnel is seen whole.
    max_rate = std::max({max_rate, funnel_limits(*l.average, min_pop, 0.998).upper, *l.average * 2}) * 1.05;
    // A round top for the axis: 1, 2, 4 or 5 times a power of ten, so the quarter ticks read well.
    const double step = std::pow(10.0, std::floor(std::log10(max_rate)));
    for (double m : {1.0, 2.0, 4.0, 5.0, 10.0})
        if (m * step >= max_rate) {
            max_rate = m * step;
            break;
        }
    const bool log_x = max_pop / min_pop > 20;
    auto x = [&](double pop) {
        const double t = log_x ? (std::log(pop) - std::log(min_pop)) / (std::log(max_pop) - std::log(min_pop))
                               : (pop - min_pop) / (max_pop - min_pop);
        return left + t * (W - left - right);
    };
    auto y = [&](double rate) { return top + (1 - rate / max_rate) * (H - top - bottom); };
    std::string svg =
        "<svg viewBox=\"0 0 640 360\" role=\"img\" aria-labelledby=\"funnel-title funnel-desc\">";
    svg += "<title id=\"funnel-title\">Funnel plot: crimes per 1,000 residents against residents</title>";
    svg += "<desc id=\"funnel-desc\">Each dot is an area. The line is the comparison rate (" +
           format_number("%.2f", *l.average) +
           " per 1,000); the dashed and dotted curves are its 95% and 99.8% control limits. Dots outside the "
           "limits differ from it by more than chance would explain. The table below gives the same "
           "figures.</desc>";
    svg += "<rect x=\"0\" y=\"0\" width=\"640\" height=\"360\" fill=\"#fff\"/>";
    // Axes and ticks.
    svg += "<line x1=\"" + format_number("%.1f", left) + "\" y1=\"" + format_number("%.1f", H - bottom) +
           "\" x2=\"" + format_number("%.1f", W - right) + "\" y2=\"" + format_number("%.1f", H - bottom) +
           "\" stroke=\"#333\"/>";
    svg += "<line x1=\"" + format_number("%.1f", left) + "\" y1=\"" + format_number("%.1f", top) +
           "\" x2=\"" + format_number("%.1f", left) + "\" y2=\"" + format_number("%.1f", H - bottom) +
           "\" stroke=\"#333\"/>";
    for (int i = 0; i <= 4; ++i) {
        const double rate = max_rate * i / 4;
        svg += "<text x=\"" + format_number("%.1f", left - 6) + "\" y=\"" +
               format_number("%.1f", y(rate) + 4) + "\" font-size=\"11\" text-anchor=\"end\">" +
               format_number(max_rate < 10 ? "%.1f" : "%.0f", rate) + "</text>";
    }
    for (int i = 0; i <= 4; ++i) {
        const double t = i / 4.0;
        const double pop = log_x ? std::exp(std::log(min_pop) + t * (std::log(max_pop) - std::log(min_pop)))
                                 : min_pop + t * (max_pop - min_pop);
        svg += "<text x=\"" + format_number("%.1f", x(pop)) + "\" y=\"" +
               format_number("%.1f", H - bottom + 16) + "\" font-size=\"11\" text-anchor=\"middle\">" +
               format_number("%.0f", pop) + "</text>";
    }
    svg += "<text x=\"" + format_number("%.1f", (left + W - right) / 2) +
           "\" y=\"354\" font-size=\"12\" text-anchor=\"middle\">Residents" +
           std::string(log_x ? " (log scale)" : "") + "</text>";
    svg += "<text x=\"14\" y=\"" + format_number("%.1f", (top + H - bottom) / 2) +
           "\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 " +
           format_number("%.1f", (top + H - bottom) / 2) + ")\">Crimes per 1,000</text>";
    // Control limits.
    for (const auto& [confidence, dash] : {std::pair{0.95, "6 4"}, std::pair{0.998, "2 3"}}) {
        std::string lo, hi;
        for (int i = 0; i <= 60; ++i) {
            const double t = i / 60.0;
            const double pop = log_x
                                   ? std::exp(std::log(min_pop) + t * (std::log(max_pop) - std::log(min_pop)))
                                   : min_pop + t * (max_pop - min_pop);
            auto lim = funnel_limits(*l.average, pop, confidence);
            lo += format_number("%.1f", x(pop)) + "," +
                  format_number("%.1f", y(std::min(lim.lower, max_rate))) + " ";
            hi += format_number("%.1f", x(pop)) + "," +
                  format_number("%.1f", y(std::min(lim.upper, max_rate))) + " ";
        }
        for (const auto* pts : {&lo, &hi})
            svg += "<polyline fill=\"none\" stroke=\"#555\" stroke-dasharray=\"" + std::string(dash) +
                   "\" points=\"" + *pts + "\"/>";
    }
    svg += "<line x1=\"" + format_number("%.1f", left) + "\" y1=\"" + format_number("%.1f", y(*l.average)) +
           "\" x2=\"" + format_number("%.1f", W - right) + "\" y2=\"" + format_number("%.1f", y(*l.average)) +
           "\" stroke=\"#000\"/>";
    // Points: shape and colour by band (Okabe-Ito orange / blue, grey), so colour is never alone.
    for (const auto& r : l.rows) {
        if (!r.rate) continue;
        const double px = x(*r.population), py = y(std::min(r.rate->rate, max_rate));
        const std::string tip = "<title>" + html_escape(r.name) + ": " + format_number("%.2f", r.rate->rate) +
                                " per 1,000, " + std::to_string(*r.population) + " residents</title>";
        if (r.band == Band::higher)
            svg += "<path d=\"M" + format_number("%.1f", px) + " " + format_number("%.1f", py - 5) +
                   "l5 9h-10z\" fill=\"#d55e00\">" + tip + "</path>";
        else if (r.band == Band::lower)
            svg += "<path d=\"M" + format_number("%.1f", px) + " " + format_number("%.1f", py + 5) +
                   "l5 -9h-10z\" fill=\"#0072b2\">" + tip + "</path>";
        else
            svg += "<circle cx=\"" + format_number("%.1f", px) + "\" cy=\"" + format_number("%.1f", py) +
                   "\" r=\"3.5\" fill=\"#fff\" stroke=\"#555\">" + tip + "</circle>";
    }
    svg += "</svg>";
    return svg;
}

std::string league_html(const League& l, const Snapshot& s) {
    const auto& q = l.query;
    const bool crimes = q.indicator.empty();
    std::string h;
    h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\"><title>" +
         html_escape("League table: " + l.title) + "</title>\n";
    h += "<style>body{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:64em;padding:0 "
         "1em;color:#1b1b1b}"
         "h1{font-size:1.5em;margin:.2em 0}table{border-collapse:collapse;width:100%}"
         "td,th{border-bottom:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}"
         "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th a{color:inherit}"
         "a{color:#0b5394}a:focus,input:focus,select:focus,button:focus{outline:3px solid "
         "#fd0;outline-offset:1px}"
         "form{display:flex;flex-wrap:wrap;gap:.6em 1em;align-items:flex-end;background:#f3f3f3;padding:.8em;"
         "margin:1em 0}label{display:flex;flex-direction:column;font-size:.9em}"
         "input,select,button{font:inherit;padding:.2em .3em}.higher{color:#a33a00}.lower{color:#005a8c}"
         ".note{color:#444;font-size:.92em}figure{margin:1em 0}svg{max-width:100%;height:auto}"
         "nav.links{margin:1em 0}@media "
         "print{form,.links{display:none}body{margin:0;max-width:none}tr{break-inside:avoid}}"
         "</style></head><body>\n";
    // In a landmark (axe: region), as a navigation aid.
    h += "<nav class=\"links\" aria-label=\"Site\"><a href=\"/\">Back to the map</a></nav>\n";
    h += "<main><h1>" + html_escape(l.title) + "</h1>\n";
    // Filters: a plain GET form, so the page needs no script.
    h += "<form method=\"get\" action=\"/league\" aria-label=\"League table filters\">";
    h += "<label>Areas<select name=\"kind\">";
    for (auto k : all_area_kinds)
        h += "<option value=\"" + std::string(to_string(k)) + "\"" + (k == q.kind ? " selected" : "") + ">" +
             std::string(kind_plural(k)) + "</option>";
    h += "</select></label>";
    h += "<label>Indicator (blank for crimes)<select name=\"indicator\"><option value=\"\">Crimes per 1,000 "
         "residents</option>";
    std::vector<std::string> codes;
    for (const auto& [code, series] : s.indicators) codes.push_back(code);
    std::sort(codes.begin(), codes.end());
    for (const auto& code : codes)
        h += "<option value=\"" + html_escape(code) + "\"" + (code == q.indicator ? " selected" : "") + ">" +
             html_escape(code + ": " + s.indicators.at(code).name) + "</option>";
    h += "</select></label>";
    h += "<label>Category<select name=\"category\"><option value=\"\">All crime</option>";
    const std::string cat = categories_param(q.filter);
    for (std::size_t i = 0; i < category_count; ++i)
        h += "<option value=\"" + std::string(categories[i].slug) + "\"" +
             (crimes && cat == categories[i].slug ? " selected" : "") + ">" +
             html_escape(categories[i].name) + "</option>";
    h += "</select></label>";
    h += "<label>From<input type=\"month\" name=\"from\" min=\"" + s.first_month.str() + "\" max=\"" +
         s.last_month.str() + "\" value=\"" + (crimes ? q.filter.months.from.str() : "") + "\"></label>";
    h += "<label>To<input type=\"month\" name=\"to\" min=\"" + s.first_month.str() + "\" max=\"" +
         s.last_month.str() + "\" value=\"" + (crimes ? q.filter.months.to.str() : "") + "\"></label>";
    h += "<label>Within (area code)<input name=\"within\" size=\"12\" value=\"" + html_escape(q.within) +
         "\"></label>";
    h += "<button type=\"submit\">Show</button></form>\n";
    h += "<p class=\"links\"><a href=\"/v1/league?" +
         html_escape(league_query_string(q, std::nullopt, std::nullopt, true)) +
         "\" download>Download CSV</a> · <a href=\"/v1/league?" +
         html_escape(league_query_string(q, std::nullopt, std::nullopt, false)) + "\">JSON</a></p>\n";
    if (crimes) {
        h += "<p>" + html_escape(l.measure_name) + ", " + q.filter.months.from.str() + " to " +
             q.filter.months.to.str() + " (" + std::to_string(q.filter.months.length()) +
             (q.filter.months.length() == 1 ? " month" : " months") + "), per 1,000 residents" +
             (l.population_period.empty()
                  ? ""
                  : " (population estimates " + html_escape(l.population_period) + ")") +
             ". Comparison rate: <strong>" +
             (l.average ? format_number("%.2f", *l.average) : std::string("n/a")) +
             "</strong> per 1,000, the crimes of all " + std::to_string(l.ranked) + " ranked " +
             std::string(kind_plural(q.kind)) +
             " per 1,000 of their residents. Rank 1 is the lowest rate.</p>\n";
        h += "<p class=\"note\">The 95% confidence interval is exact Poisson. <span class=\"higher\">▲ "
             "Significantly "
             "higher</span> or <span class=\"lower\">▼ significantly lower</span> means the interval "
             "excludes the "
             "comparison rate; ● not significantly different means chance could explain the difference. "
             "Residents "
             "are counted where they live, so areas with many visitors (town centres) show high rates.</p>\n";
        if (auto svg = league_funnel_svg(l); !svg.empty())
            h += "<figure>" + svg +
                 "<figcaption class=\"note\">Funnel plot: rate against residents, with the comparison rate "
                 "and its "
                 "95% (dashed) and 99.8% (dotted) control limits.</figcaption></figure>\n";
    } else {
        h += "<p>" + html_escape(l.measure_name) + " (" + html_escape(l.unit) + "), " +
             html_escape(q.period) + ". Polarity: " + std::string(to_string(l.polarity)) +
             "; rank 1 is the best value" +
             (l.polarity == Polarity::neutral ? " (neutral indicator: the highest)" : "") +
             ". National median: " + (l.average ? format_number("%.10g", *l.average) : std::string("n/a")) +
             ".</p>\n";
        h += "<p class=\"note\">The indicator file gives no numerators or denominators, so no confidence "
             "intervals "
             "or significance bands are shown.</p>\n";
    }
    // Table with sortable headers (links; aria-sort on the sorted one).
    auto header = [&](const std::string& label, LeagueSort sort, bool numeric) {
        const bool active = q.sort == sort;
        const bool next_desc = active ? !q.descending : false;
        std::string th = "<th scope=\"col\"" + std::string(numeric ? " class=\"n\"" : "");
        if (active) th += std::string(" aria-sort=\"") + (q.descending ? "descending" : "ascending") + "\"";
        th += "><a href=\"/league?" + html_escape(league_query_string(q, sort, next_desc, false)) + "\">" +
              label + (active ? (q.descending ? " ▼" : " ▲") : "") + "</a></th>";
        return th;
    };
    h += "<table><caption class=\"note\">" + html_escape(l.title) + ": " + std::to_string(l.rows.size()) +
         " rows; select a column heading to sort by it</caption><thead><tr>";
    h += header("Rank", LeagueSort::rank, true) + header("Area", LeagueSort::name, false);
    h += std::string("<th scope=\"col\">") + (q.kind == AreaKind::lad ? "Force area" : "District") + "</th>";
    if (crimes) {
        h += header("Crimes", LeagueSort::count, true) + header("Residents", LeagueSort::population, true) +
             header("Per 1,000", LeagueSort::rate, true) +
             "<th scope=\"col\" class=\"n\">95% interval</th><th scope=\"col\">Against the comparison "
             "rate</th>";
    } else {
        h += header("Value", LeagueSort::rate, true) + "<th scope=\"col\" class=\"n\">Quintile</th>";
    }
    h += "</tr></thead><tbody>\n";
    auto name_of = [&](const std::string& code) {
        if (code.empty()) return std::string();
        for (auto k : {AreaKind::lad, AreaKind::pfa})
            if (const auto* a = s.find_area(k, code)) return a->name;
        return s.api ? s.api->name_of(code) : code;
    };
    for (const auto& r : l.rows) {
        h += "<tr><td class=\"n\">" + (r.rank ? std::to_string(*r.rank) : std::string("–")) +
             "</td><th scope=\"row\">" + html_escape(r.name.empty() ? r.code : r.name) +
             " <span class=\"note\">" + html_escape(r.code) + "</span></th><td>" +
             html_escape(name_of(r.parent)) + "</td>";
        if (crimes) {
            h += "<td class=\"n\">" + std::to_string(r.count) + "</td><td class=\"n\">" +
                 (r.population ? std::to_string(*r.population) : std::string("unknown")) + "</td>";
            if (r.rate) {
                h += "<td class=\"n\">" + format_number("%.2f", r.rate->rate) + "</td><td class=\"n\">" +
                     format_number("%.2f", r.rate->lower) + "–" + format_number("%.2f", r.rate->upper) +
                     "</td>";
                if (r.band == Band::higher)
                    h += "<td class=\"higher\">▲ significantly higher</td>";
                else if (r.band == Band::lower)
                    h += "<td class=\"lower\">▼ significantly lower</td>";
                else
                    h += "<td>● not significantly different</td>";
            } else {
                h += "<td class=\"n\">–</td><td class=\"n\">–</td><td>no population</td>";
            }
        } else {
            h += "<td class=\"n\">" + format_number("%.10g", *r.value) + "</td><td class=\"n\">" +
                 std::to_string(r.quintile) + "</td>";
        }
        h += "</tr>\n";
    }
    h += "</tbody></table>\n";
    h += "<p class=\"note\">Sources: police.uk street-level crime data; ONS mid-year population estimates; "
         "Contains public sector information licensed under the Open Government Licence v3.0.</p></main>\n";
    h += "</body></html>\n";
    return h;
}

}  // namespace crimemap::core
