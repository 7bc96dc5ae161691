// The fold plan of a walk-forward backtest: which cutoffs are forecast from,
// which rows each fold trains on, and which fit each fold uses. Pure
// bookkeeping over the trading calendar; no model is fitted here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "arabica/date.hpp"

namespace arabica {

/// Which data rows in [start, end] become cutoffs.
enum class CutoffSchedule {
  every_row,     // each trading day (legacy backfill: every date in the range)
  every_n_rows,  // rows first, first + n, first + 2n ... where first is the
                 // first row on or after start
  weekly,        // the last row of each ISO week (Monday..Sunday) in the data;
                 // the data's last row ends its week while no later row exists
};

enum class TrainingWindow {
  expanding,  // rows [0, cutoff]
  rolling,    // the last window_rows rows up to the cutoff (fewer early on)
};

/// When a fold re-estimates parameters. Between refits a fold re-filters the
/// latest earlier refit fold's parameters on its own training rows.
enum class RefitCadence {
  every_fold,
  weekly,      // first fold of each ISO week
  monthly,     // first fold of each calendar month
  semiannual,  // first fold of each half-year (Jan-Jun, Jul-Dec)
  once,        // the plan's first fold only; every later fold re-filters it
               // (statsforecast's refit=False)
};

inline constexpr int kMaxHorizon = 64;

/// FoldPlanSpec::phase of a plan that runs every phase of its grid.
inline constexpr int kAllPhases = -1;

struct FoldPlanSpec {
  Date start = 0;  // cutoffs are data rows with start <= date <= end
  Date end = 0;
  CutoffSchedule schedule = CutoffSchedule::every_row;
  int step_rows = 5;  // every_n_rows only
  /// every_n_rows only, 0 <= phase < step_rows: the grid starts `phase` rows
  /// after the first row on or after start. The step_rows phases of a grid
  /// together hold every row once: how much a score depends on the grid's
  /// placement. kAllPhases: every phase in one plan (every row), each fold
  /// labelled with its phase (Fold::phase) for scores per phase.
  int phase = 0;
  TrainingWindow window = TrainingWindow::expanding;
  int window_rows = 0;  // rolling only; >= min_train_rows
  int min_train_rows = 1500;
  int horizon = 7;  // 1..kMaxHorizon
  RefitCadence refit = RefitCadence::every_fold;
  /// Refits per warm-start chain: the units of threads and shards (a
  /// chain's folds run in order on one worker). Fits no longer start from
  /// the previous refit's optimum, so a fit never depends on the plan;
  /// the setting still shapes the work split and the plan hash.
  int warm_start_chain = 8;
};

/// Parse the names used by the CLI and config files ("every_row",
/// "every_n_rows", "weekly"; "expanding", "rolling"; "every_fold", "weekly",
/// "monthly", "semiannual" or the legacy "semiannually", "once"). '-' may stand for
/// '_'. Unknown names throw InputError naming `field`.
CutoffSchedule parse_cutoff_schedule(const std::string& text,
                                     const std::string& field = "schedule");
TrainingWindow parse_training_window(const std::string& text, const std::string& field = "window");
RefitCadence parse_refit_cadence(const std::string& text, const std::string& field = "refit");

const char* schedule_name(CutoffSchedule schedule);
const char* window_name(TrainingWindow window);
const char* cadence_name(RefitCadence cadence);

/// Throws SettingError naming the setting ("start", "step_rows", "phase",
/// "window_rows", "min_train_rows", "warm_start_chain", "horizon") of the
/// first invalid one. Fields the chosen schedule or window ignores are not
/// checked.
void validate(const FoldPlanSpec& spec);

/// Canonical one-line text of the settings that shape the plan, e.g.
/// "start=2020-12-01 end=2024-12-31 schedule=weekly window=expanding
/// min_train_rows=1500 horizon=7 refit=monthly warm_start_chain=8" (ignored
/// fields left out).
std::string describe(const FoldPlanSpec& spec);

inline constexpr std::size_t kNoRow = std::numeric_limits<std::size_t>::max();

struct Fold {
  int index = 0;  // position in FoldPlan::folds
  Date cutoff = 0;
  std::size_t cutoff_row = 0;   // dates[cutoff_row] == cutoff
  std::size_t train_begin = 0;  // training rows [train_begin, train_end)
  std::size_t train_end = 0;    // cutoff_row + 1: nothing after the cutoff
  bool refit = false;           // estimate parameters here, else re-filter
  int fit_fold = 0;             // fold whose parameters are used (index when refit)
  /// Refit folds: the previous refit fold of the same chain, whose
  /// parameters seed the optimiser (-1: start cold).
  int warm_start_fold = -1;
  int chain = 0;  // warm-start chain of the fold's fit (0, 1, ... in time order)
  /// every_n_rows: the grid phase of the cutoff, (cutoff_row - the first row
  /// on or after start) mod step_rows; 0 for the other schedules.
  int phase = 0;
  /// Row of day_ahead h at [h - 1]: cutoff_row + h, or kNoRow past the data.
  std::vector<std::size_t> target_rows;
  std::size_t horizon_rows_available = 0;  // entries of target_rows in the data

