#include "core/similar.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/area_report.hpp"
#include "core/rates.hpp"
#include "core/summary.hpp"

namespace crimemap::core {
namespace {
using nlohmann::json;

struct Accumulator {
    double population = 0;  // of the LSOAs with data
    std::array<double, similarity_domains> rank_sum{};
    std::array<double, 9> supergroup{};
    std::int32_t lsoas = 0;
};

bool lsoa_has_data(const Area& a) {
    return a.deprivation && a.classification && a.population && *a.population > 0 &&
           a.classification->supergroup >= 1 && a.classification->supergroup <= 9;
}

// Rounded to `unit` (0.01, 0.001, 1): divides by the inverse, so 592.55 stays 592.55.
double round_to(double v, double unit) {
    const double inverse = std::round(1.0 / unit);
    return std::round(v * inverse) / inverse;
}

json rate_json(std::uint64_t crimes, const std::optional<std::int32_t>& population) {
    json r{{"crimes", crimes}, {"population", population ? json(*population) : json(nullptr)}};
    auto ci = population ? poisson_rate_interval(crimes, *population) : std::nullopt;
    r["per_1000"] = ci ? json(round_to(ci->rate, 0.01)) : json(nullptr);
    r["ci95"] = ci ? json::array({round_to(ci->lower, 0.01), round_to(ci->upper, 0.01)}) : json(nullptr);
    return r;
}

std::optional<Within> parse_within(std::string_view text) {
    if (text == "country") return Within::country;
    if (text == "force") return Within::force;
    return std::nullopt;
}

}  // namespace

void build_similarity_index(Snapshot& s) {
    // LSOA data rolled up to every containing area (by the LSOA's representative point).
    std::array<std::unordered_map<std::string, Accumulator>, 6> rolled;
    for (auto i : s.areas_by_kind[static_cast<std::size_t>(AreaKind::lsoa)]) {
        const Area& l = s.areas[i];
        if (!lsoa_has_data(l)) continue;
        const double pop = *l.population;
        for (auto k : all_area_kinds) {
            if (k == AreaKind::lsoa || l.parent(k).empty()) continue;
            auto& acc = rolled[static_cast<std::size_t>(k)][l.parent(k)];
            acc.population += pop;
            for (std::size_t d = 0; d < similarity_domains; ++d)
                acc.rank_sum[d] += pop * l.deprivation->rank[d + 1];
            acc.supergroup[static_cast<std::size_t>(l.classification->supergroup - 1)] += pop;
            ++acc.lsoas;
        }
    }
    for (auto kind : all_area_kinds) {
        auto& index = s.similarity[static_cast<std::size_t>(kind)];
        index = {};
        for (auto i : s.areas_by_kind[static_cast<std::size_t>(kind)]) {
            const Area& a = s.areas[i];
            if (!a.population || *a.population <= 0 || !(a.area_km2 > 0)) continue;
            AreaProfile p;
            p.area = i;
            p.density = *a.population / a.area_km2;
            if (kind == AreaKind::lsoa) {
                if (!lsoa_has_data(a)) continue;
                for (std::size_t d = 0; d < similarity_domains; ++d)
                    p.domain_rank[d] = a.deprivation->rank[d + 1];
                p.supergroup_share[static_cast<std::size_t>(a.classification->supergroup - 1)] = 1.0;
                p.lsoas = 1;
            } else {
                auto it = rolled[static_cast<std::size_t>(kind)].find(a.code);
                if (it == rolled[static_cast<std::size_t>(kind)].end()) continue;
                const auto& acc = it->second;
                if (acc.population < similarity_min_coverage * *a.population) continue;
                for (std::size_t d = 0; d < similarity_domains; ++d)
                    p.domain_rank[d] = acc.rank_sum[d] / acc.population;
                for (std::size_t g = 0; g < 9; ++g)
                    p.supergroup_share[g] = acc.supergroup[g] / acc.population;
                p.lsoas = acc.lsoas;
            }
            index.by_area.emplace(i, index.profiles.size());
            index.profiles.push_back(p);
        }
        // Standardise over the kind: z = (x - mean) / sd (population sd; 0 when all are equal).
        auto measure = [](const AreaProfile& p, std::size_t m) {
            return m < similarity_domains ? p.domain_rank[m] : std::log10(p.density);
        };
        const auto n = static_cast<double>(index.profiles.size());
        if (index.profiles.empty()) continue;
        for (std::size_t m = 0; m < similarity_numeric; ++m) {
            double sum = 0, sq = 0;
            for (const auto& p : index.profiles) sum += measure(p, m);
            const double mean = sum / n;
            for (const auto& p : index.profiles) sq += (measure(p, m) - mean) * (measure(p, m) - mean);
            index.mean[m] = mean;
            index.sd[m] = std::sqrt(sq / n);
            for (auto& p : index.profiles)
                p.z[m] = index.sd[m] > 0 ? (measure(p, m) - mean) / index.sd[m] : 0.0;
        }
    }
}

const AreaProfile* profile_of(const Snapshot& s, const Area& area) {
    const auto& index = s.similarity[static_cast<std::size_t>(area.kind)];
    const auto self = static_cast<std::uint32_t>(&area - s.areas.data());
    auto it = index.by_area.find(self);
    return it == index.by_area.end() ? nullptr : &index.profiles[it->second];
}

std::vector<SimilarArea> find_similar(const Snapshot& s, const Area& area, std::size_t n, Within within) {
    std::vector<SimilarArea> out;
    const AreaProfile* me = profile_of(s, area);
    if (!me) return out;
    const auto& index = s.similarity[static_cast<std::size_t>(area.kind)];
    const std::string& force = area.kind == AreaKind::pfa ? area.code : area.parent(AreaKind::pfa);
    for (const auto& p : index.profiles) {
        if (p.area == me->area) continue;
        const Area& other = s.areas[p.area];
        if (within == Within::force && (force.empty() || other.parent(AreaKind::pfa) != force)) continue;
        double d2 = 0;
        for (std::size_t m = 0; m < similarity_numeric; ++m) d2 += (p.z[m] - me->z[m]) * (p.z[m] - me->z[m]);
        double overlap = 0;
        for (std::size_t g = 0; g < 9; ++g)
            overlap += std::min(p.supergroup_share[g], me->supergroup_share[g]);
        const double c = 1.0 - std::min(1.0, overlap);
        d2 += similarity_class_weight * c * c;
        out.push_back({&other, std::sqrt(d2)});
    }
    const auto keep = std::min(n, out.size());
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(),
                      [](const SimilarArea& a, const SimilarArea& b) {
                          return a.distance != b.distance ? a.distance < b.distance
                                                          : a.area->code < b.area->code;
                      });
    out.resize(keep);
    return out;
}

