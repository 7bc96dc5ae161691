// Fits on data far from unit scale, and degenerate inputs that must be
// refused as input errors rather than numerical failures.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"
#include "model/sarimax_likelihood.hpp"
#include "model/simulate_arima.hpp"

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

namespace arabica {
namespace {

// Target ~1e4 with two regressors: the second fit uses them on scales 1e10
// apart (x * 1e6, z * 1e-4).
struct ScaledRegressors {
  Eigen::VectorXd y;
  Eigen::MatrixXd exog, scaled;
};

ScaledRegressors cocoa_like_data() {
  const auto data = testing::simulate_arima(600, 0.3, 0.2, 1.0, 1, Eigen::Vector2d(1.5, -0.8), 17);
  ScaledRegressors out{100.0 * data.y, data.exog, data.exog};
  out.scaled.col(0) *= 1e6;
  out.scaled.col(1) *= 1e-4;
  return out;
}

TEST(SarimaxScale, RegressorsOnScalesFarApartFitLikeUnscaledOnes) {
  const ScaledRegressors data = cocoa_like_data();
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  const SarimaxFit plain = fit_sarimax(spec, data.y, data.exog, {}, {"fx", "rain"});
  const SarimaxFit scaled = fit_sarimax(spec, data.y, data.scaled, {}, {"fx", "rain"});
  // Rescaling a regressor leaves the profile likelihood unchanged.
  EXPECT_NEAR(scaled.llf, plain.llf, 1e-8 * std::abs(plain.llf));
  const Eigen::Vector2d factor(1e6, 1e-4);
  for (int j = 0; j < 2; ++j) {
    EXPECT_NEAR(scaled.params[j] * factor[j], plain.params[j], 1e-5 * std::abs(plain.params[j]));
    EXPECT_NEAR(scaled.standard_errors[j] * factor[j], plain.standard_errors[j],
                1e-3 * plain.standard_errors[j]);
  }
  for (int i = 2; i < 5; ++i) EXPECT_NEAR(scaled.params[i], plain.params[i], 1e-5 * std::abs(plain.params[i]));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string fit_error(const SarimaxSpec& spec, const Eigen::VectorXd& y, const Eigen::MatrixXd& exog,
                      const std::vector<std::string>& names) {
  try {
    fit_sarimax(spec, y, exog, {}, names);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no InputError";
}

TEST(SarimaxScale, CollinearOrConstantRegressorsAreNamed) {
  const ScaledRegressors data = cocoa_like_data();
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  Eigen::MatrixXd exog(600, 3);
  exog << data.scaled.col(0), data.scaled.col(1), 3e-7 * data.scaled.col(0);  // fx, rain, fx again
  EXPECT_PRED2(contains, fit_error(spec, data.y, exog, {"fx", "rain", "fx_cents"}),
              "column 'fx_cents' is collinear with 'fx', 'rain'");
  exog.col(2).setConstant(2.5);
  EXPECT_PRED2(contains, fit_error(spec, data.y, exog, {"fx", "rain", "flat"}),
              "column 'flat' has no variation after differencing");
  // Without differencing a constant column is the intercept's twin.
  const SarimaxSpec levels = SarimaxSpec::from_strings("1,0,0", "", "c");
  EXPECT_PRED2(contains, fit_error(levels, data.y, exog, {"fx", "rain", "flat"}),
              "column 'flat' is collinear with 'intercept', 'fx', 'rain'");
}

}  // namespace
}  // namespace arabica

namespace arabica {
namespace {

TEST(SarimaxScale, ProfileNamesRegressorsThatAreCollinearAfterFiltering) {
  // The fit checks the raw columns first; the profile likelihood is the
  // second line (e.g. for callers of SarimaxLikelihood) and names them too.
  const ScaledRegressors data = cocoa_like_data();
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  Eigen::MatrixXd exog(600, 3);
  exog << data.scaled.col(0), data.scaled.col(1), -2e-7 * data.scaled.col(0);
  const SarimaxLikelihood likelihood(spec, data.y, exog, {"fx", "rain", "fx_cents"});
  SarimaxParams params;
  params.ar = Eigen::VectorXd::Constant(1, 0.3);
  params.ma = Eigen::VectorXd::Constant(1, 0.2);
  params.sigma2 = 1e4;
  std::string message = "no InputError";
  try {
    likelihood.profile(params);
  } catch (const InputError& e) {
    message = e.what();
  }
  EXPECT_PRED2(contains, message, "column 'fx_cents' is collinear with 'fx', 'rain'");
  // Scaled columns that are not collinear pass.
  const SarimaxLikelihood fine(spec, data.y, data.scaled, {"fx", "rain"});
  EXPECT_TRUE(std::isfinite(fine.profile(params).llf));
}

TEST(SarimaxScale, ConstantTargetIsAnInputError) {
  // Once a Kalman failure at t=2 (exit 3).
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  EXPECT_PRED2(contains, fit_error(spec, Eigen::VectorXd::Constant(200, 7.5), Eigen::MatrixXd(200, 0), {}),
               "the target has no variation after differencing");
  // A straight line is constant after one difference.
  EXPECT_PRED2(contains,
               fit_error(spec, Eigen::VectorXd::LinSpaced(200, 1.1, 20.9), Eigen::MatrixXd(200, 0), {}),
               "the target has no variation after differencing");
  const SarimaxSpec levels = SarimaxSpec::from_strings("1,0,0", "", "c");
  EXPECT_PRED2(contains, fit_error(levels, Eigen::VectorXd::Zero(200), Eigen::MatrixXd(200, 0), {}),
               "the target has no variation;");
}

}  // namespace
}  // namespace arabica
