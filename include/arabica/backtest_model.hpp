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

struct BacktestModel {
  std::string name;  // the store's `model` coordinate, e.g. "sarimax(1,1,1)", "naive"
  ModelKind kind = ModelKind::sarimax;
  SarimaxSpec spec;  // baselines: their SARIMAX(0,1,0) form

  bool uses_exog() const { return kind == ModelKind::sarimax; }
};

/// "naive", "drift", "sarimax" (the given default spec) or
/// "sarimax:p,d,q[:P,D,Q,s[:trend]]" with the default's enforce flags.
/// Throws InputError naming `field` for anything else.
BacktestModel parse_backtest_model(const std::string& text, const SarimaxSpec& defaults,
                                   const std::string& field = "--model");

/// Closed-form maximum-likelihood fit of a baseline on y (at least two
/// values), re-filtered so that the result carries residuals and the end
/// state: the random walk's sigma2 is the mean squared step, the drift model
/// adds the mean step as intercept and takes the variance around it.
SarimaxFit fit_baseline(const BacktestModel& model, const Eigen::VectorXd& y);

}  // namespace arabica
