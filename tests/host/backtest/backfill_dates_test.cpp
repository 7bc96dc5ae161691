// The store's forecast_date is the date of the price each forecast is scored
// against (issue 12, defect 3): the data's own trading calendar, holidays
// included, then business days past the data's last row.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "arabica/backfill.hpp"
#include "store/h5_handles.hpp"

namespace arabica {
namespace {

namespace fs = std::filesystem;

class BackfillDates : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("arabica_backfill_dates_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Lays out the store of a naive backfill and returns its layout; the dates
  // and actuals are written at creation, no fold needs to run.
  // --calendar has no effect on backfill dates: neither value may change them.
  StoreLayout lay_out(const Series& series, FoldPlanSpec plan_spec, const FoldPlan** plan_out,
                      ForecastCalendar calendar = ForecastCalendar::calendar) {
    BackfillConfig config;
    config.models.push_back(parse_backtest_model("naive", SarimaxSpec{}));
    config.plan = plan_spec;
    config.calendar = calendar;
    plan_ = plan_folds(series.dates, config.plan);
    *plan_out = &plan_;
    StoreLayout layout = backfill_layout(config, series, plan_);
    BackfillStore::create(store(), layout).close();
    return layout;
  }
  std::string store() const { return (dir_ / "dates.h5").string(); }

  template <class T>
  std::vector<T> read(const std::string& name, hid_t type) const {
    const h5::File file(H5Fopen(store().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), store(), "open");
    const h5::Dataset ds(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), store(), name);
    const h5::Dataspace space(H5Dget_space(ds.get()), store(), name);
    std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
    h5::check(H5Dread(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), store(), name);
    return out;
  }

  // Every stored (fold, day) date is the date of the row whose price is in
  // `actual`; past the data, consecutive business days after its last date.
  void expect_dates_match_actuals(const Series& series, const FoldPlan& plan) {
    const auto dates = read<std::int32_t>("forecast_date", H5T_NATIVE_INT32);
    const auto actual = read<double>("actual", H5T_NATIVE_DOUBLE);
    const int H = plan.spec.horizon;
    ASSERT_EQ(dates.size(), plan.folds.size() * H);
    std::map<Date, std::size_t> row_of;
    for (std::size_t r = 0; r < series.rows(); ++r) row_of[series.dates[r]] = r;
    std::size_t scored = 0, beyond = 0;
    for (const Fold& fold : plan.folds)
      for (int h = 0; h < H; ++h) {
        const std::size_t i = static_cast<std::size_t>(fold.index) * H + h;
        const Date date = dates[i];
        const std::string where = "fold " + format_date(fold.cutoff) + " day " + std::to_string(h + 1);
        if (std::isnan(actual[i])) {
          ++beyond;
          const Date before = h == 0 ? fold.cutoff : dates[i - 1];
          EXPECT_GT(date, series.dates.back()) << where;
          EXPECT_EQ(date, next_business_day(std::max(before, series.dates.back()))) << where;
          continue;
        }
        ++scored;
        const auto row = row_of.find(date);
        ASSERT_NE(row, row_of.end()) << where << ": " << format_date(date) << " is no data row";
        EXPECT_EQ(row->second, fold.cutoff_row + h + 1) << where;
        EXPECT_EQ(series.target[static_cast<Eigen::Index>(row->second)], actual[i]) << where;
      }
    EXPECT_GT(scored, 0u);
    EXPECT_GT(beyond, 0u);  // the last folds run past the data
  }

