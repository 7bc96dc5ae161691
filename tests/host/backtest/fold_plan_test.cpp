#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "arabica/error.hpp"
#include "arabica/fold_plan.hpp"

namespace arabica {
namespace {

Date day(const char* text) { return parse_date(text).value(); }

// Monday..Friday from first to last inclusive: a synthetic exchange calendar.
std::vector<Date> business_days(const char* first, const char* last) {
  std::vector<Date> dates;
  for (Date d = day(first); d <= day(last); ++d)
    if (weekday(d) < 5) dates.push_back(d);
  return dates;
}

std::vector<Date> without(std::vector<Date> dates, const std::vector<Date>& removed) {
  for (const Date d : removed) dates.erase(std::find(dates.begin(), dates.end(), d));
  return dates;
}

std::string month_of(Date d) { return format_date(d).substr(0, 7); }
std::string half_of(Date d) {
  const std::string text = format_date(d);
  return text.substr(0, 4) + (text.substr(5, 2) <= "06" ? "H1" : "H2");
}

// The legacy coffee backtest: business days 2015-2024, weekly cutoffs from
// December 2020, 1,500 training rows at least, 7 days ahead.
const std::vector<Date>& coffee_calendar() {
  static const std::vector<Date> dates = business_days("2015-01-02", "2024-12-31");
  return dates;
}

FoldPlanSpec coffee_spec() {
  FoldPlanSpec spec;
  spec.start = day("2020-12-01");
  spec.end = day("2024-12-31");
  spec.schedule = CutoffSchedule::weekly;
  return spec;
}

std::vector<Date> cutoffs(const FoldPlan& plan) {
  std::vector<Date> out;
  for (const Fold& f : plan.folds) out.push_back(f.cutoff);
  return out;
}

std::vector<Date> refit_cutoffs(const FoldPlan& plan) {
  std::vector<Date> out;
  for (const Fold& f : plan.folds)
    if (f.refit) out.push_back(f.cutoff);
  return out;
}

// Invariants every plan keeps, whatever the spec.
void expect_no_leakage(const std::vector<Date>& dates, const FoldPlan& plan) {
  int last_refit = -1;
  int refits = 0;
  const int chain = plan.spec.warm_start_chain;
  for (std::size_t i = 0; i < plan.folds.size(); ++i) {
    const Fold& f = plan.folds[i];
    SCOPED_TRACE("fold " + std::to_string(i) + " cutoff " + format_date(f.cutoff));
    EXPECT_EQ(f.index, static_cast<int>(i));
    ASSERT_LT(f.cutoff_row, dates.size());
    EXPECT_EQ(dates[f.cutoff_row], f.cutoff);
    EXPECT_GE(f.cutoff, plan.spec.start);
    EXPECT_LE(f.cutoff, plan.spec.end);
    EXPECT_EQ(f.train_end, f.cutoff_row + 1);
    EXPECT_LT(f.train_begin, f.train_end);
    EXPECT_GE(f.train_rows(), static_cast<std::size_t>(plan.spec.min_train_rows));
    if (i > 0) {
      EXPECT_GT(f.cutoff, plan.folds[i - 1].cutoff);
    }
    if (f.refit) {
      EXPECT_EQ(f.fit_fold, f.index);
      const bool chained = chain > 0 && refits % chain != 0;
      EXPECT_EQ(f.warm_start_fold, chained ? last_refit : -1);
      EXPECT_EQ(f.chain, chain > 0 ? refits / chain : refits);
      last_refit = f.index;
      ++refits;
    } else {
      EXPECT_EQ(f.chain, plan.folds[f.fit_fold].chain);
      EXPECT_EQ(f.fit_fold, last_refit);
      EXPECT_EQ(f.warm_start_fold, -1);
    }
    ASSERT_GE(f.fit_fold, 0);
    ASSERT_LE(f.fit_fold, f.index);
    EXPECT_LE(plan.folds[f.fit_fold].cutoff, f.cutoff);
    ASSERT_EQ(f.target_rows.size(), static_cast<std::size_t>(plan.spec.horizon));
    for (std::size_t h = 1; h <= f.target_rows.size(); ++h) {
      const std::size_t expected = f.cutoff_row + h < dates.size() ? f.cutoff_row + h : kNoRow;
      EXPECT_EQ(f.target_rows[h - 1], expected);
    }
  }
  ASSERT_FALSE(plan.folds.empty());
  EXPECT_TRUE(plan.folds.front().refit);
  EXPECT_EQ(plan.scheduled, plan.folds.size() + plan.skipped_short);
}

// --- schedules

TEST(FoldPlan, CoffeeWeeklyCountMatchesTheCalendar) {
  const std::vector<Date>& dates = coffee_calendar();
  const FoldPlan plan = plan_folds(dates, coffee_spec());
  // Every week in range ends on a Friday in the data except the last: the
  // data stops on Tuesday 2024-12-31, which ends that week.
  int fridays = 0;
  for (Date d = day("2020-12-01"); d <= day("2024-12-31"); ++d) fridays += weekday(d) == 4;
  ASSERT_EQ(weekday(day("2024-12-31")), 1);
  EXPECT_EQ(plan.folds.size(), static_cast<std::size_t>(fridays + 1));
  EXPECT_EQ(plan.skipped_short, 0u);
  // 2015-01-02 .. 2020-12-04 is more than 1,500 business days.
  EXPECT_GT(plan.folds.front().train_rows(), 1500u);
  EXPECT_EQ(plan.folds.front().cutoff, day("2020-12-04"));
  EXPECT_EQ(plan.folds.back().cutoff, day("2024-12-31"));
  for (std::size_t i = 0; i + 1 < plan.folds.size(); ++i)
    EXPECT_EQ(weekday(plan.folds[i].cutoff), 4) << format_date(plan.folds[i].cutoff);
  EXPECT_EQ(plan.refits(), plan.folds.size());  // refit every fold by default
  expect_no_leakage(dates, plan);
}

TEST(FoldPlan, MinTrainRowsSkipsEarlyCutoffsWithoutMovingTheGrid) {
  const std::vector<Date>& dates = coffee_calendar();
  FoldPlanSpec spec = coffee_spec();
  spec.min_train_rows = 1550;
  const FoldPlan plan = plan_folds(dates, spec);
  const FoldPlan loose = plan_folds(dates, coffee_spec());
  std::size_t short_fridays = 0;
  for (const Date d : dates)
    if (d >= spec.start && weekday(d) == 4 &&
        std::count_if(dates.begin(), dates.end(), [&](Date x) { return x <= d; }) < 1550)
      ++short_fridays;
  ASSERT_GT(short_fridays, 0u);
  EXPECT_EQ(plan.skipped_short, short_fridays);
  EXPECT_EQ(plan.scheduled, loose.scheduled);
  // The surviving cutoffs are the loose plan's, minus its first few.
  const std::vector<Date> all = cutoffs(loose);
  EXPECT_EQ(cutoffs(plan), std::vector<Date>(all.begin() + short_fridays, all.end()));
  expect_no_leakage(dates, plan);
}

TEST(FoldPlan, WeeklyScheduleTakesEachWeeksLastTradingDay) {
  // Good Friday 2024-03-29 is a holiday; the week of 2024-04-08 is closed.
  std::vector<Date> removed = {day("2024-03-29")};
  for (Date d = day("2024-04-08"); d <= day("2024-04-12"); ++d) removed.push_back(d);
  const std::vector<Date> dates = without(business_days("2024-01-01", "2024-05-31"), removed);
  FoldPlanSpec spec;
  spec.start = day("2024-03-20");
  spec.end = day("2024-04-24");  // a Wednesday: that week ends after `end`
  spec.schedule = CutoffSchedule::weekly;
  spec.min_train_rows = 1;
  const FoldPlan plan = plan_folds(dates, spec);
  EXPECT_EQ(cutoffs(plan), (std::vector<Date>{day("2024-03-22"), day("2024-03-28"),
                                              day("2024-04-05"), day("2024-04-19")}));
  expect_no_leakage(dates, plan);
}

TEST(FoldPlan, EveryNRowsCountsFromTheFirstRowInRange) {
  const std::vector<Date> dates = business_days("2024-01-01", "2024-03-29");
  FoldPlanSpec spec;
  spec.start = day("2024-01-06");  // Saturday: the first row is Monday 01-08
  spec.end = day("2024-02-29");
  spec.schedule = CutoffSchedule::every_n_rows;
  spec.step_rows = 5;
  spec.min_train_rows = 1;
  const FoldPlan plan = plan_folds(dates, spec);
  std::vector<Date> expected;
  for (Date d = day("2024-01-08"); d <= spec.end; d += 7) expected.push_back(d);  // 5 rows = 1 week
  EXPECT_EQ(cutoffs(plan), expected);
  expect_no_leakage(dates, plan);

  // Phases: the grid moved by 0..4 rows; together they hold every row once.
  std::vector<Date> every_phase;
  std::map<Date, int> phase_of;
  for (int phase = 0; phase < 5; ++phase) {
    spec.phase = phase;
    const FoldPlan shifted = plan_folds(dates, spec);
    EXPECT_EQ(cutoffs(shifted).front(), day("2024-01-08") + phase) << phase;  // Monday + phase rows
    for (const Fold& f : shifted.folds) {
      every_phase.push_back(f.cutoff);
      phase_of[f.cutoff] = phase;
      EXPECT_EQ(f.phase, phase);
    }
  }
  std::sort(every_phase.begin(), every_phase.end());
  // All phases in one plan: every row, each fold labelled with its grid's phase.
  spec.phase = kAllPhases;
  const FoldPlan all = plan_folds(dates, spec);
  EXPECT_EQ(cutoffs(all), every_phase);
  for (const Fold& f : all.folds) EXPECT_EQ(f.phase, phase_of.at(f.cutoff)) << format_date(f.cutoff);
  EXPECT_NE(describe(spec).find(" step_rows=5 phase=all "), std::string::npos) << describe(spec);
  spec.phase = 0;

  spec.schedule = CutoffSchedule::every_row;
  const FoldPlan daily = plan_folds(dates, spec);
  EXPECT_EQ(cutoffs(daily), every_phase);
  EXPECT_EQ(daily.folds.size(),
            static_cast<std::size_t>(std::count_if(dates.begin(), dates.end(), [&](Date d) {
              return d >= spec.start && d <= spec.end;
            })));
}

TEST(FoldPlan, RangeWithoutTradingDaysGivesAnEmptyPlan) {
  FoldPlanSpec spec;
  spec.start = day("2024-01-06");
  spec.end = day("2024-01-07");  // a weekend
  spec.min_train_rows = 1;
  const FoldPlan plan = plan_folds(business_days("2024-01-01", "2024-01-31"), spec);
  EXPECT_TRUE(plan.folds.empty());
  EXPECT_EQ(plan.scheduled, 0u);
  EXPECT_TRUE(plan_folds({}, spec).folds.empty());
}

// --- training windows

TEST(FoldPlan, ExpandingAndRollingWindowBounds) {
  const std::vector<Date>& dates = coffee_calendar();
  FoldPlanSpec spec = coffee_spec();
  spec.start = day("2020-06-01");  // early folds have < 1,500 and < 2,000 rows
  const FoldPlan expanding = plan_folds(dates, spec);
  spec.window = TrainingWindow::rolling;
  spec.window_rows = 2000;
  const FoldPlan rolling = plan_folds(dates, spec);

  ASSERT_GT(expanding.skipped_short, 0u);
  EXPECT_EQ(rolling.skipped_short, expanding.skipped_short);
  EXPECT_EQ(cutoffs(rolling), cutoffs(expanding));
  std::size_t short_windows = 0;
  for (std::size_t i = 0; i < rolling.folds.size(); ++i) {
    const Fold& e = expanding.folds[i];
    const Fold& r = rolling.folds[i];
    EXPECT_EQ(e.train_begin, 0u);
    EXPECT_EQ(e.train_rows(), e.cutoff_row + 1);
    EXPECT_EQ(r.train_end, e.train_end);
    EXPECT_EQ(r.train_rows(), std::min<std::size_t>(2000, r.cutoff_row + 1));
    short_windows += r.train_rows() < 2000;
  }
  EXPECT_GT(short_windows, 0u);                          // the window fills up ...
  EXPECT_EQ(rolling.folds.back().train_rows(), 2000u);   // ... and then slides
  EXPECT_EQ(rolling.folds.back().train_begin, dates.size() - 2000);
  expect_no_leakage(dates, expanding);
  expect_no_leakage(dates, rolling);
}

// --- refit cadences

class Cadence : public ::testing::Test {
 protected:
  // Daily cutoffs over a known 2022-2023 calendar.
  FoldPlan plan(RefitCadence cadence, CutoffSchedule schedule = CutoffSchedule::every_row) {
    FoldPlanSpec spec;
    spec.start = day("2022-03-15");
    spec.end = day("2023-09-20");
    spec.schedule = schedule;
    spec.min_train_rows = 1;
    spec.refit = cadence;
    FoldPlan p = plan_folds(dates, spec);
    expect_no_leakage(dates, p);
    return p;
  }
  const std::vector<Date> dates = business_days("2022-01-03", "2023-12-29");
};

TEST_F(Cadence, EveryFoldRefitsAndWarmStartsFromThePreviousFoldInItsChain) {
  const FoldPlan p = plan(RefitCadence::every_fold);
  EXPECT_EQ(p.refits(), p.folds.size());
  for (const Fold& f : p.folds) {
    EXPECT_EQ(f.chain, f.index / 8);
    EXPECT_EQ(f.warm_start_fold, f.index % 8 ? f.index - 1 : -1);
  }
}

TEST_F(Cadence, WeeklyRefitsOnTheFirstCutoffOfEachIsoWeek) {
  const FoldPlan p = plan(RefitCadence::weekly);
  std::set<Date> weeks;
  for (const Fold& f : p.folds) {
    const bool new_week = weeks.insert(f.cutoff - weekday(f.cutoff)).second;
    EXPECT_EQ(f.refit, new_week) << format_date(f.cutoff);
  }
  EXPECT_EQ(p.refits(), weeks.size());
  // 2022-03-15 is a Tuesday: the first week's fit is Tuesday's, then Mondays.
  EXPECT_EQ(refit_cutoffs(p)[0], day("2022-03-15"));
  EXPECT_EQ(refit_cutoffs(p)[1], day("2022-03-21"));
}

TEST_F(Cadence, MonthlyRefitsExactlyOncePerCalendarMonth) {
  for (const CutoffSchedule schedule : {CutoffSchedule::every_row, CutoffSchedule::weekly}) {
    const FoldPlan p = plan(RefitCadence::monthly, schedule);
    std::map<std::string, int> refits_per_month;
    for (const Fold& f : p.folds) {
      refits_per_month[month_of(f.cutoff)] += f.refit;
      EXPECT_EQ(month_of(p.folds[f.fit_fold].cutoff), month_of(f.cutoff));
    }
    EXPECT_EQ(refits_per_month.size(), 19u);  // 2022-03 .. 2023-09
    for (const auto& [month, refits] : refits_per_month) EXPECT_EQ(refits, 1) << month;
  }
}

TEST_F(Cadence, SemiannualRefitsAtHalfYearBoundaries) {
  const FoldPlan p = plan(RefitCadence::semiannual);
  EXPECT_EQ(refit_cutoffs(p), (std::vector<Date>{day("2022-03-15"), day("2022-07-01"),
                                                 day("2023-01-02"), day("2023-07-03")}));
  // Between refits the latest earlier fit is re-filtered, never re-estimated.
  for (const Fold& f : p.folds) {
    const Fold& fit = p.folds[f.fit_fold];
    EXPECT_TRUE(fit.refit);
    EXPECT_EQ(half_of(fit.cutoff), half_of(f.cutoff));
  }
}

TEST_F(Cadence, OnceRefitsTheFirstFoldOnly) {
  const FoldPlan p = plan(RefitCadence::once);
  EXPECT_EQ(refit_cutoffs(p), std::vector<Date>{p.folds.front().cutoff});
  for (const Fold& f : p.folds) EXPECT_EQ(f.fit_fold, 0);
  EXPECT_EQ(p.refits(), 1u);
}

// --- horizon targets

TEST(FoldPlan, HorizonTargetsPastTheDataAreNoRow) {
  const std::vector<Date> dates = business_days("2024-01-01", "2024-03-29");
  FoldPlanSpec spec;
  spec.start = dates.front();
  spec.end = dates.back();
  spec.min_train_rows = 1;
  spec.horizon = 14;
  const FoldPlan plan = plan_folds(dates, spec);
  ASSERT_EQ(plan.folds.size(), dates.size());
  for (std::size_t back = 0; back < 20; ++back) {
    const Fold& f = plan.folds[plan.folds.size() - 1 - back];
    EXPECT_EQ(f.horizon_rows_available, std::min<std::size_t>(back, 14));
    for (std::size_t h = 1; h <= 14; ++h)
      EXPECT_EQ(f.target_rows[h - 1], h <= back ? f.cutoff_row + h : kNoRow);
  }
  expect_no_leakage(dates, plan);
}

// --- spec validation and parsing

void expect_input_error(const FoldPlanSpec& spec, const std::string& field) {
  try {
    plan_folds(business_days("2024-01-01", "2024-01-31"), spec);
    ADD_FAILURE() << "no error for " << field;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), field) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(field + ": ", 0), 0u) << e.what();
  }
}

