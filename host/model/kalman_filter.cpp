#include "arabica/kalman_filter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Dense>
#include <Eigen/SparseCore>

#include "arabica/error.hpp"

namespace arabica {

namespace {

// The likelihood is evaluated hundreds of times per fit on a state of a few
// elements, so the filter is instantiated for each small state dimension:
// fixed-size Eigen types unroll the k x k algebra. Large (seasonal) states
// and k = 1 (where GCC 12 warns falsely on Eigen's 1x1 SIMD paths) use the
// dynamic instantiation.
constexpr int kMinFixedStates = 2, kMaxFixedStates = 8;

// P_inf starts as the identity on the diffuse states and only loses rank, so
// its entries and F_inf are O(1) whatever the data's units: an absolute
// tolerance is scale-free here.
constexpr double kDiffuseTolerance = 1e-9;

// The transition as the filter applies it. Small states use fixed-size dense
// algebra; large (seasonal) ones are mostly zeros - a companion column, a
// shift and the seasonal rotation, O(k) non-zeros - so a sparse T makes the
// covariance step T P T' O(k^2) instead of O(k^3), which was most of a
// seasonal fit's time.
template <class Matrix>
struct Transition {
  Matrix matrix;
  explicit Transition(const Eigen::MatrixXd& T) : matrix(T) {}
  void sandwich(const Matrix& P, Matrix& out) const { out.noalias() = matrix * P * matrix.transpose(); }
};

template <>
struct Transition<Eigen::MatrixXd> {
  Eigen::SparseMatrix<double, Eigen::RowMajor> matrix;
  mutable Eigen::MatrixXd scratch, transposed;  // reused: no allocation per period
  explicit Transition(const Eigen::MatrixXd& T) : matrix(T.sparseView()) {}
  // Column axpys over T's rows: (P T')(:, i) = sum_j T_ij P(:, j) for a
  // symmetric P, and T P T' = (T (P T'))' the same way from the transpose.
  void sandwich(const Eigen::MatrixXd& P, Eigen::MatrixXd& out) const {
    const Eigen::Index k = P.rows();
    scratch.resize(k, k);
    times_transpose(P, scratch);  // P T'
    transposed = scratch.transpose();  // T P
    out.resize(k, k);
    times_transpose(transposed, out);  // T P T'
  }

