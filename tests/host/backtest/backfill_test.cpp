#include "arabica/backfill.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "arabica/error.hpp"
#include "arabica/innovation_estimation.hpp"
#include "arabica/model_variant.hpp"
#include "model/simulate_arima.hpp"

namespace arabica {
namespace {

namespace fs = std::filesystem;

// A priced series (levels around 100) with two covariates on business days.
Series synthetic_series(int n = 260, unsigned seed = 5) {
  const auto data = testing::simulate_arima(n, 0.4, 0.2, 1.0, 1, Eigen::Vector2d(0.8, -0.5), seed);
  Series s;
  s.source = "synthetic";
  s.target_name = "close";
  s.target = data.y.array() + 100.0;
  s.exog_names = {"x1", "x2"};
  s.exog = data.exog;
  Date day = *parse_date("2020-01-01");
  for (int t = 0; t < n; ++t) {
    while (weekday(day) >= 5) ++day;  // Saturday, Sunday
    s.dates.push_back(day++);
  }
  return s;
}

BackfillConfig small_config(const Series& series) {
  BackfillConfig config;
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "0,0,0,0", "n");
  for (const char* name : {"sarimax", "naive", "drift"})
    config.models.push_back(parse_backtest_model(name, spec));
  config.plan.start = series.dates[199];
  config.plan.end = series.dates.back();
  config.plan.min_train_rows = 150;
  config.plan.horizon = 5;
  config.plan.warm_start_chain = 4;
  config.paths = 3000;
  config.stored_paths = 4;
  config.innovations = "student_t";
  config.device = "cpu";
  return config;
}

class Backfill : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("arabica_backfill_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  // Runs config into a new store and returns what it holds.
  StoredForecasts run(const Series& series, const BackfillConfig& config, const std::string& name,
                      BackfillSummary* summary = nullptr) {
    const FoldPlan plan = plan_folds(series.dates, config.plan);
    BackfillStore store = BackfillStore::create(file(name), backfill_layout(config, series, plan));
    const BackfillSummary s = run_backfill(series, config, plan, store);
    if (summary) *summary = s;
    StoredForecasts stored = store.read_forecasts();
    store.close();
    return stored;
  }

  fs::path dir_;
};

void expect_same(const StoredForecasts& a, const StoredForecasts& b) {
  EXPECT_EQ(a.forecast_mean, b.forecast_mean);
  EXPECT_EQ(a.forecast_std, b.forecast_std);
  EXPECT_EQ(a.p_up, b.p_up);
  // NaN for days past the data: compare bit patterns by position.
  ASSERT_EQ(a.crps.size(), b.crps.size());
  for (std::size_t i = 0; i < a.crps.size(); ++i)
    EXPECT_TRUE(a.crps[i] == b.crps[i] || (std::isnan(a.crps[i]) && std::isnan(b.crps[i]))) << i;
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.fold_complete, b.fold_complete);
}

// --- baselines

TEST(BacktestModel, NamesAndSpecs) {
  const SarimaxSpec defaults = SarimaxSpec::from_strings("1,1,1", "0,0,0,0", "n");
  EXPECT_EQ(parse_backtest_model("sarimax", defaults).name, "sarimax(1,1,1)");
  EXPECT_EQ(parse_backtest_model("sarimax:2,1,0:1,0,1,5:c", defaults).name,
            "sarimax(2,1,0)(1,0,1,5)+c");
  const BacktestModel naive = parse_backtest_model("naive", defaults);
  EXPECT_EQ(naive.kind, ModelKind::naive);
  EXPECT_FALSE(naive.uses_exog());
  EXPECT_THROW(parse_backtest_model("arima", defaults), InputError);
  EXPECT_THROW(parse_backtest_model("sarimax:1,x,1", defaults), InputError);
}

TEST(BacktestModel, VariantOptionsFollowTheOrders) {
  const SarimaxSpec defaults = SarimaxSpec::from_strings("1,1,1", "0,0,0,0", "n");
  const BacktestModel m = parse_backtest_model("sarimax:1,1,1:log:student_t:ewma", defaults);
  EXPECT_EQ(m.name, "sarimax(1,1,1)+log+student_t+ewma");
  EXPECT_EQ(m.transform, PriceTransform::log);
  EXPECT_EQ(m.volatility, VolatilityModel::ewma);
  EXPECT_EQ(m.innovations, "student_t");
  EXPECT_EQ(parse_backtest_model("sarimax:2,1,0:c:bootstrap", defaults).name,
            "sarimax(2,1,0)+c+bootstrap");
  EXPECT_EQ(parse_backtest_model("sarimax:log", defaults).name, "sarimax(1,1,1)+log");
  const BacktestModel naive = parse_backtest_model("naive:ewma:log", defaults);
  EXPECT_EQ(naive.name, "naive+ewma+log");
  EXPECT_EQ(naive.kind, ModelKind::naive);
  EXPECT_EQ(parse_backtest_model("naive", defaults).transform, PriceTransform::none);
  EXPECT_EQ(naive.ewma_lambda, 0.94);
  const BacktestModel slow = parse_backtest_model("sarimax:ewma=0.97", defaults);
  EXPECT_EQ(slow.name, "sarimax(1,1,1)+ewma=0.97");
  EXPECT_EQ(slow.ewma_lambda, 0.97);
  const BacktestModel box_cox = parse_backtest_model("sarimax:boxcox=0.5:ewma", defaults);
  EXPECT_EQ(box_cox.name, "sarimax(1,1,1)+boxcox=0.5+ewma");
  EXPECT_EQ(box_cox.transform, PriceTransform::box_cox);
  EXPECT_EQ(box_cox.box_cox_lambda, 0.5);
  for (const char* bad : {"sarimax:boxcox=0", "sarimax:boxcox=1.5", "sarimax:boxcox=-0.5",
                          "sarimax:boxcox=", "sarimax:log:boxcox=0.5"}) {
    try {
      parse_backtest_model(bad, defaults);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_TRUE(what.find("boxcox's lambda") != std::string::npos ||
                  what.find("two price transforms") != std::string::npos)
          << what;
    }
  }
  const BacktestModel windowed = parse_backtest_model("sarimax:1,1,1:c:log:window=750", defaults);
  EXPECT_EQ(windowed.name, "sarimax(1,1,1)+c+log+window=750");
  EXPECT_EQ(windowed.window_rows, 750);
  EXPECT_EQ(parse_backtest_model("naive", defaults).window_rows, 0);  // the fold's window
  for (const char* bad : {"sarimax:window=1", "sarimax:window=", "sarimax:window=7.5",
                          "sarimax:window=10:window=20", "naive:window=-3"}) {
    try {
      parse_backtest_model(bad, defaults);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("training window"), std::string::npos) << e.what();
    }
  }
  for (const char* bad : {"sarimax:1,1,1:log:log", "sarimax:1,1,1:normal:student_t",
                          "sarimax:1,1,1:ewma:garch", "naive:1,1,1", "naive:c", "sarimax:log:1,1,1",
                          "sarimax:1,1,1:ewma:c", "sarimax:1,1,1:0,0,0,5:1,0,0,5", "sarimax:ewma=1",
                          "sarimax:ewma=0.9x", "sarimax:ewma="}) {
    try {
      parse_backtest_model(bad, defaults);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--model"), std::string::npos) << e.what();
    }
  }
}

