#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "arabica/error.hpp"
#include "arabica/metrics.hpp"

namespace arabica {
namespace {

Eigen::VectorXd vec(std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v[i++] = x;
  return v;
}

Eigen::VectorXd constant(Eigen::Index n, double value) { return Eigen::VectorXd::Constant(n, value); }

void expect_relative(double actual, double expected, double tolerance) {
  EXPECT_NEAR(actual, expected, tolerance * std::abs(expected)) << "expected " << expected;
}

// --- binomial test

// Exact P(X >= k | n, 1/2) computed with 40-digit decimals (math.comb and a
// ratio recurrence); scipy.stats.binomtest(k, n, 0.5, alternative='greater')
// agrees with each to 4e-13 relative.
TEST(BinomialPValue, MatchesExactReferences) {
  struct Case {
    std::int64_t hits, n;
    double p;
  };
  const Case cases[] = {
      {662, 1204, 0.00029947827797031392},  // legacy headline "54.95%, p=0.0003"
      {60, 100, 0.028443966820490395},
      {520, 1000, 0.10872414660207047},
      {7, 20, 0.94234085083007812},
      {900, 1000, 6.7017177900062962e-162},
      {500001, 1000000, 0.49960105781933412},
      {501000, 1000000, 0.022804149932691042},
      {502500, 1000000, 2.8812708188703019e-07},
      {503800, 1000000, 1.4917246747595261e-14},
      {499000, 1000000, 0.97730383204532789},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.hits) + " of " + std::to_string(c.n));
    expect_relative(binomial_p_value(c.hits, c.n), c.p, 1e-12);
  }
}

// Below n = 50 every C(n, j) and their sums are exact in a double.
TEST(BinomialPValue, MatchesExactEnumerationForSmallN) {
  for (std::int64_t n = 1; n <= 50; ++n) {
    std::vector<double> comb(static_cast<std::size_t>(n + 1), 1.0);
    for (std::int64_t j = 1; j <= n; ++j)
      comb[static_cast<std::size_t>(j)] = comb[static_cast<std::size_t>(j - 1)] *
                                          static_cast<double>(n - j + 1) / static_cast<double>(j);
    double tail = 0.0;
    for (std::int64_t k = n; k >= 0; --k) {
      tail += comb[static_cast<std::size_t>(k)];
      SCOPED_TRACE(std::to_string(k) + " of " + std::to_string(n));
      expect_relative(binomial_p_value(k, n), std::ldexp(tail, -static_cast<int>(n)), 1e-13);
    }
  }
}

TEST(BinomialPValue, EdgesAndContracts) {
  EXPECT_EQ(binomial_p_value(0, 1), 1.0);
  EXPECT_EQ(binomial_p_value(1, 1), 0.5);
  EXPECT_EQ(binomial_p_value(0, 1000000), 1.0);
  EXPECT_EQ(binomial_p_value(1000000, 1000000), 0.0);  // 2^-10^6 underflows
  EXPECT_THROW(binomial_p_value(0, 0), ContractError);
  EXPECT_THROW(binomial_p_value(4, 3), ContractError);
  EXPECT_THROW(binomial_p_value(-1, 3), ContractError);
}

// --- directional accuracy

