#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <Eigen/Dense>

#include "arabica/error.hpp"
#include "arabica/paths.hpp"
#include "arabica/state_space.hpp"
#include "mc/path_moments.hpp"

namespace arabica {

Moments finalize_moments(const MomentSums& sums, double shift, std::int64_t n) {
  const double inv_n = 1.0 / static_cast<double>(n);
  const double mu = sums.s1 * inv_n, r2 = sums.s2 * inv_n, r3 = sums.s3 * inv_n,
               r4 = sums.s4 * inv_n;
  const double m2 = std::max(r2 - mu * mu, 0.0);
  const double m3 = r3 - 3 * mu * r2 + 2 * mu * mu * mu;
  const double m4 = r4 - 4 * mu * r3 + 6 * mu * mu * r2 - 3 * mu * mu * mu * mu;
  Moments out;
  out.mean = shift + mu;
  out.std = std::sqrt(m2);
  out.skewness = m2 > 0 ? m3 / std::pow(m2, 1.5) : 0.0;
  out.kurtosis = m2 > 0 ? m4 / (m2 * m2) - 3.0 : 0.0;
  out.p_up = static_cast<double>(sums.up) * inv_n;
  return out;
}

PathStats empty_path_stats(int horizon, std::int64_t n_paths, std::int64_t stored) {
  PathStats stats;
  stats.n_paths = n_paths;
  stats.stored.resize(static_cast<std::size_t>(stored * horizon));
  for (Eigen::VectorXd* v : {&stats.mean, &stats.std, &stats.skewness, &stats.kurtosis, &stats.p_up})
    v->resize(horizon);
  stats.crps = Eigen::VectorXd::Constant(horizon, std::numeric_limits<double>::quiet_NaN());
  stats.pit = stats.crps;
  stats.tail_mean.resize(horizon, static_cast<Eigen::Index>(kTailLevels.size()));
  stats.quantiles.resize(horizon, static_cast<Eigen::Index>(kQuantileLevels.size()));
  return stats;
}

void set_day_moments(PathStats& stats, int h, const MomentSums& total, double shift) {
  const Moments m = finalize_moments(total, shift, stats.n_paths);
  stats.mean[h] = m.mean, stats.std[h] = m.std, stats.skewness[h] = m.skewness;
  stats.kurtosis[h] = m.kurtosis, stats.p_up[h] = m.p_up;
}

void set_sorted_day_stats(PathStats& stats, int h, const float* sorted, double actual) {
  const std::int64_t n = stats.n_paths;
  for (std::size_t q = 0; q < kQuantileLevels.size(); ++q)
    stats.quantiles(h, static_cast<Eigen::Index>(q)) = sorted_quantile(sorted, n, kQuantileLevels[q]);
  for (std::size_t i = 0; i < kTailLevels.size(); ++i) {
    const std::int64_t k = tail_count(kTailLevels[i], n);
    double sum = 0.0;
    for (std::int64_t j = 0; j < k; ++j) sum += sorted[j];
    stats.tail_mean(h, static_cast<Eigen::Index>(i)) = sum / static_cast<double>(k);
  }
  if (std::isnan(actual)) return;
  double sum = 0.0;
  for (std::int64_t k = 0; k < n; ++k) sum += crps_gap_term(sorted, n, k, actual);
  stats.crps[h] = sum / (static_cast<double>(n) * static_cast<double>(n));
  stats.pit[h] = pit_of(pit_counts(sorted, 0, n, actual), n);
}

std::string quantile_column(double level) {
  std::ostringstream name;
  name << 'p' << level * 100;  // shortest form: 5, 2.5, 97.5
  return name.str();
}

HorizonRisk horizon_risk(const PathStats& stats, double last_price) {
  const Eigen::Index last = stats.mean.size() - 1;
  ARABICA_REQUIRE(last >= 0 && stats.tail_mean.rows() == last + 1 && last_price > 0.0,
                  "horizon_risk: statistics without tails, or a non-positive price");
  // kTailLevels[0] = 0.01, [1] = 0.05.
  static_assert(kTailLevels[0] == 0.01 && kTailLevels[1] == 0.05);
  constexpr int p1 = quantile_index(0.01), p5 = quantile_index(0.05);
  static_assert(p1 >= 0 && p5 >= 0);
  HorizonRisk risk;
  risk.var_99 = 1.0 - stats.quantiles(last, p1) / last_price;
  risk.var_95 = 1.0 - stats.quantiles(last, p5) / last_price;
  risk.es_99 = 1.0 - stats.tail_mean(last, 0) / last_price;
  risk.es_95 = 1.0 - stats.tail_mean(last, 1) / last_price;
  return risk;
}

PathModel make_path_model(const SarimaxFit& fit, const Eigen::MatrixXd& future_exog, int horizon,
                          PathMode mode) {
  ARABICA_REQUIRE(horizon >= 1 && horizon <= kMaxPathHorizon, "horizon outside 1..64");
  const SarimaxSpec& spec = fit.spec;
  const SarimaxParams params = SarimaxParams::unpack(spec, fit.k_exog, fit.params);
  const StateSpace system = make_state_space(spec, params);
  const int k = system.k_states();
  if (k > kMaxPathStates)
    throw InputError("--order", spec.describe() + " has " + std::to_string(k) +
                                    " states; path simulation supports at most " +
                                    std::to_string(kMaxPathStates));
  ARABICA_REQUIRE(fit.end_state.filtered_state.size() == k, "fit has no filtered end state");

  PathModel model;
  model.mode = mode;
  model.k_states = k;
  model.horizon = horizon;
  model.trend_state = system.trend_state;
  model.sigma = static_cast<float>(std::sqrt(params.sigma2));
  for (int i = 0; i < k; ++i) {
    model.design[i] = static_cast<float>(system.design[i]);
    model.selection[i] = static_cast<float>(system.selection[i]);
    model.anchor[i] = static_cast<float>(fit.end_state.filtered_state[i]);
    for (int j = 0; j < k; ++j)
      model.transition[i * kMaxPathStates + j] = static_cast<float>(system.transition(i, j));
  }
  // P_{n|n} is only positive semi-definite (exactly known states have zero
  // variance): take its symmetric square root's lower factor via LDLT.
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(fit.end_state.filtered_covariance);
  Eigen::MatrixXd L = ldlt.matrixL();
  L = ldlt.transpositionsP().transpose() * L;
  L *= ldlt.vectorD().cwiseMax(0.0).cwiseSqrt().asDiagonal();
  const Forecast forecast = forecast_sarimax(fit, future_exog, horizon);
  for (int h = 0; h < horizon; ++h) {
    double intercept = 0.0;
    for (int j = 0; j < spec.k_trend(); ++j)
      intercept += params.trend[j] * trend_regressor(spec, j, fit.nobs + h);
    model.intercept[h] = static_cast<float>(intercept);
    model.regression[h] =
        fit.k_exog ? static_cast<float>(future_exog.row(h).dot(params.beta)) : 0.0f;
    model.mean[h] = static_cast<float>(forecast.mean[h]);
    model.center[h] = model.mean[h];
    model.std_error[h] = static_cast<float>(forecast.std_error[h]);
    model.volatility[h] = 1.0f;
  }
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j)
      model.anchor_factor[i * kMaxPathStates + j] = static_cast<float>(L(i, j));
  return model;
}

}  // namespace arabica