TEST(BacktestModel, NaiveForecastsTheLastPriceWithRandomWalkSpread) {
  const Series s = synthetic_series();
  const BacktestModel naive =
      parse_backtest_model("naive", SarimaxSpec::from_strings("1,1,1", "0,0,0,0", "n"));
  const SarimaxFit fit = fit_baseline(naive, s.target);
  const Eigen::ArrayXd steps = (s.target.tail(s.rows() - 1) - s.target.head(s.rows() - 1)).array();
  const double sigma2 = steps.square().mean();
  EXPECT_NEAR(fit.params[0], sigma2, 1e-12 * sigma2);
  const Forecast f = forecast_sarimax(fit, Eigen::MatrixXd(7, 0), 7);
  for (int h = 0; h < 7; ++h) {
    EXPECT_NEAR(f.mean[h], s.target[s.rows() - 1], 1e-9);
    EXPECT_NEAR(f.std_error[h], std::sqrt(sigma2 * (h + 1)), 1e-9);
  }
}

TEST(BacktestModel, DriftExtendsTheMeanStep) {
  const Series s = synthetic_series();
  const BacktestModel drift =
      parse_backtest_model("drift", SarimaxSpec::from_strings("1,1,1", "0,0,0,0", "n"));
  const SarimaxFit fit = fit_baseline(drift, s.target);
  const double n = static_cast<double>(s.rows());
  const double step = (s.target[s.rows() - 1] - s.target[0]) / (n - 1);
  EXPECT_NEAR(fit.params[0], step, 1e-12);
  const Forecast f = forecast_sarimax(fit, Eigen::MatrixXd(7, 0), 7);
  for (int h = 0; h < 7; ++h) EXPECT_NEAR(f.mean[h], s.target[s.rows() - 1] + (h + 1) * step, 1e-9);
  EXPECT_THROW(fit_baseline(drift, Eigen::VectorXd::Ones(1)), InputError);
}

// --- runs

TEST_F(Backfill, ResultsDoNotDependOnThreadsOrShards) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.threads = 1;
  BackfillSummary summary;
  const StoredForecasts one = run(series, config, "one.h5", &summary);
  EXPECT_EQ(summary.folds_run, 61);
  EXPECT_EQ(summary.counts[0].trained, 61);
  config.threads = 3;
  expect_same(one, run(series, config, "three.h5"));

  // Two shards into two stores: each holds its own folds, together all.
  config.num_shards = 2;
  std::vector<StoredForecasts> shards;
  for (int k = 0; k < 2; ++k) {
    config.shard = k;
    shards.push_back(run(series, config, "shard" + std::to_string(k) + ".h5"));
  }
  const int F = one.folds, H = one.horizon;
  for (int f = 0; f < F; ++f) {
    const int owner = shards[0].fold_complete[f] ? 0 : 1;
    ASSERT_TRUE(shards[owner].fold_complete[f]) << "fold " << f;
    EXPECT_FALSE(shards[1 - owner].fold_complete[f]) << "fold " << f << " ran twice";
    for (int m = 0; m < one.models; ++m)
      for (int h = 0; h < H; ++h)
        EXPECT_EQ(shards[owner].at(shards[owner].forecast_mean, m, f, h),
                  one.at(one.forecast_mean, m, f, h));
  }
}

// Monte Carlo batches of several (series, chain) units, across series: the
// stores equal those of batches of one unit.
TEST_F(Backfill, BatchesThatSpanSeriesGiveTheSameStores) {
  const Series a = synthetic_series(260, 5), b = synthetic_series(240, 9);
  const auto stores_with = [&](double batch_path_steps, int threads, const std::string& tag) {
    std::vector<Series> series{a, b};
    std::vector<FoldPlan> plans;
    std::vector<BackfillStore> stores;
    std::vector<BackfillJob> jobs;
    for (std::size_t i = 0; i < series.size(); ++i) {
      BackfillConfig config = small_config(series[i]);
      config.series_name = i == 0 ? "A" : "B";
      config.series_key = series_key_of(config.series_name);
      config.threads = threads;
      config.batch_path_steps = batch_path_steps;
      plans.push_back(plan_folds(series[i].dates, config.plan));
      stores.push_back(BackfillStore::create(file(tag + config.series_name + ".h5"),
                                             backfill_layout(config, series[i], plans.back())));
      jobs.push_back({nullptr, config, nullptr, nullptr});
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      jobs[i].series = &series[i];
      jobs[i].plan = &plans[i];
      jobs[i].store = &stores[i];
    }
    run_backfills(jobs);
    std::vector<StoredForecasts> stored;
    for (BackfillStore& store : stores) {
      stored.push_back(store.read_forecasts());
      store.close();
    }
    return stored;
  };
  const std::vector<StoredForecasts> one_unit = stores_with(0.0, 1, "unit");
  ASSERT_EQ(one_unit.size(), 2u);
  EXPECT_EQ(one_unit[0].fold_complete, std::vector<std::int8_t>(one_unit[0].folds, 1));
  // Everything in one batch (one thread), then batches of a few units on two.
  const std::vector<StoredForecasts> all = stores_with(1e15, 1, "all");
  const std::vector<StoredForecasts> some = stores_with(3000.0 * 5 * 3 * 6, 2, "some");
  for (std::size_t i = 0; i < 2; ++i) {
    expect_same(one_unit[i], all[i]);
    expect_same(one_unit[i], some[i]);
  }
}