TEST(DirectionalAccuracy, CountsHitsAndTies) {
  // up/up hit, down/down hit, up/down miss, forecast tie, actual tie.
  const auto d = directional_accuracy(vec({101, 99, 102, 100, 98}), vec({103, 97, 99, 105, 100}),
                                      constant(5, 100));
  EXPECT_EQ(d.hits, 2);
  EXPECT_EQ(d.n, 3);
  EXPECT_EQ(d.ties, 2);
  EXPECT_DOUBLE_EQ(d.accuracy, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(d.p_value, 0.5);  // P(X >= 2 | 3) = 4/8
}

TEST(DirectionalAccuracy, AllTiesAndSingleFold) {
  // A no-change forecast is all ties: no directional score at all.
  const auto ties = directional_accuracy(constant(4, 100), vec({101, 99, 100, 102}), constant(4, 100));
  EXPECT_EQ(ties.n, 0);
  EXPECT_EQ(ties.ties, 4);
  EXPECT_TRUE(std::isnan(ties.accuracy));
  EXPECT_TRUE(std::isnan(ties.p_value));
  // A forecast that differs from the cutoff price by rounding alone is no
  // move (exp(log(p)) for a log model); a move of a millionth is one.
  const double p = 111.7;
  const auto rounded = directional_accuracy(vec({std::exp(std::log(p)) , p * (1 + 1e-6)}), vec({120, 120}),
                                            vec({p, p}));
  EXPECT_EQ(rounded.ties, 1);
  EXPECT_EQ(rounded.hits, 1);

  const auto hit = directional_accuracy(vec({101}), vec({102}), vec({100}));
  EXPECT_EQ(hit.hits, 1);
  EXPECT_EQ(hit.accuracy, 1.0);
  EXPECT_EQ(hit.p_value, 0.5);
  const auto miss = directional_accuracy(vec({101}), vec({99}), vec({100}));
  EXPECT_EQ(miss.accuracy, 0.0);
  EXPECT_EQ(miss.p_value, 1.0);
}

TEST(DirectionalAccuracy, RejectsMismatchedAndNonFinite) {
  EXPECT_THROW(directional_accuracy(vec({1, 2}), vec({1}), vec({1})), ContractError);
  EXPECT_THROW(directional_accuracy(vec({1}), vec({1}), vec({1, 2})), ContractError);
  EXPECT_THROW(directional_accuracy(vec({NAN}), vec({1}), vec({1})), ContractError);
}

// --- point errors and coverage

TEST(PointMetrics, HandComputed) {
  const Eigen::VectorXd forecast = vec({101, 99, 102}), actual = vec({103, 97, 99});
  // Errors -2, 2, 3.
  EXPECT_DOUBLE_EQ(rmse(forecast, actual), std::sqrt(17.0 / 3.0));
  EXPECT_DOUBLE_EQ(mae(forecast, actual), 7.0 / 3.0);
  EXPECT_DOUBLE_EQ(mape(forecast, actual), 100.0 / 3.0 * (2.0 / 103 + 2.0 / 97 + 3.0 / 99));
  EXPECT_DOUBLE_EQ(mape(forecast, actual), 2.3446354244072194);
}

TEST(PointMetrics, EmptyIsNanAndBadInputThrows) {
  const Eigen::VectorXd none(0);
  EXPECT_TRUE(std::isnan(rmse(none, none)));
  EXPECT_TRUE(std::isnan(mae(none, none)));
  EXPECT_TRUE(std::isnan(mape(none, none)));
  EXPECT_TRUE(std::isnan(interval_coverage(none, none, none)));
  EXPECT_THROW(rmse(vec({1, 2}), vec({1})), ContractError);
  EXPECT_THROW(mae(vec({1}), vec({INFINITY})), ContractError);
  EXPECT_THROW(mape(vec({1}), vec({0})), ContractError);
}

TEST(IntervalCoverage, BoundsAreInclusive) {
  // Inside, on the upper bound, below, above.
  EXPECT_DOUBLE_EQ(interval_coverage(vec({95, 95, 100, 90}), vec({105, 100, 110, 95}),
                                     vec({100, 100, 99, 96})),
                   0.5);
  EXPECT_DOUBLE_EQ(interval_coverage(vec({100}), vec({100}), vec({100})), 1.0);
  EXPECT_THROW(interval_coverage(vec({101}), vec({100}), vec({100})), ContractError);
}

// --- Brier score

TEST(BrierScore, HandComputedWithTie) {
  // Up (0.2^2), down (0.3^2), down (0.6^2), tie.
  const auto b = brier_score(vec({0.8, 0.3, 0.6, 0.5}), vec({103, 97, 99, 100}), constant(4, 100));
  EXPECT_EQ(b.n, 3);
  EXPECT_EQ(b.ties, 1);
  EXPECT_DOUBLE_EQ(b.score, (0.04 + 0.09 + 0.36) / 3.0);

  const auto all_ties = brier_score(vec({0.5}), vec({100}), vec({100}));
  EXPECT_EQ(all_ties.n, 0);
  EXPECT_TRUE(std::isnan(all_ties.score));
  EXPECT_THROW(brier_score(vec({1.2}), vec({101}), vec({100})), ContractError);
}

// --- CRPS

// properscoring.crps_ensemble's definition, O(m^2), in long double.
double crps_direct(const std::vector<float>& x, double y) {
  long double to_actual = 0, between = 0;
  for (float a : x) {
    to_actual += std::abs(static_cast<long double>(a) - y);
    for (float b : x) between += std::abs(static_cast<long double>(a) - static_cast<long double>(b));
  }
  const long double m = static_cast<long double>(x.size());
  return static_cast<double>(to_actual / m - 0.5L * between / (m * m));
}

TEST(CrpsSample, HandComputed) {
  // mean|X - X'| over the 9 pairs of {1, 2, 3} is 8/9.
  EXPECT_DOUBLE_EQ(crps_sample({3, 1, 2}, 2.0), 2.0 / 3.0 - 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(crps_sample({3, 1, 2}, 0.0), 2.0 - 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(crps_sample({3, 1, 2}, 5.0), 3.0 - 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(crps_sample({4.5f}, 2.0), 2.5);  // one sample: |x - y|
  EXPECT_EQ(crps_sample({2, 2, 2}, 2.0), 0.0);
}

TEST(CrpsSample, MatchesDirectFormulaOnRandomData) {
  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal(100.0f, 5.0f);
  std::uniform_int_distribution<int> coarse(95, 105);  // many tied samples
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t m = 1 + static_cast<std::size_t>(trial) * 53;
    std::vector<float> x(m);
    for (float& v : x) v = trial % 2 ? normal(rng) : static_cast<float>(coarse(rng));
    // Inside, outside on both sides, and exactly on a sample.
    for (double y : {static_cast<double>(normal(rng)), 80.0, 120.0, static_cast<double>(x[m / 2])}) {
      SCOPED_TRACE("m = " + std::to_string(m) + ", y = " + std::to_string(y));
      expect_relative(crps_sample(x, y), crps_direct(x, y), 1e-12);
    }
  }
}

TEST(CrpsSample, LargeNormalSampleMatchesGaussianClosedForm) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(100.0, 5.0);
  std::vector<float> x(1000000);
  for (float& v : x) v = static_cast<float>(normal(rng));
  // Monte Carlo sd of the sample CRPS is about 0.7 sigma / sqrt(m) = 0.0035.
  for (double y : {100.0, 104.0, 93.0, 115.0})
    EXPECT_NEAR(crps_sample(x, y), crps_gaussian(100.0, 5.0, y), 0.02) << "y = " << y;
}

TEST(CrpsSample, RejectsBadInput) {
  EXPECT_THROW(crps_sample({}, 1.0), ContractError);
  EXPECT_THROW(crps_sample({1.0f, NAN}, 1.0), ContractError);
  EXPECT_THROW(crps_sample({1.0f}, NAN), ContractError);
}

// References: scipy.integrate.quad of (Phi((z - mu) / sigma) - 1{z >= y})^2.
TEST(CrpsGaussian, MatchesNumericalIntegral) {
  expect_relative(crps_gaussian(0.0, 1.0, 0.0), 0.23369497725510907, 1e-14);
  expect_relative(crps_gaussian(100.0, 5.0, 108.0), 5.411471761862846, 1e-14);
  expect_relative(crps_gaussian(2.5, 0.3, 1.9), 0.43583754650577106, 1e-14);
  expect_relative(crps_gaussian(50.0, 2.0, 80.0), 28.871620832904487, 1e-14);
  EXPECT_EQ(crps_gaussian(3.0, 0.0, 1.0), 2.0);  // point forecast
  EXPECT_THROW(crps_gaussian(0.0, -1.0, 0.0), ContractError);
}

// --- summary

FoldRecords sample_folds() {
  FoldRecords f;
  f.forecast_mean = vec({101, 99, 102, 100, 98, 105});
  f.lower_95 = vec({95, 95, 100, 90, 90, 100});
  f.upper_95 = vec({105, 100, 110, 95, 100, 110});
  f.actual = vec({103, NAN, 97, 99, 100, NAN});
  f.cutoff_price = constant(6, 100);
  f.p_up = vec({0.8, NAN, 0.3, 0.6, 0.5, 0.9});
  f.crps = vec({1.0, NAN, 2.0, 3.0, 6.0, NAN});
  return f;
}

TEST(Summarize, SkipsNanActualsAndMatchesTheParts) {
  const FoldRecords f = sample_folds();
  const MetricSummary s = summarize(f);
  EXPECT_EQ(s.folds, 6);
  EXPECT_EQ(s.missing, 2);
  EXPECT_EQ(s.n, 4);
  // Scored folds: forecast {101, 102, 100, 98}, actual {103, 97, 99, 100}.
  const Eigen::VectorXd forecast = vec({101, 102, 100, 98}), actual = vec({103, 97, 99, 100});
  EXPECT_EQ(s.direction.hits, 1);  // hit, miss, forecast tie, actual tie
  EXPECT_EQ(s.direction.n, 2);
  EXPECT_EQ(s.direction.ties, 2);
  EXPECT_DOUBLE_EQ(s.direction.p_value, 0.75);
  EXPECT_DOUBLE_EQ(s.rmse, std::sqrt((4.0 + 25.0 + 1.0 + 4.0) / 4.0));
  EXPECT_DOUBLE_EQ(s.mae, 2.5);
  EXPECT_DOUBLE_EQ(s.mape, mape(forecast, actual));
  EXPECT_DOUBLE_EQ(s.coverage_95, 0.5);  // in, out, out, in
  EXPECT_EQ(s.brier.n, 3);
  EXPECT_EQ(s.brier.ties, 1);
  EXPECT_DOUBLE_EQ(s.brier.score, (0.04 + 0.09 + 0.36) / 3.0);
  EXPECT_DOUBLE_EQ(s.crps, 3.0);
}

TEST(Summarize, OptionalInputsMayBeAbsent) {
  FoldRecords f = sample_folds();
  f.p_up.resize(0);
  f.crps.resize(0);
  const MetricSummary s = summarize(f);
  EXPECT_EQ(s.n, 4);
  EXPECT_TRUE(std::isnan(s.brier.score));
  EXPECT_EQ(s.brier.n, 0);
  EXPECT_TRUE(std::isnan(s.crps));
}

TEST(Summarize, EmptyAndAllMissingGiveNan) {
  FoldRecords all_missing = sample_folds();
  all_missing.actual.setConstant(NAN);
  for (const FoldRecords& f : {FoldRecords{}, all_missing}) {
    const MetricSummary s = summarize(f);
    EXPECT_EQ(s.n, 0);
    EXPECT_EQ(s.missing, s.folds);
    EXPECT_EQ(s.direction.n, 0);
    for (double metric : {s.direction.accuracy, s.direction.p_value, s.rmse, s.mae, s.mape,
                          s.coverage_95, s.crps})
      EXPECT_TRUE(std::isnan(metric));
  }
}

TEST(Summarize, RejectsMismatchedLengths) {
  FoldRecords f = sample_folds();
  f.upper_95 = vec({1, 2});
  EXPECT_THROW(summarize(f), ContractError);
  f = sample_folds();
  f.p_up = vec({0.5});
  EXPECT_THROW(summarize(f), ContractError);
  f = sample_folds();
  f.crps[0] = NAN;  // a scored fold without its CRPS
  EXPECT_THROW(summarize(f), ContractError);
}

}  // namespace
}  // namespace arabica

