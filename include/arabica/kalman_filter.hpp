// Kalman filter for a univariate-observation state-space model that runs one
// covariance recursion for several mean recursions ("columns"). Because the
// filter is linear in the data, filtering y and every regressor once gives
// the innovations of y - X*beta for any beta; the SARIMAX likelihood profiles
// the regression coefficients out with this, exactly.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "arabica/state_space.hpp"

namespace arabica {

// Period-major storage: one period's values for all columns are contiguous.
using ColumnsMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct KalmanColumns {
  ColumnsMatrix observations;  // n x m
  ColumnsMatrix intercepts;    // n x m, c_t added to state `trend_state`; empty = none
};

struct KalmanResult {
  Eigen::VectorXd forecast_variance;  // F_t, n
  ColumnsMatrix innovations;          // v_t, n x m
  Eigen::MatrixXd end_means;          // a_{n+1|n}, k x m
  Eigen::MatrixXd end_cov;            // P_{n+1|n}
  Eigen::MatrixXd filtered_means;     // a_{n|n}, k x m
  Eigen::MatrixXd filtered_cov;       // P_{n|n}
};

/// Conventional Kalman filter: P_1 = initial_cov, v_t = y_t - Z a_t,
/// F_t = Z P_t Z', a_{t+1} = T a_t + T P_t Z' v_t / F_t + c_t. Once P_t stops
/// changing (to 1e-14 relative) the gain is frozen, which saves the O(k^3)
/// covariance step for the rest of the sample without changing results.
/// initial_means is k x m (a_1 of each column), initial_cov is P_1.
KalmanResult kalman_filter(const StateSpace& system, const Eigen::MatrixXd& initial_means,
                           const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns);

/// One system of kalman_loglike_lanes().
struct KalmanLane {
  StateSpace system;
  Eigen::VectorXd initial_mean;  // a_1
  Eigen::MatrixXd initial_cov;   // P_1
};

/// Gaussian log-likelihood of one data column (intercepts: empty or c_t per
/// period) under several systems of the same state dimension, leaving out
/// the first `burn` periods: the probes of a numerical gradient. The lanes'
/// recursions are interleaved period by period, so each hides the others'
/// latency; each gives the value its own kalman_filter() pass would. A lane
/// whose forecast variance stops being positive gives NaN.
std::vector<double> kalman_loglike_lanes(const std::vector<KalmanLane>& lanes,
                                         const Eigen::VectorXd& y,
                                         const Eigen::VectorXd& intercepts, int burn);

}  // namespace arabica
