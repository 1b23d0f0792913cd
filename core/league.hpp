#pragma once
// League tables with honest statistics (GET /v1/league, /league): every area of a kind ranked by
// its crime rate per 1,000 residents for a period, or by a local-service indicator. Crime rows
// carry the count, population, rate, an exact Poisson 95 % confidence interval (core/rates.hpp)
// and a band against the comparison average (the pooled rate of every ranked area in scope):
// significantly higher, not significantly different or significantly lower, as public-health
// "fingertips" tables do. Rank 1 is the best by the measure's polarity (crimes: the lowest rate);
// equal values share a rank; areas without a population are listed unranked at the end. Indicator
// rows carry the value, its rank by the indicator's polarity and quintile, and the national median
// (indicator files carry no denominators, so no interval and no band). Rendered as JSON, CSV or a
// printable HTML page with a funnel plot in inline SVG (no script). Pure; thread-safe.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rates.hpp"
#include "core/snapshot.hpp"
#include "core/tile_query.hpp"

namespace crimemap::core {

enum class LeagueSort : unsigned char { rank, name, count, population, rate };

struct LeagueQuery {
    AreaKind kind = AreaKind::lad;
    std::string indicator;  // empty: crimes
    std::string period;     // indicator period (resolved: the latest when not given)
    CrimeFilter filter;     // crimes: months (default the latest 12 of the data) and categories
    std::string within;     // code of the containing area (or county), empty: every area
    LeagueSort sort = LeagueSort::rank;
    bool descending = false;
    bool csv = false;  // format=csv
    bool explicit_months = false;
};
// kind=lsoa|msoa|ward|lad|pfa|neighbourhood, measure=crimes | indicator=CODE[&period=P],
// category=, from=, to=, within=CODE, sort=rank|name|count|population|rate, order=asc|desc,
// format=json|csv. Every error is a bad_request naming the parameter.
Result<LeagueQuery> parse_league_query(const QueryParams& params, const Snapshot& s);

struct LeagueRow {
    std::string code, name;
    std::string parent;  // the district of an LSOA, ward or neighbourhood; the force of a district
    std::optional<std::int32_t> rank;  // nullopt: unranked (no population)
    // crimes
    std::uint64_t count = 0;
    std::optional<std::int32_t> population;
    std::optional<RateInterval> rate;
    std::optional<Band> band;
    // indicators
    std::optional<double> value;
    std::int32_t quintile = 0;
};

struct League {
    LeagueQuery query;
    std::string title;         // "Crimes per 1,000 residents, districts, 2018-10 to 2019-02"
    std::string measure;       // "crimes" or the indicator code
    std::string measure_name;  // "All crime" / "burglary, robbery" / the indicator's name
    std::string unit;          // indicator unit
    Polarity polarity = Polarity::lower_is_better;
    std::string within_name;
    std::vector<LeagueRow> rows;  // in the requested order
    std::int32_t ranked = 0;
    // crimes: the comparison average (pooled over the ranked rows); indicators: the national median
    std::optional<double> average;
    std::uint64_t total_count = 0;
    double total_population = 0;
    std::string population_period;     // of the areas' populations, when one
    std::vector<std::string> periods;  // indicators: every period available
};

Result<League> build_league(const Snapshot& s, const LeagueQuery& q);

nlohmann::json league_json(const League& l);
std::string league_csv(const League& l);
// The printable page: filters (a GET form), the funnel plot, the sortable table (header links),
// a CSV link; `query_string` is the request's own (for the sort and CSV links).
std::string league_html(const League& l, const Snapshot& s);
// The funnel plot alone (inline SVG): rate against population, the average and 95 % / 99.8 %
// control limits. Empty for indicator tables.
std::string league_funnel_svg(const League& l);

}  // namespace crimemap::core
