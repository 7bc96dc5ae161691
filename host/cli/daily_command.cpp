// `arabica daily`: the morning job on a backfill store, one series or a
// universe. It extends the store to today (the data's last row, or --date):
// each model retrains where its refit cadence says so and otherwise
// re-filters its latest fit, today's fold is forecast and simulated, folds
// whose prices arrived since are scored, and today's legacy forecast.csv /
// distribution.csv are written (a universe's: one per series, {series} in
// the path). The same store a backfill to today gives; a second run for the
// same day changes nothing.
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "arabica/atomic_file.hpp"
#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/forecast_csv.hpp"
#include "cli/backfill_options.hpp"
#include "cli/commands.hpp"
#include "cli/interruption.hpp"
#include "cli/option_checks.hpp"
#include "cli/universe_backfill.hpp"
#include "cli/universe_file.hpp"

namespace arabica::cli {

namespace {

struct DailyOptions {
  BackfillOptions backfill;
  std::string date;  // empty: the data's last row
  std::string forecast_csv, distribution_csv;
};

// In a universe's output paths, the series' name.
constexpr const char kSeriesPlaceholder[] = "{series}";

// A day's forecast from data that end this many calendar days or more
// before the day is said on stderr: a feed that stopped updating, or a
// --date past the data. Not refused: markets close for weekends and
// holidays (Friday to Tuesday is 4 days), and the forecast is still the
// last row's, as forecast.csv's data_cutoff_date says.
constexpr Date kStaleDataDays = 5;

void warn_if_stale(const std::string& what, Date last_row, Date day) {
  if (day - last_row < kStaleDataDays) return;
  emit_warning({}, what + ": the last row on or before " + format_date(day) + " is " + format_date(last_row) +
                       ", " + std::to_string(day - last_row) +
                       " days earlier; the day's forecast is from that row (a stale data feed?)");
}

const char* status_word(FoldStatus status) {
  switch (status) {
    case FoldStatus::trained: return "trained";
    case FoldStatus::refiltered: return "re-filtered";
    case FoldStatus::failed: return "failed";
    case FoldStatus::pending: break;
  }
  return "pending";
}

// One series' day: its store, its models, and (when the day is a cutoff of
// its schedule) each model's fold of the day.
struct SeriesDay {
  std::string name;  // empty: a single-series store
  const BackfillConfig* config = nullptr;
  const StoreLayout* layout = nullptr;
  const Fold* today = nullptr;  // the day's fold; nullptr: not a cutoff
  std::vector<ModelFoldResult> results;
};

// The day's fold of `store` when the plan's last cutoff is `day`.
void read_today(SeriesDay& series, const FoldPlan& plan, Date day, const BackfillStore& store) {
  if (plan.folds.empty() || plan.folds.back().cutoff != day) return;
  series.today = &plan.folds.back();
  for (std::size_t m = 0; m < series.config->models.size(); ++m)
    series.results.push_back(store.read(static_cast<int>(m), series.today->index));
}

struct DayCounts {
  int trained = 0, skipped = 0, generated = 0, failed = 0;
};

DayCounts count(const std::vector<SeriesDay>& days) {
  DayCounts c;
  for (const SeriesDay& d : days)
    for (const ModelFoldResult& r : d.results) {
      if (r.status == FoldStatus::failed) {
        ++c.failed;
        continue;
      }
      ++(r.status == FoldStatus::trained ? c.trained : c.skipped);
      ++c.generated;
    }
  return c;
}

// The run's record in the store's run log (a universe's: the file's root),
// written with the rewrite for reading that finishes the store
// (atomically). One record per run.
void record_run(BackfillStore& store, const std::string& day, int folds_run, const std::vector<SeriesDay>& days) {
  nlohmann::json log = nlohmann::json::array();
  if (const std::optional<std::string> text = store.file_text(kRunLogAttribute)) {
    log = nlohmann::json::parse(*text, nullptr, false);
    if (!log.is_array()) log = nlohmann::json::array();
  }
  const DayCounts c = count(days);
  const auto statuses = [](const SeriesDay& d) {
    nlohmann::json models = nlohmann::json::object();
    for (std::size_t m = 0; m < d.results.size(); ++m)
      models[d.config->models[m].name] = status_word(d.results[m].status);
    return models;
  };
  nlohmann::json record = {{"date", day},           {"run_at", utc_timestamp_now()}, {"folds_run", folds_run},
                           {"trained", c.trained},  {"skipped", c.skipped},          {"generated", c.generated},
                           {"failed", c.failed}};
  if (days.size() == 1 && days.front().name.empty()) {
    record["cutoff_today"] = days.front().today != nullptr;
    record["models"] = statuses(days.front());
  } else {
    nlohmann::json series = nlohmann::json::object();
    for (const SeriesDay& d : days) series[d.name] = {{"cutoff_today", d.today != nullptr}, {"models", statuses(d)}};
    record["series"] = series;
  }
  log.push_back(record);
  store.record_at_close(kRunLogAttribute, log.dump());
}

// `path` with the series' name for {series} (a universe's outputs).
std::string output_path(const std::string& path, const std::string& series) {
  std::string out = path;
  const std::size_t at = out.find(kSeriesPlaceholder);
  if (at != std::string::npos) out.replace(at, sizeof kSeriesPlaceholder - 1, series);
  return out;
}

// Today's outputs and the lines a scheduler parses: one per (series,)
// model, then the counts. Fail-open per model: an Error only when every
// model due today failed.
void report_day(const DailyOptions& daily, const std::string& day, Date today, const std::vector<SeriesDay>& days) {
  OutputSet outputs;  // all or nothing
  for (const SeriesDay& d : days) {
    if (d.today == nullptr) continue;
    const StoreLayout& layout = *d.layout;
    std::ostringstream forecast_rows, distribution_rows;
    forecast_rows << kForecastCsvHeader;
    distribution_rows << distribution_csv_header(layout.horizon);
    ForecastMetadata metadata;
    metadata.generation_timestamp = utc_timestamp_now();
    metadata.data_cutoff = today;
    const auto first_date =
        layout.forecast_dates.begin() + static_cast<std::ptrdiff_t>(d.today->index) * layout.horizon;
    metadata.forecast_dates.assign(first_date, first_date + layout.horizon);
    const std::string series = d.name.empty() ? "" : " series=" + d.name;
    for (std::size_t m = 0; m < d.results.size(); ++m) {
      const ModelFoldResult& r = d.results[m];
      const bool failed = r.status == FoldStatus::failed;
      std::printf("daily %s%s model=%s status=%s%s%s\n", day.c_str(), series.c_str(),
                  d.config->models[m].name.c_str(), status_word(r.status), failed ? " reason=" : "",
                  failed ? r.failure_reason.c_str() : "");
      if (failed) continue;
      metadata.model_version = d.config->models[m].name;
      append_forecast_rows(forecast_rows, r.forecast, metadata);
      append_distribution_rows(distribution_rows, r.stats.stored, layout.horizon, metadata);
    }
    if (!daily.forecast_csv.empty()) outputs.add_text(output_path(daily.forecast_csv, d.name), forecast_rows.str());
    if (!daily.distribution_csv.empty())
      outputs.add_text(output_path(daily.distribution_csv, d.name), distribution_rows.str());
  }
  outputs.commit();
  for (const SeriesDay& d : days)
    if (d.today == nullptr && !d.name.empty())
      std::printf("daily %s series=%s status=no-cutoff (its last row is %s)\n", day.c_str(), d.name.c_str(),
                  format_date(d.layout->cutoffs.back()).c_str());
  const DayCounts c = count(days);
  std::printf("daily %s summary: trained=%d skipped=%d generated=%d failed=%d store=%s\n", day.c_str(), c.trained,
              c.skipped, c.generated, c.failed, daily.backfill.out.c_str());
  if (c.generated == 0) throw Error("daily " + day + ": every model failed");
}

// Today's output options and their paths.
std::array<std::pair<const char*, const std::string*>, 2> day_outputs(const DailyOptions& daily) {
  return {{{"--forecast-csv", &daily.forecast_csv}, {"--distribution-csv", &daily.distribution_csv}}};
}

// The options every daily run checks before reading anything.
void check_outputs(const DailyOptions& daily, bool universe) {
  const BackfillOptions& options = daily.backfill;
  if (!daily.distribution_csv.empty() && options.stored_paths <= 0)
    throw InputError("--distribution-csv", "needs paths kept in the store (--stored-paths, e.g. 2000)");
  if (universe)
    for (const auto& [option, path] : day_outputs(daily))
      if (!path->empty() && path->find(kSeriesPlaceholder) == std::string::npos)
        throw InputError(option, "a universe writes one file per series: put {series} in the path (e.g. "
                                 "daily/{series}/forecast.csv)");
  require_writable_outputs({{"--out", options.out},
                            {"--forecast-csv", universe ? std::string() : daily.forecast_csv},
                            {"--distribution-csv", universe ? std::string() : daily.distribution_csv}});
}

// A universe's per-series output paths, checked before the run: the
// directory a {series} component names is made (out/{series}/forecast.csv
// gives out/KC/), the rest must exist and be writable.
void prepare_series_outputs(const DailyOptions& daily, const std::vector<UniverseMember>& members) {
  namespace fs = std::filesystem;
  for (const auto& [option, path] : day_outputs(daily)) {
    if (path->empty()) continue;
    const fs::path fixed = fs::path(path->substr(0, path->find(kSeriesPlaceholder))).parent_path();
    for (const UniverseMember& m : members) {
      const std::string own = output_path(*path, m.name);
      const fs::path parent = fs::path(own).parent_path();
      std::error_code error;
      // Only below the part of the path that does not name the series.
      if (!parent.empty() && parent != fixed && (fixed.empty() || fs::is_directory(fixed, error)) &&
          !fs::create_directories(parent, error) && error)
        throw InputError(option, "cannot make directory '" + parent.string() + "': " + error.message());
      require_writable_outputs({{option, own}});
    }
  }
}

// The first `rows` of `series` on or before `date` (the data as they were
// that day).
std::size_t rows_through(const Series& series, Date date) {
  return static_cast<std::size_t>(std::upper_bound(series.dates.begin(), series.dates.end(), date) -
                                  series.dates.begin());
}

// A universe's morning: every series cut at the day, extended in one store.
void run_universe_daily(DailyOptions& daily, const std::string& config_file) {
  BackfillOptions& options = daily.backfill;
  check_outputs(daily, true);
  install_interrupt_handlers();
  make_config(options, model_spec(options.model));  // the run's own options, before any file
  const std::vector<UniverseSeries> entries =
      config_file.empty() ? universe_from_options(options) : read_universe_file(config_file, options);
  std::vector<Series> loaded;
  for (const UniverseSeries& entry : entries) loaded.push_back(read_member_series(entry));
  // The day: --date, or the last row of the series that reach furthest.
  Date day = 0;
  for (const Series& s : loaded) day = std::max(day, s.dates.back());
  if (!daily.date.empty()) day = date_option(daily.date, "--date", 0);
  const std::string day_text = format_date(day);
  std::vector<UniverseMember> members;
  std::vector<std::string> not_run;
  for (std::size_t j = 0; j < entries.size(); ++j) {
    const std::size_t rows = rows_through(loaded[j], day);
    UniverseMember member;
    const std::string reason = rows == 0 ? "no row on or before " + day_text
                                         : plan_member(entries[j], loaded[j].head(rows), member);
    if (!reason.empty()) {
      not_run.push_back(entries[j].name + ": " + reason);
      continue;
    }
    warn_if_stale("series " + entries[j].name, loaded[j].dates[rows - 1], day);
    member.config.stop_requested = interrupt_requested;
    members.push_back(std::move(member));
  }
  warn_not_run(not_run, members.size(), config_file.empty() ? "--csv" : config_file);
  warn_if_leaking(members.front().config, 0);
  prepare_series_outputs(daily, members);

  std::vector<BackfillStore> stores = open_members(options.out, members, 0, 1);
  const std::vector<BackfillSummary> summaries = run_backfills(member_jobs(members, stores));
  int folds_run = 0;
  for (const BackfillSummary& s : summaries) folds_run += s.folds_run;
  if (summaries.front().stopped) stop_universe_if_interrupted(folds_run, &stores);
  warn_failures(members, summaries);
  if (folds_run == 0) {  // idempotent: the store is not touched
    close_all(stores);
    std::printf("daily %s: %s already holds it; nothing changed\n", day_text.c_str(), options.out.c_str());
    return;
  }
  std::vector<SeriesDay> days;
  for (std::size_t j = 0; j < members.size(); ++j) {
    SeriesDay d{members[j].name, &members[j].config, &members[j].layout, nullptr, {}};
    read_today(d, members[j].plan, day, stores[j]);
    days.push_back(std::move(d));
  }
  record_run(stores.front(), day_text, folds_run, days);
  BackfillOptions quiet = options;
  quiet.print_reports = false;
  finish_universe(stores, members, quiet);
  if (std::none_of(days.begin(), days.end(), [](const SeriesDay& d) { return d.today != nullptr; })) {
    std::printf("daily %s: not a cutoff of any series' schedule; %d earlier folds scored\n", day_text.c_str(),
                folds_run);
    return;
  }
  report_day(daily, day_text, day, days);
}

void run_daily(DailyOptions& daily, const std::string& config_file) {
  BackfillOptions& options = daily.backfill;
  if ((!config_file.empty() && has_series_tables(config_file)) || asks_for_several_series(options))
    return run_universe_daily(daily, config_file);
  if (options.model.csv.path.empty()) throw InputError("--csv", "required");
  check_outputs(daily, false);
  install_interrupt_handlers();
  BackfillConfig config = make_config(options, model_spec(options.model));
  const LoadedModel loaded = load(options.model);
  Series series = loaded.series;
  if (!daily.date.empty()) {  // the data as they were that day
    const Date day = date_option(daily.date, "--date", 0);
    const std::size_t rows = rows_through(series, day);
    if (rows == 0) throw InputError("--date", daily.date + " is before the data's first row");
    series = series.head(rows);
    warn_if_stale(options.model.csv.path, series.dates.back(), day);
  }
  const Date today = series.dates.back();
  if (options.start.empty()) config.plan.start = series.dates.front();
  config.plan.end = today;
  config.series_name = options.model.csv.series_id.empty() ? series.target_name : options.model.csv.series_id;
  config.series_key = series_key_of(config.series_name);
  for (const BacktestModel& m : config.models)
    if (m.kind == ModelKind::sarimax) require_identifiable_model(series, m.spec);
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  if (plan.folds.empty()) throw no_fold_error(plan, config.plan);
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
  std::vector<SeriesDay> days(1);
  days.front().config = &config;
  days.front().layout = &layout;
  read_today(days.front(), plan, today, store);
  record_run(store, day, summary.folds_run, days);
  finish_backfill(store, layout, plan, options, false);
  if (days.front().today == nullptr) {
    std::printf("daily %s: not a cutoff of the schedule (%s); %d earlier folds scored\n", day.c_str(),
                describe(plan.spec).c_str(), summary.folds_run);
    return;
  }
  report_day(daily, day, today, days);
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