TEST(FoldPlanSpec, BadSettingsNameTheirField) {
  FoldPlanSpec spec;
  spec.start = day("2024-01-31");
  spec.end = day("2024-01-01");
  expect_input_error(spec, "start");

  spec = FoldPlanSpec{};
  spec.min_train_rows = 0;
  expect_input_error(spec, "min_train_rows");

  spec = FoldPlanSpec{};
  spec.horizon = 0;
  expect_input_error(spec, "horizon");
  spec.horizon = kMaxHorizon + 1;
  expect_input_error(spec, "horizon");
  spec.horizon = kMaxHorizon;
  EXPECT_NO_THROW(validate(spec));

  spec = FoldPlanSpec{};
  spec.schedule = CutoffSchedule::every_n_rows;
  spec.step_rows = 0;
  expect_input_error(spec, "step_rows");
  spec.step_rows = 7;
  spec.phase = 7;
  expect_input_error(spec, "phase");
  spec.phase = -2;
  expect_input_error(spec, "phase");
  spec.phase = kAllPhases;
  EXPECT_NO_THROW(validate(spec));
  spec.phase = 6;
  EXPECT_NO_THROW(validate(spec));
  spec.schedule = CutoffSchedule::weekly;  // step_rows is not used
  EXPECT_NO_THROW(validate(spec));

  spec = FoldPlanSpec{};
  spec.window = TrainingWindow::rolling;
  spec.window_rows = 1499;
  expect_input_error(spec, "window_rows");
}

