// A universe backfill from series already loaded (files, or a Python
// package's data frames): each planned on its own, then run together into
// one store with a group per series.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/backfill_options.hpp"
#include "cli/universe_file.hpp"

namespace arabica::cli {

/// One series that runs: its data, configuration, plan and whole-plan layout.
struct UniverseMember {
  std::string name;
  Series series;
  BackfillConfig config;
  FoldPlan plan;
  StoreLayout layout;
};

/// Plans `entry` on its loaded `series` into `out`. Returns why the series
/// cannot be backfilled (fewer than its min_rows, a model it cannot
/// identify, no fold in the plan), empty when it can: such a series fails
/// open, the others run.
/// The series' data-quality warnings go to `warn`.
std::string plan_member(const UniverseSeries& entry, Series series, UniverseMember& out,
                        const WarningSink& warn = {});

/// A universe entry's series, read and cleaned (its own missing-value
/// report); a series too short for the plan is read too, to fail open in
/// plan_member. Input that cannot be read is an InputError.
Series read_member_series(const UniverseSeries& entry);

/// Warns of each series not run ("name: reason", with `speak`: rank 0), and
/// throws InputError naming `source` when none of the series (`runnable`)
/// can run.
void warn_not_run(const std::vector<std::string>& not_run, std::size_t runnable, const std::string& source,
                  const WarningSink& warn = {}, bool speak = true);

/// Warns of every fold that failed in this run, one line each.
void warn_failures(const std::vector<UniverseMember>& members, const std::vector<BackfillSummary>& summaries,
                   const WarningSink& warn = {});

/// After a SIGINT/SIGTERM, the universe's stores closed first, then
/// stop_if_interrupted's report (Interrupted); nothing otherwise.
void stop_universe_if_interrupted(int folds_committed, std::vector<BackfillStore>* stores);

/// The universe store at `path` for `members`, laid out for shard `shard`
/// of `num_shards` (the whole plan: 0 of 1), opened for writing: groups of
/// the same run resumed, groups of an earlier run to an earlier end or on
/// fewer rows extended (folds_kept), missing groups laid out, seeded from
/// the universe store `seed` where given (a shard's, from the deliverable).
std::vector<BackfillStore> open_members(const std::string& path, const std::vector<UniverseMember>& members,
                                        int shard, int num_shards, const std::string& seed = {});

/// One backfill job per member, members[j] into stores[j].
std::vector<BackfillJob> member_jobs(const std::vector<UniverseMember>& members, std::vector<BackfillStore>& stores);

/// Scores every series' complete folds, records them in its group and the
/// pooled scores, closes the store rewritten for reading and, with
/// options.print_reports, prints the tables: per series, then pooled. Folds
/// the pooled scores leave out (pooled_scores) are told to `warn`.
void finish_universe(std::vector<BackfillStore>& stores, const std::vector<UniverseMember>& members,
                     const BackfillOptions& options, const WarningSink& warn = {});

/// Closes every store of a universe file (the last close closes the file).
void close_all(std::vector<BackfillStore>& stores, StoreChunks chunks = StoreChunks::per_fold);

/// Runs `members` into options.out (resuming, sharding and merging as
/// run_universe_backfill does), scores them per series and pooled, and
/// closes the store for reading. `not_run`: "name: reason" of the series
/// that fail open (warned); none can run is an InputError naming `source`.
/// `progress` (optional): folds done of total, from this thread, instead of
/// the progress bar. `warn`: the series not run, folds that failed and a
/// leaking run's warning.
void run_universe(const BackfillOptions& options, std::vector<UniverseMember> members,
                  const std::vector<std::string>& not_run, const std::string& source,
                  const std::function<void(int done, int total)>& progress = {},
                  const WarningSink& warn = {});

}  // namespace arabica::cli
