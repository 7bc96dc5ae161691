#include "arabica/kalman_filter.hpp"

#include <cmath>
#include <vector>

#include <Eigen/Dense>

#include "arabica/error.hpp"

namespace arabica {

namespace {
// SARIMAX transitions are mostly zeros (companion and integration blocks);
// the mean recursions run once per column and period, so walk only the
// non-zeros there.
struct SparseEntry {
  int row, col;
  double value;
};
}  // namespace

KalmanResult kalman_filter(const StateSpace& system, const Eigen::MatrixXd& initial_means,
                           const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns) {
  const Eigen::Index k = system.k_states();
  const Eigen::Index n = columns.observations.rows();
  const Eigen::Index m = columns.observations.cols();
  const bool has_intercepts = columns.intercepts.size() > 0;
  ARABICA_REQUIRE(initial_cov.rows() == k && initial_cov.cols() == k, "initial_cov is not k x k");
  ARABICA_REQUIRE(initial_means.rows() == k && initial_means.cols() == m,
                  "initial_means is not k x m");
  ARABICA_REQUIRE(!has_intercepts || (columns.intercepts.rows() == n &&
                                      columns.intercepts.cols() == m),
                  "intercepts is not n x m");

  const Eigen::MatrixXd& T = system.transition;
  const Eigen::RowVectorXd& Z = system.design;
  const Eigen::MatrixXd RQR = system.sigma2 * system.selection * system.selection.transpose();
  std::vector<SparseEntry> t_entries;
  for (Eigen::Index j = 0; j < k; ++j)
    for (Eigen::Index i = 0; i < k; ++i)
      if (T(i, j) != 0.0) t_entries.push_back({static_cast<int>(i), static_cast<int>(j), T(i, j)});
  std::vector<int> z_ones;  // Z holds only zeros and ones
  for (Eigen::Index i = 0; i < k; ++i)
    if (Z[i] != 0.0) {
      ARABICA_REQUIRE(Z[i] == 1.0, "design entries must be 0 or 1");
      z_ones.push_back(static_cast<int>(i));
    }

  // Means are kept state-major (row i holds state i of every column) so each
  // update is a contiguous, vectorisable loop over the columns.
  const ColumnsMatrix& observations = columns.observations;
  const ColumnsMatrix& intercepts = columns.intercepts;
  ColumnsMatrix A = initial_means, A_next(k, m);

  KalmanResult out;
  out.innovations.resize(n, m);
  out.forecast_variance.resize(n);
  Eigen::MatrixXd P = initial_cov;
  Eigen::MatrixXd P_next(k, k);
  Eigen::VectorXd PZ(k), gain(k);  // P Z', T P Z' / F
  double F = 0.0;
  bool steady = false;
  const int trend_state = system.trend_state;

  for (Eigen::Index t = 0; t < n; ++t) {
    if (!steady) {
      PZ.noalias() = P * Z.transpose();
      F = Z.dot(PZ);
      if (!(F > 0.0) || !std::isfinite(F))
        throw NumericalError("Kalman filter: non-positive forecast variance at t=" +
                             std::to_string(t));
      gain.noalias() = T * PZ;
      gain /= F;
      P_next.noalias() = T * P * T.transpose();
      P_next.noalias() -= F * gain * gain.transpose();
      P_next += RQR;
      P_next.triangularView<Eigen::StrictlyLower>() =
          P_next.triangularView<Eigen::StrictlyUpper>().transpose();
      const double scale = std::max(1.0, P_next.cwiseAbs().maxCoeff());
      steady = (P_next - P).cwiseAbs().maxCoeff() <= 1e-14 * scale;
      P.swap(P_next);
    }
    out.forecast_variance[t] = F;
    double* v = out.innovations.row(t).data();
    const double* y = observations.row(t).data();
    for (Eigen::Index j = 0; j < m; ++j) v[j] = y[j];
    for (const int i : z_ones) {
      const double* a = A.row(i).data();
      for (Eigen::Index j = 0; j < m; ++j) v[j] -= a[j];
    }
    for (Eigen::Index i = 0; i < k; ++i) {
      double* a_next = A_next.row(i).data();
      const double g = gain[i];
      for (Eigen::Index j = 0; j < m; ++j) a_next[j] = g * v[j];
    }
    for (const SparseEntry& e : t_entries) {
      const double* a = A.row(e.col).data();
      double* a_next = A_next.row(e.row).data();
      for (Eigen::Index j = 0; j < m; ++j) a_next[j] += e.value * a[j];
    }
    if (has_intercepts) {
      const double* c = intercepts.row(t).data();
      double* a_next = A_next.row(trend_state).data();
      for (Eigen::Index j = 0; j < m; ++j) a_next[j] += c[j];
    }
    A.swap(A_next);
  }
  out.end_means = A;
  out.end_cov = std::move(P);
  return out;
}

}  // namespace arabica
