// statsmodels-style starting values: OLS of the differenced data on the
// differenced regressors, then conditional sum of squares (Hannan-Rissanen
// style: long AR for residual proxies, then ARMA by least squares).
#include <cmath>

#include <Eigen/Dense>

#include "arabica/sarimax.hpp"
#include "arabica/state_space.hpp"
#include "model/parameter_transform.hpp"

namespace arabica {

namespace {

// Minimum-norm least squares (numpy's pinv(X) @ y).
Eigen::VectorXd least_squares(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  return X.completeOrthogonalDecomposition().solve(y);
}

struct CssResult {
  Eigen::VectorXd trend, ar, ma;
  bool has_variance = false;
  double variance = 0.0;
};

// Conditional sum of squares for one (possibly seasonal) ARMA factor whose
// AR terms sit at `ar_lags` and MA terms at `ma_lags` (1-based lags).
CssResult conditional_sum_squares(const Eigen::VectorXd& y, const std::vector<int>& ar_lags,
                                  const std::vector<int>& ma_lags, const Eigen::MatrixXd& trend) {
  const int k_ar = ar_lags.empty() ? 0 : ar_lags.back();
  const int k_ma = ma_lags.empty() ? 0 : ma_lags.back();
  const int k_trend = static_cast<int>(trend.cols());
  const int n_ar = static_cast<int>(ar_lags.size()), n_ma = static_cast<int>(ma_lags.size());
  CssResult out;
  out.trend = Eigen::VectorXd::Zero(k_trend);
  out.ar = Eigen::VectorXd::Zero(n_ar);
  out.ma = Eigen::VectorXd::Zero(n_ma);
  if (k_ar + k_ma + k_trend == 0) return out;

  const int n = static_cast<int>(y.size());
  const int k = 2 * k_ma;
  const int r = std::max(k + k_ma, k_ar);
  const int n_cols = k_trend + n_ar + n_ma;
  Eigen::VectorXd residuals;
  bool ok = n - r > 0 && n - r >= n_cols && n - k > k;
  if (ok && k_ma > 0) {
    // Long autoregression; its residuals stand in for the MA innovations.
    Eigen::MatrixXd X(n - k, k);
    for (int i = 0; i < n - k; ++i)
      for (int j = 0; j < k; ++j) X(i, j) = y[k + i - j - 1];
    const Eigen::VectorXd Y = y.tail(n - k);
    residuals = Y - X * least_squares(X, Y);
  }
  if (ok) {
    Eigen::MatrixXd X(n - r, n_cols);
    // statsmodels aligns the trend with the first n - r periods.
    if (k_trend > 0) X.leftCols(k_trend) = trend.topRows(n - r);
    for (int c = 0; c < n_ar; ++c)
      for (int i = 0; i < n - r; ++i) X(i, k_trend + c) = y[r + i - ar_lags[c]];
    for (int c = 0; c < n_ma; ++c)
      for (int i = 0; i < n - r; ++i) X(i, k_trend + n_ar + c) = residuals[r - k + i - ma_lags[c]];
    const Eigen::VectorXd Y = y.tail(n - r);
    const Eigen::VectorXd params = least_squares(X, Y);
    residuals = Y - X * params;
    out.trend = params.head(k_trend);
    out.ar = params.segment(k_trend, n_ar);
    out.ma = params.tail(n_ma);
  } else {
    // Too few observations: zeros, variance from the demeaned data.
    residuals.resize(2 * n_ma + n);
    residuals.head(2 * n_ma).setZero();
    residuals.tail(n) = y.array() - y.mean();
  }
  out.has_variance = true;
  if (residuals.size() > std::max(1, n_ma))
    out.variance = residuals.tail(residuals.size() - n_ma).squaredNorm() /
                   static_cast<double>(residuals.size() - n_ma);
  else
    out.variance = (y.array() - y.mean()).square().mean();
  return out;
}

std::vector<int> lags(int count, int step) {
  std::vector<int> out;
  for (int i = 1; i <= count; ++i) out.push_back(i * step);
  return out;
}

}  // namespace

Eigen::VectorXd sarimax_start_params(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                     const Eigen::MatrixXd& exog) {
  const int k_exog = static_cast<int>(exog.cols());
  Eigen::VectorXd endog = apply_differencing(y, spec);
  const Eigen::MatrixXd x = k_exog > 0 ? apply_differencing(exog, spec) : exog;
  Eigen::MatrixXd trend(endog.size(), spec.k_trend());
  for (int j = 0; j < spec.k_trend(); ++j)
    for (Eigen::Index t = 0; t < endog.size(); ++t) trend(t, j) = trend_regressor(spec, j, t);

  SarimaxParams start;
  start.beta = Eigen::VectorXd::Zero(k_exog);
  if (k_exog > 0) {
    start.beta = least_squares(x, endog);
    endog -= x * start.beta;
  }
  const CssResult arma = conditional_sum_squares(endog, lags(spec.p, 1), lags(spec.q, 1), trend);
  const CssResult seasonal =
      conditional_sum_squares(endog, lags(spec.P, spec.s), lags(spec.Q, spec.s), Eigen::MatrixXd());
  start.trend = arma.trend;
  start.ar = arma.ar;
  start.ma = arma.ma;
  start.sar = seasonal.ar;
  start.sma = seasonal.ma;
  // Invalid starting values under enforced constraints fall back to zeros.
  if (spec.stationary_ar() && !is_stationary(start.ar)) start.ar.setZero();
  if (spec.enforce_invertibility && !is_invertible(start.ma)) start.ma.setZero();
  if (spec.stationary_ar() && !is_stationary(start.sar)) start.sar.setZero();
  if (spec.enforce_invertibility && !is_invertible(start.sma)) start.sma.setZero();

  double variance;
  if (arma.has_variance) variance = arma.variance;
  else if (seasonal.has_variance) variance = seasonal.variance;
  else if (k_exog > 0) variance = endog.squaredNorm();  // statsmodels does not divide here
  else variance = endog.squaredNorm() / static_cast<double>(y.size());
  start.sigma2 = std::max(variance, 1e-10);
  return start.pack();
}

}  // namespace arabica
