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
#include "cli/model_options.hpp"
#include "cli/option_checks.hpp"

namespace arabica::cli {

namespace {

std::string fit_json(const LoadedModel& loaded, const SarimaxFit& fit) {
  nlohmann::json out;
  out["spec"] = fit.spec.describe();
  out["source"] = loaded.series.source;
  out["param_names"] = fit.param_names;
  out["params"] = std::vector<double>(fit.params.data(), fit.params.data() + fit.params.size());
  out["standard_errors"] = std::vector<double>(
      fit.standard_errors.data(), fit.standard_errors.data() + fit.standard_errors.size());
  out["cov_type"] = to_string(fit.cov_type);
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
  add_target_policy_option(*command, *options);
  add_covariance_option(*command, *options);
  command->add_option("--json", *json_path, "Also write the fit as JSON to this file");
  command->callback([options, json_path] {
    require_writable_outputs({{"--json", *json_path}});
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
  add_target_policy_option(*command, options->model);
  add_covariance_option(*command, options->model);
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
    require_writable_outputs({{"--out", options->out}});
    const LoadedModel loaded = load(options->model);
    const Series& series = loaded.series;
    const Eigen::MatrixXd future =
        resolve_future_exog(options->model, series, options->future_exog, options->horizon);
    const SarimaxFit result = fit(loaded);
    print_fit(loaded, result);
    const Forecast forecast = forecast_sarimax(result, future, options->horizon);
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
