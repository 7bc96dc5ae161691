// The walk-forward store: every (model, fold) of a backfill in one
// netCDF-4 compatible HDF5 file (docs/HDF5_LAYOUT.md), readable by
// xarray with named dimensions. The file is laid out in full when created;
// a fold is then committed by writing its values, flushing, setting
// fold_complete and flushing again with an fsync. Folds are written in
// single-writer/multiple-reader (SWMR) mode into one-fold chunks, so a crash
// at any moment loses at most the folds in flight; a finished store is
// rewritten with many folds per compressed chunk for its readers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "arabica/committed_values.hpp"
#include "arabica/date.hpp"
#include "arabica/forecast_csv.hpp"
#include "arabica/paths.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/stored_metrics.hpp"

namespace arabica {

class WriterLock;

/// Version of the store layout, written as the root `schema_version`.
inline constexpr int kStoreSchemaVersion = 5;

/// Root attribute of a store's run log: a JSON array, one record per
/// `arabica daily` run (carried over when the store is extended).
inline constexpr const char kRunLogAttribute[] = "run_log";

/// Longest failure reason kept (fixed-length text: SWMR cannot write
/// variable-length data).
inline constexpr std::size_t kFailureReasonBytes = 240;

/// What the store holds, fixed when it is created.
struct StoreLayout {
  /// Name of the first dimension: "model" (backfills) or "scenario" (stress
  /// runs of one model); `models` holds its coordinate values.
  std::string entry_dimension = "model";
  std::vector<std::string> models;
  std::vector<std::vector<std::string>> param_names;  // per model (the `param` dim is the longest)
  std::vector<Date> cutoffs;                          // one per fold, ascending
  int horizon = 0;
  ForecastCalendar calendar = ForecastCalendar::calendar;
  std::int64_t stored_paths = 0;  // leading paths kept per (model, fold)
  /// Lays out `param_cov` (model, cutoff, param, param2): each refit's
  /// parameter covariance, for the model registry (backfills that ask for it).
  bool param_covariance = false;
  /// CF `units` of every price variable (e.g. "USc/lb"); "1" when unknown.
  std::string units = "1";
  Eigen::MatrixXd actual;         // folds x horizon; NaN past the data
  /// forecast_date, folds x horizon row-major: the date of the price in
  /// `actual` (trading_dates_ahead). Empty: from each cutoff and `calendar`.
  std::vector<Date> forecast_dates;
  Eigen::VectorXd last_price;     // folds
  std::vector<std::pair<std::string, std::string>> text_attributes;  // root, e.g. config
  std::vector<std::pair<std::string, std::uint64_t>> unsigned_attributes;  // seed, n_paths ...