TEST_F(Backfill, ReFilterFoldsUseTheirRefitsParameters) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.plan.refit = RefitCadence::monthly;
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  BackfillStore store = BackfillStore::create(file("monthly.h5"), backfill_layout(config, series, plan));
  const BackfillSummary summary = run_backfill(series, config, plan, store);
  EXPECT_EQ(summary.counts[0].trained, static_cast<int>(plan.refits()));
  EXPECT_EQ(summary.counts[0].refiltered, static_cast<int>(plan.folds.size() - plan.refits()));
  for (const Fold& fold : plan.folds) {
    EXPECT_EQ(store.status(0, fold.index), fold.refit ? FoldStatus::trained : FoldStatus::refiltered);
    EXPECT_EQ(store.params(0, fold.index), store.params(0, fold.fit_fold)) << fold.index;
  }
  store.close();
}

// The registry's parameter covariance (--registry-cov): each refit's, the
// one sarimax_parameter_covariance gives at its parameters on its training
// window; none for re-filters and baselines, none laid out by default.
TEST_F(Backfill, TheRegistryKeepsEachRefitsParameterCovarianceWhenAsked) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.plan.refit = RefitCadence::monthly;
  config.paths = 200;
  config.registry_covariance = CovarianceType::opg;
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  const StoreLayout layout = backfill_layout(config, series, plan);
  EXPECT_NE(layout.text_attribute("config").find("\"registry_cov\":\"opg\""), std::string::npos);
  BackfillStore store = BackfillStore::create(file("registry.h5"), layout);
  run_backfill(series, config, plan, store);
  int refits = 0;
  for (const Fold& fold : plan.folds) {
    const ModelFoldResult r = store.read(0, fold.index);
    EXPECT_EQ(store.param_covariance(1, fold.index).size(), 0);  // naive
    if (!fold.refit) {
      EXPECT_EQ(r.param_covariance.size(), 0) << fold.index;
      continue;
    }
    ++refits;
    const auto begin = static_cast<Eigen::Index>(fold.train_begin);
    const auto rows = static_cast<Eigen::Index>(fold.train_end) - begin;
    ASSERT_EQ(r.train_rows, rows);
    const SarimaxSpec& spec = config.models[0].spec;
    const Eigen::MatrixXd expected = sarimax_parameter_covariance(
        spec, series.target.segment(begin, rows), series.exog.middleRows(begin, rows), r.params, CovarianceType::opg);
    ASSERT_EQ(r.param_covariance.rows(), r.params.size());
    EXPECT_EQ(r.param_covariance, expected) << fold.index;
    EXPECT_TRUE((r.param_covariance.diagonal().array() > 0).all()) << fold.index;
  }
  EXPECT_EQ(refits, static_cast<int>(plan.refits()));
  store.close();
  BackfillConfig plain = small_config(series);
  EXPECT_FALSE(backfill_layout(plain, series, plan).param_covariance);
  EXPECT_EQ(backfill_layout(plain, series, plan).text_attribute("config").find("registry_cov"), std::string::npos);
}

