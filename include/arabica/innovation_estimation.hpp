// Choosing innovation parameters from data: estimation from a fit's
// residuals (the `auto` setting) and the legacy regime-dependent skew.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "arabica/innovations.hpp"

namespace arabica {

/// Residuals standardised for the bootstrap: non-finite values dropped, then
/// mean 0 and variance 1 with divisor n (the variance of a resampled draw).
/// Throws NumericalError for fewer than 10 finite values or a constant series.
std::vector<float> standardize_residuals(const Eigen::VectorXd& residuals);

struct EstimateOptions {
  double mixture_weight = 0.10;  // the mixture's weight is fixed; its scale is estimated
};

/// Parameters of `kind` fitted to a fit's residuals (non-finite values are
/// skipped; at least 10 finite values, else NumericalError). The residuals
/// are first standardised to mean 0 and variance 1, matching the families,
/// so only shape parameters are estimated:
///   normal      nothing
///   student_t   nu by maximum likelihood, clipped to [2.1, 100]
///   skew_normal alpha by inverting the skewness, |skewness| clipped to 0.995
///   skew_t      (alpha, nu) by maximum likelihood, from moment-based starts
///   mixture     wide_scale matching the kurtosis at the given weight, in [1, 10]
///   nig         (alpha, beta) by the method of moments (skewness and kurtosis)
///   jumps       (rate, mean, sd) by maximum likelihood from a threshold start
///   bootstrap   the standardised residuals themselves (owned by the result)
Innovations estimate_innovations(InnovationKind kind, const Eigen::VectorXd& residuals,
                                 const EstimateOptions& options = {});

/// Why a --innovations setting makes a backfill slow, for its progress
/// output ("" for the fast ones): what is estimated at every fold, and how.
std::string innovation_cost_note(const std::string& setting);

/// Market regime of the legacy design: normal, volatile, crisis or boom.
enum class Regime { normal, volatile_, crisis, boom };

/// "normal", "volatile", "crisis", "boom".
const char* regime_name(Regime regime);

struct RegimeOptions {
  int lookback = 30;           // recent window, in returns
  double volatile_ratio = 1.2; // recent / historical volatility above this: volatile
  double extreme_ratio = 1.5;  // above this: boom if the recent mean return > 0, else crisis
};

/// Regime of a price series (positive, finite, at least lookback + 2 values)
/// from its simple returns: recent volatility is the sd (divisor n - 1) of
/// the last `lookback` returns, historical volatility that of all returns.
Regime classify_regime(const Eigen::VectorXd& prices, const RegimeOptions& options = {});

/// Skew-normal innovations with the regime's slant: alpha = 0 (normal), 0.3
/// (volatile), -0.5 (crisis), 0.8 (boom), the legacy design's values (which
/// it passed to scipy's skewnorm as the shape a, i.e. alpha). Standardised,
/// unlike the legacy draws, whose mean and variance moved with alpha.
InnovationParams regime_skew_params(Regime regime);

/// The `--innovations` setting: a family name, its shape estimated from
/// `residuals` (pass those after the likelihood burn-in), or "regime", the
/// skew-normal slant of classify_regime(prices). Throws InputError naming
/// `field` for an unknown name.
Innovations choose_innovations(const std::string& setting, const Eigen::VectorXd& residuals,
                               const Eigen::VectorXd& prices,
                               const std::string& field = "--innovations");

}  // namespace arabica
