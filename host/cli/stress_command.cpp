// `arabica stress`: named what-if scenarios on top of the fitted model, for
// the latest cutoff or a list of cutoffs: paths, statistics and VaR/ES per
// scenario into an HDF5 store with a `scenario` dimension, and a side-by-side
// summary on stdout (and as CSV).
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "arabica/atomic_file.hpp"
#include "arabica/backend.hpp"
#include "arabica/backfill_store.hpp"
#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/fnv1a.hpp"
#include "arabica/scenario.hpp"
#include "cli/commands.hpp"
#include "cli/model_options.hpp"
#include "cli/option_checks.hpp"
#include "cli/path_options.hpp"
#include "io/csv_field.hpp"

namespace arabica::cli {

namespace {

struct StressOptions {
  ModelOptions model;
  std::string scenarios;
  std::vector<std::string> cutoffs;  // empty: the data's last date
  int horizon = 7;
  std::string future_exog = "repeat-last";
  std::int64_t paths = 100000;
  std::int64_t stored_paths = 0;
  std::string innovations = "normal";
  std::uint64_t seed = 1;
  std::string device = "auto";
  int threads = 0;
  std::string calendar = "calendar";
  std::string out = "stress.h5";
  std::string summary_csv;
  int window_rows = 0;  // 0: fit on every row up to the cutoff
};

// The last data row on or before `text`.
std::size_t cutoff_row(const Series& series, const std::string& text) {
  const std::optional<Date> date = parse_date(text);
  if (!date) throw InputError("--cutoff", "'" + text + "' is not a date (YYYY-MM-DD)");
  const auto after = std::upper_bound(series.dates.begin(), series.dates.end(), *date);
  if (after == series.dates.begin())
    throw InputError("--cutoff", text + " is before the data's first date " +
                                     format_date(series.dates.front()));
  return static_cast<std::size_t>(after - series.dates.begin()) - 1;
}

struct SummaryRow {
  std::string scenario;
  Date cutoff = 0;
  double last_price = 0.0;
  ModelFoldResult result;
};

std::string summary_csv(const std::vector<SummaryRow>& rows, int horizon) {
  std::ostringstream out;
  out.precision(10);
  out << "scenario,data_cutoff_date,last_price,day_ahead,mean,std,skewness,kurtosis,p5,p50,p95,"
         "p_up,var_95,es_95,var_99,es_99\n";
  const int h = horizon - 1;
  for (const SummaryRow& row : rows) {
    const PathStats& s = row.result.stats;
    const HorizonRisk& r = row.result.risk;
    out << csv_field(row.scenario) << ',' << format_date(row.cutoff) << ',' << row.last_price << ','
        << horizon << ',' << s.mean[h] << ',' << s.std[h] << ',' << s.skewness[h] << ','
        << s.kurtosis[h] << ',' << s.quantiles(h, kP5) << ',' << s.quantiles(h, kP50) << ','
        << s.quantiles(h, kP95) << ',' << s.p_up[h] << ',' << r.var_95 << ',' << r.es_95 << ','
        << r.var_99 << ',' << r.es_99 << '\n';
  }
  return out.str();
}

void run(StressOptions& options) {
  const ForecastCalendar calendar = parse_forecast_calendar(options.calendar);
  const FutureExogPolicy exog_policy = parse_future_exog_policy(options.future_exog);
  if (exog_policy == FutureExogPolicy::supplied)
    throw InputError("--future-exog", "stress runs take repeat-last or hold-last; covariate "
                                      "paths belong in the scenario file");
  require_stored_paths_within(options.stored_paths, options.paths);
  require_device_present(options.device);
  require_writable_outputs({{"--out", options.out}, {"--summary-csv", options.summary_csv}});
  const LoadedModel loaded = load(options.model);
  const Series& series = loaded.series;
  const std::vector<Scenario> scenarios =
      read_scenarios(options.scenarios, options.horizon, series.exog_names);
  std::vector<std::size_t> rows;
  for (const std::string& text : options.cutoffs) rows.push_back(cutoff_row(series, text));
  if (rows.empty()) rows.push_back(series.rows() - 1);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  const std::unique_ptr<Backend> backend = make_backend(options.device, options.threads);
  backend->require_request_fits(options.paths, options.horizon, "--paths");
  const int H = options.horizon;

  StoreLayout layout;
  layout.entry_dimension = "scenario";
  for (const Scenario& s : scenarios) {
    layout.models.push_back(s.name);
    layout.param_names.push_back(loaded.spec.param_names(series.exog_names));
  }
  layout.horizon = H;
  layout.calendar = calendar;
  layout.stored_paths = options.stored_paths;
  layout.units = series.units;
  const auto F = static_cast<Eigen::Index>(rows.size());
  layout.actual = Eigen::MatrixXd::Constant(F, H, std::numeric_limits<double>::quiet_NaN());
  layout.last_price.resize(F);

  // Fit per cutoff, apply every scenario, then simulate all cutoffs x
  // scenarios as one batch (a few launches on a GPU).
  std::vector<Innovations> bases;  // own bootstrap residuals the requests use
  bases.reserve(rows.size());
  std::vector<PathRequest> requests;
  std::vector<std::vector<ModelFoldResult>> results(rows.size());
  for (std::size_t c = 0; c < rows.size(); ++c) {
    const std::size_t row = rows[c];
    const Series history = training_window(series, row + 1, options.window_rows);
    const double last_price = history.target[history.target.size() - 1];
    layout.cutoffs.push_back(history.dates.back());
    layout.last_price[static_cast<Eigen::Index>(c)] = last_price;
    for (int h = 0; h < H && row + 1 + h < series.rows(); ++h)
      layout.actual(static_cast<Eigen::Index>(c), h) = series.target[static_cast<Eigen::Index>(row + 1 + h)];
    require_future_exog_rows(history.exog, exog_policy, H, "--future-exog");
    const SarimaxFit fit = fit_sarimax(loaded.spec, history.target, history.exog, FitOptions{},
                                       history.exog_names);
    const Eigen::MatrixXd future = future_exog(history.exog, exog_policy, H);
    bases.push_back(choose_innovations(
        options.innovations, fit.innovation_residuals(),
        history.target));
    std::printf("cutoff %s: %s fitted on %zu rows (llf %.6f), base innovations %s\n",
                format_date(history.dates.back()).c_str(), loaded.spec.describe().c_str(),
                history.rows(), fit.llf, bases.back().describe().c_str());
    for (const Scenario& scenario : scenarios) {
      const StressedPaths stressed =
          apply_scenario(scenario, fit, future, bases.back().params(), last_price, H);
      PathRequest request;
      request.model = stressed.model;
      request.innovations = stressed.innovations;
      // Every scenario of a cutoff draws the same streams: differences
      // between scenarios are the shocks', not Monte Carlo noise.
      request.keys = {options.seed, 0, static_cast<std::uint64_t>(c)};
      request.n_paths = options.paths;
      request.last_price = last_price;
      request.stored_paths = options.stored_paths;
      requests.push_back(request);
      ModelFoldResult result;
      result.status = FoldStatus::trained;
      result.forecast = stressed.forecast;
      result.params = fit.params;
      result.llf = fit.llf;
      result.aic = fit.aic;
      result.converged = fit.converged;
      result.iterations = fit.iterations;
      result.trained_on = history.dates.back();
      results[c].push_back(std::move(result));
    }
  }
  std::vector<PathStats> stats = backend->simulate_batch(requests);
  std::vector<SummaryRow> summary;
  for (std::size_t c = 0, i = 0; c < rows.size(); ++c)
    for (std::size_t s = 0; s < scenarios.size(); ++s, ++i) {
      ModelFoldResult& result = results[c][s];
      result.stats = std::move(stats[i]);
      result.risk = horizon_risk(result.stats, requests[i].last_price);
      summary.push_back({scenarios[s].name, layout.cutoffs[c], requests[i].last_price, result});
    }

  nlohmann::json config = {{"model", loaded.spec.describe()},
                           {"exog", series.exog_names},
                           {"scenarios_file", options.scenarios},
                           {"horizon", H},
                           {"paths", options.paths},
                           {"innovations", options.innovations},
                           {"future_exog", options.future_exog},
                           {"window_rows", options.window_rows},
                           {"seed", options.seed}};
  layout.text_attributes = {{"title", "arabica stress scenarios"},
                            {"source", series.source},
                            {"config", config.dump()},
                            {"rng", "philox4x32-10"},
                            {"generation_timestamp", utc_timestamp_now()}};
  for (const Scenario& s : scenarios)
    if (!s.description.empty())
      layout.text_attributes.emplace_back("scenario_" + s.name, s.description);
  layout.unsigned_attributes = {{"seed", options.seed},
                                {"n_paths", static_cast<std::uint64_t>(options.paths)}};
  // The store and the summary CSV: all or nothing.
  OutputSet outputs;
  outputs.add_file(options.out, [&](const std::string& temp) {
    BackfillStore store = BackfillStore::create_in_temporary(temp, options.out, layout);
    std::vector<int> folds;
    for (std::size_t c = 0; c < results.size(); ++c) {
      for (std::size_t s = 0; s < results[c].size(); ++s)
        store.write(static_cast<int>(s), static_cast<int>(c), results[c][s]);
      folds.push_back(static_cast<int>(c));
    }
    store.commit(folds);
    store.close();
  });

  std::printf("\n%lld paths per scenario on %s; day %d (horizon) statistics, VaR/ES of the "
              "horizon return (loss, %% of the cutoff price)\n",
              static_cast<long long>(options.paths), backend->name().c_str(), H);
  std::printf("%-18s %10s %10s %9s %10s %10s %6s %7s %7s %7s %7s\n", "scenario", "cutoff", "mean",
              "std", "p5", "p95", "P(up)", "VaR95", "ES95", "VaR99", "ES99");
  for (const SummaryRow& row : summary) {
    const PathStats& s = row.result.stats;
    const HorizonRisk& r = row.result.risk;
    std::printf("%-18s %10s %10.4g %9.4g %10.4g %10.4g %6.3f %6.2f%% %6.2f%% %6.2f%% %6.2f%%\n",
                row.scenario.c_str(), format_date(row.cutoff).c_str(), s.mean[H - 1],
                s.std[H - 1], s.quantiles(H - 1, kP5), s.quantiles(H - 1, kP95), s.p_up[H - 1],
                100 * r.var_95, 100 * r.es_95, 100 * r.var_99, 100 * r.es_99);
  }
  if (!options.summary_csv.empty()) outputs.add_text(options.summary_csv, summary_csv(summary, H));
  outputs.commit();
  if (!options.summary_csv.empty()) std::printf("wrote %s\n", options.summary_csv.c_str());
  std::printf("wrote %s\n", options.out.c_str());
}

}  // namespace

void register_stress_command(CLI::App& app) {
  auto options = std::make_shared<StressOptions>();
  CLI::App* command = app.add_subcommand(
      "stress", "Paths under named what-if scenarios (TOML) for one or more cutoffs");
  add_model_options(*command, options->model);
  command->add_option("--scenarios", options->scenarios, "Scenario file (TOML)")->required();
  command->add_option("--cutoff", options->cutoffs,
                      "Cutoff dates (the last row on or before each; default: the last row)")
      ->delimiter(',');
  command->add_option("--horizon", options->horizon, "Days ahead")
      ->check(CLI::Range(1, kMaxPathHorizon))
      ->capture_default_str();
  command->add_option("--future-exog", options->future_exog, "repeat-last (legacy) or hold-last")
      ->capture_default_str();
  add_path_options(*command, *options,
                   {"Paths per scenario and cutoff", "Paths kept in the store",
                    "Base family (estimated per cutoff) that scenarios may override",
                    "CPU threads (0: all cores)"});
  command->add_option("--calendar", options->calendar, "calendar (legacy) or business")
      ->capture_default_str();
  command->add_option("--out", options->out, "HDF5 store with a scenario dimension")
      ->capture_default_str();
  command->add_option("--summary-csv", options->summary_csv, "Side-by-side summary as CSV");
  add_training_window_option(*command, options->window_rows);
  command->callback([options] { run(*options); });
}

}  // namespace arabica::cli
