// `arabica backfill`: the walk-forward backtest into the HDF5 store, resumable,
// with accuracy metrics and the legacy forecast.csv export.
#include <cctype>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "arabica/atomic_file.hpp"
#include "arabica/backfill.hpp"
#include "arabica/bounded_list.hpp"
#include "arabica/date.hpp"
#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/innovation_estimation.hpp"
#include "arabica/text_number.hpp"
#include "cli/commands.hpp"
#include "cli/backfill_options.hpp"
#include "cli/universe_file.hpp"
#include "cli/model_options.hpp"
#include "cli/distributed.hpp"
#include "cli/interruption.hpp"
#include "cli/option_checks.hpp"
#include "cli/path_options.hpp"
#include "cli/progress.hpp"

namespace arabica::cli {

Date date_option(const std::string& text, const std::string& field, Date fallback) {
  if (text.empty()) return fallback;
  const std::optional<Date> date = parse_date(text);
  if (!date) throw InputError(field, "'" + text + "' is not a date (YYYY-MM-DD)");
  return *date;
}

namespace {

constexpr int kMaxShards = 100000;
constexpr const char* kLeakedMarker = "LEAKED (realized future covariates)";

// --model values split at commas, except those inside a sarimax order
// ("sarimax,naive,sarimax:0,1,1" is three models).
std::vector<std::string> model_list(const std::vector<std::string>& values) {
  std::vector<std::string> models;
  for (const std::string& value : values) {
    std::stringstream stream(value);
    for (std::string part; std::getline(stream, part, ',');) {
      const bool order_digit = !part.empty() && (std::isdigit(static_cast<unsigned char>(part[0])) ||
                                                 part[0] == '-');
      if (order_digit && !models.empty() && models.back().find(':') != std::string::npos)
        models.back() += "," + part;
      else
        models.push_back(part);
    }
  }
  return models;
}

// --phase: a row offset of the every_n_rows grid, or "all" (every phase,
// scored phase by phase); its range is checked with the plan.
int parse_phase(const std::string& text) {
  if (text == "all") return kAllPhases;
  const std::optional<int> phase = number_of_text<int>(text);
  if (!phase || *phase < 0)  // -1 is not a way to say all
    throw InputError("--phase", "must be an integer 0 .. step-rows - 1 or all, not '" + text + "'");
  return *phase;
}

}  // namespace

BackfillConfig make_config(const BackfillOptions& o, const SarimaxSpec& defaults) {
  BackfillConfig config;
  for (const std::string& text : model_list(o.models))
    config.models.push_back(parse_backtest_model(text, defaults, "--model"));
  for (std::size_t i = 0; i < config.models.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (config.models[i].name == config.models[j].name)
        throw InputError("--model", "model '" + config.models[i].name + "' given twice");
  FoldPlanSpec& plan = config.plan;
  plan.start = date_option(o.start, "--start", 0);
  plan.end = date_option(o.end, "--end", 0);
  plan.schedule = parse_cutoff_schedule(o.schedule, "--schedule");
  plan.step_rows = o.step_rows;
  plan.phase = parse_phase(o.phase);
  plan.window = parse_training_window(o.window, "--window");
  plan.window_rows = o.window_rows;
  plan.min_train_rows = o.min_train_rows;
  plan.horizon = o.horizon;
  plan.refit = parse_refit_cadence(o.refit, "--refit");
  plan.warm_start_chain = o.warm_start_chain;
  config.future_exog = parse_backfill_exog(o.future_exog, "--future-exog");
  config.paths = o.paths;
  config.stored_paths = o.stored_paths;
  require_stored_paths_within(o.stored_paths, o.paths);
  config.innovations = o.innovations;
  config.registry_covariance = parse_covariance_type(o.registry_cov);  // checked by CLI11
  config.mode = o.mode == "marginal" ? PathMode::marginal : PathMode::state_space;
  config.seed = o.seed;
  config.calendar = parse_forecast_calendar(o.calendar);
  config.threads = o.threads;
  config.device = o.device;
  require_device_present(o.device);
  // A GPU is filled by batches of many chains; the CPU pool by one.
  const bool gpu = o.device == "cuda" || (o.device == "auto" && cuda_available());
  // Before any file is written: a fold's paths that no batch can hold would
  // fail the run at its first fold, with its store laid out. On the CPU
  // only: a CUDA backend made here would hold a context on device 0 in
  // every rank for the whole run (its workers size their batches anyway).
  if (!gpu) make_backend("cpu", 1)->require_request_fits(o.paths, o.horizon, "--paths");
  config.batch_path_steps = o.batch_path_steps >= 0 ? o.batch_path_steps : gpu ? 5e7 : 0.0;
  config.shard = o.shard;
  config.num_shards = o.num_shards;
  if (config.shard < 0 || config.shard >= config.num_shards)
    throw InputError("--shard", "must be in 0.." + std::to_string(config.num_shards - 1));
  return config;
}

namespace {

std::string metric(double value, const char* format) {
  if (std::isnan(value)) return "-";
  char text[32];
  // A fixed-point format of a huge value (a mape over an actual near 0)
  // would be cut at the buffer, a wrong number: wider than a column, it
  // prints in exponent form.
  const int length = std::snprintf(text, sizeof text, format, value);
  if (length < 0 || length > 9) std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

}  // namespace

// `leaked`: scored with realized future covariates, which a forecast made
// at the cutoff could not have had; the table says so where it is read.
void print_scores(const std::vector<ModelScores>& scores, bool leaked, bool by_day) {
  if (leaked)
    std::printf("\n%s: these scores use covariates observed after each cutoff and overstate what "
                "a real forecast achieves\n",
                kLeakedMarker);
  const auto end_header = [leaked] { std::printf(leaked ? "  %s\n" : "\n", kLeakedMarker); };
  // dir.acc leaves out the ties (an actual equal to the last price, or a
  // forecast of no change): the column beside n says how many.
  const auto ties = [](const MetricSummary& m) {
    return std::isnan(m.direction.accuracy) ? std::string("-") : std::to_string(m.direction.ties);
  };
  // gauss95: the Kalman (Gaussian) 95% interval, the same for every
  // innovation family; path95 and pit_ks: the simulated paths' calibration.
  int width = 22;  // the model column: as wide as the longest variant name
  for (const ModelScores& s : scores) width = std::max(width, static_cast<int>(s.model.size()));
  std::printf("\n%-*s %6s %5s %8s %9s %9s %9s %7s %7s %7s %7s %8s %7s", width, "model (all days)", "n",
              "ties", "dir.acc", "p-value", "rmse", "mae", "mape%", "gauss95", "path95", "pit_ks",
              "crps", "brier");
  end_header();
  for (const ModelScores& s : scores) {
    const MetricSummary& o = s.overall;
    std::printf("%-*s %6lld %5s %8s %9s %9s %9s %7s %7s %7s %7s %8s %7s\n", width, s.model.c_str(),
                static_cast<long long>(o.n), ties(o).c_str(), metric(o.direction.accuracy, "%.4f").c_str(),
                metric(o.direction.p_value, "%.3g").c_str(), metric(o.rmse, "%.4g").c_str(),
                metric(o.mae, "%.4g").c_str(), metric(o.mape, "%.3f").c_str(),
                metric(o.coverage_95, "%.3f").c_str(), metric(o.path_coverage.back(), "%.3f").c_str(),
                metric(o.pit_ks, "%.3f").c_str(), metric(o.crps, "%.4g").c_str(),
                metric(o.brier.score, "%.4f").c_str());
  }
  // Overlapping horizons share shocks: the p-value above treats every
  // forecast as independent; these do not (pooled scores have none).
  bool tested = false;
  for (const ModelScores& s : scores) tested |= !std::isnan(s.overall.direction_hac_p);
  if (tested) {
    std::printf("\n%-*s %5s %8s %17s %9s %9s %10s %10s", width, "overlap-aware (all days)", "lags",
                "dir.acc", "block 95% CI", "hac p", "always up", "dm mse p", "dm crps p");
    std::printf("  (dm: against naive; lags: later folds sharing a fold's horizon)\n");
    for (const ModelScores& s : scores) {
      const MetricSummary& o = s.overall;
      const std::string ci = std::isnan(o.direction_ci_low)
                                 ? "-"
                                 : metric(o.direction_ci_low, "%.4f") + "-" + metric(o.direction_ci_high, "%.4f");
      std::printf("%-*s %5d %8s %17s %9s %9s %10s %10s\n", width, s.model.c_str(), o.lags,
                  metric(o.direction.accuracy, "%.4f").c_str(), ci.c_str(),
                  metric(o.direction_hac_p, "%.3g").c_str(), metric(o.always_up, "%.4f").c_str(),
                  metric(o.dm_mse_p, "%.3g").c_str(), metric(o.dm_crps_p, "%.3g").c_str());
    }
  }
  // The paths' quantiles: proper scores of the whole distribution, the VaR
  // backtests of the horizon's last day (the stored var_95/var_99), and
  // skill against naive (1 - score / naive's: positive is better).
  bool quantiles = false;
  for (const ModelScores& s : scores) quantiles |= !std::isnan(s.overall.pinball);
  if (quantiles) {
    std::printf("\n%-*s %9s %9s %9s %8s %8s %8s %8s %8s %8s", width, "quantile scores (all days)",
                "pinball", "winkler95", "winkler80", "var95 x", "kupiec p", "chr p", "var99 x", "crps sk",
                "rmse sk");
    std::printf("  (var x: exceedance rate on the last day; sk: skill against naive)\n");
    for (const ModelScores& s : scores) {
      const MetricSummary& o = s.overall;
      std::printf("%-*s %9s %9s %9s %8s %8s %8s %8s %8s %8s\n", width, s.model.c_str(),
                  metric(o.pinball, "%.4g").c_str(), metric(o.winkler_95, "%.4g").c_str(),
                  metric(o.winkler_80, "%.4g").c_str(), metric(o.var_95.exceedance_rate, "%.3f").c_str(),
                  metric(o.var_95.kupiec_p, "%.3g").c_str(), metric(o.var_95.christoffersen_p, "%.3g").c_str(),
                  metric(o.var_99.exceedance_rate, "%.3f").c_str(), metric(o.crps_skill, "%.4f").c_str(),
                  metric(o.rmse_skill, "%.4f").c_str());
    }
  }
  for (const ModelScores& s : scores) {
    if (!by_day) break;
    std::printf("\n%-22s %6s %5s %8s %9s %9s %9s %7s %7s %7s", s.model.c_str(), "n", "ties",
                "dir.acc", "p-value", "rmse", "mae", "gauss95", "path95", "pit_ks");
    end_header();
    for (std::size_t h = 0; h < s.by_day.size(); ++h) {
      const MetricSummary& d = s.by_day[h];
      std::printf("  day %-16zu %6lld %5s %8s %9s %9s %9s %7s %7s %7s\n", h + 1,
                  static_cast<long long>(d.n), ties(d).c_str(),
                  metric(d.direction.accuracy, "%.4f").c_str(),
                  metric(d.direction.p_value, "%.3g").c_str(), metric(d.rmse, "%.4g").c_str(),
                  metric(d.mae, "%.4g").c_str(), metric(d.coverage_95, "%.3f").c_str(),
                  metric(d.path_coverage.back(), "%.3f").c_str(), metric(d.pit_ks, "%.3f").c_str());
    }
  }
}

namespace {

// The legacy contract, one block of rows per (model, complete fold);
// model_version names the model.
std::string legacy_forecast_csv(const StoredForecasts& stored, const StoreLayout& layout) {
  std::ostringstream out;
  out << kForecastCsvHeader;
  ForecastMetadata metadata;
  metadata.generation_timestamp = utc_timestamp_now();
  const int H = stored.horizon;
  for (int m = 0; m < stored.models; ++m)
    for (int f = 0; f < stored.folds; ++f) {
      const auto status = static_cast<FoldStatus>(
          stored.status[static_cast<std::size_t>(m) * stored.folds + f]);
      if (!stored.fold_complete[static_cast<std::size_t>(f)] || status == FoldStatus::failed)
        continue;
      Forecast forecast;
      for (Eigen::VectorXd* v :
           {&forecast.mean, &forecast.std_error, &forecast.lower_95, &forecast.upper_95})
        v->resize(H);
      for (int h = 0; h < H; ++h) {
        forecast.mean[h] = stored.at(stored.forecast_mean, m, f, h);
        forecast.std_error[h] = stored.at(stored.forecast_std, m, f, h);
        forecast.lower_95[h] = stored.at(stored.lower_95, m, f, h);
        forecast.upper_95[h] = stored.at(stored.upper_95, m, f, h);
      }
      metadata.model_version = layout.models[static_cast<std::size_t>(m)];
      metadata.data_cutoff = layout.cutoffs[static_cast<std::size_t>(f)];
      const auto first_date = layout.forecast_dates.begin() + static_cast<std::ptrdiff_t>(f) * H;
      metadata.forecast_dates.assign(first_date, first_date + H);
      append_forecast_rows(out, forecast, metadata);
    }
  return out.str();
}

}  // namespace

void print_summary(const BackfillConfig& config, const BackfillSummary& summary) {
  std::printf("%d folds run in %.2f s (%d in this shard)\n", summary.folds_run, summary.seconds,
              summary.folds_in_shard);
  std::printf("%-22s %8s %10s %7s %17s\n", "model", "trained", "refiltered", "failed",
              "already complete");
  for (std::size_t m = 0; m < config.models.size(); ++m) {
    const ModelCounts& c = summary.counts[m];
    std::printf("%-22s %8d %10d %7d %17d\n", config.models[m].name.c_str(), c.trained,
                c.refiltered, c.failed, c.already_complete);
  }
  for (const std::string& failure : summary.failures)
    std::cerr << "arabica: warning: fold failed: " << failure << '\n';
}

namespace {

// A plan run with every phase: each phase's directional accuracy, what a
// run of that phase alone would score, and their spread.
void print_phase_scores(const std::vector<PhaseScores>& scores, int step_rows) {
  int width = 22;
  for (const PhaseScores& s : scores) width = std::max(width, static_cast<int>(s.model.size()));
  std::printf("\n%-*s %7s %7s %7s", width, "directional accuracy by phase", "min", "mean", "max");
  for (int k = 0; k < step_rows; ++k) std::printf(" %7s", ("ph " + std::to_string(k)).c_str());
  std::printf("  (all days; phase k: the grid of --phase %s)\n", step_rows > 1 ? "k" : "0");
  for (const PhaseScores& s : scores) {
    double low = kNoMetric, high = kNoMetric, sum = 0.0;
    int phases = 0;
    for (const DirectionalAccuracy& d : s.by_phase) {
      if (std::isnan(d.accuracy)) continue;
      low = phases == 0 ? d.accuracy : std::min(low, d.accuracy);
      high = phases == 0 ? d.accuracy : std::max(high, d.accuracy);
      sum += d.accuracy;
      ++phases;
    }
    std::printf("%-*s %7s %7s %7s", width, s.model.c_str(), metric(low, "%.4f").c_str(),
                metric(phases > 0 ? sum / phases : kNoMetric, "%.4f").c_str(), metric(high, "%.4f").c_str());
    for (const DirectionalAccuracy& d : s.by_phase) std::printf(" %7s", metric(d.accuracy, "%.4f").c_str());
    std::printf("\n");
  }
}

}  // namespace

void finish_backfill(BackfillStore& store, const StoreLayout& layout, const FoldPlan& plan,
                     const BackfillOptions& options, bool by_day) {
  const StoredForecasts stored = store.read_forecasts();
  const std::vector<ModelScores> scores = score_backfill(stored, layout);
  store.write_metrics(to_stored_metrics(scores, layout.horizon));
  store.close(StoreChunks::for_reading);  // the deliverable: chunked for its readers
  // A fold with a failed model is committed but not done (a rerun retries
  // it), so it is not counted as complete.
  int complete = 0, failed = 0;
  for (int f = 0; f < stored.folds; ++f) {
    if (!stored.fold_complete[static_cast<std::size_t>(f)]) continue;
    bool any_failed = false;
    for (int m = 0; m < stored.models; ++m)
      any_failed |= static_cast<FoldStatus>(stored.status[static_cast<std::size_t>(m) * stored.folds +
                                                          f]) == FoldStatus::failed;
    ++(any_failed ? failed : complete);
  }
  std::printf("%s: %d of %d folds complete", options.out.c_str(), complete, stored.folds);
  if (failed > 0) std::printf(", %d with a failed model (rerun to retry them)", failed);
  std::printf("\n");
  print_scores(scores, options.future_exog == "realized", by_day);
  if (plan.spec.schedule == CutoffSchedule::every_n_rows && plan.spec.phase == kAllPhases)
    print_phase_scores(score_phases(stored, layout, plan), plan.spec.step_rows);
  if (!options.forecast_csv.empty()) {
    write_file_atomically(options.forecast_csv, legacy_forecast_csv(stored, layout));
    std::printf("\nwrote %s\n", options.forecast_csv.c_str());
  }
  std::printf("wrote %s\n", options.out.c_str());
}

std::string no_fold_reason(const FoldPlan& plan, const FoldPlanSpec& spec) {
  return "no fold to run: " + std::to_string(plan.scheduled) + " cutoffs between " +
         format_date(spec.start) + " and " + format_date(spec.end) + ", " +
         std::to_string(plan.skipped_short) + " with fewer than " +
         std::to_string(spec.min_train_rows) + " training rows";
}

SettingError no_fold_error(const FoldPlan& plan, const FoldPlanSpec& spec) {
  const bool all_short = plan.scheduled > 0 && plan.skipped_short == plan.scheduled;
  return SettingError(all_short ? "min_train_rows" : "start", no_fold_reason(plan, spec));
}

std::string describe_cutoffs(const FoldPlan& plan, const FoldPlanSpec& spec) {
  // The cutoffs actually run: --start may fall before the first cutoff
  // with min_train_rows of history, and the banner must not pretend.
  std::string cutoffs = "cutoffs " + format_date(plan.folds.front().cutoff) + ".." +
                        format_date(plan.folds.back().cutoff);
  if (plan.skipped_short > 0)
    cutoffs += " (" + std::to_string(plan.skipped_short) + " scheduled from " +
               format_date(spec.start) + " skipped: fewer than " +
               std::to_string(spec.min_train_rows) + " training rows)";
  return cutoffs;
}

std::string describe_innovations(const std::vector<const BackfillConfig*>& configs) {
  std::vector<std::pair<std::string, std::vector<std::string>>> families;  // first-use order
  for (const BackfillConfig* config : configs)
    for (const BacktestModel& model : config->models) {
      const std::string family = model.innovations.empty() ? config->innovations : model.innovations;
      auto found = std::find_if(families.begin(), families.end(),
                                [&](const auto& f) { return f.first == family; });
      if (found == families.end()) found = families.insert(families.end(), {family, {}});
      if (std::find(found->second.begin(), found->second.end(), model.name) == found->second.end())
        found->second.push_back(model.name);
    }
  std::string out = "innovations:";
  for (std::size_t i = 0; i < families.size(); ++i) {
    out += (i ? "; " : " ") + families[i].first + " (";
    for (std::size_t j = 0; j < families[i].second.size(); ++j)
      out += (j ? ", " : "") + families[i].second[j];
    out += ")";
    const std::string note = innovation_cost_note(families[i].first);
    if (!note.empty()) out += ": " + note;
  }
  return out;
}

void run_shard_then_merge(
    const BackfillOptions& options, int shard, int num_shards,
    const std::function<std::vector<char>(const std::string& work_path)>& work,
    const std::function<void(const char* who, const char* sources, const HandedOver& handed)>& merge) {
  if (options.merge) {
    if (num_shards <= 1) throw InputError("--merge", "needs --num-shards N (N > 1)");
    merge("merged", "shard stores", {});
    return;
  }
  const Distributed& group = distributed();
  std::exception_ptr error;
  std::vector<char> mine;
  try {
    mine = work(num_shards > 1 ? shard_store_path(options.out, shard, num_shards) : options.out);
  } catch (...) {
    error = std::current_exception();
  }
  // Every rank learns whether all shards finished before rank 0 merges.
  const bool all_done = group.all_ok(!error);
  if (error) std::rethrow_exception(error);
  if (!all_done) throw Error("another rank failed; rerun the same command to resume");
  if (num_shards == 1) return;
  if (!group.mpi) {
    std::printf("shard %d of %d done; merge with the same options plus --merge\n", shard + 1,
                num_shards);
    return;
  }
  std::vector<std::vector<char>> messages = group.gather_to_root(std::move(mine));
  if (group.rank != 0) return;
  HandedOver handed(messages.size());
  for (std::size_t k = 0; k < messages.size(); ++k) {
    if (messages[k].empty()) continue;
    try {
      handed[k] = from_bytes(messages[k]);
    } catch (const Error& e) {  // the merge reads that shard instead
      std::cerr << "arabica: warning: rank " << k << "'s values: " << e.what() << "; its shard is read instead\n";
    }
    std::vector<char>().swap(messages[k]);  // held once, decoded
  }
  merge("rank 0 merged", "ranks", handed);
}

std::string describe_merge(const HandedOver& handed, std::chrono::steady_clock::time_point started) {
  const auto ranks = std::count_if(handed.begin(), handed.end(),
                                   [](const std::vector<CommittedValues>& rank) { return !rank.empty(); });
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, " in %.2f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return (ranks == 0 ? std::string() : " (" + std::to_string(ranks) + " ranks' values handed over in memory)") +
         seconds;
}

std::vector<char> committed_values_message(const std::vector<const BackfillStore*>& stores) {
  const Distributed& group = distributed();
  if (!group.mpi || group.size <= 1) return {};
  const std::size_t share = kHandedOverBytes / static_cast<std::size_t>(group.size);
  std::vector<CommittedValues> values;
  std::size_t bytes = 0;
  for (const BackfillStore* store : stores) {
    values.push_back(store->committed_values());
    bytes += values.back().bytes();
    if (bytes > share) return {};
  }
  return to_bytes(values);
}

void emit_warning(const WarningSink& warn, const std::string& line) {
  if (warn)
    warn(line);
  else
    std::cerr << "arabica: warning: " << line << '\n';
}

void warn_if_leaking(const BackfillConfig& config, int rank, const WarningSink& warn) {
  if (config.future_exog == BackfillExog::realized && rank == 0)
    emit_warning(warn, "--future-exog realized uses covariates observed after each cutoff; the "
                       "store is marked data_leakage_warning=true");
}

std::vector<std::string> shard_paths(const std::string& out, int num_shards) {
  std::vector<std::string> paths;
  for (int k = 0; k < num_shards; ++k) {
    paths.push_back(shard_store_path(out, k, num_shards));
    if (!std::filesystem::exists(paths.back()))
      throw InputError(paths.back(), "shard store missing: run shard " + std::to_string(k) +
                                         " (or the whole run) first");
  }
  return paths;
}

void warn_folds_in_no_shard(const std::vector<BackfillJob>& jobs, const std::vector<std::string>& names,
                            int num_shards) {
  const std::vector<std::vector<std::vector<int>>> partition = partition_jobs(jobs, num_shards);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const std::vector<std::int8_t> committed = jobs[j].store->fold_complete();
    std::vector<int> missing;
    for (std::size_t f = 0; f < committed.size(); ++f)
      if (!committed[f]) missing.push_back(static_cast<int>(f));
    if (missing.empty()) continue;
    std::vector<std::string> shards;  // --shard values
    for (int k = 0; k < num_shards; ++k) {
      const std::vector<int>& folds = partition[static_cast<std::size_t>(k)][j];
      if (std::any_of(missing.begin(), missing.end(),
                      [&](int f) { return std::binary_search(folds.begin(), folds.end(), f); }))
        shards.push_back(std::to_string(k));
    }
    const Fold& first = jobs[j].plan->folds[static_cast<std::size_t>(missing.front())];
    const bool one = shards.size() == 1;
    emit_warning({}, (names[j].empty() ? std::string() : "series " + names[j] + ": ") +
                         std::to_string(missing.size()) + " of " + std::to_string(committed.size()) +
                         " folds are in no shard store (first: fold " + std::to_string(first.index) + ", cutoff " +
                         format_date(first.cutoff) + "); this run's partition gives them to --shard " +
                         bounded_list(shards) + " of --num-shards " + std::to_string(num_shards) + ": run " +
                         (one ? "it" : "them") + " again with these options, then merge again");
  }
}

void stop_if_interrupted(int folds_committed, BackfillStore* store) {
  if (!interrupt_requested()) return;
  if (store) store->close();
  throw Interrupted(folds_committed);
}

namespace {

// Merges the shard stores into OUT (a signal stops it between shards) and
// scores it.
void merge_and_finish(const BackfillOptions& options, const StoreLayout& layout, const Series& series,
                      const BackfillConfig& config, const FoldPlan& plan, int num_shards, const char* who,
                      const char* sources, const HandedOver& handed) {
  const auto merge_started = std::chrono::steady_clock::now();
  const std::vector<std::string> shards = shard_paths(options.out, num_shards);
  // A damaged shard or one of another run is refused before OUT is created.
  for (const std::string& shard : shards)
    BackfillStore::resume(shard, layout.text_attribute("config_hash")).close();
  // OUT of an earlier end is extended first: its kept folds stay, the
  // shards' new folds are merged in.
  BackfillStore store = open_backfill_store(options.out, layout, series, plan);
  const int copied =
      merge_shard_stores(store, shards, layout.text_attribute("config_hash"), interrupt_requested, handed);
  stop_if_interrupted(copied, &store);
  warn_folds_in_no_shard({{&series, config, &plan, &store}}, {""}, num_shards);
  std::printf("%s %d folds from %d %s into %s%s\n", who, copied, num_shards, sources,
              options.out.c_str(), describe_merge(handed, merge_started).c_str());
  finish_backfill(store, layout, plan, options);
  stop_if_interrupted(copied);
}

void run(BackfillOptions& options, const std::string& config_file) {
  // Several series: a universe store with a group per series.
  const std::string universe_file =
      !config_file.empty() && has_series_tables(config_file) ? config_file : std::string();
  if (!universe_file.empty() || asks_for_several_series(options)) {
    run_universe_backfill(options, universe_file);
    return;
  }
  if (options.model.csv.path.empty())
    throw InputError("--csv", "required: a CSV, or [[series]] tables in a --config file");
  install_interrupt_handlers();
  const Distributed& group = distributed();
  if (group.mpi) {
    if (options.merge) throw InputError("--merge", "not under mpirun: rank 0 merges by itself");
    options.shard = group.rank;
    options.num_shards = group.size;
  }
  require_writable_outputs({{"--out", options.out}, {"--forecast-csv", options.forecast_csv}});
  BackfillConfig config = make_config(options, model_spec(options.model));
  const LoadedModel loaded = load(options.model);
  const Series& series = loaded.series;
  if (options.start.empty()) config.plan.start = series.dates.front();
  if (options.end.empty()) config.plan.end = series.dates.back();
  // Only the end given, before the data's first row: the end is to blame.
  if (options.start.empty() && !options.end.empty() && config.plan.start > config.plan.end)
    throw SettingError("end", format_date(config.plan.end) + " is before the data's first row, " +
                                  format_date(config.plan.start));
  config.device_ordinal = group.local_rank;
  config.series_name = options.model.csv.series_id.empty() ? series.target_name
                                                           : options.model.csv.series_id;
  config.series_key = series_key_of(config.series_name);
  for (const BacktestModel& m : config.models)
    if (m.kind == ModelKind::sarimax) require_identifiable_model(series, m.spec);
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  if (plan.folds.empty())
    throw no_fold_error(plan, config.plan);
  if (config.calendar == ForecastCalendar::business && group.rank == 0)
    std::cerr << "arabica: warning: --calendar has no effect on backfills: forecast_date is the "
                 "date of the data row each forecast is scored against\n";
  warn_if_leaking(config, group.rank);

  // The deliverable covers the whole plan; shards work in their own stores
  // (same config_hash) that are merged into it.
  BackfillConfig whole = config;
  whole.shard = 0;
  whole.num_shards = 1;
  const StoreLayout layout = backfill_layout(whole, series, plan);
  const bool sharded = config.num_shards > 1;
  run_shard_then_merge(
      options, config.shard, config.num_shards,
      [&](const std::string& work_path) {
        stop_if_interrupted(0);  // a signal while loading: no store to touch
        StoreOpening opened = std::filesystem::exists(work_path) ? StoreOpening::resumed : StoreOpening::created;
        // One process writing the deliverable may also extend an earlier
        // run's store (a later --end, rows appended); a shard resumes its
        // own or starts from what the deliverable has done.
        BackfillStore store =
            sharded ? open_shard_store(work_path, backfill_layout(config, series, plan), options.out, series, plan)
                    : open_backfill_store(work_path, layout, series, plan, &opened);
        const std::string cutoffs = describe_cutoffs(plan, config.plan);
        std::printf("%s %s: %zu folds (%zu refits) x %zu models, %s, %s, shard %d of %d -> %s\n",
                    opened == StoreOpening::extended  ? "extending"
                    : opened == StoreOpening::resumed ? "resuming"
                                                      : "backfill",
                    series.source.c_str(), plan.folds.size(),
                    plan.refits(), config.models.size(), describe(plan.spec).c_str(), cutoffs.c_str(),
                    config.shard + 1, config.num_shards, work_path.c_str());
        std::printf("%s\n", describe_innovations({&config}).c_str());
        std::fflush(stdout);
        ProgressReporter reporter(sharded ? "shard " + std::to_string(config.shard) + " folds"
                                          : std::string("backfill folds"),
                                  options.quiet || group.rank > 0);
        config.stop_requested = interrupt_requested;
        const BackfillSummary summary =
            run_backfill(series, config, plan, store,
                         [&](const BackfillProgress& p) { reporter.update(p.done, p.total); });
        reporter.finish();
        if (summary.stopped) stop_if_interrupted(summary.folds_run, &store);
        print_summary(config, summary);
        std::vector<char> handed;
        if (sharded) {
          handed = committed_values_message({&store});
          store.close();
        } else {
          finish_backfill(store, layout, plan, options);
        }
        stop_if_interrupted(summary.folds_run);
        return handed;
      },
      [&](const char* who, const char* sources, const HandedOver& handed) {
        merge_and_finish(options, layout, series, config, plan, config.num_shards, who, sources, handed);
      });
}

}  // namespace

void add_backfill_options(CLI::App& command_ref, BackfillOptions& options_ref) {
  CLI::App* command = &command_ref;
  BackfillOptions* options = &options_ref;
  add_model_options(*command, options->model, true);
  command
      ->add_option("--model", options->models,
                   "Models to compare: sarimax (the --order/--seasonal/--trend spec), "
                   "sarimax:p,d,q[:P,D,Q,s][:trend], naive, drift; each with any of the variant "
                   "options :log or :boxcox=LAMBDA (fitted on transformed prices), :ewma[=LAMBDA] or "
                   ":garch (volatility that adapts), :window=ROWS (its own training window) and an "
                   "innovation family (e.g. sarimax:1,1,1:log:student_t:garch; bootstrap with "
                   "a volatility is filtered historical simulation); repeat or comma separate")
      ->capture_default_str();
  command->add_option("--start", options->start, "First cutoff date (default: the data's first)");
  command->add_option("--schedule", options->schedule, "every_row, every_n_rows or weekly")
      ->capture_default_str();
  command->add_option("--step-rows", options->step_rows, "every_n_rows: rows between cutoffs")
      ->capture_default_str();
  command
      ->add_option("--phase", options->phase,
                   "every_n_rows: the grid's first cutoff this many rows (0 .. step-rows - 1) after "
                   "the first row on or after --start, or 'all': every phase in one run, directional "
                   "accuracy scored phase by phase (how much a score depends on the grid)")
      ->type_name("INT or all")  // a TOML file may give an integer
      ->capture_default_str();
  command->add_option("--window", options->window, "expanding or rolling")->capture_default_str();
  command->add_option("--window-rows", options->window_rows, "rolling window length in rows");
  command->add_option("--min-train-rows", options->min_train_rows)->capture_default_str();
  command->add_option("--horizon", options->horizon, "Days ahead (7; 14 supported)")
      ->capture_default_str();
  command->add_option("--refit", options->refit, "every_fold, weekly, monthly, semiannual or once (the first fold only)")
      ->capture_default_str();
  command
      ->add_option("--warm-start-chain", options->warm_start_chain,
                   "Refits per chain, the unit of work split over threads and shards (fits never start from another fold's optimum)")
      ->capture_default_str();
  command
      ->add_option("--batch-path-steps", options->batch_path_steps,
                   "Paths x days simulated in one batch, across series and warm-start chains "
                   "(0: one chain at a time; default 0 on the CPU, 5e7 on a GPU)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--future-exog", options->future_exog,
                   "repeat-last (legacy), hold-last or realized (leaks future covariates)")
      ->capture_default_str();
  add_path_options(*command, *options,
                   {"Paths per (model, fold)", "Paths kept in the store per fold",
                    "normal, student_t, skew_normal, skew_t, mixture, nig, jumps, bootstrap "
                    "(estimated per fold) or regime",
                    "Worker threads (0: all cores)"});
  command
      ->add_option("--registry-cov", options->registry_cov,
                   "Parameter covariance of every refit kept in the model registry (param_cov; "
                   "`arabica models`): opg, approx, robust_approx or none (each costs about one "
                   "more fit per refit)")
      ->check(CLI::IsMember({"none", "opg", "approx", "robust_approx"}))
      ->capture_default_str();
  command->add_option("--mode", options->mode, "state-space or marginal (legacy)")
      ->check(CLI::IsMember({"state-space", "marginal"}))
      ->capture_default_str();
  command->add_option("--calendar", options->calendar,
                      "No effect on backfills (kept for old scripts): forecast_date is the date "
                      "of the data row scored, business days past the data")
      ->capture_default_str();
  command->add_option("--out", options->out,
                      "HDF5 store (resumed when it exists, extended by a later end or more data); "
                      "shards work in OUT.shard-K-of-N")
      ->capture_default_str();
  command->add_flag("--quiet", options->quiet, "No progress output");
}

void add_end_option(CLI::App& command, BackfillOptions& options) {
  command.add_option("--end", options.end, "Last cutoff date (default: the data's last)");
}

void register_backfill_command(CLI::App& app) {
  auto options = std::make_shared<BackfillOptions>();
  CLI::App* command = app.add_subcommand(
      "backfill", "Walk-forward backtest into a resumable HDF5 store, with accuracy metrics");
  add_backfill_options(*command, *options);
  add_end_option(*command, *options);
  command->add_option("--shard", options->shard,
                      "This process's shard (0-based; under mpirun: the rank)")
      ->check(CLI::Range(0, kMaxShards - 1))
      ->capture_default_str();
  command->add_option("--num-shards", options->num_shards, "Shards the plan is split into")
      ->check(CLI::Range(1, kMaxShards))
      ->capture_default_str();
  command->add_option("--forecast-csv", options->forecast_csv,
                      "Also export the legacy forecast.csv rows of every complete fold");
  command->add_flag("--merge", options->merge,
                    "Merge the shard stores of --num-shards N runs into --out and score it "
                    "(under mpirun, rank 0 merges by itself)");
  command->callback([options, command] {
    const CLI::Option* config = command->get_parent()->get_config_ptr();
    run(*options, config && config->count() > 0 ? config->as<std::string>() : std::string());
  });
}

}  // namespace arabica::cli
