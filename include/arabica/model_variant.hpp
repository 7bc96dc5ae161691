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

/// The values the model is fitted on: y itself, or log y (every value must
/// then be positive, else an Error naming the first that is not).
Eigen::VectorXd transform_prices(PriceTransform transform, const Eigen::VectorXd& y);

/// A forecast whose shocks have variance shock_variance[h] on day h + 1
/// instead of the fitted sigma2: each day's variance gains
/// sum_j psi_j^2 (shock_variance[h - j] - sigma2), psi_j = Z T^j R the
/// path model's response of day h + 1 to the shock j days before it (the
/// filtered state's uncertainty is unchanged); the 95% interval follows.
void add_shock_variance(Forecast& forecast, const PathModel& model,
                        const Eigen::VectorXd& shock_variance, double sigma2);

/// A forecast of transformed values in prices: for log, the lognormal mean
/// exp(mu + s^2 / 2), its standard deviation, the median exp(mu) and the
/// interval's ends mapped by exp.
Forecast forecast_in_prices(PriceTransform transform, const Forecast& forecast);

/// Marks a path model of transformed values: paths are mapped back to
/// prices (PathModel::log_prices) and the moments centred on `in_prices`,
/// the forecast in prices.
void paths_in_prices(PriceTransform transform, const Forecast& in_prices, PathModel& model);

}  // namespace arabica
