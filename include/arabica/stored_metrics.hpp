// The scores a backfill store keeps: one list of (name, description, units,
// value in a MetricSummary) that the store's layout, its writer and the
// scoring read, so a new metric is one line here.
#pragma once

#include <array>
#include <cstddef>
#include <iterator>
#include <string_view>

#include <Eigen/Core>

#include "arabica/metrics.hpp"

namespace arabica {

struct MetricVariable {
  const char* name;  // the store variable (model, day_ahead); `<name>_overall` (model) pools the days
  const char* long_name;
  const char* units;  // nullptr: the series' price units
  double (*of)(const MetricSummary&);
};

inline constexpr MetricVariable kMetricVariables[] = {
    {"directional_accuracy", "share of folds whose forecast move has the actual move's sign", "1",
     [](const MetricSummary& s) { return s.direction.accuracy; }},
    {"p_value", "one-sided exact binomial p-value of the directional accuracy", "1",
     [](const MetricSummary& s) { return s.direction.p_value; }},
    {"n_directional", "folds scored for direction (ties excluded)", "1",
     [](const MetricSummary& s) { return static_cast<double>(s.direction.n); }},
    {"directional_ties", "folds where the forecast or actual move is zero", "1",
     [](const MetricSummary& s) { return static_cast<double>(s.direction.ties); }},
    {"n_scored", "folds with a known actual", "1", [](const MetricSummary& s) { return static_cast<double>(s.n); }},
    {"rmse", "root mean squared error of forecast_mean", nullptr, [](const MetricSummary& s) { return s.rmse; }},
    {"mae", "mean absolute error of forecast_mean", nullptr, [](const MetricSummary& s) { return s.mae; }},
    {"mape", "mean absolute percentage error of forecast_mean (percent)", "percent",
     [](const MetricSummary& s) { return s.mape; }},
    {"coverage_95", "share of actuals inside the Gaussian (Kalman) 95% interval lower_95..upper_95", "1",
     [](const MetricSummary& s) { return s.coverage_95; }},
    {"mean_crps", "mean sample CRPS of the paths", nullptr, [](const MetricSummary& s) { return s.crps; }},
    {"brier", "Brier score of p_up", "1", [](const MetricSummary& s) { return s.brier.score; }},
    {"path_coverage_50", "share of actuals inside the paths' central 50% interval (from pit)", "1",
     [](const MetricSummary& s) { return s.path_coverage[0]; }},
    {"path_coverage_80", "share of actuals inside the paths' central 80% interval (from pit)", "1",
     [](const MetricSummary& s) { return s.path_coverage[1]; }},
    {"path_coverage_90", "share of actuals inside the paths' central 90% interval (from pit)", "1",
     [](const MetricSummary& s) { return s.path_coverage[2]; }},
    {"path_coverage_95", "share of actuals inside the paths' central 95% interval (from pit)", "1",
     [](const MetricSummary& s) { return s.path_coverage[3]; }},
    {"pit_ks", "Kolmogorov-Smirnov distance of pit from the uniform distribution", "1",
     [](const MetricSummary& s) { return s.pit_ks; }},
    {"pinball", "mean pinball loss of the paths' quantiles over the q levels", nullptr,
     [](const MetricSummary& s) { return s.pinball; }},
    {"winkler_95", "interval (Winkler) score of the paths' central 95% interval (2.5%..97.5% quantiles)",
     nullptr, [](const MetricSummary& s) { return s.winkler_95; }},
    {"winkler_80", "interval (Winkler) score of the paths' central 80% interval (10%..90% quantiles)",
     nullptr, [](const MetricSummary& s) { return s.winkler_80; }},
    {"var_95_exceedance", "share of actuals below the paths' 5% quantile (95% VaR of a long position; "
                          "overall: the last day, the day of var_95)", "1",
     [](const MetricSummary& s) { return s.var_95.exceedance_rate; }},
    {"var_95_kupiec_p", "Kupiec proportion-of-failures p-value of the 95% VaR exceedances", "1",
     [](const MetricSummary& s) { return s.var_95.kupiec_p; }},
    {"var_95_christoffersen_p", "Christoffersen independence p-value of the 95% VaR exceedances in fold order",
     "1", [](const MetricSummary& s) { return s.var_95.christoffersen_p; }},
    {"var_99_exceedance", "share of actuals below the paths' 1% quantile (99% VaR of a long position; "
                          "overall: the last day, the day of var_99)", "1",
     [](const MetricSummary& s) { return s.var_99.exceedance_rate; }},
    {"var_99_kupiec_p", "Kupiec proportion-of-failures p-value of the 99% VaR exceedances", "1",
     [](const MetricSummary& s) { return s.var_99.kupiec_p; }},
    {"var_99_christoffersen_p", "Christoffersen independence p-value of the 99% VaR exceedances in fold order",
     "1", [](const MetricSummary& s) { return s.var_99.christoffersen_p; }},
    {"directional_ci_low", "lower end of directional accuracy's 95% moving-block bootstrap interval "
                           "(blocks span overlapping horizons)", "1",
     [](const MetricSummary& s) { return s.direction_ci_low; }},
    {"directional_ci_high", "upper end of directional accuracy's 95% moving-block bootstrap interval", "1",
     [](const MetricSummary& s) { return s.direction_ci_high; }},
    {"directional_hac_p", "one-sided p-value of directional accuracy > 1/2 with a Newey-West (HAC) "
                          "variance over overlapping horizons", "1",
     [](const MetricSummary& s) { return s.direction_hac_p; }},
    {"dm_mse_p", "Diebold-Mariano p-value (HLN) of squared error against the naive model", "1",
     [](const MetricSummary& s) { return s.dm_mse_p; }},
    {"dm_crps_p", "Diebold-Mariano p-value (HLN) of CRPS against the naive model", "1",
     [](const MetricSummary& s) { return s.dm_crps_p; }},
    {"directional_always_up", "directional accuracy of always forecasting a rise, on the same forecasts", "1",
     [](const MetricSummary& s) { return s.always_up; }},
    {"crps_skill", "1 - mean_crps / the naive model's on the folds both scored (positive: better than naive)",
     "1", [](const MetricSummary& s) { return s.crps_skill; }},
    {"rmse_skill", "1 - rmse / the naive model's on the folds both scored (positive: better than naive)", "1",
     [](const MetricSummary& s) { return s.rmse_skill; }},
};
inline constexpr std::size_t kMetricCount = std::size(kMetricVariables);

/// Index of a metric in kMetricVariables; kMetricCount when there is none.
constexpr std::size_t metric_index(std::string_view name) {
  for (std::size_t i = 0; i < kMetricCount; ++i)
    if (name == kMetricVariables[i].name) return i;
  return kMetricCount;
}

/// Scores of one model list: per kMetricVariables, model x (horizon + 1)
/// values, column h - 1 day h and the last column all days pooled.
struct StoredMetrics {
  std::array<Eigen::MatrixXd, kMetricCount> values;
  Eigen::MatrixXd& operator[](std::string_view name) { return values.at(metric_index(name)); }
  const Eigen::MatrixXd& operator[](std::string_view name) const { return values.at(metric_index(name)); }
};

}  // namespace arabica