  /// The text attribute `key` (a backfill layout's "config", "config_hash");
  /// ContractError when the layout has none.
  const std::string& text_attribute(const std::string& key) const;
};

enum class FoldStatus : std::int8_t {
  pending = 0,     // not written
  trained = 1,     // parameters estimated at this fold
  refiltered = 2,  // an earlier fold's parameters, re-filtered on this fold's rows
  failed = 3,      // see failure_reason
};

/// Everything the store keeps of one (model, fold).
/// What a fold estimated beyond the SARIMAX parameters, as numbers: the
/// innovation family's shape parameters and the volatility model's. NaN
/// where the fold's family or volatility model has no such parameter.
struct FittedVariant {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  double nu = kNone;                                        // student_t, skew_t
  double alpha = kNone;                                     // skew_normal, skew_t: slant; nig: tails
  double beta = kNone;                                      // nig: asymmetry
  double weight = kNone, wide_scale = kNone;                // mixture
  double jump_rate = kNone, jump_mean = kNone, jump_sd = kNone;  // jumps
  double ewma_lambda = kNone;                               // ewma
  double garch_alpha = kNone, garch_beta = kNone;           // garch
  /// Volatility at the cutoff over the fitted sigma: the day-1 shocks'
  /// scale (1 for a constant variance).
  double volatility_ratio = kNone;
};

struct ModelFoldResult {
  FoldStatus status = FoldStatus::pending;
  std::string failure_reason;
  /// The fold's fitted innovation family and volatility, as text (e.g.
  /// "student_t(nu=5.1)", "garch(omega=0.01, alpha=0.08, beta=0.9,
  /// sigma_next=1.3 sigma)"); empty for a failed fold. At most
  /// kFailureReasonBytes bytes are kept.
  std::string innovations, volatility;
  FittedVariant fitted;  // the same as numbers
  Forecast forecast;  // Kalman point forecast
  PathStats stats;    // from the paths (crps NaN where the actual is unknown)
  HorizonRisk risk;   // of the horizon return, from stats
  Eigen::VectorXd params;
  /// A refit's parameter covariance (params x params) where the run records
  /// it (StoreLayout::param_covariance); empty otherwise and for re-filters.
  Eigen::MatrixXd param_covariance;
  double llf = 0.0, aic = 0.0;
  bool converged = false;
  int iterations = 0;
  double fit_seconds = 0.0;
  Date trained_on = 0;  // cutoff of the fold whose fit is used
  /// The training window of this fold's fit or re-filter: its first row's
  /// date, its rows, and the FNV-1a of its values (the model's registry:
  /// what a refit was estimated on).
  Date train_start = 0;
  int train_rows = 0;
  std::string train_data_hash;
};

/// Values read back for scoring and export: model x fold x day, row-major
/// flattened (index (m * folds + f) * horizon + h).
struct StoredForecasts {
  int models = 0, folds = 0, horizon = 0;
  std::vector<double> forecast_mean, forecast_median, forecast_std, lower_95, upper_95, p_up, crps, pit;
  std::vector<double> quantiles;  // model x fold x day x kQuantileLevels
  std::vector<std::int8_t> status;  // model x fold
  std::vector<std::int8_t> fold_complete;
  double at(const std::vector<double>& values, int m, int f, int h) const {
    return values[(static_cast<std::size_t>(m) * folds + f) * horizon + h];
  }
  double quantile(int m, int f, int h, int q) const {
    return quantiles[((static_cast<std::size_t>(m) * folds + f) * horizon + h) * kQuantileLevels.size() +
                     static_cast<std::size_t>(q)];
  }
};

/// How a store's variables along `cutoff` are chunked (docs/HDF5_LAYOUT.md,
/// "Chunking").
enum class StoreChunks {
  /// One fold per chunk: what a writer commits into (a commit never
  /// rewrites a chunk that holds a committed fold).
  per_fold,
  /// As many folds as fit in 1 MiB per chunk, compressed: a finished
  /// store, read in a few reads per variable.
  for_reading,
};

/// One series of a universe store: its name (the group's) and its layout.
struct SeriesLayout {
  std::string name;
  StoreLayout layout;
};

/// The model names pooled across series of these layouts: each once, in
/// order of first appearance (a universe's `pooled` group and the pooled
/// scores written into it).
std::vector<std::string> pooled_model_names(const std::vector<const StoreLayout*>& layouts);

/// Why `name` cannot name a series' group, or "" when it can: a name is not
/// empty, has no '/', is not "." or "..", not "pooled" (a universe's pooled
/// scores) and at most 255 bytes.
std::string series_name_problem(const std::string& name);

/// InputError naming `field` unless `name` can name a series' group.
void require_valid_series_name(const std::string& name, const std::string& field);

class BackfillStore {
 public:
  /// Lays out a new store at `path` (an existing file is an error) and opens
  /// it for SWMR writing. The layout is written under a temporary name beside
  /// `path`, fsynced and renamed onto it: a crash leaves no store or a whole
  /// one. create, resume and open_for_writing hold the store's writer lock
  /// (PATH.lock, see WriterLock) until close: a second writer gets Error
  /// "PATH is being written by another arabica process (pid N)".
  static BackfillStore create(const std::string& path, const StoreLayout& layout);
  /// Lays out a store in `temp`, a file made for it (see
  /// replace_file_atomically), for one ordinary writer that fills it at once.
  /// Errors name `path`, the file it will become.
  static BackfillStore create_in_temporary(const std::string& temp, const std::string& path,
                                           const StoreLayout& layout);
  /// Reopens a store for more folds after a stop or a crash (clearing the
  /// superblock's open-for-write flags a killed writer leaves). Throws
  /// InputError when its `config_hash` attribute differs from `config_hash`:
  /// resuming would mix runs.
  static BackfillStore resume(const std::string& path, const std::string& config_hash);
  /// What `arabica backfill` opens: under the writer lock, resumes the store
  /// at `path` when it exists with `layout`'s config_hash, lays out a new one
  /// otherwise. A file there that holds no store and no committed fold (empty,
  /// a stub, a layout left in part) is replaced, with a one-line warning on
  /// stderr; one that is not HDF5, holds another configuration or holds folds
  /// is refused (InputError), one that cannot be read is an Error.
  static BackfillStore open_for_writing(const std::string& path, const StoreLayout& layout);
  /// The `config` attribute (the JSON the config_hash is taken of) of the
  /// single-series store at `path`, or nullopt when it has none.
  static std::optional<std::string> stored_config(const std::string& path);
  /// Replaces the store at `path`, written by an earlier run whose folds are
  /// the first ones of `layout`'s (an earlier end, fewer data rows), by
  /// `layout` holding the committed values of the old folds listed in `keep`
  /// (fold f of the old store is fold f of the new), committed; the other
  /// folds are left for the run. Laid out and filled in a temporary beside
  /// it, renamed over it under the writer lock: a crash leaves the old
  /// store. Opened for writing, as open_for_writing. `expected_config` is
  /// the old store's `config` the caller chose `keep` by: another writer
  /// that changed it meanwhile makes this an Error. `source` (default:
  /// `path` itself) names another store to take the kept folds from, read
  /// only: a shard's new store seeded from the deliverable it extends.
  static BackfillStore extend(const std::string& path, const StoreLayout& layout, const std::vector<int>& keep,
                              const std::string& expected_config, const std::string& source = {});
  /// Opens a store for reading only, also while its writer runs or after it
  /// was killed (SWMR reading): fold_complete tells the folds committed when
  /// it is read, and their values are read back as committed.
  static BackfillStore open_read_only(const std::string& path);

