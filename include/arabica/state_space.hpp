// Linear Gaussian state-space form of a SARIMAX model (statsmodels'
// non-Hamilton representation with differencing kept inside the state):
//   y_t       = Z a_t + x_t^T beta            (no measurement error)
//   a_{t+1}   = T a_t + c_t + R eta_t,   eta_t ~ N(0, sigma2)
// where c_t = trend(t) in the first ARMA state. Shared by the Kalman filter,
// forecasts and the path simulators.
#pragma once

#include <Eigen/Core>

#include "arabica/sarimax.hpp"

namespace arabica {

struct StateSpace {
  Eigen::RowVectorXd design;   // Z, 1 x k
  Eigen::MatrixXd transition;  // T, k x k
  Eigen::VectorXd selection;   // R, k x 1
  double sigma2 = 1.0;         // Q
  int trend_state = 0;         // index of the state that receives c_t
  int k_states() const { return static_cast<int>(transition.rows()); }
};

/// System matrices for constrained parameters.
StateSpace make_state_space(const SarimaxSpec& spec, const SarimaxParams& params);

/// Trend regressor j (statsmodels order: intercept, drift) at 0-based
/// observation index t; statsmodels' trend_offset=1 makes the drift t+1.
double trend_regressor(const SarimaxSpec& spec, int j, long t);

/// Reduced-form lag polynomials phi(L)Phi(L^s) and theta(L)Theta(L^s),
/// without the leading 1, in statsmodels' sign convention
/// (y_t = sum ar_i y_{t-i} + e_t + sum ma_i e_{t-i}).
Eigen::VectorXd reduced_ar(const SarimaxSpec& spec, const SarimaxParams& params);
Eigen::VectorXd reduced_ma(const SarimaxSpec& spec, const SarimaxParams& params);

/// Initial state distribution a_1 ~ N(mean, cov + kappa * diffuse), kappa
/// -> infinity, as statsmodels' initialize_default: the differencing states
/// are diffuse, and so is the ARMA block unless it gets its stationary law
/// (enforce_stationarity, or exact_diffuse: see Initialization). Under
/// approximate_diffuse "diffuse" means variance 1e6 in `cov`; under
/// exact_diffuse, and for the differencing states under
/// simple_differencing, it is the identity in `diffuse`, for the exact
/// initial Kalman filter.
/// `intercept0` is c_0 (the state intercept of the first period).
struct InitialState {
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov;      // P_*
  Eigen::MatrixXd diffuse;  // P_inf; empty when no state is exactly diffuse
};
InitialState initial_state(const SarimaxSpec& spec, const StateSpace& system,
                           const Eigen::VectorXd& intercept0);

/// The model's differencing (1 - L)^d (1 - L^s)^D applied to each column of
/// x: rows - d - s*D rows remain (none when x is shorter).
Eigen::MatrixXd apply_differencing(Eigen::MatrixXd x, const SarimaxSpec& spec);

/// Number of leading periods left out of the log-likelihood for the
/// approximately diffuse states (statsmodels' loglikelihood_burn); periods
/// of the exact diffuse filter are accounted for by the filter itself.
int loglikelihood_burn(const SarimaxSpec& spec);

constexpr double kApproximateDiffuseVariance = 1e6;

}  // namespace arabica