  std::size_t train_rows() const { return train_end - train_begin; }
};

struct FoldPlan {
  FoldPlanSpec spec;
  std::vector<Fold> folds;
  std::size_t scheduled = 0;      // cutoffs the schedule picked in [start, end]
  std::size_t skipped_short = 0;  // of those, dropped for < min_train_rows rows

  std::size_t refits() const;
};

/// Plans the folds over a trading calendar (`dates` ascending and unique, as
/// in Series). The cutoff grid depends only on the dates, start, end and
/// schedule, so changing min_train_rows or the window drops folds without
/// moving the others. A fold refits when it is the plan's first or its cutoff
/// lies in a later cadence period than the last refit fold's; the periods are
/// calendar-aligned, unlike the legacy "last training + 6 months", so the fit
/// a fold uses never depends on where the backfill started (beyond the first
/// period). Every fold's fit and training rows end at or before its cutoff.
/// Throws InputError for an invalid spec; an empty plan is not an error.
FoldPlan plan_folds(const std::vector<Date>& dates, const FoldPlanSpec& spec);

/// Stable 64-bit FNV-1a of describe(spec) and every fold's rows, refit
/// choice and fit links: equal hashes mean a resumed run would compute the
/// same folds. Covers the calendar, not the data values.
std::uint64_t plan_hash(const FoldPlan& plan);

/// Rough relative cost of a fold: train_rows for a re-filter (one Kalman
/// pass), kRefitCostRatio times that for a refit (measured: a warm-started
/// SARIMAX(1,1,1) + 5 exog fit on 2,000 rows costs ~100 likelihood passes, a
/// cold one with standard errors ~160).
inline constexpr std::uint64_t kRefitCostRatio = 100;
std::uint64_t fold_cost(const Fold& fold);

/// Deterministic static partition of a plan's folds over `shards` workers.
/// A warm-start chain (its refit folds and the re-filter folds that use
/// them) stays together, so no shard waits on another's parameters; chains
/// are assigned longest-first to the least-loaded shard (ties: earlier
/// chain, lower shard). Each shard's fold indices are ascending (fits before their
/// re-filters); every fold appears exactly once.
std::vector<std::vector<int>> partition_folds(const std::vector<Fold>& folds, int shards);

/// The same over several plans (a universe's series): chains of every plan
/// compete in one longest-first assignment, a chain's cost weighted by its
/// plan's weight (its models). Result [shard][plan]: that plan's fold
/// indices on that shard, ascending.
std::vector<std::vector<std::vector<int>>> partition_plans(
    const std::vector<const std::vector<Fold>*>& plans, const std::vector<std::uint64_t>& weights,
    int shards);

}  // namespace arabica
