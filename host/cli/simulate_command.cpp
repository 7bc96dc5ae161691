// `arabica simulate`: fit, then Monte Carlo paths with the chosen innovation
// family; writes the legacy distribution.csv, per-day statistics and the
// HDF5 store.
#include <cstdio>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "arabica/atomic_file.hpp"
#include "arabica/backend.hpp"
#include "arabica/error.hpp"
#include "arabica/forecast_csv.hpp"
#include "arabica/innovation_estimation.hpp"
#include "arabica/paths.hpp"
#include "arabica/simulation_store.hpp"
#include "cli/commands.hpp"
#include "cli/model_options.hpp"
#include "cli/option_checks.hpp"
#include "cli/path_options.hpp"
#include "io/csv_field.hpp"

namespace arabica::cli {

namespace {

struct SimulateOptions {
  ModelOptions model;
  int horizon = 7;
  std::string future_exog = "repeat-last";
  std::int64_t paths = 2000;
  std::int64_t stored_paths = -1;  // -1: all paths up to 2000 (the legacy file size)
  std::uint64_t seed = 1;
  std::string innovations = "normal";
  std::string mode = "state-space";
  std::string device = "auto";
  int threads = 0;
  std::string out = "distribution.csv";
  std::string stats_out;
  std::string h5;
  std::string model_version = "arabica_sarimax_v1";
  std::string calendar = "calendar";
  int window_rows = 0;  // 0: fit on every row
};

// What determines the simulated numbers (not the device or thread count),
// recorded in the store so a later run can tell whether it matches.
std::string config_json(const SimulateOptions& options, std::int64_t stored_paths) {
  const ModelOptions& model = options.model;
  const nlohmann::json config = {
      {"csv", model.csv.path},
      {"date_column", model.csv.date_column},
      {"target", model.csv.target_column},
      {"exog", model.exog},
      {"order", model.order},
      {"seasonal", model.seasonal},
      {"trend", model.trend},
      {"missing", model.missing},
      {"min_rows", model.csv.min_rows},
      {"enforce_stationarity", model.enforce_stationarity},
      {"enforce_invertibility", model.enforce_invertibility},
      {"horizon", options.horizon},
      {"future_exog", options.future_exog},
      {"paths", options.paths},
      {"stored_paths", stored_paths},
      {"seed", options.seed},
      {"innovations", options.innovations},
      {"mode", options.mode},
      {"calendar", options.calendar},
      {"model_version", options.model_version},
      {"window_rows", options.window_rows}};
  return config.dump();
}

std::string distribution_csv(const PathStats& stats, int horizon, std::int64_t stored,
                             const ForecastMetadata& metadata) {
  std::ostringstream out;
  out << distribution_csv_header(horizon);
  append_distribution_rows(out, std::vector<float>(stats.stored.begin(), stats.stored.begin() + stored * horizon),
                           horizon, metadata);
  return out.str();
}

std::string stats_csv(const PathStats& stats, int horizon, const ForecastMetadata& metadata) {
  std::ostringstream out;
  out.precision(12);
  out << "forecast_date,day_ahead,mean,std,skewness,kurtosis,p_up";
  for (double level : kQuantileLevels) out << ',' << quantile_column(level);
  out << ",n_paths,data_cutoff_date\n";
  for (int h = 0; h < horizon; ++h) {
    out << format_date(forecast_date(metadata.data_cutoff, h + 1, metadata.calendar)) << ','
        << h + 1 << ',' << stats.mean[h] << ',' << stats.std[h] << ',' << stats.skewness[h] << ','
        << stats.kurtosis[h] << ',' << stats.p_up[h];
    for (Eigen::Index q = 0; q < stats.quantiles.cols(); ++q) out << ',' << stats.quantiles(h, q);
    out << ',' << stats.n_paths << ',' << format_date(metadata.data_cutoff) << '\n';
  }
  return out.str();
}

}  // namespace

void register_simulate_command(CLI::App& app) {
  auto options = std::make_shared<SimulateOptions>();
  CLI::App* command = app.add_subcommand(
      "simulate", "Fit, then simulate price paths (legacy distribution.csv + statistics)");
  add_model_options(*command, options->model);
  command->add_option("--horizon", options->horizon, "Days ahead")
      ->check(CLI::Range(1, kMaxPathHorizon))
      ->capture_default_str();
  command->add_option("--future-exog", options->future_exog,
                      "repeat-last (legacy), hold-last, or a CSV with the exog columns")
      ->capture_default_str();
  add_path_options(*command, *options,
                   {"Number of paths", "Paths written to the CSV (default: all, at most 2000)",
                    "normal, student_t, skew_normal, skew_t, mixture, nig, jumps, bootstrap "
                    "(shape estimated from the residuals) or regime",
                    "CPU threads (0: all cores)"});
  command->add_option("--mode", options->mode, "state-space or marginal (legacy)")
      ->check(CLI::IsMember({"state-space", "marginal"}))
      ->capture_default_str();
  command->add_option("--out", options->out, "distribution.csv path")->capture_default_str();
  command->add_option("--stats-out", options->stats_out, "Per-day statistics CSV");
  command->add_option("--h5", options->h5,
                      "HDF5 store (netCDF-4) with the forecast, statistics and stored paths");
  command->add_option("--model-version", options->model_version)->capture_default_str();
  add_training_window_option(*command, options->window_rows);
  command->add_option("--calendar", options->calendar, "calendar (legacy) or business")
      ->capture_default_str();
  command->callback([options] {
    const ForecastCalendar calendar = parse_forecast_calendar(options->calendar);
    require_stored_paths_within(options->stored_paths, options->paths);
    require_writable_outputs(
        {{"--out", options->out}, {"--stats-out", options->stats_out}, {"--h5", options->h5}});
    const std::unique_ptr<Backend> backend = make_backend(options->device, options->threads);
    backend->require_request_fits(options->paths, options->horizon, "--paths");
    const LoadedModel loaded = load(options->model);
    const Series& series = loaded.series;
    const Eigen::MatrixXd future =
        resolve_future_exog(options->model, series, options->future_exog, options->horizon);
    LoadedModel trained = loaded;  // on the training window; forecasts from the same last row
    trained.series = training_window(series, series.rows(), options->window_rows);
    const SarimaxFit result = fit(trained);
    print_fit(trained, result);
    const Innovations innovations = choose_innovations(
        options->innovations, result.innovation_residuals(),
        trained.series.target);

    PathRequest request;
    request.model = make_path_model(
        result, future, options->horizon,
        options->mode == "marginal" ? PathMode::marginal : PathMode::state_space);
    request.innovations = innovations.params();
    request.keys.seed = options->seed;
    request.n_paths = options->paths;
    request.last_price = series.target[series.target.size() - 1];
    request.stored_paths = options->stored_paths >= 0
                               ? std::min(options->stored_paths, options->paths)
                               : std::min<std::int64_t>(options->paths, 2000);
    const PathStats stats = backend->simulate(request);

    ForecastMetadata metadata;
    metadata.model_version = options->model_version;
    metadata.generation_timestamp = utc_timestamp_now();
    metadata.data_cutoff = series.dates.back();
    metadata.calendar = calendar;
    // All outputs or none: a failure on the way replaces nothing.
    OutputSet outputs;
    outputs.add_text(options->out, distribution_csv(stats, options->horizon,
                                                    request.stored_paths, metadata));
    if (!options->stats_out.empty())
      outputs.add_text(options->stats_out, stats_csv(stats, options->horizon, metadata));
    if (!options->h5.empty()) {
      SimulationRecord record;
      record.model_name = options->model_version;
      record.param_names = result.param_names;
      record.params = result.params;
      record.llf = result.llf;
      record.aic = result.aic;
      record.converged = result.converged;
      record.iterations = result.iterations;
      record.cutoff = metadata.data_cutoff;
      record.last_price = request.last_price;
      record.units = loaded.series.units;
      record.horizon = options->horizon;
      record.calendar = calendar;
      record.forecast = forecast_sarimax(result, future, options->horizon);
      record.stats = stats;
      record.seed = options->seed;
      record.generation_timestamp = metadata.generation_timestamp;
      record.attributes = {{"config", config_json(*options, request.stored_paths)},
                           {"innovations", innovations.describe()}};
      outputs.add_file(options->h5,
                       [&](const std::string& temp) { write_simulation_h5(temp, record); });
    }
    outputs.commit();

    std::printf("%lld paths on %s, innovations %s, cutoff price %.6g\n",
                static_cast<long long>(stats.n_paths), backend->name().c_str(),
                innovations.describe().c_str(), request.last_price);
    std::printf("%4s %12s %10s %9s %9s %7s %12s %12s\n", "day", "mean", "std", "skew", "kurt",
                "P(up)", "p5", "p95");
    for (int h = 0; h < options->horizon; ++h)
      std::printf("%4d %12.6g %10.5g %9.4f %9.4f %7.4f %12.6g %12.6g\n", h + 1, stats.mean[h],
                  stats.std[h], stats.skewness[h], stats.kurtosis[h], stats.p_up[h],
                  stats.quantiles(h, kP5), stats.quantiles(h, kP95));
    std::printf("wrote %s (%lld paths)%s%s\n", options->out.c_str(),
                static_cast<long long>(request.stored_paths),
                options->stats_out.empty() ? "" : " and ", options->stats_out.c_str());
    if (!options->h5.empty()) std::printf("wrote %s\n", options->h5.c_str());
  });
}

}  // namespace arabica::cli
