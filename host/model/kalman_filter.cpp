#include "arabica/kalman_filter.hpp"

#include <cmath>
#include <vector>

#include <Eigen/Dense>

#include "arabica/error.hpp"

namespace arabica {

namespace {

// The likelihood is evaluated hundreds of times per fit on a state of a few
// elements, so the filter is instantiated for each small state dimension:
// fixed-size Eigen types unroll the k x k algebra. Large (seasonal) states
// and k = 1 (where GCC 12 warns falsely on Eigen's 1x1 SIMD paths) use the
// dynamic instantiation.
constexpr int kMinFixedStates = 2, kMaxFixedStates = 8;

template <int K>
KalmanResult filter(const StateSpace& system, const Eigen::MatrixXd& initial_means,
                    const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns) {
  using Vector = Eigen::Matrix<double, K, 1>;
  using RowVector = Eigen::Matrix<double, 1, K>;
  using Matrix = Eigen::Matrix<double, K, K>;
  using Means = Eigen::Matrix<double, K, Eigen::Dynamic>;
  const Eigen::Index n = columns.observations.rows();
  const Eigen::Index m = columns.observations.cols();
  const bool has_intercepts = columns.intercepts.size() > 0;

  const Matrix T = system.transition;
  const RowVector Z = system.design;
  const Matrix RQR = system.sigma2 * system.selection * system.selection.transpose();
  Matrix P = initial_cov, P_next, P_used;
  Vector gain, update;  // T P Z' / F and P Z' / F
  double F = 0.0;
  bool steady = false;
  Means A = initial_means, A_next(A.rows(), m);

  KalmanResult out;
  out.forecast_variance.resize(n);
  out.innovations.resize(n, m);
  for (Eigen::Index t = 0; t < n; ++t) {
    if (!steady) {
      const Vector PZ = P * Z.transpose();
      F = Z.dot(PZ);
      if (!(F > 0.0) || !std::isfinite(F))
        throw NumericalError("Kalman filter: non-positive forecast variance at t=" +
                             std::to_string(t));
      update = PZ / F;
      gain.noalias() = T * update;
      P_used = P;
      P_next.noalias() = T * P * T.transpose();
      P_next.noalias() -= F * gain * gain.transpose();
      P_next += RQR;
      P_next.template triangularView<Eigen::StrictlyLower>() =
          P_next.template triangularView<Eigen::StrictlyUpper>().transpose();
      // Once P stops changing the gain is frozen: this saves the O(k^3)
      // step for the rest of the sample without changing results.
      const double scale = std::max(1.0, P_next.cwiseAbs().maxCoeff());
      steady = (P_next - P).cwiseAbs().maxCoeff() <= 1e-14 * scale;
      P = P_next;
    }
    out.forecast_variance[t] = F;
    const double* y = columns.observations.row(t).data();
    double* v = out.innovations.row(t).data();
    for (Eigen::Index j = 0; j < m; ++j) {
      v[j] = y[j] - Z.dot(A.col(j));
      A_next.col(j).noalias() = T * A.col(j) + gain * v[j];
      if (has_intercepts) A_next(system.trend_state, j) += columns.intercepts(t, j);
    }
    if (t + 1 == n) {
      // Filtered moments of the last period anchor simulated paths.
      out.filtered_means = A + update * Eigen::Map<const Eigen::RowVectorXd>(v, m);
      out.filtered_cov = P_used - F * update * update.transpose();
    }
    A.swap(A_next);
  }
  out.end_means = A;
  out.end_cov = P;
  return out;
}

template <int K>
KalmanResult dispatch(int k, const StateSpace& system, const Eigen::MatrixXd& initial_means,
                      const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns) {
  if constexpr (K > kMaxFixedStates) {
    return filter<Eigen::Dynamic>(system, initial_means, initial_cov, columns);
  } else {
    if (k == K) return filter<K>(system, initial_means, initial_cov, columns);
    return dispatch<K + 1>(k, system, initial_means, initial_cov, columns);
  }
}

}  // namespace

KalmanResult kalman_filter(const StateSpace& system, const Eigen::MatrixXd& initial_means,
                           const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns) {
  const Eigen::Index k = system.k_states();
  const Eigen::Index n = columns.observations.rows();
  const Eigen::Index m = columns.observations.cols();
  ARABICA_REQUIRE(k >= 1, "state dimension must be positive");
  ARABICA_REQUIRE(system.design.size() == k && system.selection.size() == k,
                  "design/selection do not match the transition");
  ARABICA_REQUIRE(initial_cov.rows() == k && initial_cov.cols() == k, "initial_cov is not k x k");
  ARABICA_REQUIRE(initial_means.rows() == k && initial_means.cols() == m,
                  "initial_means is not k x m");
  ARABICA_REQUIRE(columns.intercepts.size() == 0 ||
                      (columns.intercepts.rows() == n && columns.intercepts.cols() == m),
                  "intercepts is not n x m");
  if (k < kMinFixedStates) return filter<Eigen::Dynamic>(system, initial_means, initial_cov, columns);
  return dispatch<kMinFixedStates>(static_cast<int>(k), system, initial_means, initial_cov, columns);
}

}  // namespace arabica