TEST(FoldPlanSpec, DatesMustBeAscendingAndUnique) {
  FoldPlanSpec spec;
  spec.min_train_rows = 1;
  EXPECT_THROW(plan_folds({day("2024-01-02"), day("2024-01-02")}, spec), ContractError);
  EXPECT_THROW(plan_folds({day("2024-01-03"), day("2024-01-02")}, spec), ContractError);
}

TEST(FoldPlanSpec, ParsesNamesAndRejectsUnknownOnes) {
  EXPECT_EQ(parse_cutoff_schedule("every_row"), CutoffSchedule::every_row);
  EXPECT_EQ(parse_cutoff_schedule("every-n-rows"), CutoffSchedule::every_n_rows);
  EXPECT_EQ(parse_cutoff_schedule("weekly"), CutoffSchedule::weekly);
  EXPECT_EQ(parse_training_window("expanding"), TrainingWindow::expanding);
  EXPECT_EQ(parse_training_window("rolling"), TrainingWindow::rolling);
  EXPECT_EQ(parse_refit_cadence("every_fold"), RefitCadence::every_fold);
  EXPECT_EQ(parse_refit_cadence("weekly"), RefitCadence::weekly);
  EXPECT_EQ(parse_refit_cadence("monthly"), RefitCadence::monthly);
  EXPECT_EQ(parse_refit_cadence("semiannual"), RefitCadence::semiannual);
  EXPECT_EQ(parse_refit_cadence("semiannually"), RefitCadence::semiannual);
  EXPECT_EQ(parse_refit_cadence("once"), RefitCadence::once);
  for (const auto c : {RefitCadence::every_fold, RefitCadence::weekly, RefitCadence::monthly,
                       RefitCadence::semiannual, RefitCadence::once})
    EXPECT_EQ(parse_refit_cadence(cadence_name(c)), c);
  EXPECT_STREQ(cadence_name(RefitCadence::semiannual), "semiannual");

  try {
    parse_refit_cadence("fortnightly", "--refit");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "--refit: unknown cadence 'fortnightly' (expected every_fold, weekly, monthly, "
                 "semiannual, once)");
  }
  EXPECT_THROW(parse_cutoff_schedule("daily"), InputError);
  EXPECT_THROW(parse_training_window("sliding", "window"), InputError);
}

