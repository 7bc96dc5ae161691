// Walk-forward backfill: every fold of a plan, for every model, fitted (or
// re-filtered), forecast and simulated, then committed to the backfill
// store; scored at the end from what the store holds. Resumable: folds
// already complete are skipped, and the result does not depend on threads,
// shards or interruptions (fits, warm starts and random streams are fixed by
// the plan).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "arabica/backend.hpp"
#include "arabica/backfill_store.hpp"
#include "arabica/backtest_model.hpp"
#include "arabica/fold_plan.hpp"
#include "arabica/metrics.hpp"
#include "arabica/series.hpp"

namespace arabica {

/// Covariates over a fold's horizon.
enum class BackfillExog {
  repeat_last,  // the last h rows up to the cutoff (legacy)
  hold_last,    // the cutoff row repeated
  realized,     // the realised rows after the cutoff: leaks future data
};
BackfillExog parse_backfill_exog(const std::string& text, const std::string& field = "future_exog");
const char* backfill_exog_name(BackfillExog policy);

struct BackfillConfig {
  std::vector<BacktestModel> models;
  FoldPlanSpec plan;
  BackfillExog future_exog = BackfillExog::repeat_last;
  std::int64_t paths = 2000;
  std::int64_t stored_paths = 0;     // per (model, fold)
  std::string innovations = "normal";  // choose_innovations setting, per fold
  /// The covariance of each refit's parameters kept in the model registry
  /// (the store's param_cov), by statsmodels' cov_type; none (the default)
  /// computes none: opg costs about one more fit per refit.
  CovarianceType registry_covariance = CovarianceType::none;
  PathMode mode = PathMode::state_space;
  std::uint64_t seed = 1;
  /// The series' name (a universe's group; else --series or the target
  /// column) and the random-stream key derived from it (series_key_of), so
  /// that the series of a universe draw independent streams and each draws
  /// the same ones as its own single-series run.
  std::string series_name;
  std::uint64_t series_key = 0;  // PathKeys::series
  ForecastCalendar calendar = ForecastCalendar::calendar;
  /// Shard of the plan this process runs (partition_folds); 1 of 1: all.
  int shard = 0;
  int num_shards = 1;
  /// Worker threads (0: hardware concurrency); each runs whole warm-start
  /// chains, so the numbers do not depend on it.
  int threads = 0;
  std::string device = "cpu";  // make_backend name; one backend per worker
  int device_ordinal = 0;       // CUDA device (e.g. the node-local MPI rank)
  /// Paths x days a worker simulates in one batch: it fits the folds of its
  /// next (series, warm-start chain) units until their paths reach this,
  /// across series, then simulates them together (a GPU needs large
  /// launches). 0: one unit per batch. Results do not depend on it.
  double batch_path_steps = 0.0;
  /// Polled between folds (e.g. a signal arrived): true stops taking new
  /// folds; those in flight are still committed. Empty: never stops.
  std::function<bool()> stop_requested;
};

/// PathKeys::series of a named series: FNV-1a of the name.
std::uint64_t series_key_of(const std::string& series_name);

/// Canonical JSON of everything that determines the stored numbers (models,
/// plan, paths, innovations, seed, data hash ...), not threads or device.
std::string backfill_config_json(const BackfillConfig& config, const Series& series,
                                 const FoldPlan& plan);
/// FNV-1a of the target, covariates and dates (bit patterns), as 16 hex digits.
std::string series_hash(const Series& series);

/// The store's layout for this run (cutoffs, actuals, parameter names,
/// attributes including config and config_hash).
StoreLayout backfill_layout(const BackfillConfig& config, const Series& series,
                            const FoldPlan& plan);

/// The store `arabica backfill` writes into at `path`, laid out as `layout`
/// (backfill_layout of this run's config, series and plan): a new one, the same
/// configuration's to resume, or an earlier run's to extend. A store whose
/// configuration differs from this run's only in the plan's end and the
/// data (rows appended: the earlier run's rows are this file's first ones,
/// checked by their hash) is extended: laid out for this plan, its committed
/// folds kept where nothing about them changed (no failed model, the same
/// realised prices), the rest left to the run. The kept folds' numbers are
/// the ones a single run to the new end gives (a fold's fit, forecast and
/// paths depend on its cutoff and data, never on the plan), so the extended
/// store equals that run's. Any other difference is refused (InputError),
/// naming the keys that differ.
/// `opened` (optional) says which: laid out anew, resumed or extended.
enum class StoreOpening { created, resumed, extended };
BackfillStore open_backfill_store(const std::string& path, const StoreLayout& layout, const Series& series,
                                  const FoldPlan& plan, StoreOpening* opened = nullptr);

/// A shard's working store at `path`, laid out as `layout` (this shard's):
/// when it exists, resumed or extended (open_backfill_store); otherwise,
/// when the run's deliverable store exists (a run to a later end, or the
/// same run again), made holding the deliverable's committed folds that the
/// run keeps (open_backfill_store's rule), so that shards run only the new
/// folds; else a new store.
BackfillStore open_shard_store(const std::string& path, const StoreLayout& layout, const std::string& deliverable,
                               const Series& series, const FoldPlan& plan);

/// The committed folds of `stored` (a store, or a universe's series group,
/// written by a run of `layout`'s configuration or by an earlier run that
/// this one extends: open_backfill_store's rule) that a run of `layout` on
/// `series` and `plan` keeps: all its done folds for the same run. Throws
/// InputError naming `where` and the keys that differ where the store may
/// not be extended.
std::vector<int> folds_kept(const BackfillStore& stored, const std::string& where, const StoreLayout& layout,
                            const Series& series, const FoldPlan& plan);

struct ModelCounts {
  int trained = 0, refiltered = 0, failed = 0;  // this run
  int already_complete = 0;                      // skipped: committed earlier
};

struct BackfillProgress {
  int done = 0;   // folds committed in this run
  int total = 0;  // folds this run has to do
};

struct BackfillSummary {
  int folds_in_shard = 0;
  int folds_run = 0;
  std::vector<ModelCounts> counts;       // per model
  std::vector<std::string> failures;     // "model cutoff: reason", this run
  double seconds = 0.0;
  bool stopped = false;  // stop_requested ended the run before its last fold
};

/// Runs this shard's folds that the store has not completed. `store` was
/// created with backfill_layout() (or resumed with its config_hash).
/// `progress` is called from this thread after every commit.
///
/// A fold is done once committed with no failed model (folds_done); a fold
/// recorded as failed is run again, and keeps its failed record if it fails
/// again. Test hook: the environment variable ARABICA_FAULT_FAIL_FOLDS
/// ("3,7": fold indices; "3:naive": only that model at fold 3) makes every
/// model fail at those folds, so tests can
/// record failures deterministically and check that a rerun retries them.
BackfillSummary run_backfill(const Series& series, const BackfillConfig& config,
                             const FoldPlan& plan, BackfillStore& store,
                             const std::function<void(const BackfillProgress&)>& progress = {});

/// One series of a universe run: its data, its run configuration (models
/// and series_key may differ by series), its plan and its store.
struct BackfillJob {
  const Series* series = nullptr;
  BackfillConfig config;
  const FoldPlan* plan = nullptr;
  BackfillStore* store = nullptr;
};

/// run_backfill over several series at once: the (series, warm-start chain)
/// units of this shard (partition_plans over every series) are taken
/// longest first by the worker threads, so a universe keeps every core busy
/// until its last short chains. Threads, device, shard and stop_requested
/// come from the first job's config. Every series ends exactly as its own
/// run_backfill would leave it. One summary per job; `progress` counts the
/// folds of all.
std::vector<BackfillSummary> run_backfills(
    const std::vector<BackfillJob>& jobs,
    const std::function<void(const BackfillProgress&)>& progress = {});

/// Which folds each of `num_shards` shards runs, [shard][job]: the fold
/// indices of each job's plan (ascending), partition_plans over every job's
/// plan weighted by its model count. run_backfills runs its shard's.
std::vector<std::vector<std::vector<int>>> partition_jobs(const std::vector<BackfillJob>& jobs, int num_shards);

/// Shard K of N's working store beside `out`: "<out>.shard-K-of-N".
std::string shard_store_path(const std::string& out, int shard, int num_shards);

/// Per fold: committed, and no model recorded as failed (a failed fold is
/// retried by the next run).
std::vector<bool> folds_done(const BackfillStore& store);

/// Whether `store` has no fold committed (a merge target that
/// BackfillStore::merge_for_reading may write whole).
bool no_fold_committed(const BackfillStore& store);

/// Copies into `target` every fold that a shard store has committed and
/// `target` has not done (a shard store must carry `config_hash`), committing
/// shard by shard; `stop_requested` is polled between shards. Into a target
/// with no fold committed, in one rewrite instead (merge_for_reading: the
/// store is then chunked for reading; `in_memory[k]`: shard k's
/// committed_values(), where handed over, taken from memory). Returns the
/// number of folds copied.
int merge_shard_stores(BackfillStore& target, const std::vector<std::string>& shard_paths,
                       const std::string& config_hash,
                       const std::function<bool()>& stop_requested = {},
                       const std::vector<std::vector<CommittedValues>>& in_memory = {});

/// Copies into `target` the folds `shard` has committed and `merged` does
/// not mark (then marks them), and commits them. `merged` starts as
/// folds_done(target). Returns the number of folds copied.
int merge_committed_folds(BackfillStore& target, const BackfillStore& shard,
                          std::vector<bool>& merged);
/// The same without the commit: the folds copied, for the caller to commit
/// (with others, BackfillStore::commit_all).
std::vector<int> copy_committed_folds(BackfillStore& target, const BackfillStore& shard,
                                      std::vector<bool>& merged);

/// Per model: metrics of every complete, non-failed fold, per day ahead and
/// pooled (scored from the store, so resumed runs score every fold).
struct ModelScores {
  std::string model;
  std::vector<MetricSummary> by_day;  // horizon entries
  MetricSummary overall;
};
std::vector<ModelScores> score_backfill(const StoredForecasts& stored, const StoreLayout& layout);

/// Directional accuracy (all days pooled) of each grid phase of an
/// every_n_rows plan: the folds whose Fold::phase is k, what a run with
/// --phase k would score. For a plan run with every phase (kAllPhases):
/// how much the score depends on where the grid starts.
struct PhaseScores {
  std::string model;
  std::vector<DirectionalAccuracy> by_phase;  // step_rows entries
};
std::vector<PhaseScores> score_phases(const StoredForecasts& stored, const StoreLayout& layout,
                                      const FoldPlan& plan);

/// Scores pooled across the series of a universe, per model name (in order
/// of first appearance): every scored (series, fold, day) of that model,
/// the cross-sectional directional accuracy, coverage and Brier score, with
/// CRPS as a fraction of the cutoff price so that series of different
/// price levels pool. RMSE and MAE, in each series' own units, are NaN.
/// A (series, fold) of a model whose forecasts or actuals as fractions of
/// a cutoff price overflow a double (a price near 1e-308 beside ordinary
/// ones) cannot be pooled: it is left out, and listed in `left_out`.
struct PooledLeftOut {
  std::size_t series = 0;  // index into `stored`
  std::string model;
  std::vector<int> folds;  // ascending
};
std::vector<ModelScores> pooled_scores(const std::vector<const StoredForecasts*>& stored,
                                       const std::vector<const StoreLayout*>& layouts,
                                       std::vector<PooledLeftOut>* left_out = nullptr);

/// The metrics as the store keeps them.
StoredMetrics to_stored_metrics(const std::vector<ModelScores>& scores, int horizon);

}  // namespace arabica
