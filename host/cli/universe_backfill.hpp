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
