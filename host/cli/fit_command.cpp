// `arabica fit` and `arabica forecast`: one SARIMAX fit on a CSV.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "arabica/atomic_file.hpp"
#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/forecast_csv.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/series.hpp"
#include "cli/commands.hpp"

namespace arabica::cli {

namespace {

struct ModelOptions {
  CsvSpec csv;
  std::vector<std::string> exog;
  std::string order = "1,1,1";
  std::string seasonal = "0,0,0,0";
  std::string trend = "n";
  std::string missing = "ffill-bfill";
  bool enforce_stationarity = false;
  bool enforce_invertibility = false;
};

void add_model_options(CLI::App& command, ModelOptions& options) {
  command.add_option("--csv", options.csv.path, "Input CSV")->required();
  command.add_option("--date-column", options.csv.date_column, "Date column")
      ->capture_default_str();
  command.add_option("--target", options.csv.target_column, "Target (price) column")
      ->capture_default_str();
  command.add_option("--exog", options.exog, "Exogenous columns, comma separated")
      ->delimiter(',');
  command.add_option("--order", options.order, "p,d,q")->capture_default_str();
  command.add_option("--seasonal", options.seasonal, "P,D,Q,s")->capture_default_str();
  command.add_option("--trend", options.trend, "n, c, t or ct")->capture_default_str();
  command.add_option("--missing", options.missing, "ffill-bfill or error")
      ->check(CLI::IsMember({"ffill-bfill", "error"}))
      ->capture_default_str();
  command.add_option("--min-rows", options.csv.min_rows, "Minimum rows after cleaning")
      ->capture_default_str();
  command.add_flag("--enforce-stationarity", options.enforce_stationarity);
  command.add_flag("--enforce-invertibility", options.enforce_invertibility);
}

struct LoadedModel {
  Series series;
  SarimaxSpec spec;
};

LoadedModel load(ModelOptions& options) {
  options.csv.exog_columns = options.exog;
  options.csv.missing =
      options.missing == "error" ? MissingPolicy::error : MissingPolicy::ffill_bfill;
  LoadedModel loaded{read_series_csv(options.csv),
                     SarimaxSpec::from_strings(options.order, options.seasonal, options.trend)};
  loaded.spec.enforce_stationarity = options.enforce_stationarity;
  loaded.spec.enforce_invertibility = options.enforce_invertibility;
  for (const std::string& warning : loaded.series.quality.warnings)
    std::cerr << "arabica: warning: " << warning << '\n';
  require_identifiable_exog(loaded.series, loaded.spec);
  return loaded;
}

SarimaxFit fit(const LoadedModel& loaded) {
  return fit_sarimax(loaded.spec, loaded.series.target, loaded.series.exog, FitOptions{},
                     loaded.series.exog_names);
}

void print_fit(const LoadedModel& loaded, const SarimaxFit& fit) {
  const Series& series = loaded.series;
  std::printf("%s on %s: %zu rows, %s .. %s\n", fit.spec.describe().c_str(),
              series.source.c_str(), series.rows(), format_date(series.dates.front()).c_str(),
              format_date(series.dates.back()).c_str());
  std::printf("%-28s %16s %14s %10s\n", "param", "coef", "std err (OPG)", "z");
  for (Eigen::Index i = 0; i < fit.params.size(); ++i) {
    const double se = fit.standard_errors.size() ? fit.standard_errors[i] : NAN;
    std::printf("%-28s %16.8g %14.6g %10.3f\n", fit.param_names[i].c_str(), fit.params[i], se,
                fit.params[i] / se);
  }
  std::printf("llf %.10g  aic %.6f  bic %.6f  hqic %.6f  nobs %d  burn %d\n", fit.llf, fit.aic,
              fit.bic, fit.hqic, fit.nobs, fit.loglikelihood_burn);
  std::printf("converged %s after %d iterations (%s)\n", fit.converged ? "yes" : "NO",
              fit.iterations, fit.message.c_str());
}

std::string fit_json(const LoadedModel& loaded, const SarimaxFit& fit) {
  nlohmann::json out;
  out["spec"] = fit.spec.describe();
  out["source"] = loaded.series.source;
  out["param_names"] = fit.param_names;
  out["params"] = std::vector<double>(fit.params.data(), fit.params.data() + fit.params.size());
  out["standard_errors"] = std::vector<double>(
      fit.standard_errors.data(), fit.standard_errors.data() + fit.standard_errors.size());
  out["llf"] = fit.llf;
  out["aic"] = fit.aic;
  out["bic"] = fit.bic;
  out["hqic"] = fit.hqic;
  out["nobs"] = fit.nobs;
  out["loglikelihood_burn"] = fit.loglikelihood_burn;
  out["converged"] = fit.converged;
  out["iterations"] = fit.iterations;
  out["data_cutoff_date"] = format_date(loaded.series.dates.back());
  return out.dump(2) + "\n";
}

}  // namespace

void register_fit_command(CLI::App& app) {
  auto options = std::make_shared<ModelOptions>();
  auto json_path = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("fit", "Fit a SARIMAX model by exact maximum likelihood");
  add_model_options(*command, *options);
  command->add_option("--json", *json_path, "Also write the fit as JSON to this file");
  command->callback([options, json_path] {
    const LoadedModel loaded = load(*options);
    const SarimaxFit result = fit(loaded);
    print_fit(loaded, result);
    if (!json_path->empty()) write_file_atomically(*json_path, fit_json(loaded, result));
  });
}

void register_forecast_command(CLI::App& app) {
  struct ForecastOptions {
    ModelOptions model;
    int horizon = 7;
    std::string future_exog = "repeat-last";
    std::string out = "forecast.csv";
    std::string model_version = "arabica_sarimax_v1";
    std::string calendar = "calendar";
  };
  auto options = std::make_shared<ForecastOptions>();
  CLI::App* command =
      app.add_subcommand("forecast", "Fit, then write an h-step forecast (legacy forecast.csv)");
  add_model_options(*command, options->model);
  command->add_option("--horizon", options->horizon, "Days ahead")
      ->check(CLI::Range(1, 366))
      ->capture_default_str();
  command
      ->add_option("--future-exog", options->future_exog,
                   "repeat-last (legacy), hold-last, or a CSV with the exog columns")
      ->capture_default_str();
  command->add_option("--out", options->out, "Output CSV")->capture_default_str();
  command->add_option("--model-version", options->model_version)->capture_default_str();
  command
      ->add_option("--calendar", options->calendar,
                   "forecast_date steps: calendar (legacy) or business days")
      ->capture_default_str();
  command->callback([options] {
    const ForecastCalendar calendar = parse_forecast_calendar(options->calendar);
    const LoadedModel loaded = load(options->model);
    const Series& series = loaded.series;
    const FutureExogPolicy policy = parse_future_exog_policy(options->future_exog);
    Eigen::MatrixXd supplied;
    if (policy == FutureExogPolicy::supplied && series.exog.cols() > 0) {
      CsvSpec spec = options->model.csv;
      spec.path = options->future_exog;
      spec.target_column.clear();
      spec.min_rows = static_cast<std::size_t>(options->horizon);
      supplied = read_series_csv(spec).exog;
    }
    const SarimaxFit result = fit(loaded);
    print_fit(loaded, result);
    const Forecast forecast = forecast_sarimax(
        result, future_exog(series.exog, policy, options->horizon, supplied), options->horizon);
    ForecastMetadata metadata;
    metadata.model_version = options->model_version;
    metadata.generation_timestamp = utc_timestamp_now();
    metadata.data_cutoff = series.dates.back();
    metadata.calendar = calendar;
    write_forecast_csv(options->out, forecast, metadata);
    std::printf("wrote %s (%d days ahead from %s)\n", options->out.c_str(), options->horizon,
                format_date(metadata.data_cutoff).c_str());
  });
}

}  // namespace arabica::cli