// --- resume checks

TEST(FoldPlanHash, DescribesTheSettingsThatShapeThePlan) {
  FoldPlanSpec spec = coffee_spec();
  spec.refit = RefitCadence::monthly;
  EXPECT_EQ(describe(spec),
            "start=2020-12-01 end=2024-12-31 schedule=weekly window=expanding min_train_rows=1500 "
            "horizon=7 refit=monthly warm_start_chain=8");
  spec.schedule = CutoffSchedule::every_n_rows;
  spec.window = TrainingWindow::rolling;
  spec.window_rows = 2000;
  EXPECT_EQ(describe(spec),
            "start=2020-12-01 end=2024-12-31 schedule=every_n_rows step_rows=5 window=rolling "
            "window_rows=2000 min_train_rows=1500 horizon=7 refit=monthly warm_start_chain=8");
  spec.phase = 3;  // named only when not 0: plans without a phase keep their hash
  EXPECT_EQ(describe(spec),
            "start=2020-12-01 end=2024-12-31 schedule=every_n_rows step_rows=5 phase=3 "
            "window=rolling window_rows=2000 min_train_rows=1500 horizon=7 refit=monthly "
            "warm_start_chain=8");
}

TEST(FoldPlanHash, StableAndSensitiveToWhatMatters) {
  const std::vector<Date>& dates = coffee_calendar();
  const FoldPlanSpec spec = coffee_spec();
  const std::uint64_t base = plan_hash(plan_folds(dates, spec));
  EXPECT_EQ(plan_hash(plan_folds(dates, spec)), base);
  // Pinned, and reproduced by scripts/backfill_reference.py's plan_hash()
  // over the same fields: a resumed run compares against hashes stored by
  // earlier builds.
  EXPECT_EQ(base, 0xbe4db97d65c35fdfull) << std::hex << base;

  FoldPlanSpec ignored = spec;
  ignored.step_rows = 9;  // weekly schedules do not use it
  EXPECT_EQ(plan_hash(plan_folds(dates, ignored)), base);

  FoldPlanSpec monthly = spec;
  monthly.refit = RefitCadence::monthly;
  EXPECT_NE(plan_hash(plan_folds(dates, monthly)), base);
  FoldPlanSpec longer = spec;
  longer.horizon = 14;
  EXPECT_NE(plan_hash(plan_folds(dates, longer)), base);
  // One more trading day changes the last week's cutoff and its targets.
  std::vector<Date> extended = dates;
  extended.push_back(day("2025-01-02"));
  EXPECT_NE(plan_hash(plan_folds(extended, spec)), base);
}

