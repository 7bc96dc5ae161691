// `arabica backfill` of a universe: every series loaded, cleaned and planned
// on its own, all of them run together (run_backfills) into one store with
// a group per series, scored per series and pooled across series.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "arabica/backfill.hpp"
#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "cli/backfill_options.hpp"
#include "cli/distributed.hpp"
#include "cli/interruption.hpp"
#include "cli/option_checks.hpp"
#include "cli/progress.hpp"
#include "cli/universe_backfill.hpp"
#include "cli/universe_file.hpp"

namespace arabica::cli {

namespace {

using Member = UniverseMember;

// Loads and plans `entry`. Input that cannot be read is an InputError (the
// run is refused); a series that reads but cannot be backfilled returns its
// reason (plan_member) and the others run.
std::string load_member(const UniverseSeries& entry, Member& out) {
  return plan_member(entry, read_member_series(entry), out);
}

}  // namespace

Series read_member_series(const UniverseSeries& entry) {
  CsvSpec spec = csv_spec(entry.options.model);
  spec.min_rows = 1;  // a short series fails open in plan_member
  return read_series_csv(spec);
}

void warn_not_run(const std::vector<std::string>& not_run, std::size_t runnable, const std::string& source,
                  const WarningSink& warn, bool speak) {
  if (speak)
    for (const std::string& reason : not_run) emit_warning(warn, "series " + reason + " (not run)");
  if (runnable == 0) throw InputError(source, "no series can run (" + not_run.front() + ")");
}

std::string plan_member(const UniverseSeries& entry, Series series, UniverseMember& out,
                        const WarningSink& warn) {
  const BackfillOptions& o = entry.options;
  const ModelOptions& model = o.model;
  out.name = entry.name;
  out.config = make_config(o, model_spec(model));
  const std::size_t min_rows = model.csv.min_rows;
  out.series = std::move(series);
  for (const std::string& warning : out.series.quality.warnings)
    emit_warning(warn, "series " + entry.name + ": " + warning);
  if (out.series.rows() < min_rows)
    return std::to_string(out.series.rows()) + " rows after cleaning, need at least " +
           std::to_string(min_rows);
  BackfillConfig& config = out.config;
  if (o.start.empty()) config.plan.start = out.series.dates.front();
  if (o.end.empty()) config.plan.end = out.series.dates.back();
  config.series_name = entry.name;
  config.series_key = series_key_of(entry.name);
  try {
    for (const BacktestModel& m : config.models)
      if (m.kind == ModelKind::sarimax) require_identifiable_model(out.series, m.spec);
  } catch (const InputError& error) {
    return error.what();
  }
  // A series whose data end before the run's start (its feed stopped, or
  // it was listed later) has no fold: its reason, not the run's error.
  if (o.end.empty() && config.plan.start > config.plan.end)
    return "its data end " + format_date(config.plan.end) + ", before the first cutoff " +
           format_date(config.plan.start);
  out.plan = plan_folds(out.series.dates, config.plan);
  if (out.plan.folds.empty()) return no_fold_reason(out.plan, config.plan);
  BackfillConfig whole = config;
  whole.shard = 0;
  whole.num_shards = 1;
  out.layout = backfill_layout(whole, out.series, out.plan);
  return {};
}

namespace {

// The layouts of shard `shard` of `num_shards` (the whole plan's when 1).
std::vector<SeriesLayout> layouts_for(const std::vector<Member>& members, int shard, int num_shards) {
  std::vector<SeriesLayout> layouts;
  for (const Member& m : members) {
    if (num_shards == 1) {
      layouts.push_back({m.name, m.layout});
      continue;
    }
    BackfillConfig config = m.config;
    config.shard = shard;
    config.num_shards = num_shards;
    layouts.push_back({m.name, backfill_layout(config, m.series, m.plan)});
  }
  return layouts;
}

// How the run opens a universe store laid out as `layouts` (the members'):
// a series' group written by an earlier run to an earlier end, or on fewer
// rows, is extended (open_backfill_store's rule); a new store seeds its
// series from `seed` (a shard's from the deliverable) where given.
BackfillStore::UniverseOpening extension_of(const std::vector<Member>& members,
                                            const std::vector<SeriesLayout>& layouts, const std::string& seed = {}) {
  BackfillStore::UniverseOpening opening;
  opening.keep = [&members, layouts](std::size_t j, const BackfillStore& stored, const std::string& where) {
    return folds_kept(stored, where, layouts[j].layout, members[j].series, members[j].plan);
  };
  opening.seed = seed;
  return opening;
}

// Per series and model: what this run did; then the series not run.
void print_universe_summary(const std::vector<Member>& members,
                            const std::vector<BackfillSummary>& summaries,
                            const std::vector<std::string>& not_run) {
  int folds_run = 0, folds_in_shard = 0;
  for (const BackfillSummary& s : summaries) folds_run += s.folds_run, folds_in_shard += s.folds_in_shard;
  std::printf("%d folds of %zu series run in %.2f s (%d in this shard)\n", folds_run, members.size(),
              summaries.front().seconds, folds_in_shard);
  std::printf("%-16s %-22s %8s %10s %7s %17s\n", "series", "model", "trained", "refiltered", "failed",
              "already complete");
  for (std::size_t j = 0; j < members.size(); ++j)
    for (std::size_t m = 0; m < members[j].config.models.size(); ++m) {
      const ModelCounts& c = summaries[j].counts[m];
      std::printf("%-16s %-22s %8d %10d %7d %17d\n", members[j].name.c_str(),
                  members[j].config.models[m].name.c_str(), c.trained, c.refiltered, c.failed,
                  c.already_complete);
    }
  for (const std::string& reason : not_run) std::printf("not run: %s\n", reason.c_str());
}

// What the run is about to do: its series, folds and innovations.
void print_universe_banner(const std::vector<Member>& members, const BackfillConfig& run,
                           const std::string& work_path, bool resuming) {
  std::size_t folds = 0;
  for (const Member& m : members) folds += m.plan.folds.size();
  std::printf("%s universe of %zu series: %zu folds, %s, shard %d of %d -> %s\n",
              resuming ? "resuming" : "backfill", members.size(), folds, describe(run.plan).c_str(),
              run.shard + 1, run.num_shards, work_path.c_str());
  for (const Member& m : members)
    std::printf("  %-16s %s: %zu folds (%zu refits) x %zu models, %s\n", m.name.c_str(),
                m.series.source.c_str(), m.plan.folds.size(), m.plan.refits(), m.config.models.size(),
                describe_cutoffs(m.plan, m.config.plan).c_str());
  std::vector<const BackfillConfig*> configs;
  for (const Member& m : members) configs.push_back(&m.config);
  std::printf("%s\n", describe_innovations(configs).c_str());
  std::fflush(stdout);
}

}  // namespace

void warn_failures(const std::vector<UniverseMember>& members, const std::vector<BackfillSummary>& summaries,
                   const WarningSink& warn) {
  for (std::size_t j = 0; j < members.size(); ++j)
    for (const std::string& failure : summaries[j].failures)
      emit_warning(warn, "fold failed: " + members[j].name + " " + failure);
}

void stop_universe_if_interrupted(int folds_committed, std::vector<BackfillStore>* stores) {
  if (!interrupt_requested()) return;
  close_all(*stores);
  throw Interrupted(folds_committed);
}

std::vector<BackfillStore> open_members(const std::string& path, const std::vector<Member>& members, int shard,
                                        int num_shards, const std::string& seed) {
  const std::vector<SeriesLayout> layouts = layouts_for(members, shard, num_shards);
  return BackfillStore::open_universe_for_writing(path, layouts, extension_of(members, layouts, seed));
}

std::vector<BackfillJob> member_jobs(const std::vector<Member>& members, std::vector<BackfillStore>& stores) {
  std::vector<BackfillJob> jobs;
  for (std::size_t j = 0; j < members.size(); ++j)
    jobs.push_back({&members[j].series, members[j].config, &members[j].plan, &stores[j]});
  return jobs;
}

void close_all(std::vector<BackfillStore>& stores, StoreChunks chunks) {
  for (BackfillStore& store : stores) store.close(chunks);
}

void finish_universe(std::vector<BackfillStore>& stores, const std::vector<UniverseMember>& members,
                     const BackfillOptions& options, const WarningSink& warn) {
  std::vector<StoredForecasts> stored;
  std::vector<std::vector<ModelScores>> scores;
  for (std::size_t j = 0; j < members.size(); ++j) {
    stored.push_back(stores[j].read_forecasts());
    scores.push_back(score_backfill(stored.back(), members[j].layout));
    stores[j].write_metrics(to_stored_metrics(scores.back(), members[j].layout.horizon));
  }
  std::vector<const StoredForecasts*> all_stored;
  std::vector<const StoreLayout*> all_layouts;
  for (std::size_t j = 0; j < members.size(); ++j) {
    all_stored.push_back(&stored[j]);
    all_layouts.push_back(&members[j].layout);
  }
  std::vector<PooledLeftOut> left_out;
  const std::vector<ModelScores> pooled = pooled_scores(all_stored, all_layouts, &left_out);
  for (const PooledLeftOut& out : left_out) {
    const Member& member = members[out.series];
    const int first = out.folds.front();
    char price[32];
    std::snprintf(price, sizeof price, "%.6g", member.layout.last_price[first]);
    emit_warning(warn, "series " + member.name + ", model " + out.model + ": " + std::to_string(out.folds.size()) +
                           " fold(s) left out of the pooled scores, their values over the cutoff price "
                           "overflow a double (first: cutoff " + format_date(member.layout.cutoffs[first]) +
                           ", price " + price + ")");
  }
  BackfillStore::write_pooled_metrics(stores, to_stored_metrics(pooled, members.front().layout.horizon));
  close_all(stores, StoreChunks::for_reading);  // the deliverable: chunked for its readers
  if (!options.print_reports) return;
  const bool leaked = options.future_exog == "realized";
  for (std::size_t j = 0; j < members.size(); ++j) {
    int complete = 0;
    for (const std::int8_t flag : stored[j].fold_complete) complete += flag;
    std::printf("\n=== series %s: %d of %d folds committed\n", members[j].name.c_str(), complete,
                stored[j].folds);
    print_scores(scores[j], leaked, false);
  }
  std::printf("\n=== pooled across %zu series (crps as a fraction of the cutoff price; rmse and "
              "mae have no pooled meaning; stored in the group 'pooled')\n",
              members.size());
  print_scores(pooled, leaked);
  std::printf("wrote %s\n", options.out.c_str());
}

namespace {

void merge_and_finish(const BackfillOptions& options, const std::vector<Member>& members,
                      int num_shards, const char* who, const char* sources, const HandedOver& handed) {
  const auto merge_started = std::chrono::steady_clock::now();
  const std::vector<std::string> paths = shard_paths(options.out, num_shards);
  // Every shard is opened (a damaged one or one of another run refused)
  // before OUT is made, and stays open, under its lock, until merged.
  std::vector<std::vector<BackfillStore>> shards;
  for (int k = 0; k < num_shards; ++k)
    shards.push_back(open_members(paths[static_cast<std::size_t>(k)], members, k, num_shards));
  std::vector<BackfillStore> stores = open_members(options.out, members, 0, 1);
  int copied = 0;
  if (std::all_of(stores.begin(), stores.end(), [](const BackfillStore& s) { return no_fold_committed(s); }) &&
      !interrupt_requested()) {
    // Into a store with no fold yet (a kill leaves it so): one rewrite
    // that reads the shards and writes the chunks for reading, instead of
    // one-fold chunks written, then read back for that rewrite.
    for (const int folds : BackfillStore::merge_for_reading(stores, shards, handed)) copied += folds;
    for (std::vector<BackfillStore>& shard : shards) close_all(shard);
    shards.clear();
  }
  std::vector<std::vector<bool>> merged;  // per series; a failed fold is taken again
  if (!shards.empty())
    for (const BackfillStore& store : stores) merged.push_back(folds_done(store));
  for (std::vector<BackfillStore>& shard : shards) {
    if (interrupt_requested()) break;
    // One commit for every series of the shard: a commit flushes the file.
    std::vector<std::pair<BackfillStore*, std::vector<int>>> commits;
    for (std::size_t j = 0; j < members.size(); ++j) {
      commits.emplace_back(&stores[j], copy_committed_folds(stores[j], shard[j], merged[j]));
      copied += static_cast<int>(commits.back().second.size());
    }
    BackfillStore::commit_all(commits);
    close_all(shard);
  }
  for (std::vector<BackfillStore>& shard : shards) close_all(shard);
  stop_universe_if_interrupted(copied, &stores);
  std::vector<std::string> names;
  for (const Member& m : members) names.push_back(m.name);
  warn_folds_in_no_shard(member_jobs(members, stores), names, num_shards);
  if (options.print_reports)
    std::printf("%s %d folds of %zu series from %d %s into %s%s\n", who, copied, members.size(),
                num_shards, sources, options.out.c_str(), describe_merge(handed, merge_started).c_str());
  finish_universe(stores, members, options);
  stop_if_interrupted(copied);
}

}  // namespace

void run_universe_backfill(BackfillOptions& options, const std::string& universe_file) {
  install_interrupt_handlers();
  const Distributed& group = distributed();
  if (group.mpi) {
    if (options.merge) throw InputError("--merge", "not under mpirun: rank 0 merges by itself");
    options.shard = group.rank;
    options.num_shards = group.size;
  }
  if (!options.forecast_csv.empty())
    throw InputError("--forecast-csv", "the legacy forecast.csv holds one series; export a "
                                       "universe's series with scripts/arabica_store.py");
  require_writable_outputs({{"--out", options.out}});
  make_config(options, model_spec(options.model));  // the run's own options, before any file
  const std::vector<UniverseSeries> entries =
      universe_file.empty() ? universe_from_options(options) : read_universe_file(universe_file, options);

  std::vector<Member> members;
  std::vector<std::string> not_run;
  for (const UniverseSeries& entry : entries) {
    Member member;
    const std::string reason = load_member(entry, member);
    if (!reason.empty()) {
      not_run.push_back(entry.name + ": " + reason);
      continue;
    }
    member.config.device_ordinal = group.local_rank;
    members.push_back(std::move(member));
  }
  // Told once every series has been read: input that cannot be read stops
  // the run before anything is said about the others.
  run_universe(options, std::move(members), not_run, universe_file.empty() ? "--csv" : universe_file);
}

void run_universe(const BackfillOptions& options, std::vector<UniverseMember> members,
                  const std::vector<std::string>& not_run, const std::string& source,
                  const std::function<void(int done, int total)>& progress, const WarningSink& warn) {
  const Distributed& group = distributed();
  warn_not_run(not_run, members.size(), source, warn, group.rank == 0);
  const bool report = options.print_reports;
  const BackfillConfig& run = members.front().config;
  warn_if_leaking(run, group.rank, warn);
  const bool sharded = run.num_shards > 1;
  run_shard_then_merge(
      options, run.shard, run.num_shards,
      [&](const std::string& work_path) {
        stop_if_interrupted(0);  // a signal while loading: no store to touch
        const bool resuming = std::filesystem::exists(work_path);
        std::vector<BackfillStore> stores = open_members(work_path, members, run.shard, run.num_shards,
                                                         sharded ? options.out : std::string());
        if (report) print_universe_banner(members, run, work_path, resuming);
        std::vector<BackfillJob> jobs = member_jobs(members, stores);
        for (BackfillJob& job : jobs) job.config.stop_requested = interrupt_requested;
        ProgressReporter reporter(sharded ? "shard " + std::to_string(run.shard) + " folds"
                                          : std::string("universe folds"),
                                  options.quiet || group.rank > 0 || progress);
        const std::vector<BackfillSummary> summaries =
            run_backfills(jobs, [&](const BackfillProgress& p) {
              if (progress) progress(p.done, p.total);
              reporter.update(p.done, p.total);
            });
        reporter.finish();
        int folds_run = 0;
        for (const BackfillSummary& s : summaries) folds_run += s.folds_run;
        if (summaries.front().stopped) stop_universe_if_interrupted(folds_run, &stores);
        if (report) print_universe_summary(members, summaries, not_run);
        warn_failures(members, summaries, warn);
        std::vector<char> handed;
        if (sharded) {
          std::vector<const BackfillStore*> shard;
          for (const BackfillStore& store : stores) shard.push_back(&store);
          handed = committed_values_message(shard);
          close_all(stores);
        } else {
          finish_universe(stores, members, options, warn);
        }
        stop_if_interrupted(folds_run);
        return handed;
      },
      [&](const char* who, const char* sources, const HandedOver& handed) {
        merge_and_finish(options, members, run.num_shards, who, sources, handed);
      });
}

}  // namespace arabica::cli