  /// A universe store: one file, one group per series, each group exactly
  /// the store a single-series run of that series writes (its own calendar,
  /// folds, attributes and config_hash); the root lists the series
  /// (docs/HDF5_LAYOUT.md). Opens, under the file's writer lock, the stores
  /// of `series` in that order: groups already there are resumed (one laid
  /// out with another configuration is refused, InputError naming the
  /// series), missing ones are laid out. Adding series never touches the
  /// file in place: a copy with the new groups is fsynced and renamed onto
  /// it, so a crash leaves the old universe or the new one. A file that is a
  /// single-series store, or no store, is refused (an empty one or a stub is
  /// replaced, with a warning). Stores of one file share its lock, which the
  /// last close() releases.
  ///
  /// `opening` lets a group that holds another configuration be extended
  /// (laid out anew with the folds that `keep` keeps, copied) rather than
  /// refused, and seeds the groups the file lacks from another store.
  struct UniverseOpening {
    /// For series `index` of `series`, whose group `stored` (named `where`
    /// in errors) holds another configuration than its layout's: the folds
    /// of it to keep (an extension), ascending; throws InputError where it
    /// may not be extended. Empty: such a group is refused.
    std::function<std::vector<int>(std::size_t index, const BackfillStore& stored, const std::string& where)> keep;
    /// A universe store (a shard's deliverable) whose groups seed those of
    /// the series this file lacks: with the same configuration, their
    /// committed folds; with another, the folds `keep` keeps. Empty: none.
    std::string seed;
  };
  static std::vector<BackfillStore> open_universe_for_writing(const std::string& path,
                                                              const std::vector<SeriesLayout>& series,
                                                              const UniverseOpening& opening = {});
  /// The series of a universe store, in its order, and their stores (SWMR
  /// reading, as open_read_only).
  static std::vector<std::pair<std::string, BackfillStore>> open_universe_read_only(
      const std::string& path);
  /// True when `path` is a universe store (its root lists series).
  static bool is_universe(const std::string& path);

  BackfillStore(BackfillStore&&) noexcept;
  BackfillStore& operator=(BackfillStore&&) noexcept;
  ~BackfillStore();

  int models() const;
  int folds() const;
  int horizon() const;

  std::vector<std::int8_t> fold_complete() const;
  /// The `model` (or `scenario`) coordinate, the cutoffs, and a model's
  /// parameter names (statsmodels' order; the widest model's length, "" pads).
  std::vector<std::string> model_names() const;
  std::vector<Date> cutoffs() const;
  std::vector<std::string> param_names(int model) const;
  /// A root text attribute (of a universe series' group); nullopt when absent.
  std::optional<std::string> root_text(const std::string& attribute) const;
  /// A text attribute of the file's root group (a universe's, not its
  /// series'; the same as root_text for a single-series store), where
  /// record_at_close records; nullopt when absent.
  std::optional<std::string> file_text(const std::string& attribute) const;
  /// Sets a root text attribute when close(StoreChunks::for_reading)
  /// rewrites the store (atomically, with the rewrite); a store that is not
  /// rewritten then (already chunked for reading) does not get it.
  void record_at_close(const std::string& attribute, const std::string& value);
  FoldStatus status(int model, int fold) const;
  Eigen::VectorXd params(int model, int fold) const;  // written parameters
  /// The parameter covariance written for (model, fold), params x params;
  /// empty where the store lays none out or none was written (a re-filter).
  Eigen::MatrixXd param_covariance(int model, int fold) const;
  /// True when the store lays out `param_cov` (StoreLayout::param_covariance).
  bool has_param_covariance() const;

