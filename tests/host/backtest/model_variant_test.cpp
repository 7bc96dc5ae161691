#include "arabica/model_variant.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "arabica/error.hpp"
#include "arabica/float_math.hpp"

namespace arabica {
namespace {

TEST(EwmaVolatility, IsRiskMetricsRecursionFromTheMeanSquare) {
  const Eigen::Vector4d e(1.0, -2.0, 0.5, 3.0);
  const FilteredVolatility v = ewma_volatility(e, 0.9);
  double variance = e.squaredNorm() / 4.0;
  for (int t = 0; t < 4; ++t) {
    EXPECT_DOUBLE_EQ(v.sigma[t], std::sqrt(variance));
    variance = 0.9 * variance + 0.1 * e[t] * e[t];
  }
  EXPECT_DOUBLE_EQ(v.next, std::sqrt(variance));
  // A calm stretch after a turbulent one: the volatility forgets it.
  Eigen::VectorXd calm = Eigen::VectorXd::Constant(400, 0.1);
  calm.head(50).setConstant(5.0);
  EXPECT_NEAR(ewma_volatility(calm).next, 0.1, 1e-3);
}

BacktestModel transformed(PriceTransform transform, double lambda = 1.0) {
  BacktestModel model;
  model.transform = transform;
  model.box_cox_lambda = lambda;
  return model;
}

TEST(PriceTransform, LogNeedsPositivePrices) {
  const Eigen::Vector3d y(1.0, std::exp(1.0), 10.0);
  EXPECT_EQ(transform_prices(transformed(PriceTransform::none), y), y);
  const Eigen::VectorXd log_y = transform_prices(transformed(PriceTransform::log), y);
  EXPECT_DOUBLE_EQ(log_y[1], 1.0);
  try {
    transform_prices(transformed(PriceTransform::log), Eigen::Vector3d(1.0, 0.0, 2.0));
    ADD_FAILURE() << "a zero price was log-transformed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row 2"), std::string::npos) << e.what();
  }
}

TEST(PriceTransform, ForecastsOfLogPricesAreLognormalInPrices) {
  Forecast log_forecast;
  log_forecast.mean = Eigen::Vector2d(std::log(100.0), std::log(100.0));
  log_forecast.std_error = Eigen::Vector2d(0.02, 0.2);
  log_forecast.lower_95 = log_forecast.mean - 1.96 * log_forecast.std_error;
  log_forecast.upper_95 = log_forecast.mean + 1.96 * log_forecast.std_error;
  const Forecast prices = forecast_in_prices(transformed(PriceTransform::log), log_forecast);
  for (int h = 0; h < 2; ++h) {
    const double s2 = log_forecast.std_error[h] * log_forecast.std_error[h];
    EXPECT_NEAR(prices.mean[h], 100.0 * std::exp(0.5 * s2), 1e-12 * 100);
    EXPECT_NEAR(prices.std_error[h], prices.mean[h] * std::sqrt(std::exp(s2) - 1.0), 1e-12 * 100);
    EXPECT_NEAR(prices.lower_95[h] * prices.upper_95[h], 100.0 * 100.0, 1e-9);  // symmetric in logs
  }
  EXPECT_EQ(forecast_in_prices(transformed(PriceTransform::none), log_forecast).mean, log_forecast.mean);
}

// Box-Cox: prices -> (y^lambda - 1) / lambda -> prices round trips, in
// double and in the paths' float map (within a few ulp).
TEST(PriceTransform, BoxCoxRoundTripsInDoubleAndInThePathsFloats) {
  const Eigen::Vector4d y(0.35, 12.5, 180.0, 3250.0);
  for (const double lambda : {0.05, 0.25, 0.5, 1.0}) {
    const Eigen::VectorXd x = transform_prices(transformed(PriceTransform::box_cox, lambda), y);
    for (int i = 0; i < 4; ++i) {
      EXPECT_NEAR(x[i], (std::pow(y[i], lambda) - 1.0) / lambda, 1e-12 * std::abs(x[i]));
      EXPECT_NEAR(box_cox_price(x[i], lambda), y[i], 1e-12 * y[i]) << lambda;
      const float price = fmath::box_cox_inverse(static_cast<float>(x[i]), static_cast<float>(lambda));
      // Float rounding of x (2^-24 relative) and of w = lambda x + 1 (2^-24
      // absolute) move log p by |x| / w and 1 / (lambda w) times that: a
      // small lambda magnifies the second (the map's own conditioning).
      const double w = lambda * x[i] + 1.0;
      const double tolerance = (4.0 + std::abs(x[i]) / w + 1.0 / (lambda * w)) * 0x1p-23;
      EXPECT_NEAR(price, y[i], tolerance * y[i]) << "lambda " << lambda << " y " << y[i];
    }
  }
  EXPECT_EQ(fmath::box_cox_inverse(-3.0f, 0.5f), 0.0f);  // below the image: price 0
  EXPECT_EQ(box_cox_price(-3.0, 0.5), 0.0);
  EXPECT_THROW(transform_prices(transformed(PriceTransform::box_cox, 0.5), Eigen::Vector2d(1.0, -1.0)), Error);
}

