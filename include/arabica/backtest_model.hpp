// The models a walk-forward backfill compares: SARIMAX variants and the two
// baselines every forecast must beat, the naive last value and the random
// walk with drift. Baselines are fitted in closed form and expressed as
// SARIMAX(0,1,0) fits, so forecasts, paths and the store treat every model
// alike.
#pragma once

#include <string>

#include <Eigen/Core>

#include "arabica/sarimax.hpp"

namespace arabica {

enum class ModelKind {
  sarimax,
  naive,  // y_{t+h} = y_t + e: random walk, sigma2 = mean squared step
  drift,  // y_{t+h} = y_t + h * mean step + e: random walk with drift
};

/// The scale the model is fitted on.
enum class PriceTransform {
  none,     // prices
  log,      // log prices; forecasts and paths mapped back with exp
  box_cox,  // (y^lambda - 1) / lambda, lambda in (0, 1]; mapped back by its inverse
};

/// The innovations' scale over the forecast horizon.
enum class VolatilityModel {
  constant,  // the fitted sigma2
  /// RiskMetrics EWMA of the squared residuals (decay 0.94, or as given): the horizon's
  /// shocks are scaled by the filtered volatility at the cutoff, and the
  /// innovation family is estimated on the volatility-standardised residuals
  /// (with `bootstrap`: filtered historical simulation).
  ewma,
  /// GARCH(1,1) fitted on the residuals (Gaussian QMLE, variance targeting),
  /// filtered to the cutoff and simulated path by path; the family is
  /// estimated on the standardised residuals, as for ewma.
  garch,
};

struct BacktestModel {
  std::string name;  // the store's `model` coordinate, e.g. "sarimax(1,1,1)", "naive"
  ModelKind kind = ModelKind::sarimax;
  SarimaxSpec spec;  // baselines: their SARIMAX(0,1,0) form
  PriceTransform transform = PriceTransform::none;
  double box_cox_lambda = 1.0;  // box_cox's exponent
  VolatilityModel volatility = VolatilityModel::constant;
  double ewma_lambda = 0.94;  // ewma's decay (RiskMetrics' daily value by default)
  /// The innovation family (a choose_innovations setting); empty: the run's.
  std::string innovations;
  /// Rolling training window of this model, in rows up to the cutoff
  /// (fewer where the fold's own window is shorter); 0: the fold's window.
  int window_rows = 0;

  bool uses_exog() const { return kind == ModelKind::sarimax; }
};

/// A model and its variant options: "naive", "drift", "sarimax" (the given
/// default spec) or "sarimax:p,d,q[:P,D,Q,s][:trend]", each followed by
/// any of ":log" (fitted on log prices) or ":boxcox=LAMBDA" (on Box-Cox
/// transformed prices, LAMBDA in (0, 1]), ":ewma" or ":ewma=LAMBDA" (EWMA
/// volatility, decay 0.94 or LAMBDA in (0, 1)) or ":garch", ":window=ROWS"
/// (a rolling training window of its own, ROWS >= 2), and an innovation family (":student_t", ":bootstrap" ...), e.g.
/// "sarimax:1,1,1:log:student_t:ewma" or "naive:log". The name gets each
/// option after a '+' ("sarimax(1,1,1)+log+student_t+ewma"). Throws
/// InputError naming `field` for anything else.
BacktestModel parse_backtest_model(const std::string& text, const SarimaxSpec& defaults,
                                   const std::string& field = "--model");

/// Closed-form maximum-likelihood fit of a baseline on y (at least two
/// values), re-filtered so that the result carries residuals and the end
/// state: the random walk's sigma2 is the mean squared step, the drift model
/// adds the mean step as intercept and takes the variance around it.
SarimaxFit fit_baseline(const BacktestModel& model, const Eigen::VectorXd& y);

}  // namespace arabica