// --- sharding

void expect_balanced_partition(const FoldPlan& plan, int shards) {
  SCOPED_TRACE("shards " + std::to_string(shards));
  const std::vector<std::vector<int>> parts = partition_folds(plan.folds, shards);
  ASSERT_EQ(parts.size(), static_cast<std::size_t>(shards));
  EXPECT_EQ(partition_folds(plan.folds, shards), parts);  // deterministic

  std::vector<int> owner(plan.folds.size(), -1);
  std::vector<std::uint64_t> load(shards, 0);
  for (int s = 0; s < shards; ++s) {
    EXPECT_TRUE(std::is_sorted(parts[s].begin(), parts[s].end()));
    for (const int i : parts[s]) {
      ASSERT_EQ(owner[i], -1) << "fold " << i << " assigned twice";
      owner[i] = s;
      load[s] += fold_cost(plan.folds[i]);
    }
  }
  for (const Fold& f : plan.folds) {
    ASSERT_NE(owner[f.index], -1) << "fold " << f.index << " not assigned";
    EXPECT_EQ(owner[f.index], owner[f.fit_fold]) << "fold " << f.index << " away from its fit";
  }
  // Group costs: a warm-start chain's folds.
  std::vector<std::uint64_t> group_cost;
  for (const Fold& f : plan.folds) {
    if (f.warm_start_fold >= 0) {
      EXPECT_EQ(owner[f.index], owner[f.warm_start_fold]) << "fold " << f.index;
    }
    if (f.index == 0 || f.chain != plan.folds[f.index - 1].chain) group_cost.push_back(0);
    group_cost.back() += fold_cost(f);
  }
  std::uint64_t total = 0, largest = 0;
  for (const std::uint64_t c : group_cost) total += c, largest = std::max(largest, c);
  const auto [lightest, heaviest] = std::minmax_element(load.begin(), load.end());
  // Greedy list scheduling: the heaviest shard's last group went to the
  // lightest shard of its time, so no shard exceeds another by more than one group.
  EXPECT_LE(*heaviest, *lightest + largest);
  const double mean = static_cast<double>(total) / shards;
  // With many chains per shard, LPT evens the load out (measured: within
  // 6.1% on these plans; indivisible chains make fewer ones lumpier).
  if (group_cost.size() >= 8 * static_cast<std::size_t>(shards)) {
    EXPECT_LE(static_cast<double>(*heaviest), 1.08 * mean);
  }
}

