#include "model/parameter_transform.hpp"

#include <cmath>
#include <complex>

#include <Eigen/Dense>

namespace arabica {

Eigen::VectorXd constrain_stationary(const Eigen::VectorXd& unconstrained) {
  const Eigen::Index n = unconstrained.size();
  if (n == 0) return unconstrained;
  // Map to partial autocorrelations in (-1, 1), then Durbin-Levinson.
  const Eigen::ArrayXd r =
      unconstrained.array() / (1.0 + unconstrained.array().square()).sqrt();
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index k = 0; k < n; ++k) {
    for (Eigen::Index i = 0; i < k; ++i) y(k, i) = y(k - 1, i) + r[k] * y(k - 1, k - i - 1);
    y(k, k) = r[k];
  }
  return -y.row(n - 1).transpose();
}

Eigen::VectorXd unconstrain_stationary(const Eigen::VectorXd& constrained) {
  const Eigen::Index n = constrained.size();
  if (n == 0) return constrained;
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(n, n);
  y.row(n - 1) = -constrained.transpose();
  for (Eigen::Index k = n - 1; k > 0; --k)
    for (Eigen::Index i = 0; i < k; ++i)
      y(k - 1, i) = (y(k, i) - y(k, k) * y(k, k - i - 1)) / (1.0 - y(k, k) * y(k, k));
  const Eigen::ArrayXd r = y.diagonal().array();
  return (r / (1.0 - r.square()).sqrt()).matrix();
}

double largest_inverse_root(const Eigen::VectorXd& coefficients) {
  const Eigen::Index n = coefficients.size();
  if (n == 0) return 0.0;
  // 1 + c_1 L + ... + c_n L^n = prod (1 - r_i L), where the inverse roots
  // r_i are the eigenvalues of the companion matrix of x^n + c_1 x^(n-1) + ... + c_n.
  Eigen::MatrixXd companion = Eigen::MatrixXd::Zero(n, n);
  companion.row(0) = -coefficients.transpose();
  for (Eigen::Index i = 1; i < n; ++i) companion(i, i - 1) = 1.0;
  return companion.eigenvalues().cwiseAbs().maxCoeff();
}

Eigen::VectorXd reflect_to_invertible(const Eigen::VectorXd& ma_coefficients,
                                      double& variance_factor) {
  const Eigen::Index q = ma_coefficients.size();
  variance_factor = 1.0;
  if (q == 0) return ma_coefficients;
  // 1 + c_1 L + ... + c_q L^q = prod (1 - r_i L), where the r_i are the
  // eigenvalues of the companion matrix of x^q + c_1 x^(q-1) + ... + c_q.
  Eigen::MatrixXd companion = Eigen::MatrixXd::Zero(q, q);
  companion.row(0) = -ma_coefficients.transpose();
  for (Eigen::Index i = 1; i < q; ++i) companion(i, i - 1) = 1.0;
  const Eigen::VectorXcd roots = companion.eigenvalues();
  Eigen::VectorXcd poly = Eigen::VectorXcd::Zero(q + 1);
  poly[0] = 1.0;
  for (Eigen::Index i = 0; i < q; ++i) {
    std::complex<double> r = roots[i];
    if (std::abs(r) > 1.0) {
      variance_factor *= std::norm(r);
      r = 1.0 / std::conj(r);
    }
    for (Eigen::Index j = i + 1; j > 0; --j) poly[j] -= r * poly[j - 1];
  }
  return poly.tail(q).real();
}

}  // namespace arabica
