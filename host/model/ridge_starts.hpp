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

/// Points on the ridges through `at`: the leading plain AR coefficient set to
/// each kRidgeGrid value (when it has plain AR and MA terms), then the
/// leading seasonal one (when it has both seasonal parts), with the MA part
/// from ridge_ma (where |AR| >= kRidgeBendFrom its leading coefficient also
/// moved by -offset and +offset), reflected to its invertible twin (sigma2
/// rescaled to match). Points whose AR part is not stationary are left out. Other
/// parameters are those of `at`.
std::vector<SarimaxParams> ridge_starts(const SarimaxParams& at, double offset);

}  // namespace arabica
