// Rates per 1,000 with exact Poisson intervals, bands and funnel limits (core/rates.hpp), checked
// against an independent bisection on the Poisson CDF and published values.
#include <gtest/gtest.h>

#include "core/rates.hpp"
#include "support/poisson_reference.hpp"

using namespace crimemap;

TEST(CoreRates, GarwoodIntervalMatchesIndependentComputation) {
    for (std::uint64_t k : {0u, 1u, 2u, 5u, 10u, 37u, 100u, 1234u, 9876u}) {
        auto ci = core::poisson_count_interval(k);
        auto [lo, hi] = test::poisson_interval(k);
        EXPECT_NEAR(ci.lower, lo, 1e-6 * std::max(1.0, lo)) << k;
        EXPECT_NEAR(ci.upper, hi, 1e-6 * std::max(1.0, hi)) << k;
    }
    // Published values (e.g. the APHO/PHE tables): 0 -> [0, 3.689], 10 -> [4.795, 18.39].
    EXPECT_NEAR(core::poisson_count_interval(0).upper, 3.6889, 1e-3);
    EXPECT_NEAR(core::poisson_count_interval(10).lower, 4.7954, 1e-3);
    EXPECT_NEAR(core::poisson_count_interval(10).upper, 18.3904, 1e-3);
}

TEST(CoreRates, RatesAndBands) {
    auto r = core::poisson_rate_interval(50, 2000);
    ASSERT_TRUE(r);
    EXPECT_DOUBLE_EQ(r->rate, 25.0);
    auto [lo, hi] = test::poisson_interval(50);
    EXPECT_NEAR(r->lower, lo / 2, 1e-6);
    EXPECT_NEAR(r->upper, hi / 2, 1e-6);
    EXPECT_EQ(core::band_of(*r, 10.0), core::Band::higher);
    EXPECT_EQ(core::band_of(*r, 25.0), core::Band::similar);
    EXPECT_EQ(core::band_of(*r, 40.0), core::Band::lower);
    EXPECT_EQ(core::to_string(core::Band::similar), "not_significantly_different");
    EXPECT_FALSE(core::poisson_rate_interval(5, 0));
    EXPECT_FALSE(core::poisson_rate_interval(5, -3));
}

TEST(CoreRates, FunnelLimitsNarrowWithPopulationAndBracketTheRate) {
    double previous_width = 1e9;
    for (double pop : {500.0, 2000.0, 10000.0, 100000.0}) {
        auto f95 = core::funnel_limits(20.0, pop, 0.95);
        auto f998 = core::funnel_limits(20.0, pop, 0.998);
        EXPECT_LT(f95.lower, 20.0);
        EXPECT_GT(f95.upper, 20.0);
        EXPECT_LE(f998.lower, f95.lower);
        EXPECT_GE(f998.upper, f95.upper);
        EXPECT_LT(f95.upper - f95.lower, previous_width);
        previous_width = f95.upper - f95.lower;
        // The upper limit count has a tail probability of 2.5% (continuous between integers).
        const double expected = 20.0 * pop / 1000.0;
        const auto k = static_cast<std::uint64_t>(std::floor(f95.upper * pop / 1000.0));
        EXPECT_GE(1 - test::poisson_cdf(k - 1, expected), 0.025 * 0.5) << pop;
        EXPECT_LE(1 - test::poisson_cdf(k + 1, expected), 0.025 * 1.5) << pop;
    }
    EXPECT_EQ(core::funnel_limits(0, 100, 0.95).upper, 0.0);
}
