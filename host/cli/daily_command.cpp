// `arabica daily`: the morning job on a backfill store. It extends the store
// to today (the data's last row, or --date): each model retrains where its
// refit cadence says so and otherwise re-filters its latest fit, today's
// fold is forecast and simulated, folds whose prices arrived since are
// scored, and today's legacy forecast.csv / distribution.csv are written.
// The same store a backfill to today gives; a second run for the same day
// changes nothing.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "arabica/atomic_file.hpp"
#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/forecast_csv.hpp"
#include "cli/backfill_options.hpp"
#include "cli/commands.hpp"
#include "cli/interruption.hpp"
#include "cli/option_checks.hpp"
#include "cli/universe_file.hpp"

namespace arabica::cli {

namespace {

struct DailyOptions {
  BackfillOptions backfill;
  std::string date;  // empty: the data's last row
  std::string forecast_csv, distribution_csv;
};

const char* status_word(FoldStatus status) {
  switch (status) {
    case FoldStatus::trained: return "trained";
    case FoldStatus::refiltered: return "re-filtered";
    case FoldStatus::failed: return "failed";
    case FoldStatus::pending: break;
  }
  return "pending";
}

void run_daily(DailyOptions& daily, const std::string& config_file) {
  BackfillOptions& options = daily.backfill;
  if ((!config_file.empty() && has_series_tables(config_file)) || asks_for_several_series(options))
    throw InputError(config_file.empty() ? "--target" : "--config",
                     "daily runs a single-series store; universe stores are not extended yet");
  if (options.model.csv.path.empty()) throw InputError("--csv", "required");
  if (!daily.distribution_csv.empty() && options.stored_paths <= 0)
    throw InputError("--distribution-csv", "needs paths kept in the store (--stored-paths, e.g. 2000)");
  require_writable_outputs({{"--out", options.out},
                            {"--forecast-csv", daily.forecast_csv},
                            {"--distribution-csv", daily.distribution_csv}});
  install_interrupt_handlers();
  BackfillConfig config = make_config(options, model_spec(options.model));
  const LoadedModel loaded = load(options.model);
  Series series = loaded.series;
  if (!daily.date.empty()) {  // the data as they were that day
    const Date date = date_option(daily.date, "--date", 0);
    const auto rows = static_cast<std::size_t>(
        std::upper_bound(series.dates.begin(), series.dates.end(), date) - series.dates.begin());
    if (rows == 0) throw InputError("--date", daily.date + " is before the data's first row");
    series = series.head(rows);
  }
  const Date today = series.dates.back();
  if (options.start.empty()) config.plan.start = series.dates.front();
  config.plan.end = today;
  config.series_name = options.model.csv.series_id.empty() ? series.target_name : options.model.csv.series_id;
  config.series_key = series_key_of(config.series_name);
  for (const BacktestModel& m : config.models)
    if (m.kind == ModelKind::sarimax) require_identifiable_model(series, m.spec);
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  if (plan.folds.empty()) throw InputError("--start", no_fold_reason(plan, config.plan));
  warn_if_leaking(config, 0);
  const std::string day = format_date(today);

  const StoreLayout layout = backfill_layout(config, series, plan);
  BackfillStore store = open_backfill_store(options.out, layout, series, plan);
  config.stop_requested = interrupt_requested;
  const BackfillSummary summary = run_backfill(series, config, plan, store);
  if (summary.stopped) stop_if_interrupted(summary.folds_run, &store);
  for (const std::string& failure : summary.failures)
    std::cerr << "arabica: warning: fold failed: " << failure << '\n';
  if (summary.folds_run == 0) {  // idempotent: the store is not touched
    store.close();
    std::printf("daily %s: %s already holds it; nothing changed\n", day.c_str(), options.out.c_str());
    return;
  }
  // Today's fold, when today is a cutoff of the schedule (weekly: Fridays).
  const Fold& last = plan.folds.back();
  const bool cutoff_today = last.cutoff == today;
  std::vector<ModelFoldResult> results;
  if (cutoff_today)
    for (std::size_t m = 0; m < config.models.size(); ++m)
      results.push_back(store.read(static_cast<int>(m), last.index));
  int trained = 0, skipped = 0, generated = 0, failed = 0;
  nlohmann::json statuses = nlohmann::json::object();
  for (std::size_t m = 0; m < results.size(); ++m) {
    const FoldStatus status = results[m].status;
    statuses[config.models[m].name] = status_word(status);
    if (status == FoldStatus::failed) {
      ++failed;
      continue;
    }
    ++(status == FoldStatus::trained ? trained : skipped);
    ++generated;
  }
  // The run's record in the store's run log, written with the rewrite for
  // reading that finishes the store (atomically).
  nlohmann::json log = nlohmann::json::array();
  if (const std::optional<std::string> text = store.root_text(kRunLogAttribute)) {
    log = nlohmann::json::parse(*text, nullptr, false);
    if (!log.is_array()) log = nlohmann::json::array();
  }
  log.push_back({{"date", day},
                 {"run_at", utc_timestamp_now()},
                 {"folds_run", summary.folds_run},
                 {"cutoff_today", cutoff_today},
                 {"trained", trained},
                 {"skipped", skipped},
                 {"generated", generated},
                 {"failed", failed},
                 {"models", statuses}});
  store.record_at_close(kRunLogAttribute, log.dump());
  finish_backfill(store, layout, plan, options, false);
  if (!cutoff_today) {
    std::printf("daily %s: not a cutoff of the schedule (%s); %d earlier folds scored\n", day.c_str(),
                describe(plan.spec).c_str(), summary.folds_run);
    return;
  }

  // Today's outputs and the summary a scheduler parses: a line per model,
  // then the counts.
  std::ostringstream forecast_rows, distribution_rows;
  forecast_rows << kForecastCsvHeader;
  distribution_rows << distribution_csv_header(layout.horizon);
  ForecastMetadata metadata;
  metadata.generation_timestamp = utc_timestamp_now();
  metadata.data_cutoff = today;
  const auto first_date = layout.forecast_dates.begin() + static_cast<std::ptrdiff_t>(last.index) * layout.horizon;
  metadata.forecast_dates.assign(first_date, first_date + layout.horizon);
  for (std::size_t m = 0; m < results.size(); ++m) {
    const ModelFoldResult& r = results[m];
    std::printf("daily %s model=%s status=%s%s%s\n", day.c_str(), config.models[m].name.c_str(),
                status_word(r.status), r.status == FoldStatus::failed ? " reason=" : "",
                r.status == FoldStatus::failed ? r.failure_reason.c_str() : "");
    if (r.status == FoldStatus::failed) continue;
    metadata.model_version = config.models[m].name;
    append_forecast_rows(forecast_rows, r.forecast, metadata);
    append_distribution_rows(distribution_rows, r.stats.stored, layout.horizon, metadata);
  }
  OutputSet outputs;  // all or nothing
  if (!daily.forecast_csv.empty()) outputs.add_text(daily.forecast_csv, forecast_rows.str());
  if (!daily.distribution_csv.empty()) outputs.add_text(daily.distribution_csv, distribution_rows.str());
  outputs.commit();
  std::printf("daily %s summary: trained=%d skipped=%d generated=%d failed=%d store=%s\n", day.c_str(),
              trained, skipped, generated, failed, options.out.c_str());
  // Fail-open per model: the run fails only when no model produced today.
  if (generated == 0) throw Error("daily " + day + ": every model failed");
}

}  // namespace

void register_daily_command(CLI::App& app) {
  auto options = std::make_shared<DailyOptions>();
  CLI::App* command = app.add_subcommand(
      "daily", "Extend a backfill store to today: retrain per cadence, forecast, simulate, score late "
               "actuals, write today's forecast.csv / distribution.csv");
  add_backfill_options(*command, options->backfill);
  command->add_option("--date", options->date,
                      "The day to run (YYYY-MM-DD; default: the data's last row; rows after it are "
                      "not read)");
  command->add_option("--forecast-csv", options->forecast_csv, "Today's legacy forecast.csv");
  command->add_option("--distribution-csv", options->distribution_csv,
                      "Today's legacy distribution.csv (the paths kept: --stored-paths)");
  command->callback([options, command] {
    const CLI::Option* config = command->get_parent()->get_config_ptr();
    run_daily(*options, config && config->count() > 0 ? config->as<std::string>() : std::string());
  });
}

}  // namespace arabica::cli