// The forecast in prices: lambda 1 shifts prices by one (mean + 1, the same
// sd); a small lambda is almost the log's lognormal; lambda 1/2 squares a
// normal, whose moments are known: E[(a + bZ)^2] = a^2 + b^2 and
// Var = 4 a^2 b^2 + 2 b^4 for a = lambda mu + 1, b = lambda s.
TEST(PriceTransform, BoxCoxForecastsHaveTheMappedNormalsMoments) {
  Forecast f;
  f.mean = Eigen::Vector2d(20.0, 20.0);
  f.std_error = Eigen::Vector2d(0.5, 3.0);
  f.lower_95 = f.mean - 1.959963984540054 * f.std_error;
  f.upper_95 = f.mean + 1.959963984540054 * f.std_error;
  const Forecast shifted = forecast_in_prices(transformed(PriceTransform::box_cox, 1.0), f);
  for (int h = 0; h < 2; ++h) {
    // The rule's weights carry the eigensolver's rounding: ~1e-12 relative.
    EXPECT_NEAR(shifted.mean[h], 21.0, 1e-11);
    EXPECT_NEAR(shifted.std_error[h], f.std_error[h], 1e-11);
    EXPECT_NEAR(shifted.lower_95[h], f.lower_95[h] + 1.0, 1e-12);
  }
  const Forecast squared = forecast_in_prices(transformed(PriceTransform::box_cox, 0.5), f);
  for (int h = 0; h < 2; ++h) {
    const double a = 0.5 * 20.0 + 1.0, b = 0.5 * f.std_error[h];
    EXPECT_NEAR(squared.mean[h], a * a + b * b, 1e-10);
    EXPECT_NEAR(squared.std_error[h], std::sqrt(4 * a * a * b * b + 2 * b * b * b * b), 1e-10);
    EXPECT_NEAR(squared.median[h], a * a, 1e-10);
  }
  Forecast logs;
  logs.mean = Eigen::Vector2d(std::log(100.0), std::log(100.0));
  logs.std_error = Eigen::Vector2d(0.02, 0.2);
  logs.lower_95 = logs.upper_95 = logs.mean;
  const Forecast lognormal = forecast_in_prices(transformed(PriceTransform::log), logs);
  // Box-Cox values of the same prices with lambda 1e-6: the log's, to ~1e-5.
  Forecast near_log = logs;
  const double lambda = 1e-6;
  for (int h = 0; h < 2; ++h) {
    near_log.mean[h] = (std::pow(100.0, lambda) - 1.0) / lambda;
    near_log.std_error[h] = logs.std_error[h] * std::pow(100.0, lambda);  // d x / d log y = y^lambda
  }
  near_log.lower_95 = near_log.upper_95 = near_log.mean;
  const Forecast box_cox = forecast_in_prices(transformed(PriceTransform::box_cox, lambda), near_log);
  for (int h = 0; h < 2; ++h) {
    EXPECT_NEAR(box_cox.mean[h], lognormal.mean[h], 1e-4 * lognormal.mean[h]);
    EXPECT_NEAR(box_cox.std_error[h], lognormal.std_error[h], 1e-3 * lognormal.std_error[h]);
  }
}

TEST(ShockVariance, WidensARandomWalksForecastByTheSumOfTheDaysVariances) {
  // A random walk: psi_j = 1, so day h's variance gains the sum of the
  // first h shock variances' excess over sigma2.
  PathModel walk;
  walk.k_states = 1;
  walk.horizon = 3;
  walk.transition[0] = walk.selection[0] = walk.design[0] = 1.0f;
  Forecast f;
  f.mean = Eigen::Vector3d(10.0, 10.0, 10.0);
  f.std_error = Eigen::Vector3d(1.0, std::sqrt(2.0), std::sqrt(3.0));  // sigma2 = 1
  f.lower_95 = f.mean - 1.959963984540054 * f.std_error;
  f.upper_95 = f.mean + 1.959963984540054 * f.std_error;
  add_shock_variance(f, walk, Eigen::Vector3d(4.0, 3.0, 2.0), 1.0);
  EXPECT_DOUBLE_EQ(f.std_error[0], 2.0);
  EXPECT_DOUBLE_EQ(f.std_error[1], std::sqrt(7.0));
  EXPECT_DOUBLE_EQ(f.std_error[2], 3.0);
  EXPECT_DOUBLE_EQ(f.upper_95[2] - f.mean[2], 1.959963984540054 * 3.0);
  EXPECT_DOUBLE_EQ(f.mean[2] - f.lower_95[2], 1.959963984540054 * 3.0);
  // AR(1) with phi 0.5 in the state: psi = 1, 0.5, 0.25.
  walk.transition[0] = 0.5f;
  Forecast g = f;
  g.std_error = Eigen::Vector3d(1.0, 1.0, 1.0);
  add_shock_variance(g, walk, Eigen::Vector3d(2.0, 2.0, 2.0), 1.0);
  EXPECT_DOUBLE_EQ(g.std_error[2] * g.std_error[2], 1.0 + 1.0 + 0.25 + 0.0625);
}

}  // namespace
}  // namespace arabica
