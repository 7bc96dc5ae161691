#include "arabica/fold_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "arabica/error.hpp"
#include "arabica/fnv1a.hpp"

namespace arabica {

namespace {

template <typename E>
struct Named {
  E value;
  const char* name;
};

// The first entry of a value is its canonical name; later ones are aliases.
constexpr Named<CutoffSchedule> kSchedules[] = {
    {CutoffSchedule::every_row, "every_row"},
    {CutoffSchedule::every_n_rows, "every_n_rows"},
    {CutoffSchedule::weekly, "weekly"},
};
constexpr Named<TrainingWindow> kWindows[] = {
    {TrainingWindow::expanding, "expanding"},
    {TrainingWindow::rolling, "rolling"},
};
constexpr Named<RefitCadence> kCadences[] = {
    {RefitCadence::every_fold, "every_fold"},
    {RefitCadence::weekly, "weekly"},
    {RefitCadence::monthly, "monthly"},
    {RefitCadence::semiannual, "semiannual"},
    {RefitCadence::semiannual, "semiannually"},  // legacy train_frequency spelling
    {RefitCadence::once, "once"},
};

template <typename E, std::size_t N>
E parse_named(const Named<E> (&table)[N], const std::string& text, const std::string& field,
              const char* kind) {
  std::string name = text;
  std::replace(name.begin(), name.end(), '-', '_');
  for (const auto& entry : table)
    if (name == entry.name) return entry.value;
  std::string expected;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0 && table[i].value == table[i - 1].value) continue;  // alias
    expected += (expected.empty() ? "" : ", ") + std::string(table[i].name);
  }
  throw InputError(field, "unknown " + std::string(kind) + " '" + text + "' (expected " +
                              expected + ")");
}

template <typename E, std::size_t N>
const char* name_of(const Named<E> (&table)[N], E value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  ARABICA_REQUIRE(false, "unnamed enum value " + std::to_string(static_cast<int>(value)));
  return "";
}

// The Monday of the ISO week holding `date`: one key per ISO week.
Date iso_week(Date date) { return date - weekday(date); }

// year * 12 + (month - 1), read from format_date's "yyyy-mm-dd".
int month_number(Date date) {
  int year = 0, month = 0;
  std::sscanf(format_date(date).c_str(), "%d-%d", &year, &month);
  return year * 12 + month - 1;
}

// Cadence period of a cutoff; a fold refits when its period differs from the
// last refit fold's. Cutoffs are unique, so every_fold's period is the date.
std::int64_t period(RefitCadence cadence, Date cutoff) {
  switch (cadence) {
    case RefitCadence::every_fold: return cutoff;
    case RefitCadence::weekly: return iso_week(cutoff);
    case RefitCadence::monthly: return month_number(cutoff);
    case RefitCadence::semiannual: return month_number(cutoff) / 6;  // Jan-Jun, Jul-Dec
    case RefitCadence::once: return 0;
  }
  ARABICA_REQUIRE(false, "unknown RefitCadence");
  return 0;
}

// Rows chosen as cutoffs, ascending.
std::vector<std::size_t> schedule_cutoffs(const std::vector<Date>& dates,
                                          const FoldPlanSpec& spec) {
  const auto row_of = [&](std::vector<Date>::const_iterator it) {
    return static_cast<std::size_t>(it - dates.begin());
  };
  const std::size_t first = row_of(std::lower_bound(dates.begin(), dates.end(), spec.start));
  const std::size_t last = row_of(std::upper_bound(dates.begin(), dates.end(), spec.end));
  std::vector<std::size_t> rows;
  switch (spec.schedule) {
    case CutoffSchedule::every_row:
      for (std::size_t row = first; row < last; ++row) rows.push_back(row);
      break;
    case CutoffSchedule::every_n_rows: {
      const bool all = spec.phase == kAllPhases;
      const auto step = static_cast<std::size_t>(all ? 1 : spec.step_rows);
      for (std::size_t row = first + static_cast<std::size_t>(all ? 0 : spec.phase); row < last; row += step)
        rows.push_back(row);
      break;
    }
    case CutoffSchedule::weekly:
      // A week's last row is judged on the whole calendar, rows after `end`
      // included, so moving `end` never turns a midweek day into a cutoff.
      for (std::size_t row = first; row < last; ++row)
        if (row + 1 == dates.size() || iso_week(dates[row + 1]) != iso_week(dates[row]))
          rows.push_back(row);
      break;
  }
  return rows;
}

std::int64_t signed_row(std::size_t row) {
  return row == kNoRow ? -1 : static_cast<std::int64_t>(row);
}

}  // namespace

CutoffSchedule parse_cutoff_schedule(const std::string& text, const std::string& field) {
  return parse_named(kSchedules, text, field, "schedule");
}
TrainingWindow parse_training_window(const std::string& text, const std::string& field) {
  return parse_named(kWindows, text, field, "window");
}
RefitCadence parse_refit_cadence(const std::string& text, const std::string& field) {
  return parse_named(kCadences, text, field, "cadence");
}