Result<CrimeFilter> parse_comparison_filter(const QueryParams& params, const Snapshot& s) {
    auto f = parse_crime_filter(params, s);
    if (!f) return f;
    if (!find_param(params, "from") && !find_param(params, "to")) {
        Month from = s.last_month.plus(-11);
        if (from < s.first_month) from = s.first_month;
        f->months = {from, s.last_month};
    }
    return f;
}

std::uint64_t filtered_crimes(const Snapshot& s, const Area& a, const CrimeFilter& f) {
    auto c = area_counts(s, a, f.months);
    std::uint64_t t = 0;
    for (std::size_t i = 0; i < category_count; ++i)
        if (f.categories.test(i)) t += c[i];
    return t;
}

json similar_comparison_json(const Snapshot& s, const Area& area, std::size_t n, Within within,
                             const CrimeFilter& f) {
    auto similar = find_similar(s, area, n, within);
    auto describe = [&](const Area& a) {
        json j{{"code", a.code}, {"name", a.name}, {"kind", to_string(a.kind)}};
        if (!a.parent(AreaKind::lad).empty())
            j["district"] =
                json{{"code", a.parent(AreaKind::lad)},
                     {"name", s.api ? json(s.api->name_of(a.parent(AreaKind::lad))) : json(nullptr)}};
        j.update(rate_json(filtered_crimes(s, a, f), a.population));
        if (const auto* p = profile_of(s, a)) {
            j["density_per_km2"] = round_to(p->density, 1);
            if (a.deprivation) j["imd_decile"] = a.deprivation->decile[0];
            if (a.classification)
                j["classification"] =
                    json{{"group", a.classification->group}, {"name", a.classification->name}};
        }
        return j;
    };
    json me = describe(area);
    json rows = json::array();
    std::uint64_t crimes = 0;
    double population = 0;
    std::optional<double> lo, hi;
    for (std::size_t i = 0; i < similar.size(); ++i) {
        json row = describe(*similar[i].area);
        row["similarity_rank"] = i + 1;
        row["distance"] = round_to(similar[i].distance, 0.001);
        if (similar[i].area->population && *similar[i].area->population > 0) {
            const std::uint64_t c = filtered_crimes(s, *similar[i].area, f);
            crimes += c;
            population += *similar[i].area->population;
            const double r = static_cast<double>(c) * rate_per / *similar[i].area->population;
            lo = lo ? std::min(*lo, r) : r;
            hi = hi ? std::max(*hi, r) : r;
        }
        rows.push_back(std::move(row));
    }
    json group{{"areas", similar.size()}, {"crimes", crimes}, {"population", population}};
    if (population > 0) {
        const double average = static_cast<double>(crimes) * rate_per / population;
        group["per_1000"] = round_to(average, 0.01);
        group["min_per_1000"] = round_to(*lo, 0.01);
        group["max_per_1000"] = round_to(*hi, 0.01);
        if (auto ci = area.population ? poisson_rate_interval(filtered_crimes(s, area, f), *area.population)
                                      : std::nullopt)
            me["band"] = to_string(band_of(*ci, average));
    } else {
        group["per_1000"] = nullptr;
    }
    return json{
        {"area", me},
        {"period",
         json{{"from", f.months.from.str()}, {"to", f.months.to.str()}, {"months", f.months.length()}}},
        {"within", within == Within::force ? "force" : "country"},
        {"similar", rows},
        {"group", group}};
}

