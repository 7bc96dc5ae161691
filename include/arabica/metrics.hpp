// Forecast-accuracy metrics for walk-forward backtests: one record per fold
// at a given horizon, summarised per model and horizon.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "arabica/quantile_levels.hpp"

namespace arabica {

inline constexpr double kNoMetric = std::numeric_limits<double>::quiet_NaN();

/// Direction of the forecast move against the realised move, both measured
/// from the cutoff price. A fold where either move is zero is a tie: counted
/// in `ties` and left out of `n`, `hits` and the test. The realised move is
/// zero when the prices are equal; the forecast move also when it is within
/// kForecastMoveRounding of the cutoff price (exp(log(p)) is not always p:
/// a log model forecasting no change must not get a direction by rounding).
inline constexpr double kForecastMoveRounding = 1e-12;  // relative to the cutoff price
struct DirectionalAccuracy {
  std::int64_t hits = 0;
  std::int64_t n = 0;     // folds that are not ties
  std::int64_t ties = 0;
  double accuracy = kNoMetric;  // hits / n
  double p_value = kNoMetric;   // binomial_p_value(hits, n); NaN when n = 0
};

/// One fold's direction under those rules: 1 a hit, 0 a miss, -1 a tie.
int direction_outcome(double forecast, double actual, double cutoff_price);

/// One-sided exact binomial test against coin-flipping: P(X >= hits) for
/// X ~ Binomial(n, 1/2), as scipy.stats.binomtest(hits, n, 0.5,
/// alternative='greater').pvalue. Needs n >= 1 and 0 <= hits <= n; accurate
/// to ~1e-13 relative for n up to 10^6 and beyond.
double binomial_p_value(std::int64_t hits, std::int64_t n);

/// Inputs of the vector metrics below: equal lengths (else ContractError)
/// and finite values. Empty inputs give NaN, never an error.
DirectionalAccuracy directional_accuracy(const Eigen::VectorXd& forecast_mean,
                                         const Eigen::VectorXd& actual,
                                         const Eigen::VectorXd& cutoff_price);
double rmse(const Eigen::VectorXd& forecast, const Eigen::VectorXd& actual);
double mae(const Eigen::VectorXd& forecast, const Eigen::VectorXd& actual);
/// Mean absolute percentage error in percent (100 * mean |f - a| / |a|), as
/// the legacy system reports it. A zero actual is a ContractError: prices are
/// positive by the time they reach a backtest, so one means a broken caller.
double mape(const Eigen::VectorXd& forecast, const Eigen::VectorXd& actual);
/// Share of actuals inside [lower, upper], both ends included; lower <= upper.
double interval_coverage(const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                         const Eigen::VectorXd& actual);

/// Central interval levels whose coverage is scored from the paths' PIT.
inline constexpr std::array<double, 4> kPathCoverageLevels{0.50, 0.80, 0.90, 0.95};

/// Share of PIT values inside the central `level` interval of the paths,
/// [(1 - level) / 2, (1 + level) / 2], ends included: the actual lay between
/// the paths' (1 - level) / 2 and (1 + level) / 2 quantiles. 0 < level < 1;
/// values in [0, 1].
double pit_coverage(const Eigen::VectorXd& pit, double level);

/// Kolmogorov-Smirnov distance of the PIT values from the uniform
/// distribution: sup |F_n(u) - u| (scipy.stats.kstest(pit, 'uniform')'s
/// statistic). 0 for calibrated paths, up to 1; values in [0, 1].
double pit_ks_distance(Eigen::VectorXd pit);

/// Mean pinball (quantile) loss over kQuantileLevels: for each row's
/// quantiles q (one per level a) at y, mean over rows and levels of
/// (1{y < q} - a)(q - y). Rows are forecasts, columns kQuantileLevels.
double pinball_loss(const Eigen::MatrixXd& quantiles, const Eigen::VectorXd& actual);

/// Mean interval (Winkler) score of central `level` intervals [lower,
/// upper]: width plus 2 / (1 - level) times the distance by which the
/// actual falls outside (Gneiting & Raftery 2007, eq. 43). Lower is better;
/// a calibrated narrow interval scores best.
double winkler_score(const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                     const Eigen::VectorXd& actual, double level);

/// Backtest of a long position's value-at-risk: an exceedance is an actual
/// below the VaR price (the paths' 1 - level quantile). Kupiec's (1995)
/// proportion-of-failures likelihood ratio against the rate 1 - level, and
/// Christoffersen's (1998) independence ratio of the exceedances in the
/// given (time) order; p-values from chi-square(1). 0 < level < 1.
struct VarBacktest {
  std::int64_t n = 0, exceedances = 0;
  double exceedance_rate = kNoMetric;
  double kupiec_p = kNoMetric;          // rate == 1 - level
  double christoffersen_p = kNoMetric;  // exceedances independent of the previous one
};
VarBacktest var_backtest(const Eigen::VectorXd& var_price, const Eigen::VectorXd& actual, double level);

/// Brier score of the forecast probability of a rise: mean of
/// (p_up - 1{actual > cutoff})^2 with the directional tie rule (a fold with
/// actual == cutoff is counted in `ties` and left out).
struct BrierScore {
  double score = kNoMetric;
  std::int64_t n = 0;
  std::int64_t ties = 0;
};
/// p_up in [0, 1].
BrierScore brier_score(const Eigen::VectorXd& p_up, const Eigen::VectorXd& actual,
                       const Eigen::VectorXd& cutoff_price);

/// Exact CRPS of the empirical distribution of `samples` (m >= 1 finite
/// values) at `actual`: mean|X - y| - 0.5 mean|X - X'| over all m^2 pairs,
/// properscoring.crps_ensemble's definition, in O(m log m). Sorts `samples`;
/// pass an rvalue to avoid the copy.
double crps_sample(std::vector<float> samples, double actual);

/// Closed-form CRPS of N(mu, sigma^2) at `actual`, sigma >= 0 (sigma = 0 is
/// the point forecast, CRPS = |actual - mu|).
double crps_gaussian(double mu, double sigma, double actual);

/// Per-fold records of one model at one horizon, all of the same length.
/// A NaN actual marks a fold whose target date lies beyond the data.
struct FoldRecords {
  Eigen::VectorXd forecast_mean, lower_95, upper_95, actual, cutoff_price;
  Eigen::VectorXd p_up;  // optional (empty): models without paths have none
  Eigen::VectorXd crps;  // optional (empty): per-fold CRPS, sample or Gaussian
  Eigen::VectorXd pit;   // optional (empty): per-fold PIT of the actual among the paths
  /// Optional (empty: forecast_mean): the forecast median, whose side of the
  /// cutoff price is the forecast direction (P(up) > 1/2 exactly when the
  /// median is above the cutoff price, whatever the forecast's skew).
  Eigen::VectorXd forecast_median;
  /// Optional (no rows): the paths' quantiles, one column per kQuantileLevels.
  Eigen::MatrixXd quantiles;
  /// Optional (empty: 1): the quantile scores (pinball, Winkler) of each
  /// record are divided by it (series of different price levels pooled).
  Eigen::VectorXd score_scale;
};

/// Every metric of one model at one horizon. Folds with a NaN actual are
/// skipped (counted in `missing`); the rest must be finite. Metrics over no
/// folds, or over an optional input that was not given, are NaN.
struct MetricSummary {
  std::int64_t folds = 0;    // records given
  std::int64_t missing = 0;  // skipped: NaN actual
  std::int64_t n = 0;        // scored: folds - missing
  DirectionalAccuracy direction;
  double rmse = kNoMetric;
  double mae = kNoMetric;
  double mape = kNoMetric;         // percent
  double coverage_95 = kNoMetric;  // share in [0, 1] of the Gaussian (Kalman) 95% interval
  BrierScore brier;
  double crps = kNoMetric;  // mean per-fold CRPS
  /// From the paths (FoldRecords::pit): coverage of the central intervals at
  /// kPathCoverageLevels, and the PIT's KS distance from uniform.
  std::array<double, kPathCoverageLevels.size()> path_coverage{kNoMetric, kNoMetric, kNoMetric,
                                                              kNoMetric};
  double pit_ks = kNoMetric;
  /// From the paths' quantiles (FoldRecords::quantiles): mean pinball loss,
  /// Winkler scores of the central 95% (2.5-97.5%) and 80% intervals, and
  /// the VaR backtests at 95% and 99% (score_backfill gives the pooled
  /// days the last day's: the day of the stored var_95/var_99).
  double pinball = kNoMetric, winkler_95 = kNoMetric, winkler_80 = kNoMetric;
  VarBacktest var_95, var_99;
  /// Tests that respect overlapping horizons (significance.hpp; set by
  /// score_backfill, NaN from summarize), over folds in time order, each
  /// fold by its mean over the days scored (its days share shocks); `lags`
  /// later folds share a fold's horizon; directional accuracy's moving-block bootstrap 95% interval
  /// (blocks of lags + 1 folds) and Newey-West (HAC) p-value; Diebold-
  /// Mariano p-values of squared error and CRPS against the run's naive
  /// model (NaN without one, and for naive itself).
  int lags = 0;
  double direction_ci_low = kNoMetric, direction_ci_high = kNoMetric;
  double direction_hac_p = kNoMetric;
  double dm_mse_p = kNoMetric, dm_crps_p = kNoMetric;
  /// The "always up" baseline on the same forecasts: the share of rises
  /// among the actuals that moved (directional accuracy of forecasting a
  /// rise every time).
  double always_up = kNoMetric;
  /// Skill against the run's naive model on the folds both scored
  /// (score_backfill; NaN without one and for naive itself): 1 - CRPS /
  /// naive's CRPS, 1 - RMSE / naive's RMSE. Positive: better than naive.
  double crps_skill = kNoMetric, rmse_skill = kNoMetric;
};

MetricSummary summarize(const FoldRecords& folds);

}  // namespace arabica