  fs::path dir_;
  FoldPlan plan_;
};

Series load(const std::string& path, const std::string& target) {
  CsvSpec spec;
  spec.path = path;
  spec.target_column = target;
  return read_series_csv(spec);
}

TEST_F(BackfillDates, CoffeeLikeTestDataEveryDateIsTheScoredRow) {
  const Series series = load(ARABICA_TEST_DATA_DIR "/synthetic_arimax.csv", "close");
  FoldPlanSpec spec;
  spec.start = series.dates[150];
  spec.end = series.dates.back();
  spec.schedule = CutoffSchedule::weekly;
  spec.min_train_rows = 100;
  spec.horizon = 7;
  const FoldPlan* plan = nullptr;
  lay_out(series, spec, &plan);
  expect_dates_match_actuals(series, *plan);
  // A Friday cutoff's first day is the next Monday's close, not Saturday.
  const auto dates = read<std::int32_t>("forecast_date", H5T_NATIVE_INT32);
  for (const Fold& fold : plan->folds) {
    if (weekday(fold.cutoff) != 4 || fold.cutoff_row + 1 >= series.rows()) continue;
    EXPECT_EQ(weekday(dates[static_cast<std::size_t>(fold.index) * spec.horizon]), 0);
  }
}

TEST_F(BackfillDates, RealCoffeeDataEveryDateIsTheScoredRow) {
  const std::string csv = ARABICA_SHARED_DATA_DIR "/coffee_kc_daily_features_2015_2024.csv";
  if (!fs::exists(csv)) GTEST_SKIP() << "no " << csv;
  const Series series = load(csv, "close");
  FoldPlanSpec spec;
  spec.start = *parse_date("2020-12-01");
  spec.end = *parse_date("2024-12-31");
  spec.schedule = CutoffSchedule::weekly;
  const FoldPlan* plan = nullptr;
  lay_out(series, spec, &plan);
  expect_dates_match_actuals(series, *plan);
  // Cutoff Fri 2020-12-18: day 1 holds Mon 12-21's close.
  const auto dates = read<std::int32_t>("forecast_date", H5T_NATIVE_INT32);
  const auto first = std::find_if(plan->folds.begin(), plan->folds.end(), [](const Fold& f) {
    return f.cutoff == *parse_date("2020-12-18");
  });
  ASSERT_NE(first, plan->folds.end());
  EXPECT_EQ(format_date(dates[static_cast<std::size_t>(first->index) * spec.horizon]), "2020-12-21");
}

// Business days without 2020-12-25 and 2021-01-01 (exchange holidays).
Series holiday_series() {
  Series s;
  s.source = "holidays";
  s.target_name = "close";
  for (Date day = *parse_date("2020-06-01"); day <= *parse_date("2021-01-08"); ++day)
    if (weekday(day) < 5 && day != *parse_date("2020-12-25") && day != *parse_date("2021-01-01"))
      s.dates.push_back(day);
  s.target = Eigen::VectorXd::LinSpaced(static_cast<Eigen::Index>(s.dates.size()), 100.0, 200.0);
  s.exog.resize(s.target.size(), 0);
  return s;
}

TEST_F(BackfillDates, HolidaysAreSkippedAndThePastDataIsBusinessDays) {
  const Series series = holiday_series();
  FoldPlanSpec spec;
  spec.start = *parse_date("2020-12-21");
  spec.end = series.dates.back();
  spec.schedule = CutoffSchedule::every_row;
  spec.min_train_rows = 50;
  spec.horizon = 5;
  const FoldPlan* plan = nullptr;
  lay_out(series, spec, &plan, ForecastCalendar::business);
  expect_dates_match_actuals(series, *plan);
  const auto dates = read<std::int32_t>("forecast_date", H5T_NATIVE_INT32);
  const auto day_dates = [&](const char* cutoff) {
    std::vector<std::string> out;
    for (const Fold& fold : plan->folds)
      if (fold.cutoff == *parse_date(cutoff))
        for (int h = 0; h < spec.horizon; ++h)
          out.push_back(format_date(dates[static_cast<std::size_t>(fold.index) * spec.horizon + h]));
    return out;
  };
  EXPECT_EQ(day_dates("2020-12-24"), (std::vector<std::string>{"2020-12-28", "2020-12-29",
                                                                "2020-12-30", "2020-12-31",
                                                                "2021-01-04"}));
  // Cutoff Wed 2021-01-06: two data rows, then Monday..Wednesday after Fri 01-08.
  EXPECT_EQ(day_dates("2021-01-06"), (std::vector<std::string>{"2021-01-07", "2021-01-08",
                                                                "2021-01-11", "2021-01-12",
                                                                "2021-01-13"}));
}

}  // namespace
}  // namespace arabica