// Variant options: a log model is fitted on log prices and its forecasts
// and paths are in prices; EWMA scales the horizon's shocks by the
// volatility filtered at the cutoff; the paths' PIT is stored.
TEST_F(Backfill, VariantsAreFittedOnTheirScaleAndSimulatedInPrices) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.models.clear();
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "0,0,0,0", "n");
  for (const char* name : {"naive:log", "naive:ewma", "sarimax:1,1,1:log:bootstrap:ewma", "naive:garch",
                           "naive:boxcox=0.5"})
    config.models.push_back(parse_backtest_model(name, spec));
  config.paths = 20000;
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  const StoreLayout layout = backfill_layout(config, series, plan);
  BackfillStore store = BackfillStore::create(file("variants.h5"), layout);
  const BackfillSummary summary = run_backfill(series, config, plan, store);
  for (const ModelCounts& c : summary.counts) EXPECT_EQ(c.failed, 0);
  const StoredForecasts stored = store.read_forecasts();
  for (const Fold& fold : plan.folds) {
    const Eigen::VectorXd window = series.target.segment(static_cast<Eigen::Index>(fold.train_begin),
                                                         static_cast<Eigen::Index>(fold.train_rows()));
    const double last = window[window.size() - 1];
    // naive:log: a geometric random walk, sigma2 the mean squared log step.
    const SarimaxFit log_walk = fit_baseline(config.models[0], Eigen::VectorXd(window.array().log()));
    const double s2 = log_walk.params[0];
    const ModelFoldResult log_result = store.read(0, fold.index);
    for (int h = 0; h < 5; ++h) {
      const double mean = last * std::exp(0.5 * (h + 1) * s2);
      EXPECT_NEAR(log_result.forecast.mean[h], mean, 1e-9 * mean) << fold.index;
      EXPECT_NEAR(log_result.forecast.median[h], last, 1e-12 * last);  // exp(log(last))
      EXPECT_NEAR(log_result.forecast.lower_95[h], last * std::exp(-1.959963984540054 * std::sqrt((h + 1) * s2)),
                  1e-6 * last);
      // The paths in prices: their mean is the lognormal mean, their median the last price.
      const double se = log_result.stats.std[h] / std::sqrt(20000.0);
      EXPECT_NEAR(log_result.stats.mean[h], mean, 4 * se) << fold.index << " day " << h;
      EXPECT_NEAR(log_result.stats.quantiles(h, quantile_index(0.50)), last, 0.05 * last * std::sqrt(s2 * (h + 1)));
    }
    // naive:ewma: day 1's spread is the EWMA volatility of the steps at the cutoff.
    const SarimaxFit walk = fit_baseline(config.models[1], window);
    const double sigma_next = ewma_volatility(walk.innovation_residuals()).next;
    const ModelFoldResult ewma_result = store.read(1, fold.index);
    EXPECT_NEAR(ewma_result.forecast.std_error[0], sigma_next, 1e-9 * sigma_next) << fold.index;
    // A random walk's day h under a flat EWMA volatility: h shocks of sd sigma_next.
    for (int h = 0; h < 5; ++h)
      EXPECT_NEAR(ewma_result.stats.std[h], sigma_next * std::sqrt(h + 1.0), 0.03 * sigma_next * std::sqrt(h + 1.0))
          << fold.index << " day " << h + 1;
    // naive:garch: day 1's spread is the GARCH volatility filtered to the cutoff.
    const double garch_next = garch_filter(fit_garch11(walk.innovation_residuals()), walk.innovation_residuals()).next;
    const ModelFoldResult garch_result = store.read(3, fold.index);
    EXPECT_NEAR(garch_result.forecast.std_error[0], garch_next, 1e-9 * garch_next) << fold.index;
    EXPECT_NEAR(garch_result.stats.std[0], garch_next, 0.03 * garch_next) << fold.index;
    // The fitted family and volatility, per fold.
    EXPECT_EQ(log_result.volatility, "constant");
    EXPECT_EQ(log_result.innovations.rfind("student_t(", 0), 0u) << log_result.innovations;  // the run's
    EXPECT_EQ(ewma_result.volatility.rfind("ewma(lambda=0.94, sigma_next=", 0), 0u) << ewma_result.volatility;
    EXPECT_EQ(garch_result.volatility.rfind("garch(omega=", 0), 0u) << garch_result.volatility;
    EXPECT_EQ(store.read(2, fold.index).innovations.rfind("bootstrap", 0), 0u);
    // ... and as numbers: the family's shape, the volatility model's parameters.
    EXPECT_GT(log_result.fitted.nu, 2.0);
    EXPECT_TRUE(std::isnan(log_result.fitted.ewma_lambda));
    EXPECT_EQ(log_result.fitted.volatility_ratio, 1.0);
    EXPECT_EQ(ewma_result.fitted.ewma_lambda, 0.94);
    EXPECT_NEAR(ewma_result.fitted.volatility_ratio, sigma_next / std::sqrt(walk.params[0]), 1e-12);
    const Garch11 garch = fit_garch11(walk.innovation_residuals());
    EXPECT_EQ(garch_result.fitted.garch_alpha, garch.alpha);
    EXPECT_EQ(garch_result.fitted.garch_beta, garch.beta);
    EXPECT_TRUE(std::isnan(store.read(2, fold.index).fitted.nu));  // bootstrap: no shape parameter
    // naive:boxcox=0.5: a random walk of sqrt-like values; its median is the last price.
    const ModelFoldResult box_cox = store.read(4, fold.index);
    for (int h = 0; h < 5; ++h) {
      EXPECT_NEAR(box_cox.forecast.median[h], last, 1e-9 * last);
      EXPECT_GT(box_cox.forecast.mean[h], box_cox.forecast.median[h]);  // convex map: mean above median
      const double se = box_cox.stats.std[h] / std::sqrt(20000.0);
      EXPECT_NEAR(box_cox.stats.mean[h], box_cox.forecast.mean[h], 4 * se) << fold.index << " day " << h;
      EXPECT_NEAR(box_cox.stats.std[h], box_cox.forecast.std_error[h], 0.03 * box_cox.forecast.std_error[h]);
    }
    // A Gaussian forecast's median is its mean.
    EXPECT_EQ(stored.at(stored.forecast_median, 1, fold.index, 0), stored.at(stored.forecast_mean, 1, fold.index, 0));
    for (int m = 0; m < 4; ++m)
      for (int h = 0; h < 5; ++h) {
        const double pit = stored.at(stored.pit, m, fold.index, h);
        if (fold.target_rows[h] == kNoRow) {
          EXPECT_TRUE(std::isnan(pit));
        } else {
          EXPECT_GE(pit, 0.0);
          EXPECT_LE(pit, 1.0);
        }
      }
  }
  // naive:log's median is the last price: every direction a tie, as naive's.
  const std::vector<ModelScores> scores = score_backfill(stored, layout);
  EXPECT_EQ(scores[0].overall.direction.n, 0);
  EXPECT_EQ(scores[0].overall.direction.ties, scores[0].overall.n);
  store.close();
}

TEST_F(Backfill, ResumeRunsOnlyWhatIsMissingAndRefusesAnotherConfig) {
  const Series series = synthetic_series();
  const BackfillConfig config = small_config(series);
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  const StoreLayout layout = backfill_layout(config, series, plan);
  const std::string hash = [&] {
    for (const auto& [key, value] : layout.text_attributes)
      if (key == "config_hash") return value;
    return std::string();
  }();
  {  // a run over the first shard only stands in for an interrupted one
    BackfillConfig half = config;
    half.num_shards = 2;
    BackfillStore store = BackfillStore::create(file("resumed.h5"), layout);
    run_backfill(series, half, plan, store);
    store.close();
  }
  BackfillStore store = BackfillStore::resume(file("resumed.h5"), hash);
  const BackfillSummary summary = run_backfill(series, config, plan, store);
  EXPECT_GT(summary.counts[0].already_complete, 0);
  EXPECT_EQ(summary.counts[0].already_complete + summary.folds_run, static_cast<int>(plan.folds.size()));
  const StoredForecasts resumed = store.read_forecasts();
  store.close();
  expect_same(resumed, run(series, config, "straight.h5"));

  EXPECT_THROW(BackfillStore::resume(file("resumed.h5"), "0123456789abcdef"), InputError);
  EXPECT_THROW(BackfillStore::create(file("resumed.h5"), layout), Error);  // never overwritten
}

