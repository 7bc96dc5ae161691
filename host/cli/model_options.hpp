// Options shared by every subcommand that fits a model on a CSV.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "arabica/sarimax.hpp"
#include "arabica/series.hpp"

namespace arabica::cli {

struct ModelOptions {
  CsvSpec csv;
  std::vector<std::string> exog;
  std::string order = "1,1,1";
  std::string seasonal = "0,0,0,0";
  std::string trend = "n";
  std::string missing = "ffill-bfill";
  bool enforce_stationarity = false;
  bool enforce_invertibility = false;
  std::string init = "approximate";
  bool simple_differencing = false;
  bool allow_nonpositive = false;  // returns, spreads: targets may be <= 0
  std::string cov_type = "opg";
};

/// `several_series` (backfill): --target and --series take comma-separated
/// lists, and --series-column alone reads every series of a long file.
void add_model_options(CLI::App& command, ModelOptions& options, bool several_series = false);
/// --allow-nonpositive, for commands whose outputs do not divide by the price.
void add_target_policy_option(CLI::App& command, ModelOptions& options);
/// --cov-type, for commands that print the fit's standard errors.
void add_covariance_option(CLI::App& command, ModelOptions& options);

/// --window-rows of simulate and stress: fit on the last ROWS rows up to the
/// cutoff (a rolling training window, as backfill's --window rolling); 0:
/// every row. training_window cuts a series' rows [0, end) to it.
void add_training_window_option(CLI::App& command, int& window_rows);
Series training_window(const Series& series, std::size_t end, int window_rows);

struct LoadedModel {
  Series series;
  SarimaxSpec spec;
  CovarianceType cov_type = CovarianceType::opg;
};

/// The --order/--seasonal/--trend/--enforce-* model (InputError when bad).
SarimaxSpec model_spec(const ModelOptions& options);

/// The CSV spec of `options` as read: covariate columns, the target's
/// positivity and the missing-value policy (InputError naming --missing)
/// applied.
CsvSpec csv_spec(const ModelOptions& options);

/// Reads and validates the CSV (warnings to stderr) and the model spec.
LoadedModel load(ModelOptions& options);

SarimaxFit fit(const LoadedModel& loaded);

/// Covariates for the horizon: "repeat-last", "hold-last" or a CSV path
/// holding the exog columns (read with the same date column and policies).
Eigen::MatrixXd resolve_future_exog(const ModelOptions& options, const Series& series,
                                    const std::string& policy_text, int horizon);

/// Coefficient table, information criteria and convergence, to stdout.
void print_fit(const LoadedModel& loaded, const SarimaxFit& fit);

}  // namespace arabica::cli
