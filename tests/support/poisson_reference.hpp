#pragma once
// An independent exact Poisson confidence interval for tests: bisection on the Poisson CDF summed
// term by term in log space (no gamma functions), to check core/rates.hpp's Garwood limits.
#include <cmath>
#include <cstdint>
#include <utility>

namespace crimemap::test {

// P(X <= k) for X ~ Poisson(lambda).
inline double poisson_cdf(std::uint64_t k, double lambda) {
    if (lambda <= 0) return 1.0;
    double sum = 0, log_term = -lambda;  // log P(X = 0)
    for (std::uint64_t i = 0;; ++i) {
        sum += std::exp(log_term);
        if (i == k) break;
        log_term += std::log(lambda) - std::log(static_cast<double>(i + 1));
    }
    return std::min(1.0, sum);
}

// Counts: lower = lambda with P(X >= k) = alpha/2, upper = lambda with P(X <= k) = alpha/2.
inline std::pair<double, double> poisson_interval(std::uint64_t k, double confidence = 0.95) {
    const double a = (1 - confidence) / 2;
    auto solve = [](auto f, double lo, double hi) {  // f increasing in lambda; f(root) = 0
        for (int i = 0; i < 200; ++i) {
            const double mid = (lo + hi) / 2;
            (f(mid) < 0 ? lo : hi) = mid;
        }
        return (lo + hi) / 2;
    };
    const double top = static_cast<double>(k) * 2 + 50;
    double lower = 0;
    if (k > 0) lower = solve([&](double l) { return (1 - poisson_cdf(k - 1, l)) - a; }, 0, top);
    const double upper = solve([&](double l) { return a - poisson_cdf(k, l); }, 0, top);
    return {lower, upper};
}

}  // namespace crimemap::test