JsonReply similar_areas(const Snapshot& s, std::string_view code, const QueryParams& params) {
    std::size_t n = similar_default;
    if (auto t = find_param(params, "n")) {
        std::size_t v = 0;
        bool ok = !t->empty() && t->size() <= 3;
        for (char c : *t) {
            ok = ok && c >= '0' && c <= '9';
            if (!ok) break;  // a long or non-digit value is refused before it can overflow
            v = v * 10 + static_cast<std::size_t>(c - '0');
        }
        if (!ok || v < 1 || v > similar_max)
            return json_error(400, "Invalid n: expected 1.." + std::to_string(similar_max));
        n = v;
    }
    Within within = Within::country;
    if (auto w = find_param(params, "within")) {
        auto parsed = parse_within(*w);
        if (!parsed) return json_error(400, "Invalid within: expected force or country");
        within = *parsed;
    }
    auto f = parse_comparison_filter(params, s);
    if (!f) return json_error(400, f.error().detail);
    if (code.size() > 64) return json_error(404, "Area not found");
    const Area* a = find_area_any(s, code);
    if (!a) return json_error(404, "Area not found");
    if (a->kind == AreaKind::msoa)
        return json_error(404,
                          "Similar areas are for LSOAs, wards, districts, force areas and neighbourhoods");
    if (within == Within::force && a->kind == AreaKind::pfa)
        return json_error(400, "Invalid within: a force area has no similar areas within itself");
    if (!profile_of(s, *a))
        return json_error(404,
                          "No similarity profile for this area: it needs a population, and deprivation and "
                          "area-classification data for (most of) its LSOAs");
    json body = similar_comparison_json(s, *a, n, within, *f);
    body["method"] =
        "Home Office 'most similar groups' style: Euclidean distance over the seven IoD2019 deprivation "
        "domains (mean rank of the area's LSOAs, population-weighted) and log10 population density, each "
        "standardised over all areas of this kind, plus the ONS 2011 area classification (1 - supergroup "
        "overlap, weight 2). Rates are crimes per 1,000 residents for the period with exact Poisson 95% "
        "intervals; the group average pools the similar areas' crimes and residents.";
    return json_ok(std::move(body));
}

}  // namespace crimemap::core