TEST_F(Backfill, AStopCommitsTheFoldsInFlightAndARerunFinishes) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.threads = 2;
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  // The stop comes once the first fold is committed (progress follows each
  // commit), whatever the workers' timing: the folds in flight are still
  // committed, no new one is taken. (A count of polls raced: each worker
  // polls three times before its first fold.)
  std::atomic<bool> committed_one{false};
  config.stop_requested = [&] { return committed_one.load(); };
  BackfillStore store =
      BackfillStore::create(file("stopped.h5"), backfill_layout(config, series, plan));
  const BackfillSummary stopped =
      run_backfill(series, config, plan, store, [&](const BackfillProgress& p) { committed_one = p.done > 0; });
  EXPECT_TRUE(stopped.stopped);
  EXPECT_GT(stopped.folds_run, 0);
  EXPECT_LT(stopped.folds_run, static_cast<int>(plan.folds.size()));
  int committed = 0;
  for (const std::int8_t done : store.fold_complete()) committed += done;
  EXPECT_EQ(committed, stopped.folds_run);  // every fold taken was committed

  config.stop_requested = {};
  const BackfillSummary rest = run_backfill(series, config, plan, store);
  EXPECT_FALSE(rest.stopped);
  EXPECT_EQ(stopped.folds_run + rest.folds_run, static_cast<int>(plan.folds.size()));
  const StoredForecasts resumed = store.read_forecasts();
  store.close();
  expect_same(resumed, run(series, config, "straight.h5"));
}

TEST_F(Backfill, AFailedFoldIsRetriedByTheNextRun) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.plan.warm_start_chain = 0;  // independent fits: only the failed fold reruns
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  BackfillStore store =
      BackfillStore::create(file("retried.h5"), backfill_layout(config, series, plan));
  ::setenv("ARABICA_FAULT_FAIL_FOLDS", "3", 1);  // the documented test hook
  const BackfillSummary failing = run_backfill(series, config, plan, store);
  const BackfillSummary failing_again = run_backfill(series, config, plan, store);
  ::unsetenv("ARABICA_FAULT_FAIL_FOLDS");
  EXPECT_EQ(failing.counts[0].failed, 1);
  EXPECT_EQ(failing_again.folds_run, 1);  // retried, failed again, still recorded
  EXPECT_EQ(store.status(0, 3), FoldStatus::failed);
  EXPECT_EQ(folds_done(store)[3], false);

  const BackfillSummary retried = run_backfill(series, config, plan, store);
  EXPECT_EQ(retried.folds_run, 1);
  EXPECT_EQ(retried.counts[0].trained, 1);
  EXPECT_EQ(store.status(0, 3), FoldStatus::trained);
  const StoredForecasts stored = store.read_forecasts();
  store.close();
  expect_same(stored, run(series, config, "straight.h5"));
}

TEST_F(Backfill, FailedFitsAreRecordedAndTheRunGoesOn) {
  Series series = synthetic_series();
  // x2 constant over the first 210 rows: not identified in the early folds.
  series.exog.col(1).head(210).setConstant(1.0);
  BackfillConfig config = small_config(series);
  BackfillSummary summary;
  const StoredForecasts stored = run(series, config, "failing.h5", &summary);
  EXPECT_GT(summary.counts[0].failed, 0);
  EXPECT_GT(summary.counts[0].trained, 0);
  EXPECT_EQ(summary.counts[1].failed, 0);  // baselines ignore the covariates
  ASSERT_FALSE(summary.failures.empty());
  EXPECT_NE(summary.failures.front().find("sarimax(1,1,1)"), std::string::npos);
  for (int f = 0; f < stored.folds; ++f) {
    EXPECT_TRUE(stored.fold_complete[f]);
    const bool failed = stored.status[f] == static_cast<std::int8_t>(FoldStatus::failed);
    EXPECT_EQ(failed, std::isnan(stored.at(stored.forecast_mean, 0, f, 0))) << f;
  }
}

// Pooled scores are fractions of each fold's cutoff price: a price near
// 1e-308 beside ordinary forecasts overflows them. That fold is left out
// and listed (it failed the whole universe's scoring: a contract error).
TEST_F(Backfill, PooledScoresLeaveOutAFoldWhoseValuesOverItsCutoffPriceOverflow) {
  const Series series = synthetic_series();
  const BackfillConfig config = small_config(series);
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  const StoreLayout layout = backfill_layout(config, series, plan);
  const StoredForecasts stored = run(series, config, "pooled.h5");
  StoreLayout tiny = layout;
  const int f = 3;
  tiny.last_price[f] = 1e-320;
  std::vector<PooledLeftOut> left_out;
  const std::vector<ModelScores> pooled = pooled_scores({&stored, &stored}, {&layout, &tiny}, &left_out);
  const std::vector<ModelScores> alone = pooled_scores({&stored}, {&layout});
  ASSERT_EQ(left_out.size(), layout.models.size());
  for (std::size_t m = 0; m < left_out.size(); ++m) {
    EXPECT_EQ(left_out[m].series, 1u);
    EXPECT_EQ(left_out[m].model, layout.models[m]);
    EXPECT_EQ(left_out[m].folds, std::vector<int>{f});
    // Twice the series' records, less the fold's days.
    EXPECT_EQ(pooled[m].overall.n, 2 * alone[m].overall.n - config.plan.horizon) << m;
    EXPECT_TRUE(std::isfinite(pooled[m].overall.crps)) << m;
    EXPECT_TRUE(std::isfinite(pooled[m].overall.pinball)) << m;
  }
  // Without the tiny price nothing is left out.
  left_out.clear();
  pooled_scores({&stored, &stored}, {&layout, &layout}, &left_out);
  EXPECT_TRUE(left_out.empty());
}

