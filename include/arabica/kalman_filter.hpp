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
  /// One entry per period of the exact diffuse phase (the first periods):
  /// F_inf,t where it is positive (forecast_variance then holds F_inf,t and
  /// the period adds only -log(F_inf,t)/2 to the likelihood, Durbin-Koopman's
  /// diffuse log-likelihood), 0 where it vanished (an ordinary period).
  Eigen::VectorXd diffuse_variance;
};

/// Conventional Kalman filter: P_1 = initial_cov, v_t = y_t - Z a_t,
/// F_t = Z P_t Z', a_{t+1} = T a_t + T P_t Z' v_t / F_t + c_t. Once P_t stops
/// changing (to 1e-14 relative) the gain is frozen, which saves the O(k^3)
/// covariance step for the rest of the sample without changing results.
/// initial_means is k x m (a_1 of each column), initial_cov is P_1 or, with
/// a non-empty initial_diffuse, P_*,1 of P_1 = P_*,1 + kappa P_inf,1 (kappa
/// -> infinity): the exact initial Kalman filter (Durbin & Koopman 2012,
/// sec. 5.2, univariate form) runs until P_inf vanishes. Throws
/// NumericalError when the sample ends inside that diffuse phase.
KalmanResult kalman_filter(const StateSpace& system, const Eigen::MatrixXd& initial_means,
                           const Eigen::MatrixXd& initial_cov, const KalmanColumns& columns,
                           const Eigen::MatrixXd& initial_diffuse = {});

/// One system of kalman_loglike_lanes().
struct KalmanLane {
  StateSpace system;
  Eigen::VectorXd initial_mean;  // a_1
  Eigen::MatrixXd initial_cov;   // P_1 (P_*,1 with a diffuse part)
  Eigen::MatrixXd initial_diffuse;  // P_inf,1; empty for none
};

/// Gaussian log-likelihood of one data column (intercepts: empty or c_t per
/// period) under several systems of the same state dimension, leaving out
/// the first `burn` periods: the probes of a numerical gradient. The lanes'
/// recursions are interleaved period by period, so each hides the others'
/// latency; each gives the value its own kalman_filter() pass would. A lane
/// whose forecast variance stops being positive gives NaN. Periods of the
/// exact diffuse phase add -log(F_inf)/2 (and log 2pi) or, with
/// drop_diffuse_periods (the likelihood of the differenced series), nothing.
std::vector<double> kalman_loglike_lanes(const std::vector<KalmanLane>& lanes,
                                         const Eigen::VectorXd& y,
                                         const Eigen::VectorXd& intercepts, int burn,
                                         bool drop_diffuse_periods = false);

}  // namespace arabica