 private:
  // out = A T' column by column, on the compressed rows directly (an Eigen
  // block expression per non-zero cost more than its k multiply-adds).
  void times_transpose(const Eigen::MatrixXd& A, Eigen::MatrixXd& out) const {
    const Eigen::Index k = A.rows();
    const int* row_start = matrix.outerIndexPtr();
    const int* column = matrix.innerIndexPtr();
    const double* value = matrix.valuePtr();
    for (Eigen::Index i = 0; i < matrix.outerSize(); ++i) {
      double* target = out.col(i).data();
      if (row_start[i] == row_start[i + 1]) {
        std::fill(target, target + k, 0.0);
        continue;
      }
      const double first = value[row_start[i]];
      const double* source = A.col(column[row_start[i]]).data();
      for (Eigen::Index r = 0; r < k; ++r) target[r] = first * source[r];
      for (int at = row_start[i] + 1; at < row_start[i + 1]; ++at) {
        const double weight = value[at];
        source = A.col(column[at]).data();
        for (Eigen::Index r = 0; r < k; ++r) target[r] += weight * source[r];
      }
    }
  }
};

// Finishes P_{t+1} = T P T' - F K K' + RQR (P_next holds T P T') on the
// upper triangle in one pass, mirrors it, and says whether P has settled:
// once it stops changing (1e-14 relative) the gain is frozen, which saves
// the covariance step for the rest of the sample without changing results.
template <class Matrix, class Vector>
bool finish_covariance(Matrix& P_next, const Matrix& P, double F, const Vector& gain,
                       const Matrix& RQR) {
  const Eigen::Index k = P.rows();
  double largest = 1.0, change = 0.0;
  for (Eigen::Index c = 0; c < k; ++c) {
    for (Eigen::Index r = 0; r <= c; ++r) {
      const double value = (P_next(r, c) - (F * gain[r]) * gain[c]) + RQR(r, c);
      P_next(r, c) = value;
      P_next(c, r) = value;
      largest = std::max(largest, std::abs(value));
      change = std::max(change, std::abs(value - P(r, c)));
    }
  }
  return change <= 1e-14 * largest;
}

template <class Matrix, class Vector>
struct DiffuseStep {
  double F = 0.0;            // F_inf when positive, else F_*
  bool informative = false;  // F_inf > 0: the period pins down a diffuse direction
  Vector update;             // a_{t|t} = a_t + update * v_t
  Matrix filtered_cov;       // P_*,t|t
};

// One period of the exact initial Kalman filter for a univariate observation
// (Durbin & Koopman 2012, 5.2.1; Koopman & Durbin 2000): with F_inf > 0 the
// update uses the diffuse gain M_inf/F_inf and removes that direction from
// P_inf, else it is an ordinary update of P_*. Advances P_* and P_inf to t+1.
// False when an ordinary period's F_* is not positive.
template <class Matrix, class Vector, class RowVector>
bool diffuse_step(const Transition<Matrix>& T, const RowVector& Z, const Matrix& RQR, Matrix& P_star,
                  Matrix& P_inf, DiffuseStep<Matrix, Vector>& step) {
  const Vector M_inf = P_inf * Z.transpose();
  const Vector M_star = P_star * Z.transpose();
  const double F_inf = Z.dot(M_inf), F_star = Z.dot(M_star);
  Matrix filtered_inf = P_inf;
  if (F_inf > kDiffuseTolerance) {
    step.informative = true;
    step.F = F_inf;
    step.update = M_inf / F_inf;
    step.filtered_cov = P_star;
    step.filtered_cov.noalias() -= step.update * M_star.transpose();
    step.filtered_cov.noalias() -= M_star * step.update.transpose();
    step.filtered_cov.noalias() += F_star * step.update * step.update.transpose();
    filtered_inf.noalias() -= M_inf * step.update.transpose();
  } else {
    if (!(F_star > 0.0) || !std::isfinite(F_star)) return false;
    step.informative = false;
    step.F = F_star;
    step.update = M_star / F_star;
    step.filtered_cov = P_star;
    step.filtered_cov.noalias() -= M_star * step.update.transpose();
  }
  T.sandwich(step.filtered_cov, P_star);
  P_star += RQR;
  T.sandwich(filtered_inf, P_inf);
  P_star = (0.5 * (P_star + P_star.transpose())).eval();
  P_inf = (0.5 * (P_inf + P_inf.transpose())).eval();
  return true;
}

template <class Matrix>
bool still_diffuse(const Matrix& P_inf) {
  return P_inf.cwiseAbs().maxCoeff() > kDiffuseTolerance;
}

template <int K>
KalmanResult filter(const StateSpace& system, const Eigen::MatrixXd& initial_means,
                    const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns,
                    const Eigen::MatrixXd& initial_diffuse) {
  using Vector = Eigen::Matrix<double, K, 1>;
  using RowVector = Eigen::Matrix<double, 1, K>;
  using Matrix = Eigen::Matrix<double, K, K>;
  using Means = Eigen::Matrix<double, K, Eigen::Dynamic>;
  const Eigen::Index n = columns.observations.rows();
  const Eigen::Index m = columns.observations.cols();
  const bool has_intercepts = columns.intercepts.size() > 0;

  const Transition<Matrix> T(system.transition);
  const RowVector Z = system.design;
  const Matrix RQR = system.sigma2 * system.selection * system.selection.transpose();
  const Eigen::Index k = system.k_states();
  Matrix P = initial_cov, P_next, P_used = Matrix::Zero(k, k);
  Vector gain = Vector::Zero(k), update = Vector::Zero(k);  // T P Z' / F and P Z' / F
  Vector PZ(k);
  double F = 0.0;
  bool steady = false;
  Means A = initial_means, A_next(A.rows(), m);
  bool diffuse = initial_diffuse.size() > 0;
  Matrix P_inf;
  if (diffuse) P_inf = initial_diffuse;
  std::vector<double> diffuse_variance;

  KalmanResult out;
  out.forecast_variance.resize(n);
  out.innovations.resize(n, m);
  for (Eigen::Index t = 0; t < n; ++t) {
    if (diffuse) {
      if (t + 1 == n)
        throw NumericalError("Kalman filter: the sample ends inside the exact diffuse initial "
                             "periods (" + std::to_string(n) + " observations)");
      DiffuseStep<Matrix, Vector> step;
      if (!diffuse_step(T, Z, RQR, P, P_inf, step))
        throw NumericalError("Kalman filter: non-positive forecast variance at t=" +
                             std::to_string(t));
      F = step.F;
      update = step.update;
      gain.noalias() = T.matrix * update;
      diffuse_variance.push_back(step.informative ? F : 0.0);
      diffuse = still_diffuse(P_inf);
    } else if (!steady) {
      PZ.noalias() = P * Z.transpose();
      F = Z.dot(PZ);
      if (!(F > 0.0) || !std::isfinite(F))
        throw NumericalError("Kalman filter: non-positive forecast variance at t=" +
                             std::to_string(t));
      update = PZ / F;
      gain.noalias() = T.matrix * update;
      P_used = P;
      T.sandwich(P, P_next);
      steady = finish_covariance(P_next, P, F, gain, RQR);
      P = P_next;
    }
    out.forecast_variance[t] = F;
    const double* y = columns.observations.row(t).data();
    double* v = out.innovations.row(t).data();
    for (Eigen::Index j = 0; j < m; ++j) {
      v[j] = y[j] - Z.dot(A.col(j));
      A_next.col(j).noalias() = T.matrix * A.col(j);
      A_next.col(j) += gain * v[j];
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
  out.diffuse_variance = Eigen::Map<const Eigen::VectorXd>(
      diffuse_variance.data(), static_cast<Eigen::Index>(diffuse_variance.size()));
  return out;
}

constexpr double kLog2Pi = 1.8378770664093454836;

// The lanes' recursions, period-major: every lane advances one period before
// any advances the next. Per lane the arithmetic is filter<K>'s.
template <int K>
std::vector<double> loglike_lanes(const std::vector<KalmanLane>& lanes, const Eigen::VectorXd& y,
                                  const Eigen::VectorXd& intercepts, int burn,
                                  bool drop_diffuse_periods) {
  using Vector = Eigen::Matrix<double, K, 1>;
  using RowVector = Eigen::Matrix<double, 1, K>;
  using Matrix = Eigen::Matrix<double, K, K>;
  struct Lane {
    explicit Lane(const Eigen::MatrixXd& transition) : T(transition) {}
    Transition<Matrix> T;
    Matrix RQR, P, P_inf;
    RowVector Z;
    Vector a, gain;
    Matrix P_next;          // scratch, kept so that large states
    Vector PZ, update, next;  // allocate nothing per period
    double F = 0.0, log_F = 0.0, log_det = 0.0, sse = 0.0;
    int trend_state = 0;
    long used = 0;  // periods in the likelihood
    bool steady = false, failed = false, diffuse = false;
  };
  std::vector<Lane> state;
  state.reserve(lanes.size());
  for (std::size_t l = 0; l < lanes.size(); ++l) {
    const StateSpace& system = lanes[l].system;
    Lane& lane = state.emplace_back(system.transition);
    lane.Z = system.design;
    lane.RQR = system.sigma2 * system.selection * system.selection.transpose();
    lane.P = lanes[l].initial_cov;
    lane.a = lanes[l].initial_mean;
    lane.trend_state = system.trend_state;
    lane.diffuse = lanes[l].initial_diffuse.size() > 0;
    if (lane.diffuse) lane.P_inf = lanes[l].initial_diffuse;
  }
  const Eigen::Index n = y.size();
  const bool has_intercepts = intercepts.size() > 0;
  Eigen::Index t = 0;
  // a_{t+1} = T a_t + K_t v_t (+ the trend intercept).
  const auto advance_mean = [&](Lane& lane, double v) {
    lane.next.noalias() = lane.T.matrix * lane.a;
    lane.next += lane.gain * v;
    if (has_intercepts) lane.next[lane.trend_state] += intercepts[t];
    lane.a.swap(lane.next);
  };
  for (; t < n; ++t) {
    for (Lane& lane : state) {
      if (lane.failed) continue;
      if (lane.diffuse) {
        DiffuseStep<Matrix, Vector> step;
        if (!diffuse_step(lane.T, lane.Z, lane.RQR, lane.P, lane.P_inf, step)) {
          lane.failed = true;
          continue;
        }
        lane.F = step.F;
        lane.log_F = std::log(step.F);
        lane.gain.noalias() = lane.T.matrix * step.update;
        lane.diffuse = still_diffuse(lane.P_inf);
        const double v = y[t] - lane.Z.dot(lane.a);
        advance_mean(lane, v);
        if (t >= burn && !(step.informative && drop_diffuse_periods)) {
          lane.log_det += lane.log_F;
          if (!step.informative) lane.sse += v * v / lane.F;
          ++lane.used;
        }
        // The sample must not end inside the diffuse periods.
        if (t + 1 == n) lane.failed = true;
        continue;
      }
      if (!lane.steady) {
        lane.PZ.noalias() = lane.P * lane.Z.transpose();
        const double F = lane.Z.dot(lane.PZ);
        if (!(F > 0.0) || !std::isfinite(F)) {
          lane.failed = true;
          continue;
        }
        if (F != lane.F) lane.log_F = std::log(F);
        lane.F = F;
        lane.update = lane.PZ / F;
        lane.gain.noalias() = lane.T.matrix * lane.update;
        Matrix& P_next = lane.P_next;
        lane.T.sandwich(lane.P, P_next);
        lane.steady = finish_covariance(P_next, lane.P, F, lane.gain, lane.RQR);
        lane.P.swap(P_next);
      }
      const double v = y[t] - lane.Z.dot(lane.a);
      advance_mean(lane, v);
      if (t >= burn) {
        lane.log_det += lane.log_F;
        lane.sse += v * v / lane.F;
        ++lane.used;
      }
    }
  }
  std::vector<double> out;
  for (const Lane& lane : state)
    out.push_back(lane.failed || !std::isfinite(lane.sse)
                      ? std::numeric_limits<double>::quiet_NaN()
                      : -0.5 * (static_cast<double>(lane.used) * kLog2Pi + lane.log_det + lane.sse));
  return out;
}

template <int K>
std::vector<double> dispatch_lanes(int k, const std::vector<KalmanLane>& lanes,
                                   const Eigen::VectorXd& y, const Eigen::VectorXd& intercepts,
                                   int burn, bool drop) {
  if constexpr (K > kMaxFixedStates) {
    return loglike_lanes<Eigen::Dynamic>(lanes, y, intercepts, burn, drop);
  } else {
    if (k == K) return loglike_lanes<K>(lanes, y, intercepts, burn, drop);
    return dispatch_lanes<K + 1>(k, lanes, y, intercepts, burn, drop);
  }
}

template <int K>
KalmanResult dispatch(int k, const StateSpace& system, const Eigen::MatrixXd& initial_means,
                      const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns,
                      const Eigen::MatrixXd& initial_diffuse) {
  if constexpr (K > kMaxFixedStates) {
    return filter<Eigen::Dynamic>(system, initial_means, initial_cov, columns, initial_diffuse);
  } else {
    if (k == K) return filter<K>(system, initial_means, initial_cov, columns, initial_diffuse);
    return dispatch<K + 1>(k, system, initial_means, initial_cov, columns, initial_diffuse);
  }
}

}  // namespace

std::vector<double> kalman_loglike_lanes(const std::vector<KalmanLane>& lanes,
                                         const Eigen::VectorXd& y,
                                         const Eigen::VectorXd& intercepts, int burn,
                                         bool drop_diffuse_periods) {
  if (lanes.empty()) return {};
  const Eigen::Index k = lanes.front().system.k_states();
  for (const KalmanLane& lane : lanes)
    ARABICA_REQUIRE(lane.system.k_states() == k && lane.initial_mean.size() == k &&
                        lane.initial_cov.rows() == k && lane.initial_cov.cols() == k,
                    "kalman_loglike_lanes: every lane needs the same state dimension");
  for (const KalmanLane& lane : lanes)
    ARABICA_REQUIRE(lane.initial_diffuse.size() == 0 ||
                        (lane.initial_diffuse.rows() == k && lane.initial_diffuse.cols() == k),
                    "kalman_loglike_lanes: initial_diffuse is not k x k");
  ARABICA_REQUIRE(intercepts.size() == 0 || intercepts.size() == y.size(),
                  "kalman_loglike_lanes: intercepts must be empty or one per period");
  ARABICA_REQUIRE(burn >= 0 && burn < y.size(), "kalman_loglike_lanes: burn outside the sample");
  const bool drop = drop_diffuse_periods;
  if (k < kMinFixedStates) return loglike_lanes<Eigen::Dynamic>(lanes, y, intercepts, burn, drop);
  return dispatch_lanes<kMinFixedStates>(static_cast<int>(k), lanes, y, intercepts, burn, drop);
}

KalmanResult kalman_filter(const StateSpace& system, const Eigen::MatrixXd& initial_means,
                           const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns,
                           const Eigen::MatrixXd& initial_diffuse) {
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
  ARABICA_REQUIRE(initial_diffuse.size() == 0 ||
                      (initial_diffuse.rows() == k && initial_diffuse.cols() == k),
                  "initial_diffuse is not k x k");
  if (k < kMinFixedStates)
    return filter<Eigen::Dynamic>(system, initial_means, initial_cov, columns, initial_diffuse);
  return dispatch<kMinFixedStates>(static_cast<int>(k), system, initial_means, initial_cov, columns,
                                   initial_diffuse);
}

}  // namespace arabica
