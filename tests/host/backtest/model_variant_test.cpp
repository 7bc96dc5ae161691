#include "arabica/model_variant.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "arabica/error.hpp"

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

TEST(PriceTransform, LogNeedsPositivePrices) {
  const Eigen::Vector3d y(1.0, std::exp(1.0), 10.0);
  EXPECT_EQ(transform_prices(PriceTransform::none, y), y);
  const Eigen::VectorXd log_y = transform_prices(PriceTransform::log, y);
  EXPECT_DOUBLE_EQ(log_y[1], 1.0);
  try {
    transform_prices(PriceTransform::log, Eigen::Vector3d(1.0, 0.0, 2.0));
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
  const Forecast prices = forecast_in_prices(PriceTransform::log, log_forecast);
  for (int h = 0; h < 2; ++h) {
    const double s2 = log_forecast.std_error[h] * log_forecast.std_error[h];
    EXPECT_NEAR(prices.mean[h], 100.0 * std::exp(0.5 * s2), 1e-12 * 100);
    EXPECT_NEAR(prices.std_error[h], prices.mean[h] * std::sqrt(std::exp(s2) - 1.0), 1e-12 * 100);
    EXPECT_NEAR(prices.lower_95[h] * prices.upper_95[h], 100.0 * 100.0, 1e-9);  // symmetric in logs
  }
  EXPECT_EQ(forecast_in_prices(PriceTransform::none, log_forecast).mean, log_forecast.mean);
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