// --future-exog repeat-last repeats the training window's last H rows: a
// fold trained on fewer fails, recorded, as a fit on too few rows does (it
// broke a contract and stopped the whole run, exit 1).
TEST_F(Backfill, RepeatLastCovariatesOnFewerTrainingRowsThanTheHorizonFailTheFold) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.models.resize(1);  // sarimax(1,1,1) with the covariates
  config.innovations = "normal";
  config.plan.horizon = 14;
  config.plan.window = TrainingWindow::rolling;
  config.plan.window_rows = 12;
  config.plan.min_train_rows = 12;
  config.plan.end = series.dates[205];
  BackfillSummary summary;
  const StoredForecasts stored = run(series, config, "repeat_last.h5", &summary);
  EXPECT_EQ(summary.counts[0].failed, stored.folds);
  ASSERT_FALSE(summary.failures.empty());
  EXPECT_NE(summary.failures.front().find("repeat-last repeats the covariates' last 14 rows, and the training window has 12"),
            std::string::npos)
      << summary.failures.front();
  for (int f = 0; f < stored.folds; ++f) EXPECT_TRUE(stored.fold_complete[f]) << f;
}

// Daily cutoffs: fold f's day-h target lies h rows after its cutoff, past
// the next h - 1 cutoffs, so h - 1 later folds share its shocks.
TEST_F(Backfill, OverlapAwareTestsKnowHowManyFoldsShareAHorizon) {
  const Series series = synthetic_series();
  const BackfillConfig config = small_config(series);  // sarimax, naive, drift; every row, horizon 5
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  const StoreLayout layout = backfill_layout(config, series, plan);
  const std::vector<ModelScores> scores = score_backfill(run(series, config, "overlap.h5"), layout);
  for (int h = 0; h < 5; ++h) EXPECT_EQ(scores[0].by_day[h].lags, h);
  EXPECT_EQ(scores[0].overall.lags, 4);
  const MetricSummary& sarimax = scores[0].overall;
  EXPECT_GT(sarimax.direction_hac_p, 0.0);
  EXPECT_LT(sarimax.direction_hac_p, 1.0);
  EXPECT_LE(sarimax.direction_ci_low, sarimax.direction_ci_high);
  EXPECT_GT(sarimax.dm_mse_p, 0.0);
  EXPECT_LE(sarimax.dm_crps_p, 1.0);
  EXPECT_TRUE(std::isnan(scores[1].overall.dm_mse_p));  // naive against itself
  EXPECT_FALSE(std::isnan(scores[2].overall.dm_crps_p));  // drift against naive
  // Always up: the share of rises among the actuals of the forecasts scored
  // for direction (SARIMAX forecasts a move every time here: only the
  // actuals' ties drop out). Naive forecasts no move: nothing scored.
  double rises = 0.0, moves = 0.0, actual_ties = 0.0;
  for (const Fold& fold : plan.folds)
    for (int h = 0; h < 5; ++h) {
      if (fold.target_rows[h] == kNoRow) continue;
      const double actual = layout.actual(fold.index, h), last = layout.last_price[fold.index];
      if (actual == last) {
        ++actual_ties;
        continue;
      }
      rises += actual > last ? 1.0 : 0.0;
      moves += 1.0;
    }
  ASSERT_EQ(static_cast<double>(sarimax.direction.ties), actual_ties);
  EXPECT_DOUBLE_EQ(sarimax.always_up, rises / moves);
  EXPECT_TRUE(std::isnan(scores[1].overall.always_up));
  // Day 1 has no overlap: the HAC test is the normal test with the sample variance.
  const MetricSummary& day1 = scores[0].by_day[0];
  const double accuracy = day1.direction.accuracy, n = static_cast<double>(day1.direction.n);
  const double z = (accuracy - 0.5) / std::sqrt(accuracy * (1.0 - accuracy) / n);
  EXPECT_NEAR(day1.direction_hac_p, 0.5 * std::erfc(z / std::sqrt(2.0)), 1e-12);
}

TEST_F(Backfill, ScoresMatchTheMetricsOfTheStoredForecasts) {
  const Series series = synthetic_series();
  const BackfillConfig config = small_config(series);
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  const StoreLayout layout = backfill_layout(config, series, plan);
  const StoredForecasts stored = run(series, config, "scored.h5");
  const std::vector<ModelScores> scores = score_backfill(stored, layout);
  ASSERT_EQ(scores.size(), 3u);
  // Day 1 by hand for the SARIMAX model.
  std::int64_t hits = 0, n = 0;
  double squared = 0.0;
  for (int f = 0; f < stored.folds; ++f) {
    const double actual = layout.actual(f, 0);
    if (std::isnan(actual)) continue;
    const double mean = stored.at(stored.forecast_mean, 0, f, 0), last = layout.last_price[f];
    squared += (mean - actual) * (mean - actual);
    if (mean != last && actual != last) ++n, hits += (mean > last) == (actual > last);
  }
  const MetricSummary& day1 = scores[0].by_day[0];
  EXPECT_EQ(day1.direction.hits, hits);
  EXPECT_EQ(day1.direction.n, n);
  EXPECT_NEAR(day1.rmse, std::sqrt(squared / day1.n), 1e-12 * day1.rmse);
  EXPECT_EQ(day1.n, stored.folds - 1);  // the last cutoff has no next day
  EXPECT_GT(day1.crps, 0.0);
  // The naive forecast never moves: every fold is a directional tie.
  EXPECT_EQ(scores[1].overall.direction.n, 0);
  EXPECT_EQ(scores[1].overall.direction.ties, scores[1].overall.n);
}

