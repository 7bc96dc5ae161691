// Maps between unconstrained optimiser coordinates and stationary /
// invertible lag polynomials (Monahan 1984, statsmodels' convention), so the
// optimiser can search freely when enforce_stationarity/invertibility is on.
#pragma once

#include <Eigen/Core>

namespace arabica {

/// Unconstrained reals -> coefficients of a stationary AR polynomial
/// (1 - c_1 L - ... - c_n L^n has all roots outside the unit circle).
Eigen::VectorXd constrain_stationary(const Eigen::VectorXd& unconstrained);
/// Inverse of constrain_stationary.
Eigen::VectorXd unconstrain_stationary(const Eigen::VectorXd& constrained);

/// The largest modulus of the inverse roots of 1 + sum c_i L^i (0 for
/// none): below 1 exactly when every root lies outside the unit circle.
double largest_inverse_root(const Eigen::VectorXd& coefficients);

/// True when 1 - sum c_i L^i has all roots outside the unit circle.
inline bool is_stationary(const Eigen::VectorXd& ar_coefficients) {
  return largest_inverse_root(-ar_coefficients) < 1.0;
}

/// True when the MA polynomial 1 + sum c_i L^i has all roots outside the unit circle.
inline bool is_invertible(const Eigen::VectorXd& ma_coefficients) {
  return largest_inverse_root(ma_coefficients) < 1.0;
}

/// The invertible MA polynomial with the same autocovariances: every root
/// inside the unit circle is reflected to 1/conj(root), and the innovation
/// variance must be multiplied by `variance_factor` to compensate.
Eigen::VectorXd reflect_to_invertible(const Eigen::VectorXd& ma_coefficients,
                                      double& variance_factor);

}  // namespace arabica