const char* schedule_name(CutoffSchedule schedule) { return name_of(kSchedules, schedule); }
const char* window_name(TrainingWindow window) { return name_of(kWindows, window); }
const char* cadence_name(RefitCadence cadence) { return name_of(kCadences, cadence); }

void validate(const FoldPlanSpec& spec) {
  if (spec.start > spec.end)
    throw SettingError("start", format_date(spec.start) + " is after end " +
                                    format_date(spec.end));
  if (spec.schedule == CutoffSchedule::every_n_rows && spec.step_rows < 1)
    throw SettingError("step_rows", "must be at least 1, got " + std::to_string(spec.step_rows));
  if (spec.schedule == CutoffSchedule::every_n_rows && spec.phase != kAllPhases &&
      (spec.phase < 0 || spec.phase >= spec.step_rows))
    throw SettingError("phase", "must be between 0 and step_rows - 1 = " +
                                    std::to_string(spec.step_rows - 1) + " or all, got " + std::to_string(spec.phase));
  if (spec.min_train_rows < 1)
    throw SettingError("min_train_rows",
                       "must be at least 1, got " + std::to_string(spec.min_train_rows));
  // A shorter window would skip every fold.
  if (spec.window == TrainingWindow::rolling && spec.window_rows < spec.min_train_rows)
    throw SettingError("window_rows", "rolling window of " + std::to_string(spec.window_rows) +
                                          " rows is shorter than min_train_rows " +
                                          std::to_string(spec.min_train_rows));
  if (spec.warm_start_chain < 0)
    throw SettingError("warm_start_chain",
                       "must be 0 (no warm starts) or more, got " +
                           std::to_string(spec.warm_start_chain));
  if (spec.horizon < 1 || spec.horizon > kMaxHorizon)
    throw SettingError("horizon", "must be between 1 and " + std::to_string(kMaxHorizon) + ", got " +
                                      std::to_string(spec.horizon));
}

std::string describe(const FoldPlanSpec& spec) {
  std::string out = "start=" + format_date(spec.start) + " end=" + format_date(spec.end) +
                    " schedule=" + schedule_name(spec.schedule);
  if (spec.schedule == CutoffSchedule::every_n_rows)
    out += " step_rows=" + std::to_string(spec.step_rows);
  if (spec.schedule == CutoffSchedule::every_n_rows && spec.phase != 0)  // 0: as before phases existed
    out += " phase=" + (spec.phase == kAllPhases ? std::string("all") : std::to_string(spec.phase));
  out += std::string(" window=") + window_name(spec.window);
  if (spec.window == TrainingWindow::rolling)
    out += " window_rows=" + std::to_string(spec.window_rows);
  out += " min_train_rows=" + std::to_string(spec.min_train_rows) +
         " horizon=" + std::to_string(spec.horizon) + " refit=" + cadence_name(spec.refit) +
         " warm_start_chain=" + std::to_string(spec.warm_start_chain);
  return out;
}

std::size_t FoldPlan::refits() const {
  return static_cast<std::size_t>(
      std::count_if(folds.begin(), folds.end(), [](const Fold& f) { return f.refit; }));
}

FoldPlan plan_folds(const std::vector<Date>& dates, const FoldPlanSpec& spec) {
  validate(spec);
  ARABICA_REQUIRE(std::adjacent_find(dates.begin(), dates.end(), std::greater_equal<Date>()) ==
                      dates.end(),
                  "plan_folds: dates must be ascending and unique");
  FoldPlan plan;
  plan.spec = spec;
  const std::vector<std::size_t> cutoffs = schedule_cutoffs(dates, spec);
  const auto grid_start =
      static_cast<std::size_t>(std::lower_bound(dates.begin(), dates.end(), spec.start) - dates.begin());
  plan.scheduled = cutoffs.size();
  const auto min_rows = static_cast<std::size_t>(spec.min_train_rows);
  const auto window_rows = static_cast<std::size_t>(spec.window_rows);
  const auto horizon = static_cast<std::size_t>(spec.horizon);
  int last_refit = -1;
  int refits = 0;
  int chain = -1;
  for (const std::size_t row : cutoffs) {
    Fold fold;
    fold.cutoff = dates[row];
    fold.cutoff_row = row;
    if (spec.schedule == CutoffSchedule::every_n_rows)
      fold.phase = static_cast<int>((row - grid_start) % static_cast<std::size_t>(spec.step_rows));
    fold.train_end = row + 1;
    if (spec.window == TrainingWindow::rolling && fold.train_end > window_rows)
      fold.train_begin = fold.train_end - window_rows;
    if (fold.train_rows() < min_rows) {
      ++plan.skipped_short;
      continue;
    }
    fold.index = static_cast<int>(plan.folds.size());
    fold.refit = last_refit < 0 || period(spec.refit, fold.cutoff) !=
                                       period(spec.refit, plan.folds[last_refit].cutoff);
    if (fold.refit) {
      const bool chained = spec.warm_start_chain > 0 && refits % spec.warm_start_chain != 0;
      if (!chained) ++chain;
      fold.warm_start_fold = chained ? last_refit : -1;
      last_refit = fold.index;
      ++refits;
    }
    fold.chain = chain;
    fold.fit_fold = last_refit;
    fold.target_rows.resize(horizon, kNoRow);
    for (std::size_t h = 1; h <= horizon && row + h < dates.size(); ++h) {
      fold.target_rows[h - 1] = row + h;
      ++fold.horizon_rows_available;
    }
    plan.folds.push_back(std::move(fold));
  }
  // No leakage: a fold sees rows up to its cutoff, through its own training
  // rows and through the fit it borrows.
  for (const Fold& fold : plan.folds) {
    const Fold& fit = plan.folds[static_cast<std::size_t>(fold.fit_fold)];
    ARABICA_REQUIRE(fold.train_end == fold.cutoff_row + 1 && fit.cutoff <= fold.cutoff &&
                        fit.train_end <= fold.train_end,
                    "plan_folds: fold " + std::to_string(fold.index) + " sees past its cutoff");
  }
  return plan;
}

