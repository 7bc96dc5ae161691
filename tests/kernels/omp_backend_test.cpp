#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <random>

#include "arabica/backend.hpp"
#include "arabica/error.hpp"
#include "arabica/metrics.hpp"
#include "arabica/paths.hpp"
#include "model/simulate_arima.hpp"
#include "reference_paths.hpp"

namespace arabica {
namespace {

struct Fixture {
  SarimaxFit fit;
  Eigen::MatrixXd future;
  Forecast forecast;
};

const Fixture& fitted() {
  static const Fixture fixture = [] {
    const auto data = testing::simulate_arima(1500, 0.5, 0.3, 2.0, 1, Eigen::Vector2d(1.0, -2.0), 21);
    Fixture f;
    f.fit = fit_sarimax(SarimaxSpec::from_strings("1,1,1", "", "n"), data.y, data.exog);
    f.future = data.exog.bottomRows(7);
    f.forecast = forecast_sarimax(f.fit, f.future, 7);
    return f;
  }();
  return fixture;
}

PathRequest request(PathMode mode, std::int64_t n, InnovationParams innovations = {}) {
  PathRequest r;
  r.model = make_path_model(fitted().fit, fitted().future, 7, mode);
  r.innovations = innovations;
  r.keys = {42, 0, 3};
  r.n_paths = n;
  r.last_price = fitted().fit.end_state.state.size() ? fitted().forecast.mean[0] : 0.0;
  return r;
}

void expect_matches_kalman(const PathStats& stats, const Forecast& forecast, std::int64_t n) {
  for (int h = 0; h < 7; ++h) {
    const double se = forecast.std_error[h];
    EXPECT_NEAR(stats.mean[h], forecast.mean[h], 4.0 * se / std::sqrt(double(n))) << "h=" << h;
    EXPECT_NEAR(stats.std[h], se, 4.0 * se / std::sqrt(2.0 * n)) << "h=" << h;
    EXPECT_NEAR(stats.skewness[h], 0.0, 5.0 * std::sqrt(6.0 / n)) << "h=" << h;
    EXPECT_NEAR(stats.kurtosis[h], 0.0, 5.0 * std::sqrt(24.0 / n)) << "h=" << h;
  }
}

TEST(CpuBackend, NormalStateSpacePathsMatchTheKalmanForecast) {
  const std::int64_t n = 1000000;
  const PathStats stats = make_backend("cpu")->simulate(request(PathMode::state_space, n));
  expect_matches_kalman(stats, fitted().forecast, n);
  // Day 1 is centred on the cutoff-relative reference chosen in request().
  EXPECT_NEAR(stats.p_up[0], 0.5, 5.0 * 0.5 / std::sqrt(double(n)));
}

TEST(CpuBackend, MarginalModeReproducesTheLegacyDistribution) {
  const std::int64_t n = 400000;
  const PathStats stats = make_backend("cpu")->simulate(request(PathMode::marginal, n));
  expect_matches_kalman(stats, fitted().forecast, n);
}

TEST(CpuBackend, ResultsDoNotDependOnThreadCount) {
  const PathRequest r = request(PathMode::state_space, 50000, make_student_t(5.0));
  const PathStats one = make_backend("cpu", 1)->simulate(r);
  const PathStats two = make_backend("cpu", 2)->simulate(r);
  EXPECT_EQ(one.mean, two.mean);
  EXPECT_EQ(one.std, two.std);
  EXPECT_EQ(one.kurtosis, two.kurtosis);
  EXPECT_EQ(one.quantiles, two.quantiles);
}

TEST(CpuBackend, QuantilesAreNumpyLinearPercentilesOfThePaths) {
  PathRequest r = request(PathMode::state_space, 1001, make_skew_normal(4.0));
  r.stored_paths = r.n_paths;
  const PathStats stats = make_backend("cpu")->simulate(r);
  for (int h = 0; h < 7; ++h) {
    std::vector<double> column;
    for (std::int64_t p = 0; p < r.n_paths; ++p) column.push_back(stats.stored[p * 7 + h]);
    std::sort(column.begin(), column.end());
    for (std::size_t q = 0; q < kQuantileLevels.size(); ++q) {
      const double position = kQuantileLevels[q] * (column.size() - 1);
      const std::size_t lo = static_cast<std::size_t>(position);
      const double expected =
          column[lo] + (position - lo) * (column[std::min(lo + 1, column.size() - 1)] - column[lo]);
      EXPECT_NEAR(stats.quantiles(h, q), expected, 1e-9 * std::abs(expected));
    }
  }
}

TEST(CpuBackend, CrpsIsTheSampleCrpsOfEachKnownDay) {
  PathRequest r = request(PathMode::state_space, 5003, make_student_t(5.0));
  r.stored_paths = r.n_paths;
  r.actual = fitted().forecast.mean + fitted().forecast.std_error;  // one se above the mean
  r.actual[4] = NAN;  // day 5 not known yet
  const PathStats stats = make_backend("cpu", 2)->simulate(r);
  for (int h = 0; h < 7; ++h) {
    if (h == 4) {
      EXPECT_TRUE(std::isnan(stats.crps[h]));
      continue;
    }
    std::vector<float> column;
    for (std::int64_t p = 0; p < r.n_paths; ++p) column.push_back(stats.stored[p * 7 + h]);
    EXPECT_NEAR(stats.crps[h], crps_sample(column, r.actual[h]), 1e-12 * stats.crps[h]);
  }
  // Without actual prices there is no score.
  r.actual.resize(0);
  EXPECT_TRUE(make_backend("cpu")->simulate(r).crps.array().isNaN().all());
}

TEST(CpuBackend, PitIsTheActualsMidRankAmongThePaths) {
  PathRequest r = request(PathMode::state_space, 4001);
  r.stored_paths = r.n_paths;
  r.actual = fitted().forecast.mean + fitted().forecast.std_error;  // one se above the mean
  r.actual[2] = NAN;
  const PathStats stats = make_backend("cpu", 2)->simulate(r);
  for (int h = 0; h < 7; ++h) {
    if (h == 2) {
      EXPECT_TRUE(std::isnan(stats.pit[h]));
      continue;
    }
    double below = 0.0;
    for (std::int64_t p = 0; p < r.n_paths; ++p)
      below += stats.stored[p * 7 + h] < r.actual[h] ? 1.0 : stats.stored[p * 7 + h] == r.actual[h] ? 0.5 : 0.0;
    EXPECT_EQ(stats.pit[h], below / static_cast<double>(r.n_paths)) << h;
    // One forecast se above the Kalman mean: near Phi(1) = 0.841 (the paths
    // also carry the filtered-state uncertainty the se includes).
    EXPECT_NEAR(stats.pit[h], 0.841, 0.03) << h;
  }
  r.actual.resize(0);
  EXPECT_TRUE(make_backend("cpu")->simulate(r).pit.array().isNaN().all());
}

// Actuals drawn from the paths' own distribution have a uniform PIT: a
// Gaussian random walk (price 100 + sum of h N(0, 1) shocks) and actuals
// 100 + sqrt(h) N(0, 1) from another generator, 400 folds x 7 days. Their KS
// distance from uniform stays below the 1% critical value 1.63 / sqrt(n);
// actuals of twice the spread (a miscalibrated model) do not.
TEST(CpuBackend, PitOfActualsFromThePathsDistributionIsUniform) {
  PathRequest walk = testing::random_walk_request();
  walk.n_paths = 500;
  std::mt19937_64 generator(2026);
  std::normal_distribution<double> normal;
  for (const double spread : {1.0, 2.0}) {
    std::vector<PathRequest> folds;
    for (std::uint64_t f = 0; f < 400; ++f) {
      PathRequest r = walk;
      r.keys = {7, 0, f};
      r.actual.resize(7);
      for (int h = 0; h < 7; ++h) r.actual[h] = 100.0 + spread * std::sqrt(h + 1.0) * normal(generator);
      folds.push_back(r);
    }
    const std::vector<PathStats> stats = make_backend("cpu", 2)->simulate_batch(folds);
    Eigen::VectorXd pit(400 * 7);
    for (std::size_t f = 0; f < stats.size(); ++f)
      pit.segment(static_cast<Eigen::Index>(f) * 7, 7) = stats[f].pit;
    const double critical = 1.63 / std::sqrt(static_cast<double>(pit.size()));
    if (spread == 1.0) {
      EXPECT_LT(pit_ks_distance(pit), critical);
      EXPECT_NEAR(pit_coverage(pit, 0.90), 0.90, 0.02);
    } else {
      EXPECT_GT(pit_ks_distance(pit), 3 * critical);
    }
  }
}

TEST(CpuBackend, TailMeansAndHorizonRiskComeFromTheLowestPaths) {
  PathRequest r = request(PathMode::state_space, 2001, make_skew_t(-2.0, 5.0));
  r.stored_paths = r.n_paths;
  r.last_price = fitted().forecast.mean[0];
  const PathStats stats = make_backend("cpu")->simulate(r);
  for (int h = 0; h < 7; ++h) {
    std::vector<double> column;
    for (std::int64_t p = 0; p < r.n_paths; ++p) column.push_back(stats.stored[p * 7 + h]);
    std::sort(column.begin(), column.end());
    // ceil(0.01 * 2001) = 21 and ceil(0.05 * 2001) = 101 lowest prices.
    const double worst21 = std::accumulate(column.begin(), column.begin() + 21, 0.0) / 21;
    const double worst101 = std::accumulate(column.begin(), column.begin() + 101, 0.0) / 101;
    EXPECT_NEAR(stats.tail_mean(h, 0), worst21, 1e-9 * worst21);
    EXPECT_NEAR(stats.tail_mean(h, 1), worst101, 1e-9 * worst101);
  }
  const HorizonRisk risk = horizon_risk(stats, r.last_price);
  EXPECT_DOUBLE_EQ(risk.var_95, 1.0 - stats.quantiles(6, quantile_index(0.05)) / r.last_price);
  EXPECT_DOUBLE_EQ(risk.es_99, 1.0 - stats.tail_mean(6, 0) / r.last_price);
  EXPECT_GT(risk.es_95, risk.var_95);  // the mean beyond the quantile is worse
  EXPECT_GT(risk.var_99, risk.var_95);
}

TEST(CpuBackend, FatTailedShocksKeepTheVarianceAndAddKurtosis) {
  const std::int64_t n = 400000;
  const PathStats stats = make_backend("cpu")->simulate(
      request(PathMode::state_space, n, make_student_t(5.0)));
  // Unit-variance innovations: the Kalman standard error still holds.
  for (int h = 0; h < 7; ++h)
    EXPECT_NEAR(stats.std[h] / fitted().forecast.std_error[h], 1.0, 0.02) << "h=" << h;
  // t(5) has excess kurtosis 6; day 1 is one shock plus a tiny state term.
  EXPECT_GT(stats.kurtosis[0], 3.0);
  EXPECT_LT(stats.kurtosis[6], stats.kurtosis[0]);  // sums of shocks are closer to normal
}

TEST(CpuBackend, SkewedShocksSkewTheDistribution) {
  const PathStats stats = make_backend("cpu")->simulate(
      request(PathMode::state_space, 200000, make_skew_normal(-5.0)));
  EXPECT_LT(stats.skewness[0], -0.5);
  EXPECT_GT(stats.p_up[0], 0.5);  // negative skew: median above the mean
}

TEST(CpuBackend, BatchesGiveEachRequestsOwnResult) {
  std::vector<PathRequest> batch;
  batch.push_back(request(PathMode::state_space, 9000, make_student_t(5.0)));
  batch.push_back(request(PathMode::marginal, 3, make_mixture()));
  batch.push_back(request(PathMode::state_space, 5000, make_skew_normal(3.0)));
  batch[1].keys.fold = 9;
  batch[2].keys.fold = 4;
  batch[2].stored_paths = 10;
  batch[2].actual = fitted().forecast.mean;
  const std::unique_ptr<Backend> backend = make_backend("cpu", 2);
  const std::vector<PathStats> together = backend->simulate_batch(batch);
  ASSERT_EQ(together.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const PathStats alone = backend->simulate(batch[i]);
    EXPECT_EQ(together[i].mean, alone.mean) << i;
    EXPECT_EQ(together[i].std, alone.std) << i;
    EXPECT_EQ(together[i].kurtosis, alone.kurtosis) << i;
    EXPECT_EQ(together[i].quantiles, alone.quantiles) << i;
    EXPECT_EQ(together[i].tail_mean, alone.tail_mean) << i;
    EXPECT_EQ(together[i].stored, alone.stored) << i;
    EXPECT_EQ(together[i].crps.array().isNaN().count(), alone.crps.array().isNaN().count()) << i;
  }
  EXPECT_EQ(together[2].crps, make_backend("cpu", 1)->simulate(batch[2]).crps);
  EXPECT_TRUE(backend->simulate_batch({}).empty());
}

TEST(CpuBackend, RejectsBadRequests) {
  PathRequest r = request(PathMode::state_space, 1);
  EXPECT_THROW(make_backend("cpu")->simulate(r), ContractError);
  r = request(PathMode::state_space, 100);
  r.actual = Eigen::VectorXd::Zero(3);  // not the horizon
  EXPECT_THROW(make_backend("cpu")->simulate(r), ContractError);
  EXPECT_THROW(make_backend("tpu"), InputError);
}

}  // namespace
}  // namespace arabica