TEST(PartitionFolds, CoversEveryFoldOnceAndBalancesCost) {
  const std::vector<Date>& dates = coffee_calendar();
  FoldPlanSpec spec = coffee_spec();
  for (const RefitCadence cadence : {RefitCadence::every_fold, RefitCadence::weekly,
                                     RefitCadence::monthly, RefitCadence::semiannual}) {
    spec.refit = cadence;
    spec.schedule = CutoffSchedule::every_row;
    const FoldPlan plan = plan_folds(dates, spec);
    SCOPED_TRACE(cadence_name(cadence));
    for (const int shards : {1, 3, 7, 16, 64}) expect_balanced_partition(plan, shards);
  }
}

TEST(PartitionFolds, LongestFirstToTheLightestShard) {
  // Five refit folds training on 1..5 rows cost 100..500.
  const std::vector<Date> dates = business_days("2024-01-01", "2024-01-05");
  FoldPlanSpec spec;
  spec.start = dates.front();
  spec.end = dates.back();
  spec.min_train_rows = 1;
  spec.warm_start_chain = 1;  // every refit its own chain
  const FoldPlan plan = plan_folds(dates, spec);
  ASSERT_EQ(plan.folds.size(), 5u);
  EXPECT_EQ(fold_cost(plan.folds[4]), 5 * kRefitCostRatio);
  // 500 -> 0, 400 -> 1, 300 -> 1 (400 < 500), 200 -> 0 (500 < 700),
  // 100 -> 0 (a 700/700 tie goes to the lower shard).
  EXPECT_EQ(partition_folds(plan.folds, 2), (std::vector<std::vector<int>>{{0, 1, 4}, {2, 3}}));

  spec.refit = RefitCadence::weekly;  // one group: 1 fit + 4 re-filters
  const FoldPlan weekly = plan_folds(dates, spec);
  EXPECT_EQ(fold_cost(weekly.folds[4]), 5u);
  EXPECT_EQ(partition_folds(weekly.folds, 2),
            (std::vector<std::vector<int>>{{0, 1, 2, 3, 4}, {}}));
}

