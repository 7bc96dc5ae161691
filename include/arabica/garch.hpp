// GARCH(1,1) of a model's one-step residuals: the volatility that adapts
// to the latest shocks, fitted after the SARIMAX (a two-step estimate, as
// risk desks fit it), filtered to the cutoff and simulated forward path by
// path (PathModel's garch fields).
#pragma once

#include <Eigen/Core>

namespace arabica {

/// sigma2_t = omega + alpha e_{t-1}^2 + beta sigma2_{t-1}, in the residuals'
/// units squared; omega = v (1 - alpha - beta) targets the sample variance v.
struct Garch11 {
  double omega = 0.0, alpha = 0.0, beta = 0.0;
  double llf = 0.0;  // Gaussian quasi log-likelihood at the estimate
  bool converged = false;
  double unconditional_variance() const { return omega / (1.0 - alpha - beta); }
};

/// Gaussian quasi-maximum likelihood with variance targeting, alpha, beta
/// >= 0 and alpha + beta < 1 (persistence at most 0.9999), the recursion
/// started at the sample variance. Needs at least 20 finite residuals that
/// are not all zero, else an Error.
Garch11 fit_garch11(const Eigen::VectorXd& residuals);

/// The filtered volatility of each residual (from the ones before it) and
/// that of the first day after them.
struct FilteredVolatility {
  Eigen::VectorXd sigma;
  double next = 0.0;
};
FilteredVolatility garch_filter(const Garch11& model, const Eigen::VectorXd& residuals);

/// E[sigma2_{n+h}] for h = 1..horizon, given sigma2_{n+1} = next_variance:
/// v + (alpha + beta)^(h-1) (next_variance - v).
Eigen::VectorXd garch_variance_forecast(const Garch11& model, double next_variance, int horizon);

}  // namespace arabica
