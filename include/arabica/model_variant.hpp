// A backtest model's variant options applied around a SARIMAX fit: the
// price transform (fit on log prices, forecasts and paths mapped back) and
// the volatility over the horizon (RiskMetrics EWMA or GARCH(1,1) of the
// residuals).
#pragma once

#include <Eigen/Core>

#include "arabica/backtest_model.hpp"
#include "arabica/garch.hpp"
#include "arabica/path_model.hpp"
#include "arabica/sarimax.hpp"

namespace arabica {

/// RiskMetrics' decay of daily variances.
inline constexpr double kEwmaLambda = 0.94;

/// EWMA volatility of residuals e_1..e_n: sigma2_1 = mean(e^2), then
/// sigma2_{t+1} = lambda sigma2_t + (1 - lambda) e_t^2. `sigma[t]` is the
/// one-step-ahead volatility of e_t (from e_1..e_{t-1}); `next` that of the
/// first day after the residuals (garch_filter with omega 0, alpha
/// 1 - lambda, beta lambda). Needs at least one residual, all finite.
FilteredVolatility ewma_volatility(const Eigen::VectorXd& residuals, double lambda = kEwmaLambda);

/// The values `model` is fitted on: y itself, log y, or Box-Cox's
/// (y^lambda - 1) / lambda (a transform needs every value positive, else an
/// Error naming the first that is not).
Eigen::VectorXd transform_prices(const BacktestModel& model, const Eigen::VectorXd& y);

/// A price from its Box-Cox value: (lambda x + 1)^(1 / lambda), 0 where
/// lambda x + 1 <= 0 (in double; paths use fmath::box_cox_inverse).
double box_cox_price(double x, double lambda);

/// A forecast whose shocks have variance shock_variance[h] on day h + 1
/// instead of the fitted sigma2: each day's variance gains
/// sum_j psi_j^2 (shock_variance[h - j] - sigma2), psi_j = Z T^j R the
/// path model's response of day h + 1 to the shock j days before it (the
/// filtered state's uncertainty is unchanged); the 95% interval follows.
void add_shock_variance(Forecast& forecast, const PathModel& model,
                        const Eigen::VectorXd& shock_variance, double sigma2);

/// A forecast of transformed values in prices. The median and the
/// interval's ends are the transformed ones mapped back (the map is
/// increasing); the mean and standard deviation are those of the mapped
/// normal N(mu, s^2): for log the lognormal's, exp(mu + s^2 / 2) and
/// mean sqrt(exp(s^2) - 1); for Box-Cox by 64-point Gauss-Hermite quadrature.
Forecast forecast_in_prices(const BacktestModel& model, const Forecast& forecast);

/// Marks a path model of transformed values: paths are mapped back to
/// prices (PathModel::price_transform) and the moments centred on
/// `in_prices`, the forecast in prices.
void paths_in_prices(const BacktestModel& model, const Forecast& in_prices, PathModel& model_of_paths);

}  // namespace arabica
