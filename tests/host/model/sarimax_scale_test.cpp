// Fits on data far from unit scale, and degenerate inputs that must be
// refused as input errors rather than numerical failures.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"

namespace arabica {
namespace {

// A random walk level_0 + cumulated N(0, increment_variance) steps.
Eigen::VectorXd random_walk(int n, double level, double increment_variance, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, std::sqrt(increment_variance));
  Eigen::VectorXd y(n);
  y[0] = level;
  for (int t = 1; t < n; ++t) y[t] = y[t - 1] + normal(rng);
  return y;
}

// For ARIMA(0,1,0) the OPG standard error of sigma2 has a closed form in the
// residuals: the score of period t is (v_t^2 / sigma2 - 1) / (2 sigma2).
double analytic_opg_se_sigma2(const SarimaxFit& fit) {
  const double sigma2 = fit.params[0];
  double information = 0.0;
  for (Eigen::Index t = fit.loglikelihood_burn; t < fit.residuals.size(); ++t) {
    const double score = (fit.residuals[t] * fit.residuals[t] / sigma2 - 1.0) / (2.0 * sigma2);
    information += score * score;
  }
  return 1.0 / std::sqrt(information);
}

TEST(SarimaxScale, SmallInnovationVarianceFitsWithRightStandardError) {
  // Increment variance 5e-6: the absolute OPG step (6e-6) made sigma2 - h
  // negative and lost the fit.
  const Eigen::VectorXd y = random_walk(1000, 1.0, 5e-6, 21);
  const SarimaxSpec spec = SarimaxSpec::from_strings("0,1,0", "", "n");
  const SarimaxFit fit = fit_sarimax(spec, y, Eigen::MatrixXd(1000, 0));
  ASSERT_EQ(fit.params.size(), 1);
  EXPECT_NEAR(fit.params[0], 5e-6, 5e-7);
  ASSERT_EQ(fit.standard_errors.size(), 1);
  EXPECT_NEAR(fit.standard_errors[0], analytic_opg_se_sigma2(fit),
              0.01 * analytic_opg_se_sigma2(fit));
  // Large-sample value sqrt(2/n) sigma2, within its sampling noise.
  EXPECT_NEAR(fit.standard_errors[0], std::sqrt(2.0 / 999.0) * fit.params[0],
              0.15 * std::sqrt(2.0 / 999.0) * fit.params[0]);
  EXPECT_TRUE(fit.warnings.empty());
}

TEST(SarimaxScale, FxLevelSeriesFitsWithFiniteStandardErrors) {
  // INR/USD-like: level 0.012, daily moves of ~0.4% (sigma2 ~ 2.3e-9).
  const double increment_variance = std::pow(0.012 * 0.004, 2);
  const Eigen::VectorXd y = random_walk(1500, 0.012, increment_variance, 5);
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  const SarimaxFit fit = fit_sarimax(spec, y, Eigen::MatrixXd(1500, 0));
  const double sigma2 = fit.params[2];
  EXPECT_NEAR(sigma2, increment_variance, 0.1 * increment_variance);
  ASSERT_EQ(fit.standard_errors.size(), 3);
  EXPECT_TRUE(fit.standard_errors.allFinite());
  EXPECT_NEAR(fit.standard_errors[2], std::sqrt(2.0 / 1499.0) * sigma2,
              0.15 * std::sqrt(2.0 / 1499.0) * sigma2);
}

}  // namespace
}  // namespace arabica
