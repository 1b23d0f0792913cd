#include "core/rates.hpp"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <exception>

namespace crimemap::core {

CountInterval poisson_count_interval(std::uint64_t count, double confidence) {
    const double alpha = 1.0 - confidence;
    const auto o = static_cast<double>(count);
    CountInterval ci;
    // chi2(p; 2k) / 2 is the gamma(k) quantile: gamma_p_inv(k, p).
    ci.lower = count == 0 ? 0.0 : boost::math::gamma_p_inv(o, alpha / 2);
    ci.upper = boost::math::gamma_p_inv(o + 1, 1 - alpha / 2);
    return ci;
}

std::optional<RateInterval> poisson_rate_interval(std::uint64_t count, double population, double confidence) {
    if (!(population > 0)) return std::nullopt;
    const auto ci = poisson_count_interval(count, confidence);
    const double scale = rate_per / population;
    return RateInterval{static_cast<double>(count) * scale, ci.lower * scale, ci.upper * scale};
}

std::string_view to_string(Band b) noexcept {
    switch (b) {
        case Band::higher: return "significantly_higher";
        case Band::lower: return "significantly_lower";
        case Band::similar: break;
    }
    return "not_significantly_different";
}

Band band_of(const RateInterval& r, double comparison_rate) noexcept {
    if (r.lower > comparison_rate) return Band::higher;
    if (r.upper < comparison_rate) return Band::lower;
    return Band::similar;
}

FunnelLimits funnel_limits(double comparison_rate, double population, double confidence) {
    FunnelLimits f;
    const double expected = comparison_rate * population / rate_per;
    if (!(expected > 0) || !(population > 0)) return f;
    const double alpha = 1.0 - confidence;
    try {
        // X ~ Poisson(E): P(X >= k) = gamma_p(k, E) and P(X <= k) = 1 - gamma_p(k + 1, E), solved for a
        // continuous k (gamma_p_inva), which interpolates between the integer quantiles.
        const double upper = boost::math::gamma_p_inva(expected, alpha / 2);
        const double lower = std::max(0.0, boost::math::gamma_p_inva(expected, 1 - alpha / 2) - 1.0);
        f.lower = lower * rate_per / population;
        f.upper = upper * rate_per / population;
    } catch (const std::exception&) {
        return FunnelLimits{};  // outside Boost's domain (absurd inputs): no limits rather than a 500
    }
    return f;
}

}  // namespace crimemap::core