// A model's own rolling window is the run's rolling window for that model:
// the same training rows, so the same fits, forecasts and paths.
TEST_F(Backfill, AModelsWindowIsTheRunsRollingWindowForIt) {
  const Series series = synthetic_series();
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "0,0,0,0", "n");
  BackfillConfig rolling = small_config(series);
  rolling.models = {parse_backtest_model("sarimax", spec), parse_backtest_model("naive:ewma", spec)};
  rolling.plan.window = TrainingWindow::rolling;
  rolling.plan.window_rows = 160;
  BackfillConfig own = small_config(series);
  own.models = {parse_backtest_model("sarimax:window=160", spec), parse_backtest_model("naive:ewma:window=160", spec)};
  const StoredForecasts a = run(series, rolling, "rolling.h5"), b = run(series, own, "own.h5");
  expect_same(a, b);
  // And not the expanding window's.
  BackfillConfig expanding = small_config(series);
  expanding.models = {parse_backtest_model("sarimax", spec), parse_backtest_model("naive:ewma", spec)};
  EXPECT_NE(run(series, expanding, "expanding.h5").forecast_std, b.forecast_std);
}

// Skill against naive and the VaR backtests, from the stored forecasts.
TEST_F(Backfill, SkillIsAgainstNaiveAndTheOverallVarTestIsTheLastDays) {
  const Series series = synthetic_series();
  const BackfillConfig config = small_config(series);  // sarimax, naive, drift
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  const StoreLayout layout = backfill_layout(config, series, plan);
  const StoredForecasts stored = run(series, config, "skill.h5");
  const std::vector<ModelScores> scores = score_backfill(stored, layout);
  double own = 0.0, naive = 0.0;
  for (int f = 0; f < stored.folds; ++f)
    for (int h = 0; h < stored.horizon; ++h)
      if (!std::isnan(layout.actual(f, h)))
        own += stored.at(stored.crps, 0, f, h), naive += stored.at(stored.crps, 1, f, h);
  EXPECT_NEAR(scores[0].overall.crps_skill, 1.0 - own / naive, 1e-12);
  EXPECT_TRUE(std::isnan(scores[1].overall.crps_skill));  // naive against itself
  EXPECT_TRUE(std::isfinite(scores[2].overall.rmse_skill));
  const MetricSummary& last = scores[0].by_day.back();
  EXPECT_EQ(scores[0].overall.var_95.n, last.var_95.n);
  EXPECT_EQ(scores[0].overall.var_95.kupiec_p, last.var_95.kupiec_p);
  std::int64_t below = 0;
  const int H = stored.horizon, p5 = quantile_index(0.05);
  for (int f = 0; f < stored.folds; ++f)
    if (!std::isnan(layout.actual(f, H - 1))) below += layout.actual(f, H - 1) < stored.quantile(0, f, H - 1, p5);
  EXPECT_EQ(last.var_95.exceedances, below);
  EXPECT_GT(scores[0].overall.pinball, 0.0);
  EXPECT_GT(scores[0].overall.winkler_95, scores[0].overall.winkler_80 * 0.5);
}

// An all-phases run scores each phase as the run of that phase alone does:
// a fold's fit and forecast depend on its cutoff, never on the plan.
TEST_F(Backfill, EachPhaseOfAnAllPhasesRunScoresAsThatPhaseAlone) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.plan.schedule = CutoffSchedule::every_n_rows;
  config.plan.step_rows = 3;
  config.plan.warm_start_chain = 0;
  config.paths = 200;
  config.plan.phase = kAllPhases;
  const FoldPlan all_plan = plan_folds(series.dates, config.plan);
  const StoredForecasts all = run(series, config, "all.h5");
  const std::vector<PhaseScores> phases =
      score_phases(all, backfill_layout(config, series, all_plan), all_plan);
  ASSERT_EQ(phases.size(), 3u);
  for (int phase = 0; phase < 3; ++phase) {
    config.plan.phase = phase;
    const FoldPlan plan = plan_folds(series.dates, config.plan);
    const StoredForecasts alone = run(series, config, "phase" + std::to_string(phase) + ".h5");
    const std::vector<ModelScores> scores = score_backfill(alone, backfill_layout(config, series, plan));
    for (std::size_t m = 0; m < scores.size(); ++m) {
      const DirectionalAccuracy& got = phases[m].by_phase[static_cast<std::size_t>(phase)];
      const DirectionalAccuracy& want = scores[m].overall.direction;
      EXPECT_EQ(got.hits, want.hits) << phases[m].model << " phase " << phase;
      EXPECT_EQ(got.n, want.n) << phases[m].model << " phase " << phase;
      EXPECT_EQ(got.ties, want.ties) << phases[m].model << " phase " << phase;
    }
  }
  EXPECT_GT(phases[0].by_phase[1].n, 0);
}

// Filtered historical simulation: day 1 of naive:bootstrap:ewma is the last
// price plus a resampled volatility-standardised residual rescaled by the
// EWMA volatility at the cutoff, so (path - last) / sigma_next has the
// quantiles of the standardised set e_t / sigma_t (mean 0, variance 1).
TEST_F(Backfill, FilteredHistoricalSimulationRescalesTheStandardisedResiduals) {
  const Series series = synthetic_series();
  BackfillConfig config = small_config(series);
  config.models = {parse_backtest_model("naive:bootstrap:ewma", SarimaxSpec{})};
  config.paths = 20000;
  config.stored_paths = 20000;
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  BackfillStore store = BackfillStore::create(file("fhs.h5"), backfill_layout(config, series, plan));
  run_backfill(series, config, plan, store);
  for (const Fold& fold : {plan.folds.front(), plan.folds.back()}) {
    const Eigen::VectorXd window = series.target.segment(static_cast<Eigen::Index>(fold.train_begin),
                                                         static_cast<Eigen::Index>(fold.train_rows()));
    const SarimaxFit walk = fit_baseline(config.models[0], window);
    const Eigen::VectorXd e = walk.innovation_residuals();
    const FilteredVolatility ewma = ewma_volatility(e);
    std::vector<float> set = standardize_residuals(e.cwiseQuotient(ewma.sigma));
    const ModelFoldResult result = store.read(0, fold.index);
    const int H = config.plan.horizon;
    const double last = window[window.size() - 1];
    std::vector<double> day1;
    for (std::int64_t p = 0; p < config.stored_paths; ++p)
      day1.push_back((result.stats.stored[static_cast<std::size_t>(p * H)] - last) / ewma.next);
    std::sort(day1.begin(), day1.end());
    std::sort(set.begin(), set.end());
    const auto quantile = [](const auto& sorted, double level) {
      const double at = level * static_cast<double>(sorted.size() - 1);
      const auto below = static_cast<std::size_t>(at);
      const double above = below + 1 < sorted.size() ? sorted[below + 1] : sorted[below];
      return sorted[below] + (at - static_cast<double>(below)) * (above - sorted[below]);
    };
    // Resampling a set of ~150 values: the paths' quantiles are the set's up
    // to the resampling error at 20,000 draws and the spacing of the set.
    for (const double level : {0.05, 0.25, 0.5, 0.75, 0.95})
      EXPECT_NEAR(quantile(day1, level), quantile(set, level), 0.08) << "fold " << fold.index << " level " << level;
    double mean = 0.0, square = 0.0;
    for (const double z : day1) mean += z, square += z * z;
    mean /= static_cast<double>(day1.size());
    EXPECT_NEAR(mean, 0.0, 0.03);
    EXPECT_NEAR(square / static_cast<double>(day1.size()), 1.0, 0.04);
  }
}

