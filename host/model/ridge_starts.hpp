// Extra start points for a SARIMAX fit that escape a near-cancelling AR/MA
// pair. Where AR and MA roots almost cancel, the likelihood has a ridge
// along which the model's impulse response (its psi-weights) barely changes
// while the AR coefficient moves through (-1, 1); such ridges often carry
// several local maxima, and which one a local optimiser reaches depends on
// where it starts. These starts walk along the ridge through the current
// point, so the optimum reported for some data is the best of a fixed,
// data-determined set rather than an accident of the starting point.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "arabica/sarimax.hpp"

namespace arabica {

/// Values the leading AR coefficient takes on the ridge walk.
inline constexpr double kRidgeGrid[] = {-0.9, -0.7, -0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.7, 0.9};
/// From this |AR coefficient| on, the walk also tries MA points off the kept
/// psi-weights: towards a unit AR root the ridge's crest bends away from them.
inline constexpr double kRidgeBendFrom = 0.5;

/// MA coefficients that keep the first ma.size() psi-weights of (ar, ma)
/// when the AR polynomial becomes new_ar: theta'(L) = [phi'(L) psi(L)] up to
/// lag q (statsmodels' signs: (1 - sum ar_i L^i) y = (1 + sum ma_j L^j) e).
Eigen::VectorXd ridge_ma(const Eigen::VectorXd& ar, const Eigen::VectorXd& ma,
                         const Eigen::VectorXd& new_ar);

/// One stop of the walk: the leading coefficient of the plain (or seasonal)
/// AR polynomial set to `leading`.
struct RidgeStep {
  bool seasonal = false;
  double leading = 0.0;
  /// Whether the crest is looked for off the kept psi-weights too.
  bool bends() const;
};

/// The walk through `at`: each kRidgeGrid value for the plain pair (when it
/// has plain AR and MA terms), then for the seasonal pair (when it has both
/// seasonal parts); values that make the AR part non-stationary are left out.
std::vector<RidgeStep> ridge_steps(const SarimaxParams& at);

/// `at` moved to `step`: the MA part from ridge_ma, its leading coefficient
/// moved by `shift`, reflected to its invertible twin (sigma2 rescaled to
/// match). Other parameters are those of `at`.
SarimaxParams ridge_point(const SarimaxParams& at, const RidgeStep& step, double shift);

}  // namespace arabica
