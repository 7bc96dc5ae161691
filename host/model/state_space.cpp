#include "arabica/state_space.hpp"

#include <cmath>
#include <optional>

#include <Eigen/Dense>

#include "arabica/error.hpp"

namespace arabica {

namespace {

// Product of two lag polynomials given as [1, c_1, c_2, ...].
Eigen::VectorXd multiply(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(a.size() + b.size() - 1);
  for (Eigen::Index i = 0; i < a.size(); ++i)
    for (Eigen::Index j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  return out;
}

// 1 + sign * sum coef_i L^(i*step)
Eigen::VectorXd lag_polynomial(const Eigen::VectorXd& coef, int step, double sign) {
  Eigen::VectorXd poly = Eigen::VectorXd::Zero(coef.size() * step + 1);
  poly[0] = 1.0;
  for (Eigen::Index i = 0; i < coef.size(); ++i) poly[(i + 1) * step] = sign * coef[i];
  return poly;
}

// Solves X = T X T' + Q for a stable T by Smith's doubling: X = sum_j T^j Q T'^j
// summed as X <- X + A X A', A <- A^2, so 2^i terms after i rounds. O(k^3)
// per round where the Kronecker solve is O(k^6): the seasonal ARMA blocks
// (27 states for (2,1,2)(0,1,2,12)) made that solve most of a fit's time.
// Every term is positive semi-definite, so the sum has no cancellation. A
// block whose powers have not vanished after kMaxDoublings rounds (2^40
// periods: spectral radius above about 1 - 1e-11) has no usable stationary
// law, which is the caller's error to report.
constexpr int kMaxDoublings = 40;

std::optional<Eigen::MatrixXd> solve_discrete_lyapunov(const Eigen::MatrixXd& T,
                                                       const Eigen::MatrixXd& Q) {
  Eigen::MatrixXd A = T, X = Q, AX, next_A;
  for (int round = 0; round < kMaxDoublings; ++round) {
    const double size = A.cwiseAbs().maxCoeff();
    if (!std::isfinite(size)) return std::nullopt;
    // Later terms are below size^2 * |X| * k^2 relative: rounding noise.
    if (size <= 1e-10) return Eigen::MatrixXd(0.5 * (X + X.transpose()));
    AX.noalias() = A * X;
    X.noalias() += AX * A.transpose();
    next_A.noalias() = A * A;
    A.swap(next_A);
  }
  return std::nullopt;
}

}  // namespace

Eigen::VectorXd reduced_ar(const SarimaxSpec& spec, const SarimaxParams& params) {
  const Eigen::VectorXd poly =
      multiply(lag_polynomial(params.ar, 1, -1.0), lag_polynomial(params.sar, spec.s, -1.0));
  return -poly.tail(poly.size() - 1);
}

Eigen::VectorXd reduced_ma(const SarimaxSpec& spec, const SarimaxParams& params) {
  const Eigen::VectorXd poly =
      multiply(lag_polynomial(params.ma, 1, 1.0), lag_polynomial(params.sma, spec.s, 1.0));
  return poly.tail(poly.size() - 1);
}

StateSpace make_state_space(const SarimaxSpec& spec, const SarimaxParams& params) {
  const int d = spec.d, D = spec.D, s = spec.s;
  const int k_diff = spec.k_states_diff();
  const int k_order = spec.k_order();
  const int k = k_diff + k_order;

  StateSpace ss;
  ss.sigma2 = params.sigma2;
  ss.trend_state = k_diff;
  ss.design = Eigen::RowVectorXd::Zero(k);
  ss.transition = Eigen::MatrixXd::Zero(k, k);
  ss.selection = Eigen::VectorXd::Zero(k);

  // Levels of the differenced series are carried in the first d + s*D states,
  // so the observation sums them with the ARMA state.
  for (int i = 0; i < d; ++i) ss.design[i] = 1.0;
  for (int b = 0; b < D; ++b) ss.design[d + b * s + s - 1] = 1.0;
  ss.design[k_diff] = 1.0;

  // ARMA block: companion form, reduced AR coefficients in its first column.
  const Eigen::VectorXd ar = reduced_ar(spec, params);
  const Eigen::VectorXd ma = reduced_ma(spec, params);
  for (int i = 0; i + 1 < k_order; ++i) ss.transition(k_diff + i, k_diff + i + 1) = 1.0;
  for (Eigen::Index i = 0; i < ar.size(); ++i) ss.transition(k_diff + i, k_diff) = ar[i];
  ss.selection[k_diff] = 1.0;
  for (Eigen::Index i = 0; i < ma.size(); ++i) ss.selection[k_diff + 1 + i] = ma[i];

  // Seasonal differencing blocks: rotate the last s seasonal levels.
  for (int b = 0; b < D; ++b) {
    const int start = d + b * s, end = start + s;
    ss.transition(start, end - 1) = 1.0;
    for (int i = 1; i < s; ++i) ss.transition(start + i, start + i - 1) = 1.0;
    if (b < D - 1) ss.transition(start, end + s - 1) = 1.0;
    ss.transition(start, k_diff) = 1.0;
  }
  // Simple differencing: each level integrates the ones below it.
  for (int i = 0; i < d; ++i) {
    for (int j = i; j < d; ++j) ss.transition(i, j) = 1.0;
    for (int b = 0; b < D; ++b) ss.transition(i, d + b * s + s - 1) = 1.0;
    ss.transition(i, k_diff) = 1.0;
  }
  return ss;
}

double trend_regressor(const SarimaxSpec& spec, int j, long t) {
  const bool has_constant = spec.trend == Trend::c || spec.trend == Trend::ct;
  const int power = has_constant ? j : j + 1;
  return power == 0 ? 1.0 : std::pow(static_cast<double>(t + 1), power);
}

namespace {
bool differencing_exactly_diffuse(const SarimaxSpec& spec) {
  return spec.initialization == Initialization::exact_diffuse || spec.simple_differencing;
}
}  // namespace

int loglikelihood_burn(const SarimaxSpec& spec) {
  // The ARMA block takes its stationary law under stationary_ar(), which the
  // exact diffuse prior implies (see Initialization), else the 1e6 prior.
  const bool arma_approximate = !spec.stationary_ar();
  if (spec.simple_differencing)
    // statsmodels fits the differenced series, whose own approximately
    // diffuse ARMA states burn k_order periods after the k_diff it dropped.
    return arma_approximate ? spec.k_states() : 0;
  return (differencing_exactly_diffuse(spec) ? 0 : spec.k_states_diff()) +
         (arma_approximate ? spec.k_order() : 0);
}

InitialState initial_state(const SarimaxSpec& spec, const StateSpace& system,
                           const Eigen::VectorXd& intercept0) {
  const int k = system.k_states();
  const int start = spec.k_states_diff(), n = spec.k_order();
  InitialState init;
  init.mean = Eigen::VectorXd::Zero(k);
  init.cov = Eigen::MatrixXd::Zero(k, k);
  Eigen::MatrixXd diffuse = Eigen::MatrixXd::Zero(k, k);
  const auto make_diffuse = [&](int from, int count, bool exact) {
    if (exact)
      diffuse.block(from, from, count, count).setIdentity();
    else
      init.cov.block(from, from, count, count) =
          kApproximateDiffuseVariance * Eigen::MatrixXd::Identity(count, count);
  };
  make_diffuse(0, start, differencing_exactly_diffuse(spec));
  if (!spec.stationary_ar()) {
    make_diffuse(start, n, /*exact=*/false);
  } else {
    const Eigen::MatrixXd T = system.transition.block(start, start, n, n);
    const Eigen::VectorXd R = system.selection.segment(start, n);
    const std::optional<Eigen::MatrixXd> stationary_cov =
        solve_discrete_lyapunov(T, system.sigma2 * R * R.transpose());
    if (!stationary_cov)
      throw NumericalError("stationary initialisation of a non-stationary ARMA block");
    init.cov.block(start, start, n, n) = *stationary_cov;
    init.mean.segment(start, n) =
        (Eigen::MatrixXd::Identity(n, n) - T).partialPivLu().solve(intercept0.segment(start, n));
  }
  if (!diffuse.isZero()) init.diffuse = std::move(diffuse);
  return init;
}

Eigen::MatrixXd apply_differencing(Eigen::MatrixXd x, const SarimaxSpec& spec) {
  const auto lagged_difference = [&x](Eigen::Index lag) {
    if (x.rows() <= lag) return Eigen::MatrixXd(0, x.cols());
    return Eigen::MatrixXd(x.bottomRows(x.rows() - lag) - x.topRows(x.rows() - lag));
  };
  for (int i = 0; i < spec.D; ++i) x = lagged_difference(spec.s);
  for (int i = 0; i < spec.d; ++i) x = lagged_difference(1);
  return x;
}

}  // namespace arabica
