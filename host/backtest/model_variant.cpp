#include "arabica/model_variant.hpp"

#include <cmath>
#include <string>

#include "arabica/error.hpp"

namespace arabica {

EwmaVolatility ewma_volatility(const Eigen::VectorXd& residuals, double lambda) {
  ARABICA_REQUIRE(residuals.size() > 0 && residuals.allFinite(),
                  "ewma_volatility: needs finite residuals");
  ARABICA_REQUIRE(lambda > 0.0 && lambda < 1.0, "ewma_volatility: lambda must lie in (0, 1)");
  EwmaVolatility out;
  out.sigma.resize(residuals.size());
  double variance = residuals.squaredNorm() / static_cast<double>(residuals.size());
  for (Eigen::Index t = 0; t < residuals.size(); ++t) {
    out.sigma[t] = std::sqrt(variance);
    variance = lambda * variance + (1.0 - lambda) * residuals[t] * residuals[t];
  }
  out.next = std::sqrt(variance);
  return out;
}

Eigen::VectorXd transform_prices(PriceTransform transform, const Eigen::VectorXd& y) {
  if (transform == PriceTransform::none) return y;
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (!(y[i] > 0.0))
      throw Error("a log model needs positive prices; row " + std::to_string(i + 1) +
                  " of the training window is " + std::to_string(y[i]));
  return y.array().log();
}

void scale_forecast(Forecast& forecast, double factor) {
  ARABICA_REQUIRE(std::isfinite(factor) && factor > 0.0, "scale_forecast: factor must be positive");
  const Eigen::VectorXd half_width = (forecast.upper_95 - forecast.mean) * factor;
  forecast.std_error *= factor;
  forecast.lower_95 = forecast.mean - half_width;
  forecast.upper_95 = forecast.mean + half_width;
}

Forecast forecast_in_prices(PriceTransform transform, const Forecast& forecast) {
  if (transform == PriceTransform::none) return forecast;
  Forecast out;
  const Eigen::ArrayXd variance = forecast.std_error.array().square();
  out.mean = (forecast.mean.array() + 0.5 * variance).exp();
  out.std_error = out.mean.array() * variance.unaryExpr([](double v) { return std::sqrt(std::expm1(v)); });
  out.lower_95 = forecast.lower_95.array().exp();
  out.upper_95 = forecast.upper_95.array().exp();
  return out;
}

void paths_in_prices(PriceTransform transform, const Forecast& in_prices, PathModel& model) {
  if (transform == PriceTransform::none) return;
  model.log_prices = 1;
  for (int h = 0; h < model.horizon; ++h) model.center[h] = static_cast<float>(in_prices.mean[h]);
}

}  // namespace arabica
