#include "arabica/model_variant.hpp"

#include <cmath>
#include <string>

#include "arabica/error.hpp"

namespace arabica {

FilteredVolatility ewma_volatility(const Eigen::VectorXd& residuals, double lambda) {
  ARABICA_REQUIRE(residuals.size() > 0 && residuals.allFinite(),
                  "ewma_volatility: needs finite residuals");
  ARABICA_REQUIRE(lambda > 0.0 && lambda < 1.0, "ewma_volatility: lambda must lie in (0, 1)");
  // RiskMetrics' recursion is GARCH(1,1)'s with omega 0, alpha 1 - lambda
  // and beta lambda (integrated: no long-run variance to return to).
  Garch11 ewma;
  ewma.alpha = 1.0 - lambda;
  ewma.beta = lambda;
  return garch_filter(ewma, residuals);
}

Eigen::VectorXd transform_prices(PriceTransform transform, const Eigen::VectorXd& y) {
  if (transform == PriceTransform::none) return y;
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (!(y[i] > 0.0))
      throw Error("a log model needs positive prices; row " + std::to_string(i + 1) +
                  " of the training window is " + std::to_string(y[i]));
  return y.array().log();
}

void add_shock_variance(Forecast& forecast, const PathModel& model,
                        const Eigen::VectorXd& shock_variance, double sigma2) {
  const int H = static_cast<int>(forecast.mean.size()), k = model.k_states;
  ARABICA_REQUIRE(shock_variance.size() == H && model.horizon == H,
                  "add_shock_variance: a path model over the forecast's horizon");
  Eigen::MatrixXd T(k, k);
  Eigen::VectorXd R(k), Z(k);
  for (int i = 0; i < k; ++i) {
    R[i] = model.selection[i];
    Z[i] = model.design[i];
    for (int j = 0; j < k; ++j) T(i, j) = model.transition[i * kMaxPathStates + j];
  }
  // psi[j] = Z T^j R.
  Eigen::VectorXd psi(H), response = R;
  for (int j = 0; j < H; ++j) {
    psi[j] = Z.dot(response);
    response = T * response;
  }
  constexpr double z975 = 1.959963984540054;  // forecast_sarimax's interval
  for (int h = 0; h < H; ++h) {
    double extra = 0.0;
    for (int j = 0; j <= h; ++j) extra += psi[j] * psi[j] * (shock_variance[h - j] - sigma2);
    const double variance = forecast.std_error[h] * forecast.std_error[h] + extra;
    ARABICA_REQUIRE(variance > 0.0, "add_shock_variance: a non-positive forecast variance");
    forecast.std_error[h] = std::sqrt(variance);
    forecast.lower_95[h] = forecast.mean[h] - z975 * forecast.std_error[h];
    forecast.upper_95[h] = forecast.mean[h] + z975 * forecast.std_error[h];
  }
}

Forecast forecast_in_prices(PriceTransform transform, const Forecast& forecast) {
  if (transform == PriceTransform::none) return forecast;
  Forecast out;
  const Eigen::ArrayXd variance = forecast.std_error.array().square();
  out.mean = (forecast.mean.array() + 0.5 * variance).exp();
  out.std_error = out.mean.array() * variance.unaryExpr([](double v) { return std::sqrt(std::expm1(v)); });
  out.median = forecast.mean.array().exp();
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
