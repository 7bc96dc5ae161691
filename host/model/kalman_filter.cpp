#include "arabica/kalman_filter.hpp"

#include <cmath>
#include <limits>
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

constexpr double kLog2Pi = 1.8378770664093454836;

// The lanes' recursions, period-major: every lane advances one period before
// any advances the next. Per lane the arithmetic is filter<K>'s.
template <int K>
std::vector<double> loglike_lanes(const std::vector<KalmanLane>& lanes, const Eigen::VectorXd& y,
                                  const Eigen::VectorXd& intercepts, int burn) {
  using Vector = Eigen::Matrix<double, K, 1>;
  using RowVector = Eigen::Matrix<double, 1, K>;
  using Matrix = Eigen::Matrix<double, K, K>;
  struct Lane {
    Matrix T, RQR, P;
    RowVector Z;
    Vector a, gain;
    double F = 0.0, log_F = 0.0, log_det = 0.0, sse = 0.0;
    int trend_state = 0;
    bool steady = false, failed = false;
  };
  std::vector<Lane> state(lanes.size());
  for (std::size_t l = 0; l < lanes.size(); ++l) {
    const StateSpace& system = lanes[l].system;
    Lane& lane = state[l];
    lane.T = system.transition;
    lane.Z = system.design;
    lane.RQR = system.sigma2 * system.selection * system.selection.transpose();
    lane.P = lanes[l].initial_cov;
    lane.a = lanes[l].initial_mean;
    lane.trend_state = system.trend_state;
  }
  const Eigen::Index n = y.size();
  const bool has_intercepts = intercepts.size() > 0;
  for (Eigen::Index t = 0; t < n; ++t) {
    for (Lane& lane : state) {
      if (lane.failed) continue;
      if (!lane.steady) {
        const Vector PZ = lane.P * lane.Z.transpose();
        const double F = lane.Z.dot(PZ);
        if (!(F > 0.0) || !std::isfinite(F)) {
          lane.failed = true;
          continue;
        }
        if (F != lane.F) lane.log_F = std::log(F);
        lane.F = F;
        lane.gain.noalias() = lane.T * (PZ / F);
        Matrix P_next;
        P_next.noalias() = lane.T * lane.P * lane.T.transpose();
        P_next.noalias() -= F * lane.gain * lane.gain.transpose();
        P_next += lane.RQR;
        P_next.template triangularView<Eigen::StrictlyLower>() =
            P_next.template triangularView<Eigen::StrictlyUpper>().transpose();
        const double scale = std::max(1.0, P_next.cwiseAbs().maxCoeff());
        lane.steady = (P_next - lane.P).cwiseAbs().maxCoeff() <= 1e-14 * scale;
        lane.P = P_next;
      }
      const double v = y[t] - lane.Z.dot(lane.a);
      lane.a = lane.T * lane.a + lane.gain * v;
      if (has_intercepts) lane.a[lane.trend_state] += intercepts[t];
      if (t >= burn) {
        lane.log_det += lane.log_F;
        lane.sse += v * v / lane.F;
      }
    }
  }
  const double n_eff = static_cast<double>(n - burn);
  std::vector<double> out;
  for (const Lane& lane : state)
    out.push_back(lane.failed || !std::isfinite(lane.sse)
                      ? std::numeric_limits<double>::quiet_NaN()
                      : -0.5 * (n_eff * kLog2Pi + lane.log_det + lane.sse));
  return out;
}

template <int K>
std::vector<double> dispatch_lanes(int k, const std::vector<KalmanLane>& lanes,
                                   const Eigen::VectorXd& y, const Eigen::VectorXd& intercepts,
                                   int burn) {
  if constexpr (K > kMaxFixedStates) {
    return loglike_lanes<Eigen::Dynamic>(lanes, y, intercepts, burn);
  } else {
    if (k == K) return loglike_lanes<K>(lanes, y, intercepts, burn);
    return dispatch_lanes<K + 1>(k, lanes, y, intercepts, burn);
  }
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

std::vector<double> kalman_loglike_lanes(const std::vector<KalmanLane>& lanes,
                                         const Eigen::VectorXd& y,
                                         const Eigen::VectorXd& intercepts, int burn) {
  if (lanes.empty()) return {};
  const Eigen::Index k = lanes.front().system.k_states();
  for (const KalmanLane& lane : lanes)
    ARABICA_REQUIRE(lane.system.k_states() == k && lane.initial_mean.size() == k &&
                        lane.initial_cov.rows() == k && lane.initial_cov.cols() == k,
                    "kalman_loglike_lanes: every lane needs the same state dimension");
  ARABICA_REQUIRE(intercepts.size() == 0 || intercepts.size() == y.size(),
                  "kalman_loglike_lanes: intercepts must be empty or one per period");
  ARABICA_REQUIRE(burn >= 0 && burn < y.size(), "kalman_loglike_lanes: burn outside the sample");
  if (k < kMinFixedStates) return loglike_lanes<Eigen::Dynamic>(lanes, y, intercepts, burn);
  return dispatch_lanes<kMinFixedStates>(static_cast<int>(k), lanes, y, intercepts, burn);
}

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
