// What `arabica backfill` shares between its single-series and universe
// runs: the options, the run configuration they make, and the reports.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "arabica/backfill.hpp"
#include "arabica/error.hpp"
#include "cli/model_options.hpp"

namespace arabica::cli {

struct BackfillOptions {
  ModelOptions model;
  std::vector<std::string> models{"sarimax", "naive", "drift"};
  std::string start, end;  // empty: the data's first / last date
  std::string schedule = "every_row";
  int step_rows = 5;
  std::string phase = "0";  // an integer 0 .. step_rows - 1, or "all"
  std::string window = "expanding";
  int window_rows = 0;
  int min_train_rows = 1500;
  int horizon = 7;
  std::string refit = "every_fold";
  int warm_start_chain = 8;
  double batch_path_steps = -1.0;  // < 0: by device (make_config)
  std::string future_exog = "repeat-last";
  std::int64_t paths = 2000;
  std::int64_t stored_paths = 0;
  std::string innovations = "normal";
  std::string registry_cov = "none";
  std::string mode = "state-space";
  std::uint64_t seed = 1;
  std::string calendar = "calendar";
  int threads = 0;
  std::string device = "auto";
  int shard = 0, num_shards = 1;
  std::string out = "backfill.h5";
  std::string forecast_csv;
  bool quiet = false;
  bool merge = false;
  bool print_reports = true;  // banners, summaries and score tables on stdout (a library call: off)
};

/// The options `backfill` and `daily` share (models, plan but its end,
/// paths, store); each command adds its own.
void add_backfill_options(CLI::App& command, BackfillOptions& options);

/// `--end`, the last cutoff: backfill's, and cross_validation's (daily's
/// end is its --date).
void add_end_option(CLI::App& command, BackfillOptions& options);

/// A date option's value: `fallback` when empty, InputError naming `field`
/// when not YYYY-MM-DD.
Date date_option(const std::string& text, const std::string& field, Date fallback);

/// After a SIGINT/SIGTERM, the one-line report (main exits 128 + signal);
/// an open `store` is closed first with what it has committed.
void stop_if_interrupted(int folds_committed, BackfillStore* store = nullptr);

/// Scores every complete fold of the deliverable store, records the
/// metrics, closes it rewritten for reading, prints the scores (and the
/// phases of an all-phases plan; `by_day`: the per-day tables too) and
/// exports options.forecast_csv when set.
void finish_backfill(BackfillStore& store, const StoreLayout& layout, const FoldPlan& plan,
                     const BackfillOptions& options, bool by_day = true);

/// Everything but the data's dates, checked before any file is read or
/// made; `defaults` is the sarimax spec of `--model sarimax`.
BackfillConfig make_config(const BackfillOptions& options, const SarimaxSpec& defaults);

/// The scores table (every model pooled over days, then per day).
/// `leaked`: scored with realized future covariates, marked where read.
/// `by_day`: the per-day tables too.
void print_scores(const std::vector<ModelScores>& scores, bool leaked, bool by_day = true);

/// Folds run, and per model trained / re-filtered / failed / already complete.
void print_summary(const BackfillConfig& config, const BackfillSummary& summary);

/// Why a plan has no fold: "no fold to run: N cutoffs between A and B, K
/// with fewer than M training rows".
std::string no_fold_reason(const FoldPlan& plan, const FoldPlanSpec& spec);

/// The error of a plan without folds (no_fold_reason), naming the setting
/// to change: min_train_rows when every cutoff scheduled lacked training
/// rows, else start.
SettingError no_fold_error(const FoldPlan& plan, const FoldPlanSpec& spec);

/// The banner's "cutoffs A..B (N scheduled from START skipped: ...)".
std::string describe_cutoffs(const FoldPlan& plan, const FoldPlanSpec& spec);

/// "innovations: normal (naive, sarimax(1,1,1)); skew_t (sarimax(1,1,1)+skew_t):
/// <why it is slow>": each family the run's models use, with its models
/// and, for a slow one, innovation_cost_note.
std::string describe_innovations(const std::vector<const BackfillConfig*>& configs);

/// What a backfill process does: with --merge, `merge`s the shard stores
/// ("merged", "shard stores"); else runs its shard (`work`, given the store
/// it works in: OUT, or OUT's shard store), then, once every rank has said
/// it finished (under MPI), lets rank 0 merge ("rank 0 merged", "ranks");
/// without MPI a sharded run says how to merge. A failure anywhere is
/// rethrown on this rank, or reported as another rank's. Under MPI, what
/// each rank's `work` returns (committed_values_message) reaches rank 0's
/// `merge` as `handed[rank]`; otherwise `handed` is empty.
using HandedOver = std::vector<std::vector<CommittedValues>>;
void run_shard_then_merge(
    const BackfillOptions& options, int shard, int num_shards,
    const std::function<std::vector<char>(const std::string& work_path)>& work,
    const std::function<void(const char* who, const char* sources, const HandedOver& handed)>& merge);

/// Under MPI, a sharded rank's stores' committed values (one per series)
/// as the message it hands rank 0, so that the merge need not read them
/// back from its shard; empty (the shard is read) when not under MPI, or
/// when they would take more than this rank's share of kHandedOverBytes.
std::vector<char> committed_values_message(const std::vector<const BackfillStore*>& stores);
/// The end of the merge's line: " in S s", after " (N ranks' values handed
/// over in memory)" where any were.
std::string describe_merge(const HandedOver& handed, std::chrono::steady_clock::time_point started);
inline constexpr std::size_t kHandedOverBytes = std::size_t{1} << 30;  // all ranks' on rank 0

/// After a merge into the jobs' stores: a warning per series (`names`; ""
/// for a single-series store) with folds that no shard committed (a shard
/// killed, or run with other options than the merge's), naming the first
/// and the --shard values that this run's partition (partition_jobs) gives
/// them: rerunning those shards, then the merge, makes the store whole.
void warn_folds_in_no_shard(const std::vector<BackfillJob>& jobs, const std::vector<std::string>& names,
                            int num_shards);

/// Where a run's warnings go, one line each without the "arabica: warning: "
/// prefix (a library caller's list); empty: that prefix and stderr.
using WarningSink = std::function<void(const std::string&)>;
/// One warning line to `warn`, or to stderr as "arabica: warning: LINE".
void emit_warning(const WarningSink& warn, const std::string& line);

/// The warning of a run that scores with covariates observed after each
/// cutoff (--future-exog realized), from rank 0.
void warn_if_leaking(const BackfillConfig& config, int rank, const WarningSink& warn = {});

/// "OUT.shard-K-of-N" for every shard, each required to exist.
std::vector<std::string> shard_paths(const std::string& out, int num_shards);

/// `arabica backfill` of a universe: several series (a wide file's targets,
/// a long file's series, or [[series]] tables in --config) into one store
/// with a group per series. `universe_file`: the --config file holding
/// [[series]] tables, or empty.
void run_universe_backfill(BackfillOptions& options, const std::string& universe_file);

}  // namespace arabica::cli
