// Monte Carlo path requests and their distribution statistics.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "arabica/innovations.hpp"
#include "arabica/path_model.hpp"
#include "arabica/quantile_levels.hpp"
#include "arabica/sarimax.hpp"

namespace arabica {

/// Lower tails whose mean is reported (expected shortfall at 99% and 95%).
inline constexpr std::array<double, 2> kTailLevels{0.01, 0.05};

/// Identifies a path family's random streams: path p of (seed, series, fold)
/// draws from PhiloxStream(derive_stream_seed(seed, series, fold), p, 0).
struct PathKeys {
  std::uint64_t seed = 0;
  std::uint64_t series = 0;
  std::uint64_t fold = 0;
};

struct PathRequest {
  PathModel model;
  InnovationParams innovations;
  PathKeys keys;
  std::int64_t n_paths = 0;
  double last_price = 0.0;        // cutoff price, for P(up)
  std::int64_t stored_paths = 0;  // leading paths to return in full
  /// Optional realised prices per day (empty, or horizon values with NaN for
  /// days not yet known): each known day gets the sample CRPS of its paths
  /// and the actual's PIT among them.
  Eigen::VectorXd actual;
};

/// Per-horizon statistics with numpy/scipy's definitions: population std
/// (ddof=0), biased skewness, biased excess (Fisher) kurtosis, linear
/// percentiles; p_up is the share of paths above the cutoff price.
struct PathStats {
  std::int64_t n_paths = 0;
  Eigen::VectorXd mean, std, skewness, kurtosis, p_up;  // horizon
  Eigen::MatrixXd quantiles;                            // horizon x kQuantileLevels
  Eigen::VectorXd crps;  // horizon: sample CRPS at request.actual, NaN where unknown
  /// horizon: probability integral transform of request.actual, the share
  /// of paths below it (ties counted half); NaN where unknown. Uniform on
  /// [0, 1] over folds when the paths are calibrated.
  Eigen::VectorXd pit;
  /// horizon x kTailLevels: mean of the lowest ceil(level * n_paths) prices.
  Eigen::MatrixXd tail_mean;
  std::vector<float> stored;  // stored_paths x horizon, row-major
};

/// Risk of the horizon return R = price_H / last_price - 1, as positive loss
/// fractions: value at risk VaR_a = -quantile_{1-a}(R) and expected
/// shortfall ES_a = -mean of the worst ceil((1 - a) n) returns.
struct HorizonRisk {
  double var_95 = 0.0, var_99 = 0.0, es_95 = 0.0, es_99 = 0.0;
};
HorizonRisk horizon_risk(const PathStats& stats, double last_price);

/// Float32 path model from a fit: anchored at the filtered end state, future
/// exog applied through the fitted coefficients, trend continued.
PathModel make_path_model(const SarimaxFit& fit, const Eigen::MatrixXd& future_exog, int horizon,
                          PathMode mode = PathMode::state_space);


}  // namespace arabica
