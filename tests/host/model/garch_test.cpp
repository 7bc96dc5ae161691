#include "arabica/garch.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "arabica/error.hpp"

namespace arabica {
namespace {

// A GARCH(1,1) series with normal shocks.
Eigen::VectorXd simulate_garch(double omega, double alpha, double beta, int n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::VectorXd e(n);
  double variance = omega / (1.0 - alpha - beta);
  for (int t = 0; t < n; ++t) {
    e[t] = std::sqrt(variance) * normal(rng);
    variance = omega + alpha * e[t] * e[t] + beta * variance;
  }
  return e;
}

TEST(Garch11, RecoversTheParametersOfASimulatedSeries) {
  const Eigen::VectorXd e = simulate_garch(0.1, 0.08, 0.88, 20000, 11);
  const Garch11 g = fit_garch11(e);
  EXPECT_TRUE(g.converged);
  EXPECT_NEAR(g.alpha, 0.08, 0.02);
  EXPECT_NEAR(g.beta, 0.88, 0.03);
  EXPECT_NEAR(g.unconditional_variance(), e.squaredNorm() / e.size(), 1e-9);  // variance targeting
  EXPECT_LT(g.alpha + g.beta, 1.0);
}

TEST(Garch11, FilterAndForecastFollowTheRecursion) {
  Garch11 g;
  g.omega = 0.2, g.alpha = 0.1, g.beta = 0.7;
  const Eigen::Vector3d e(1.0, -3.0, 0.5);
  const FilteredVolatility f = garch_filter(g, e);
  double variance = e.squaredNorm() / 3.0;
  for (int t = 0; t < 3; ++t) {
    EXPECT_DOUBLE_EQ(f.sigma[t], std::sqrt(variance));
    variance = 0.2 + 0.1 * e[t] * e[t] + 0.7 * variance;
  }
  EXPECT_DOUBLE_EQ(f.next, std::sqrt(variance));
  const Eigen::VectorXd ahead = garch_variance_forecast(g, 5.0, 4);
  EXPECT_DOUBLE_EQ(ahead[0], 5.0);
  EXPECT_NEAR(ahead[3], 1.0 + std::pow(0.8, 3) * 4.0, 1e-12);  // v = 0.2 / 0.2 = 1
}

TEST(Garch11, NeedsResidualsWithSomeVariance) {
  EXPECT_THROW(fit_garch11(Eigen::VectorXd::Zero(50)), Error);
  EXPECT_THROW(fit_garch11(Eigen::VectorXd::Ones(5)), Error);
}

}  // namespace
}  // namespace arabica
