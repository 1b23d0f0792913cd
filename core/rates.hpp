#pragma once
// Rates per 1,000 residents with honest uncertainty, as public-health "fingertips" tables give
// them: an exact Poisson 95 % confidence interval for a count (Garwood's, from the gamma / chi-square
// quantiles: lower = chi2(0.025; 2O) / 2, upper = chi2(0.975; 2O + 2) / 2), a band against a
// comparison rate (significantly higher / not significantly different / significantly lower:
// whether the interval excludes it), and the funnel-plot control limits around that rate for a
// population. Pure and thread-safe.
#include <cstdint>
#include <optional>
#include <string_view>

namespace crimemap::core {

inline constexpr double rate_per = 1000.0;  // rates are per 1,000 residents

struct RateInterval {
    double rate = 0;   // count / population * 1,000
    double lower = 0;  // exact Poisson limits of the rate, same units
    double upper = 0;
};
// nullopt when the population is not positive. confidence: 0.95 for 95 % (0 < confidence < 1).
std::optional<RateInterval> poisson_rate_interval(std::uint64_t count, double population,
                                                  double confidence = 0.95);

// Exact Poisson limits of the mean of a Poisson count (Garwood): the CI of lambda given count.
struct CountInterval {
    double lower = 0, upper = 0;
};
CountInterval poisson_count_interval(std::uint64_t count, double confidence = 0.95);

enum class Band : unsigned char { higher, similar, lower };
// "significantly_higher", "not_significantly_different", "significantly_lower".
std::string_view to_string(Band b) noexcept;
// Where the interval lies against the comparison rate (both per 1,000).
Band band_of(const RateInterval& r, double comparison_rate) noexcept;

// Funnel-plot control limits, as rates per 1,000, for an area of `population` residents if its true
// rate were `comparison_rate`: the continuous exact Poisson quantiles of its count (two-sided
// `confidence`, e.g. 0.95 or 0.998).
struct FunnelLimits {
    double lower = 0, upper = 0;
};
FunnelLimits funnel_limits(double comparison_rate, double population, double confidence);

}  // namespace crimemap::core