// A backfill to an earlier end, on the data of that time, extended by the
// same configuration to the later end on the grown data: the store of one
// run to the later end, fold for fold; with a semiannual cadence the
// extension trains only at the cadence's dates. Folds whose realised prices
// arrived since (late actuals) are run again, the rest kept.
TEST_F(Backfill, AStoreExtendedToALaterEndEqualsOneRunToIt) {
  const Series series = synthetic_series(400);
  BackfillConfig config = small_config(series);
  config.plan.refit = RefitCadence::semiannual;
  config.plan.end = series.dates.back();
  const FoldPlan plan = plan_folds(series.dates, config.plan);
  const Series earlier = series.head(300);
  BackfillConfig earlier_config = config;
  earlier_config.plan.end = earlier.dates.back();
  const FoldPlan earlier_plan = plan_folds(earlier.dates, earlier_config.plan);
  const std::string path = file("extended.h5");
  {
    BackfillStore store = open_backfill_store(path, backfill_layout(earlier_config, earlier, earlier_plan), earlier, earlier_plan);
    run_backfill(earlier, earlier_config, earlier_plan, store);
    store.close();
  }
  // Folds whose days reached past the earlier data get their prices now.
  std::set<int> rerun;
  for (const Fold& fold : plan.folds)
    if (static_cast<std::size_t>(fold.index) >= earlier_plan.folds.size() ||
        fold.target_rows != earlier_plan.folds[static_cast<std::size_t>(fold.index)].target_rows)
      rerun.insert(fold.index);
  ASSERT_GT(rerun.size(), plan.folds.size() - earlier_plan.folds.size());  // late actuals too
  BackfillSummary summary;
  StoredForecasts extended;
  {
    BackfillStore store = open_backfill_store(path, backfill_layout(config, series, plan), series, plan);
    summary = run_backfill(series, config, plan, store);
    extended = store.read_forecasts();
    store.close();
  }
  const StoredForecasts fresh = run(series, config, "fresh.h5");
  expect_same(extended, fresh);
  EXPECT_EQ(extended.pit.size(), fresh.pit.size());
  for (std::size_t i = 0; i < fresh.pit.size(); ++i)
    EXPECT_TRUE(extended.pit[i] == fresh.pit[i] || (std::isnan(extended.pit[i]) && std::isnan(fresh.pit[i]))) << i;
  EXPECT_EQ(extended.quantiles, fresh.quantiles);
  int refits = 0;
  for (const int f : rerun) refits += plan.folds[static_cast<std::size_t>(f)].refit ? 1 : 0;
  EXPECT_GT(refits, 0);  // the extension crosses a half-year
  for (std::size_t m = 0; m < config.models.size(); ++m) {
    EXPECT_EQ(summary.counts[m].already_complete, static_cast<int>(plan.folds.size() - rerun.size()));
    EXPECT_EQ(summary.counts[m].trained, refits) << "only at the cadence's dates";
    EXPECT_EQ(summary.counts[m].refiltered, static_cast<int>(rerun.size()) - refits);
  }
}

// What an extension may not change: any other setting (named), the old
// rows of the data, an end before the store's.
TEST_F(Backfill, AnExtensionRefusesOtherSettingsDataAndAnEarlierEnd) {
  const Series series = synthetic_series(300);
  BackfillConfig config = small_config(series);
  config.paths = 200;
  const Series earlier = series.head(250);
  BackfillConfig earlier_config = config;
  earlier_config.plan.end = earlier.dates.back();
  const std::string path = file("refused.h5");
  {
    const FoldPlan plan = plan_folds(earlier.dates, earlier_config.plan);
    BackfillStore store = open_backfill_store(path, backfill_layout(earlier_config, earlier, plan), earlier, plan);
    run_backfill(earlier, earlier_config, plan, store);
    store.close();
  }
  const auto refused = [&](const BackfillConfig& c, const Series& s, const std::string& expected) {
    try {
      const FoldPlan p = plan_folds(s.dates, c.plan);
      open_backfill_store(path, backfill_layout(c, s, p), s, p);
      ADD_FAILURE() << "accepted; expected " << expected;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  BackfillConfig more_paths = config;
  more_paths.paths = 400;
  more_paths.seed = 9;
  refused(more_paths, series, "(paths, seed differ)");
  Series revised = series;
  revised.target[10] += 0.5;  // an old price revised
  refused(config, revised, "was written on other data");
  BackfillConfig shorter = earlier_config;
  shorter.plan.end = earlier.dates[230];
  refused(shorter, earlier, "an earlier --end");
  // Nothing was touched: the same configuration still resumes.
  const FoldPlan plan = plan_folds(earlier.dates, earlier_config.plan);
  BackfillStore store = open_backfill_store(path, backfill_layout(earlier_config, earlier, plan), earlier, plan);
  EXPECT_EQ(run_backfill(earlier, earlier_config, plan, store).folds_run, 0);
}

}  // namespace
}  // namespace arabica
