// Standard errors by cov_type on simulated series, where theory says what
// they should be (the statsmodels comparison over the outside reference set
// is model_covariance_tests).
#include <cmath>
#include <iostream>
#include <random>

#include <gtest/gtest.h>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"
#include "simulate_arima.hpp"

namespace arabica {
namespace {

// With Gaussian innovations the observed information (approx), the outer
// product of the scores (opg) and their sandwich estimate the same matrix.
TEST(SarimaxCovariance, TheThreeAgreeUnderGaussianInnovations) {
  const auto data = testing::simulate_arima(3000, 0.5, 0.3, 1.0, 1, Eigen::Vector2d(0.8, -0.5), 11);
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog);
  ASSERT_EQ(fit.cov_type, CovarianceType::opg);
  for (const CovarianceType other : {CovarianceType::approx, CovarianceType::robust_approx}) {
    std::vector<std::string> warnings;
    const Eigen::VectorXd se = sarimax_standard_errors(spec, data.y, data.exog, fit.params, other, &warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    for (Eigen::Index i = 0; i < se.size(); ++i)
      EXPECT_NEAR(se[i], fit.standard_errors[i], 0.12 * fit.standard_errors[i])
          << to_string(other) << ' ' << fit.param_names[i];
  }
}

// Fat tails (Student-t innovations, 5 degrees of freedom): the Gaussian
// information understates the uncertainty of sigma2, whose estimator has
// variance (kurtosis - 1) sigma2^2 / n. The sandwich finds it from the
// residuals' kurtosis; the Hessian alone gives the Gaussian 2 sigma2^2 / n.
TEST(SarimaxCovariance, TheSandwichSeesFatTails) {
  const int n = 4000;
  std::mt19937_64 rng(5);
  std::student_t_distribution<double> student(5.0);
  Eigen::VectorXd y(n);
  double level = 50.0, previous = 0.0;
  for (int t = 0; t < n; ++t) {
    previous = 0.4 * previous + student(rng);
    y[t] = level += previous;
  }
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,0", "", "n");
  FitOptions options;
  options.cov_type = CovarianceType::robust_approx;
  const SarimaxFit fit = fit_sarimax(spec, y, Eigen::MatrixXd(n, 0), options);
  ASSERT_EQ(fit.cov_type, CovarianceType::robust_approx);
  const Eigen::VectorXd e = fit.innovation_residuals();
  const double m = static_cast<double>(e.size());
  const double variance = e.squaredNorm() / m;
  const double kurtosis = e.array().pow(4).sum() / m / (variance * variance);
  ASSERT_GT(kurtosis, 4.0);
  const double sigma2 = fit.params[1];
  EXPECT_NEAR(fit.standard_errors[1], std::sqrt((kurtosis - 1.0) / m) * sigma2,
              0.1 * fit.standard_errors[1]);
  const Eigen::VectorXd gaussian =
      sarimax_standard_errors(spec, y, Eigen::MatrixXd(n, 0), fit.params, CovarianceType::approx);
  EXPECT_NEAR(gaussian[1], std::sqrt(2.0 / m) * sigma2, 0.1 * gaussian[1]);
  EXPECT_GT(fit.standard_errors[1], 1.3 * gaussian[1]);
  std::cout << "kurtosis " << kurtosis << ", SE(sigma2) robust " << fit.standard_errors[1]
            << ", Hessian " << gaussian[1] << '\n';
}

// An MA root on the unit circle (an over-differenced series, whose optimum
// sits on the boundary of the invertible region) leaves the information
// singular or nearly so: whatever numbers come out, the fit says they are
// not meaningful. Inside the circle it says nothing.
TEST(SarimaxCovariance, WarnsOfAnMaRootOnTheUnitCircle) {
  const auto data = testing::simulate_arima(400, 0.0, 0.0, 1.0, 0, Eigen::VectorXd(), 4);
  const SarimaxSpec spec = SarimaxSpec::from_strings("0,1,1", "", "n");
  for (const double theta : {-1.0, -0.99999, -0.5}) {
    std::vector<std::string> warnings;
    bool singular = false;
    try {
      sarimax_standard_errors(spec, data.y, data.exog, Eigen::Vector2d(theta, 1.0), CovarianceType::opg,
                              &warnings);
    } catch (const NumericalError&) {  // singular: the other way of saying so
      singular = true;
    }
    const bool warned = !warnings.empty() && warnings.back().find("unit circle") != std::string::npos;
    if (theta < -0.9999) {
      EXPECT_TRUE(singular || warned) << "theta " << theta;
    } else {
      EXPECT_FALSE(singular || warned) << "theta " << theta;
    }
  }
}

TEST(SarimaxCovariance, NoneComputesNothing) {
  const auto data = testing::simulate_arima(300, 0.5, 0.0, 1.0, 1, Eigen::VectorXd(), 2);
  FitOptions options;
  options.cov_type = CovarianceType::none;
  const SarimaxFit fit =
      fit_sarimax(SarimaxSpec::from_strings("1,1,0", "", "n"), data.y, data.exog, options);
  EXPECT_EQ(fit.cov_type, CovarianceType::none);
  EXPECT_EQ(fit.standard_errors.size(), 0);
  EXPECT_EQ(parse_covariance_type("robust_approx"), CovarianceType::robust_approx);
  EXPECT_EQ(to_string(CovarianceType::approx), "approx");
}

}  // namespace
}  // namespace arabica