std::uint64_t plan_hash(const FoldPlan& plan) {
  Fnv1a hash;
  hash.text(describe(plan.spec));
  hash.integer(static_cast<std::int64_t>(plan.folds.size()));
  for (const Fold& fold : plan.folds) {
    hash.integer(fold.cutoff);
    hash.integer(signed_row(fold.cutoff_row));
    hash.integer(signed_row(fold.train_begin));
    hash.integer(signed_row(fold.train_end));
    hash.integer(fold.refit ? 1 : 0);
    hash.integer(fold.fit_fold);
    hash.integer(fold.warm_start_fold);
    hash.integer(fold.chain);
    hash.integer(static_cast<std::int64_t>(fold.target_rows.size()));
    for (const std::size_t row : fold.target_rows) hash.integer(signed_row(row));
  }
  return hash.value();
}

std::uint64_t fold_cost(const Fold& fold) {
  return static_cast<std::uint64_t>(fold.train_rows()) * (fold.refit ? kRefitCostRatio : 1);
}

std::vector<std::vector<int>> partition_folds(const std::vector<Fold>& folds, int shards) {
  std::vector<std::vector<int>> assigned;
  for (auto& by_plan : partition_plans({&folds}, {1}, shards)) assigned.push_back(std::move(by_plan[0]));
  return assigned;
}

std::vector<std::vector<std::vector<int>>> partition_plans(
    const std::vector<const std::vector<Fold>*>& plans, const std::vector<std::uint64_t>& weights,
    int shards) {
  ARABICA_REQUIRE(shards >= 1, "partition_folds: shards must be at least 1");
  ARABICA_REQUIRE(weights.size() == plans.size(), "partition_plans: one weight per plan");
  struct Group {  // one chain of one plan: folds [first, end)
    std::size_t plan = 0;
    int first = 0;
    int end = 0;
    std::uint64_t cost = 0;
  };
  std::vector<Group> groups;
  for (std::size_t p = 0; p < plans.size(); ++p) {
    const std::vector<Fold>& folds = *plans[p];
    const std::size_t plan_first_group = groups.size();
    for (std::size_t i = 0; i < folds.size(); ++i) {
      const Fold& fold = folds[i];
      const int index = static_cast<int>(i);
      ARABICA_REQUIRE(fold.index == index, "partition_folds: folds must be a plan's, in order");
      const bool new_chain = groups.size() == plan_first_group ||
                             fold.chain != folds[static_cast<std::size_t>(groups.back().first)].chain;
      if (new_chain) groups.push_back({p, index, index, 0});
      ARABICA_REQUIRE((!new_chain || fold.refit) && fold.fit_fold >= groups.back().first &&
                          fold.fit_fold <= index && folds[static_cast<std::size_t>(fold.fit_fold)].refit,
                      "partition_folds: fold " + std::to_string(index) +
                          " uses a fit outside its warm-start chain");
      groups.back().end = index + 1;
      groups.back().cost += fold_cost(fold) * weights[p];
    }
  }
  // Longest processing time first; stable, so equal costs keep plan and
  // time order.
  std::stable_sort(groups.begin(), groups.end(),
                   [](const Group& a, const Group& b) { return a.cost > b.cost; });
  std::vector<std::uint64_t> load(static_cast<std::size_t>(shards), 0);
  std::vector<std::vector<std::vector<int>>> assigned(
      static_cast<std::size_t>(shards), std::vector<std::vector<int>>(plans.size()));
  for (const Group& group : groups) {
    const auto shard =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[shard] += group.cost;
    for (int i = group.first; i < group.end; ++i) assigned[shard][group.plan].push_back(i);
  }
  for (auto& by_plan : assigned)
    for (auto& indices : by_plan) std::sort(indices.begin(), indices.end());
  return assigned;
}

}  // namespace arabica
