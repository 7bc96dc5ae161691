#include "cli/model_options.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/forecast_csv.hpp"
#include "cli/option_checks.hpp"

namespace arabica::cli {

void add_model_options(CLI::App& command, ModelOptions& options, bool several_series) {
  // A universe file ([[series]] in --config) may name every series' file.
  CLI::Option* csv = command.add_option("--csv", options.csv.path, "Input CSV");
  if (!several_series) csv->required();
  command.add_option("--date-column", options.csv.date_column, "Date column")
      ->check(column_name_check())
      ->capture_default_str();
  command
      .add_option("--target", options.csv.target_column,
                  several_series ? "Target (price) column; several, comma separated, for a wide "
                                   "file: one series each, sharing the covariates"
                                 : "Target (price) column")
      ->check(column_name_check())
      ->capture_default_str();
  CLI::Option* series_column = command.add_option(
      "--series-column", options.csv.series_column,
      several_series ? "Series id column of a long file (statsforecast's unique_id, ds, y): every "
                       "series in it, or those given by --series"
                     : "Series id column of a long file (statsforecast's unique_id, ds, y): read "
                       "the rows of one series, given by --series");
  CLI::Option* series = command.add_option(
      "--series", options.csv.series_id,
      several_series ? "With --series-column: the series to run (comma separated; default all). "
                       "Otherwise the series' name (default: the target column), which keys "
                       "its random streams"
                     : "The series to read from a long file (with --series-column)");
  if (!several_series) {
    series_column->needs(series);
    series->needs(series_column);
  }
  command
      .add_option("--units", options.csv.units,
                  "Units of the target price, written as CF `units` on the store's price "
                  "variables (e.g. USc/lb)")
      ->check(units_check())
      ->capture_default_str();
  command
      .add_option("--exog", options.exog,
                  "Exogenous columns, comma separated ('' for none, overriding a config file's list)")
      ->delimiter(',');
  command.add_option("--order", options.order, "p,d,q")->capture_default_str();
  command.add_option("--seasonal", options.seasonal, "P,D,Q,s")->capture_default_str();
  command.add_option("--trend", options.trend, "n, c, t or ct")->capture_default_str();
  command.add_option("--missing", options.missing,
                     "Missing cells: ffill-bfill (filled forward, then the leading gap back), "
                     "error (refused), or drop (rows without a target dropped, covariates filled)")
      ->check(CLI::IsMember({"ffill-bfill", "error", "drop"}))
      ->capture_default_str();
  command.add_option("--min-rows", options.csv.min_rows, "Minimum rows after cleaning")
      ->capture_default_str();
  command.add_flag("--enforce-stationarity", options.enforce_stationarity);
  command.add_flag("--enforce-invertibility", options.enforce_invertibility);
  command.add_option("--init", options.init,
                     "Prior of the diffuse states: approximate (statsmodels' default, variance "
                     "1e6) or exact-diffuse (exact initial Kalman filter, scale-free)")
      ->capture_default_str();
  command.add_flag("--simple-differencing", options.simple_differencing,
                   "Likelihood of the differenced series (Stata's and R's arima convention)");
}

void add_target_policy_option(CLI::App& command, ModelOptions& options) {
  command.add_flag("--allow-nonpositive", options.allow_nonpositive,
                   "Accept target values <= 0 (returns, spreads); prices must be positive");
}

void add_covariance_option(CLI::App& command, ModelOptions& options) {
  command
      .add_option("--cov-type", options.cov_type,
                  "Standard errors: opg (statsmodels' and Stata's default), approx (numerical "
                  "Hessian), robust_approx (sandwich of the two: valid for non-Gaussian "
                  "innovations) or none")
      ->capture_default_str();
}

SarimaxSpec model_spec(const ModelOptions& options) {
  SarimaxSpec spec = SarimaxSpec::from_strings(options.order, options.seasonal, options.trend);
  spec.enforce_stationarity = options.enforce_stationarity;
  spec.enforce_invertibility = options.enforce_invertibility;
  spec.initialization = parse_initialization(options.init);
  spec.simple_differencing = options.simple_differencing;
  return spec;
}

CsvSpec csv_spec(const ModelOptions& options) {
  CsvSpec spec = options.csv;
  // `--exog ''` (exog = "" in a config file): no covariates, the way to
  // drop a config file's list on the command line.
  const bool none = options.exog.size() == 1 && options.exog.front().empty();
  spec.exog_columns = none ? std::vector<std::string>{} : options.exog;
  spec.require_positive_target = !options.allow_nonpositive;
  spec.missing = parse_missing_policy(options.missing);
  return spec;
}

LoadedModel load(ModelOptions& options) {
  const SarimaxSpec spec = model_spec(options);  // bad orders refused before reading the CSV
  const CovarianceType cov_type = parse_covariance_type(options.cov_type);
  options.csv = csv_spec(options);
  LoadedModel loaded{read_series_csv(options.csv), spec, cov_type};
  for (const std::string& warning : loaded.series.quality.warnings)
    std::cerr << "arabica: warning: " << warning << '\n';
  require_identifiable_model(loaded.series, loaded.spec);
  return loaded;
}

SarimaxFit fit(const LoadedModel& loaded) {
  FitOptions options;
  options.cov_type = loaded.cov_type;
  SarimaxFit result = fit_sarimax(loaded.spec, loaded.series.target, loaded.series.exog, options,
                                  loaded.series.exog_names);
  for (const std::string& warning : result.warnings)
    std::cerr << "arabica: warning: " << warning << '\n';
  return result;
}

void print_fit(const LoadedModel& loaded, const SarimaxFit& fit) {
  const Series& series = loaded.series;
  std::printf("%s on %s: %zu rows, %s .. %s\n", fit.spec.describe().c_str(),
              series.source.c_str(), series.rows(), format_date(series.dates.front()).c_str(),
              format_date(series.dates.back()).c_str());
  const std::string se_label = "std err (" + to_string(fit.cov_type) + ")";
  std::printf("%-28s %16s %22s %10s\n", "param", "coef", se_label.c_str(), "z");
  for (Eigen::Index i = 0; i < fit.params.size(); ++i) {
    const double se = fit.standard_errors.size() ? fit.standard_errors[i] : NAN;
    std::printf("%-28s %16.8g %22.6g %10.3f\n", fit.param_names[i].c_str(), fit.params[i], se,
                fit.params[i] / se);
  }
  std::printf("llf %.10g  aic %.6f  bic %.6f  hqic %.6f  nobs %d  burn %d\n", fit.llf, fit.aic,
              fit.bic, fit.hqic, fit.nobs, fit.loglikelihood_burn);
  std::printf("converged %s after %d iterations (%s)\n", fit.converged ? "yes" : "NO",
              fit.iterations, fit.message.c_str());
}

Eigen::MatrixXd resolve_future_exog(const ModelOptions& options, const Series& series,
                                    const std::string& policy_text, int horizon) {
  const FutureExogPolicy policy = parse_future_exog_policy(policy_text);
  Eigen::MatrixXd supplied;
  if (policy == FutureExogPolicy::supplied && series.exog.cols() > 0) {
    CsvSpec spec = options.csv;
    spec.path = policy_text;
    spec.target_column.clear();
    spec.min_rows = static_cast<std::size_t>(horizon);
    // Matched by date to the trading days ahead, not taken row by row.
    supplied = exog_on_dates(read_series_csv(spec),
                             trading_dates_ahead(series.dates, series.rows() - 1, horizon));
  }
  require_future_exog_rows(series.exog, policy, horizon, "--future-exog");
  return future_exog(series.exog, policy, horizon, supplied);
}

void add_training_window_option(CLI::App& command, int& window_rows) {
  command
      .add_option("--window-rows", window_rows,
                  "Fit on the last ROWS rows up to the cutoff (a rolling training window; 0: every row)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

Series training_window(const Series& series, std::size_t end, int window_rows) {
  if (window_rows == 1)
    throw InputError("--window-rows", "a training window needs at least 2 rows, got 1");
  const auto rows = static_cast<std::size_t>(window_rows);
  return series.slice(window_rows > 0 && end > rows ? end - rows : 0, end);
}

}  // namespace arabica::cli