TEST(PartitionPlans, ChainsOfEverySeriesCompeteWeightedByTheirModels) {
  // Two series of five single-fold chains (costs 100..500 each); the second
  // runs three models, the first one.
  const std::vector<Date> dates = business_days("2024-01-01", "2024-01-05");
  FoldPlanSpec spec;
  spec.start = dates.front();
  spec.end = dates.back();
  spec.min_train_rows = 1;
  spec.warm_start_chain = 1;
  const FoldPlan plan = plan_folds(dates, spec);
  const auto parts = partition_plans({&plan.folds, &plan.folds}, {1, 3}, 2);
  ASSERT_EQ(parts.size(), 2u);
  // Weighted costs: series 1's chains 1500..300, series 0's 500..100. The
  // costliest goes to shard 0, the next to shard 1; every fold lands once
  // and the loads end within one unit of each other.
  std::vector<std::vector<int>> owner(2, std::vector<int>(5, -1));
  std::uint64_t load[2] = {0, 0};
  for (int shard = 0; shard < 2; ++shard)
    for (int p = 0; p < 2; ++p)
      for (const int f : parts[shard][p]) {
        ASSERT_EQ(owner[p][f], -1);
        owner[p][f] = shard;
        load[shard] += fold_cost(plan.folds[f]) * (p == 0 ? 1 : 3);
      }
  for (int p = 0; p < 2; ++p)
    for (int f = 0; f < 5; ++f) EXPECT_NE(owner[p][f], -1) << p << "," << f;
  EXPECT_EQ(owner[1][4], 0);  // the costliest unit first, to shard 0
  EXPECT_EQ(owner[1][3], 1);
  EXPECT_LE(std::max(load[0], load[1]) - std::min(load[0], load[1]), 500u);
  // One plan of weight 1 is partition_folds.
  const auto single = partition_plans({&plan.folds}, {1}, 2);
  EXPECT_EQ(single[0][0], partition_folds(plan.folds, 2)[0]);
  EXPECT_EQ(single[1][0], partition_folds(plan.folds, 2)[1]);
}

TEST(PartitionFolds, RejectsBadInput) {
  const FoldPlan plan = plan_folds(coffee_calendar(), coffee_spec());
  EXPECT_THROW(partition_folds(plan.folds, 0), ContractError);
  // A re-filter fold cut off from its fit fold.
  FoldPlanSpec spec = coffee_spec();
  spec.refit = RefitCadence::monthly;
  std::vector<Fold> folds = plan_folds(coffee_calendar(), spec).folds;
  folds.erase(folds.begin());
  for (std::size_t i = 0; i < folds.size(); ++i) folds[i].index = static_cast<int>(i);
  EXPECT_THROW(partition_folds(folds, 2), ContractError);
  EXPECT_TRUE(partition_folds({}, 4) == std::vector<std::vector<int>>(4));
}

}  // namespace
}  // namespace arabica