  /// Everything written for (model, fold), as write() took it (stats.n_paths
  /// from the root n_paths attribute).
  ModelFoldResult read(int model, int fold) const;

  /// Writes (model, fold) values; visible to readers once committed.
  void write(int model, int fold, const ModelFoldResult& result);
  /// write() of every model of `fold` at once (results[m] for model m).
  void write_fold(int fold, const std::vector<ModelFoldResult>& results);
  /// write_fold() of the consecutive folds first_fold, first_fold + 1, ...
  /// (*folds[i] for first_fold + i), one write per variable for them all.
  void write_folds(int first_fold, const std::vector<const std::vector<ModelFoldResult>*>& folds);
  /// Marks folds complete, durably (flush, flag, flush, fsync).
  void commit(const std::vector<int>& folds);
  /// commit() of several stores at once (a universe's series): each file is
  /// flushed once, then every store's flags are set, then each file is
  /// flushed and fsynced once (a flush walks the file's whole metadata
  /// cache: one per series would multiply it by the series in the batch).
  static void commit_all(const std::vector<std::pair<BackfillStore*, std::vector<int>>>& commits);

  /// Copies every (model, fold) value of `folds` (all models: what write()
  /// wrote) from `source`, a store with the same layout (or the first folds
  /// of it: an extension's), in one read and one write per variable and run
  /// of consecutive folds. Not committed.
  void copy_folds(const BackfillStore& source, const std::vector<int>& folds);

  /// Merges shard stores into `universe` (open_universe_for_writing's, or
  /// one single-series store open for writing; no fold committed yet):
  /// `shards[k]` lists shard k's stores of the same series, laid out alike. Each fold committed in a shard (the first that
  /// has it) is copied with every value copy_folds copies, and committed.
  /// Written straight in the chunks for reading: the file is rewritten
  /// once (copy_rechunked with the shards as its overlay), fsynced and
  /// renamed onto it under the writer lock, then reopened; a crash leaves
  /// it as it was. Returns the folds merged per series.
  /// `in_memory[k]`, where given and not empty: shard k's committed_values()
  /// per series, taken from memory instead of the shard's chunks (an MPI
  /// rank's, handed to rank 0); a series whose folds there are not the ones
  /// the shard has committed, or a variable not carried, is read from the
  /// shard as without it.
  static std::vector<int> merge_for_reading(
      std::vector<BackfillStore>& universe, const std::vector<std::vector<BackfillStore>>& shards,
      const std::vector<std::vector<CommittedValues>>& in_memory = {});

  /// The committed folds and their values of every variable the merge
  /// copies but the stored paths, read in one selection per variable.
  CommittedValues committed_values() const;

  StoredForecasts read_forecasts() const;
  void write_metrics(const StoredMetrics& metrics);
  /// A universe's scores pooled across the series of the run that opened
  /// it (open_universe_for_writing lays them out in the group `pooled`: per
  /// model name, in order of first appearance over those series, and day
  /// ahead; a run with another set of series lays them out anew).
  static void write_pooled_metrics(std::vector<BackfillStore>& universe,
                                   const StoredMetrics& metrics);

  /// Flushes and closes; errors are reported (the destructor only closes).
  /// In a universe file, the last of its stores closes the file. With
  /// `for_reading`, the last close of a writer (create, resume,
  /// open_for_writing, open_universe_for_writing) then rewrites the file
  /// with many folds per compressed chunk: a copy, fsynced and renamed onto
  /// it, under the writer lock (a crash leaves the store as it was). A
  /// writer that reopens such a store to add folds first rewrites it, the
  /// same way, back to one fold per chunk.
  void close(StoreChunks chunks = StoreChunks::per_fold);

 private:
  // Models first .. first + n - 1 of folds fold .. fold + k - 1:
  // result(i, j) for model first + i of fold fold + j.
  void write_models(int first, std::size_t n, int fold, std::size_t k,
                    const std::function<const ModelFoldResult&(std::size_t, std::size_t)>& result);
  struct Impl;
  explicit BackfillStore(std::unique_ptr<Impl> impl);
  static BackfillStore lay_out_and_open(const std::string& path, const StoreLayout& layout,
                                        WriterLock lock);
  std::unique_ptr<Impl> impl_;
};

}  // namespace arabica