namespace arabica {
namespace {

TEST(PathCalibration, CoverageCountsThePitInsideTheCentralInterval) {
  const Eigen::VectorXd pit = (Eigen::VectorXd(6) << 0.01, 0.025, 0.3, 0.5, 0.975, 0.99).finished();
  EXPECT_DOUBLE_EQ(pit_coverage(pit, 0.95), 4.0 / 6.0);  // ends included
  EXPECT_DOUBLE_EQ(pit_coverage(pit, 0.50), 2.0 / 6.0);
  EXPECT_TRUE(std::isnan(pit_coverage(Eigen::VectorXd(), 0.9)));
  EXPECT_THROW(pit_coverage(pit, 1.0), ContractError);
}

TEST(Summarize, DirectionIsTheMediansWhenThereIsOne) {
  FoldRecords f;
  f.cutoff_price = Eigen::Vector3d(100.0, 100.0, 100.0);
  f.actual = Eigen::Vector3d(99.0, 99.0, 101.0);
  f.forecast_mean = Eigen::Vector3d(100.5, 100.5, 100.5);  // all up: 1 of 3
  f.lower_95 = f.forecast_mean.array() - 5.0;
  f.upper_95 = f.forecast_mean.array() + 5.0;
  EXPECT_EQ(summarize(f).direction.hits, 1);
  f.forecast_median = Eigen::Vector3d(99.5, 99.5, 100.5);  // down, down, up: 3 of 3
  EXPECT_EQ(summarize(f).direction.hits, 3);
  EXPECT_EQ(summarize(f).rmse, rmse(f.forecast_mean, f.actual));  // the mean's error
}

TEST(PathCalibration, KsDistanceIsScipysStatistic) {
  // scipy.stats.kstest([0.1, 0.35, 0.4, 0.9, 0.97], 'uniform').statistic
  const Eigen::VectorXd pit = (Eigen::VectorXd(5) << 0.9, 0.1, 0.4, 0.97, 0.35).finished();
  EXPECT_NEAR(pit_ks_distance(pit), 0.30000000000000004, 1e-15);
  // Uniform draws: below the 5% critical value 1.36 / sqrt(n).
  Eigen::VectorXd uniform(4000);
  std::uint64_t state = 12345;
  for (Eigen::Index i = 0; i < uniform.size(); ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    uniform[i] = static_cast<double>(state >> 11) * 0x1p-53;
  }
  EXPECT_LT(pit_ks_distance(uniform), 1.36 / std::sqrt(4000.0));
  EXPECT_DOUBLE_EQ(pit_ks_distance(Eigen::VectorXd::Constant(10, 1.0)), 1.0);  // every actual above every path
}

TEST(QuantileScores, PinballLossIsHandComputed) {
  // One forecast whose every quantile is 10, actual 12: each level a loses
  // a * 2; the mean over kQuantileLevels is 2 * mean(levels) = 1.
  Eigen::MatrixXd q = Eigen::MatrixXd::Constant(1, static_cast<Eigen::Index>(kQuantileLevels.size()), 10.0);
  EXPECT_NEAR(pinball_loss(q, Eigen::VectorXd::Constant(1, 12.0)), 1.0, 1e-15);
  // Below every quantile: (1 - a) * 2 each, mean 1 as the levels are symmetric.
  EXPECT_NEAR(pinball_loss(q, Eigen::VectorXd::Constant(1, 8.0)), 1.0, 1e-15);
  EXPECT_EQ(pinball_loss(q, Eigen::VectorXd::Constant(1, 10.0)), 0.0);
  EXPECT_TRUE(std::isnan(pinball_loss(Eigen::MatrixXd(0, q.cols()), Eigen::VectorXd())));
  EXPECT_THROW(pinball_loss(Eigen::MatrixXd::Zero(1, 3), Eigen::VectorXd::Zero(1)), ContractError);
}

TEST(QuantileScores, WinklerScoreIsTheWidthPlusThePenaltyOutside) {
  const Eigen::Vector3d lower(90.0, 90.0, 90.0), upper(110.0, 110.0, 110.0);
  const Eigen::Vector3d actual(100.0, 85.0, 112.0);
  // 20 each, plus 2 / 0.05 = 40 per unit outside: 5 below and 2 above.
  EXPECT_NEAR(winkler_score(lower, upper, actual, 0.95), (20.0 + 220.0 + 100.0) / 3.0, 1e-12);
  EXPECT_THROW(winkler_score(upper, lower, actual, 0.95), ContractError);  // lower above upper
}

// The paths' quantile scores: summarize reads the 2.5/97.5%, 10/90%, 5% and
// 1% columns; pooled series divide the scores by their scale.
TEST(Summarize, QuantileScoresReadTheirLevelsAndScale) {
  FoldRecords f;
  f.cutoff_price = Eigen::Vector2d(100.0, 100.0);
  f.actual = Eigen::Vector2d(96.0, 100.0);
  f.forecast_mean = Eigen::Vector2d(100.0, 100.0);
  f.lower_95 = f.forecast_mean.array() - 5.0;
  f.upper_95 = f.forecast_mean.array() + 5.0;
  f.quantiles.resize(2, static_cast<Eigen::Index>(kQuantileLevels.size()));
  for (std::size_t q = 0; q < kQuantileLevels.size(); ++q)
    f.quantiles.col(static_cast<Eigen::Index>(q)).setConstant(100.0 + 40.0 * (kQuantileLevels[q] - 0.5));
  const MetricSummary s = summarize(f);
  // 95%: [81, 119]; 80%: [84, 116]; the 5% quantile 82 and 1% 80.4 not crossed.
  EXPECT_NEAR(s.winkler_95, 38.0, 1e-12);
  EXPECT_NEAR(s.winkler_80, 32.0, 1e-12);
  EXPECT_EQ(s.var_95.exceedances, 0);
  EXPECT_EQ(s.var_99.n, 2);
  EXPECT_NEAR(s.pinball, 0.5 * (pinball_loss(f.quantiles.topRows(1), Eigen::VectorXd::Constant(1, 96.0)) +
                                pinball_loss(f.quantiles.bottomRows(1), Eigen::VectorXd::Constant(1, 100.0))),
              1e-12);
  f.score_scale = Eigen::Vector2d(50.0, 50.0);
  const MetricSummary scaled = summarize(f);
  EXPECT_NEAR(scaled.winkler_95, 38.0 / 50.0, 1e-12);
  EXPECT_NEAR(scaled.pinball, s.pinball / 50.0, 1e-12);
}

}  // namespace
}  // namespace arabica
