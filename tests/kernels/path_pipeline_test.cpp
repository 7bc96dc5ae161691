// The Monte Carlo pipeline (kernels/path_pipeline.hpp) on Thrust's OpenMP
// system, against the scalar reference: every family, both path modes,
// stress shocks, batches beyond 500 and 65,535 (request, day) segments,
// multi-part batches, two paths, unknown actuals, ties, non-finite paths.
// Quantiles and stored paths are the reference's floats exactly; sums differ
// only in their grouping.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "arabica/backend.hpp"
#include "arabica/error.hpp"
#include "mc/backend_factory.hpp"
#include "mc/fitted_paths.hpp"
#include "mc/standardised.hpp"
#include "reference_paths.hpp"

namespace arabica {
namespace {

const testing::FittedPaths& fitted() {
  static const testing::FittedPaths f = testing::fitted_paths(800, 5);
  return f;
}

const std::vector<float>& residuals() {
  static const std::vector<float> r = [] {
    std::vector<float> v;
    for (int i = 0; i < 400; ++i) v.push_back(std::sin(0.7f * i) + 0.3f * std::cos(1.9f * i));
    return testing::standardised(v);
  }();
  return r;
}

InnovationParams family(const std::string& name) {
  if (name == "normal") return make_normal();
  if (name == "student_t") return make_student_t(4.0);
  if (name == "skew_normal") return make_skew_normal(-3.0);
  if (name == "skew_t") return make_skew_t(2.0, 6.0);
  if (name == "mixture") return make_mixture();
  if (name == "nig") return make_nig(1.5, -0.5);
  if (name == "jumps") return make_jumps(0.05, -1.0, 2.0);
  return make_bootstrap(residuals().data(), residuals().size());
}

double relative(double a, double b) { return std::abs(a - b) / std::max(1e-300, std::abs(b)); }

// Same statistics as the reference: order statistics and stored values
// exactly, sums to their grouping's rounding.
void expect_matches_reference(const PathStats& got, const PathStats& want, const std::string& what) {
  ASSERT_EQ(got.n_paths, want.n_paths) << what;
  ASSERT_EQ(got.mean.size(), want.mean.size()) << what;
  for (Eigen::Index h = 0; h < want.mean.size(); ++h) {
    const std::string at = what + " day " + std::to_string(h);
    EXPECT_LE(relative(got.mean[h], want.mean[h]), 1e-12) << at;
    EXPECT_LE(relative(got.std[h], want.std[h]), 1e-9) << at;
    EXPECT_NEAR(got.skewness[h], want.skewness[h], 1e-8 * std::max(1.0, std::abs(want.skewness[h]))) << at;
    EXPECT_NEAR(got.kurtosis[h], want.kurtosis[h], 1e-8 * std::max(1.0, std::abs(want.kurtosis[h]))) << at;
    EXPECT_EQ(got.p_up[h], want.p_up[h]) << at;
    for (Eigen::Index q = 0; q < want.quantiles.cols(); ++q)
      EXPECT_EQ(got.quantiles(h, q), want.quantiles(h, q)) << at << " quantile " << q;
    for (Eigen::Index i = 0; i < want.tail_mean.cols(); ++i)
      EXPECT_LE(relative(got.tail_mean(h, i), want.tail_mean(h, i)), 1e-12) << at << " tail " << i;
    if (std::isnan(want.crps[h]))
      EXPECT_TRUE(std::isnan(got.crps[h])) << at;
    else
      EXPECT_LE(relative(got.crps[h], want.crps[h]), 1e-10) << at;
    if (std::isnan(want.pit[h]))
      EXPECT_TRUE(std::isnan(got.pit[h])) << at;
    else
      EXPECT_EQ(got.pit[h], want.pit[h]) << at;  // counts: exact
  }
  EXPECT_EQ(got.stored, want.stored) << what;
}

PathRequest with_actuals(PathRequest r) {
  r.actual = Eigen::VectorXd::Constant(r.model.horizon, r.last_price + 1.5);
  r.actual[2] = std::numeric_limits<double>::quiet_NaN();  // a day not yet known
  return r;
}

class PipelineFamilies : public ::testing::TestWithParam<const char*> {};

// 70,001 paths: two value items per day, the second short.
TEST_P(PipelineFamilies, StatisticsEqualTheReference) {
  PathRequest r = with_actuals(fitted().request(family(GetParam()), {7, 3, 11}, 70001));
  r.stored_paths = 40;
  expect_matches_reference(make_cpu_backend(2)->simulate(r), testing::reference_stats(r), GetParam());
}

// 21 days: the CPU lanes draw the rejection families a window of 8 days at
// a time (three windows, the last partial) and normals in pairs of days
// (an odd horizon); 1,001 paths: a partial group of lanes.
TEST_P(PipelineFamilies, LongHorizonsEqualTheReference) {
  PathRequest r = with_actuals(fitted().request(family(GetParam()), {5, 2, 9}, 1001, 21));
  r.stored_paths = 1001;
  expect_matches_reference(make_cpu_backend(2)->simulate(r), testing::reference_stats(r), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Families, PipelineFamilies,
                         ::testing::Values("normal", "student_t", "skew_normal", "skew_t", "mixture",
                                           "nig", "jumps", "bootstrap"));

TEST(Pipeline, MarginalModeAndStressShocksEqualTheReference) {
  PathRequest marginal = with_actuals(fitted().request(make_student_t(5.0), {1, 2, 3}, 5000));
  marginal.model.mode = PathMode::marginal;
  marginal.stored_paths = 5;
  PathRequest stressed = with_actuals(fitted().request(make_skew_t(-1.0, 6.0), {1, 2, 4}, 5000));
  for (int h = 0; h < stressed.model.horizon; ++h) {
    stressed.model.volatility[h] = 1.0f + 0.5f * h;
    stressed.model.price_offset[h] = -3.0f * h;
  }
  const std::vector<PathStats> got = make_cpu_backend(2)->simulate_batch({marginal, stressed});
  expect_matches_reference(got[0], testing::reference_stats(marginal), "marginal");
  expect_matches_reference(got[1], testing::reference_stats(stressed), "stressed");
  EXPECT_LT(got[1].mean[6], got[0].mean[6] - 10.0);  // the offsets moved the prices
}

// Variant paths: a model of log prices (each price exp of the modelled
// value) and GARCH(1,1) shocks path by path, the lanes' floats the scalar
// reference's, with lockstep (normal) and per-lane (student-t) draws.
TEST(Pipeline, TransformedPricesAndGarchEqualTheReference) {
  PathRequest log_prices = with_actuals(fitted().request(make_normal(), {2, 5, 1}, 5000));
  for (int i = 0; i < log_prices.model.k_states; ++i) log_prices.model.design[i] *= 0.04f;
  for (int h = 0; h < log_prices.model.horizon; ++h) {
    log_prices.model.regression[h] *= 0.04f;
    log_prices.model.center[h] = std::exp(0.04f * log_prices.model.mean[h]);
  }
  log_prices.model.price_transform = kLogPrices;
  log_prices.model.sigma *= 0.04f;
  log_prices.last_price = log_prices.model.center[0];
  log_prices.actual = Eigen::VectorXd::Constant(log_prices.model.horizon, log_prices.last_price * 1.01);
  // Box-Cox with lambda 1/2: price (x / 2 + 1)^2, x around 2 (sqrt(p) - 1).
  PathRequest box_cox = with_actuals(fitted().request(make_student_t(6.0), {2, 5, 3}, 5000));
  for (int i = 0; i < box_cox.model.k_states; ++i) box_cox.model.design[i] *= 0.1f;
  for (int h = 0; h < box_cox.model.horizon; ++h) {
    box_cox.model.regression[h] *= 0.1f;
    box_cox.model.center[h] = std::pow(0.05f * box_cox.model.mean[h] + 1.0f, 2.0f);
  }
  box_cox.model.price_transform = kBoxCoxPrices;
  box_cox.model.box_cox_lambda = 0.5f;
  box_cox.model.sigma *= 0.1f;
  box_cox.last_price = box_cox.model.center[0];
  box_cox.actual = Eigen::VectorXd::Constant(box_cox.model.horizon, box_cox.last_price * 0.99);
  std::vector<PathRequest> batch{log_prices, box_cox};
  for (const InnovationParams& family : {make_normal(), make_student_t(5.0)}) {
    PathRequest garch = with_actuals(fitted().request(family, {2, 5, 2}, 5000));
    const float s2 = garch.model.sigma * garch.model.sigma;
    garch.model.garch = 1;
    garch.model.garch_variance = 2.0f * s2;
    garch.model.garch_omega = 0.05f * s2;
    garch.model.garch_alpha = 0.10f;
    garch.model.garch_beta = 0.85f;
    batch.push_back(garch);
  }
  const std::vector<PathStats> got = make_cpu_backend(2)->simulate_batch(batch);
  expect_matches_reference(got[0], testing::reference_stats(batch[0]), "log prices");
  expect_matches_reference(got[1], testing::reference_stats(batch[1]), "box-cox prices");
  expect_matches_reference(got[2], testing::reference_stats(batch[2]), "garch, normal");
  expect_matches_reference(got[3], testing::reference_stats(batch[3]), "garch, student_t");
  EXPECT_GT(got[0].quantiles(6, 0), 0.0);  // exp: positive prices
  EXPECT_GT(got[1].quantiles(6, 0), 0.0);
}

// GARCH(1,1) paths of a random walk: day h's price variance is the sum of
// the shocks' expected variances, v + (alpha + beta)^(j-1) (s2_1 - v), within
// Monte Carlo error (and not the constant sigma's h sigma2).
TEST(Pipeline, GarchPathsHaveTheAnalyticConditionalVariance) {
  PathRequest r = testing::random_walk_request();
  r.model.garch = 1;
  r.model.garch_variance = 4.0f;  // a turbulent cutoff: twice the long-run volatility
  r.model.garch_omega = 0.05f;
  r.model.garch_alpha = 0.10f;
  r.model.garch_beta = 0.85f;
  r.innovations = make_normal();
  r.keys = {3, 1, 4};
  r.n_paths = 400000;
  r.last_price = 100.0;
  const PathStats stats = make_cpu_backend(2)->simulate(r);
  const double v = 0.05 / (1.0 - 0.95);
  double variance = 0.0;
  for (int h = 0; h < 7; ++h) {
    variance += v + std::pow(0.95, h) * (4.0 - v);
    EXPECT_NEAR(stats.std[h] * stats.std[h], variance, 0.02 * variance) << "day " << h + 1;
  }
  EXPECT_GT(stats.kurtosis[0], -0.05);  // normal on day 1 ...
  EXPECT_GT(stats.kurtosis[6], 0.1);    // ... mixed variances after: fat tails
}

// 9,400 requests of 2 to 6 paths: 65,800 (request, day) segments, beyond
// any 16-bit grid dimension, most of them with a CRPS.
TEST(Pipeline, ManySmallSegmentsEqualTheReference) {
  std::vector<PathRequest> batch;
  for (int i = 0; i < 9400; ++i) {
    PathRequest r = fitted().request(family(i % 3 ? "normal" : "jumps"),
                                     {5, static_cast<std::uint64_t>(i % 7), static_cast<std::uint64_t>(i)},
                                     2 + i % 5);
    if (i % 4) r = with_actuals(r);
    r.stored_paths = i % 3;
    batch.push_back(r);
  }
  const std::vector<PathStats> got = make_cpu_backend(2)->simulate_batch(batch);
  ASSERT_EQ(got.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); i += 37)
    expect_matches_reference(got[i], testing::reference_stats(batch[i]), "request " + std::to_string(i));
}

TEST(Pipeline, TwoPathsEqualTheReference) {
  PathRequest r = with_actuals(fitted().request(make_nig(1.5, -0.5), {9, 9, 9}, 2));
  r.stored_paths = 2;
  expect_matches_reference(make_cpu_backend(1)->simulate(r), testing::reference_stats(r), "two paths");
}

// Every path the same price (no shocks, no state uncertainty), and a
// bootstrap from two residual values (every day's values heavily tied).
TEST(Pipeline, ConstantAndTiedDaysEqualTheReference) {
  PathRequest constant = with_actuals(fitted().request(make_normal(), {1, 1, 1}, 3000));
  constant.model.sigma = 0.0f;
  std::fill(std::begin(constant.model.anchor_factor), std::end(constant.model.anchor_factor), 0.0f);
  static const float two[] = {-1.0f, 1.0f};
  PathRequest tied = with_actuals(fitted().request(make_bootstrap(two, 2), {1, 1, 2}, 3000));
  tied.model.mode = PathMode::marginal;
  const std::vector<PathStats> got = make_cpu_backend(2)->simulate_batch({constant, tied});
  expect_matches_reference(got[0], testing::reference_stats(constant), "constant");
  expect_matches_reference(got[1], testing::reference_stats(tied), "tied");
  EXPECT_EQ(got[0].std[3], 0.0);
}

// A bootstrap whose residuals hold two values ~20 standard deviations out,
// one either side: their draws lie beyond the bins' mean +- 10 sd and fall
// into the end bins, which no statistic's rank reaches (Cantelli); the
// statistics stay exact.
TEST(Pipeline, ValuesBeyondTheBinnedRangeEqualTheReference) {
  static const std::vector<float> outlier = [] {
    std::vector<float> v;
    for (int i = 0; i < 998; ++i) v.push_back(std::sin(0.37f * i));
    v.push_back(-40.0f);
    v.push_back(40.0f);
    return testing::standardised(v);
  }();
  ASSERT_GT(outlier.back(), 15.0f);
  ASSERT_LT(outlier[998], -15.0f);
  PathRequest state =
      with_actuals(fitted().request(make_bootstrap(outlier.data(), outlier.size()), {4, 1, 1}, 30000));
  PathRequest marginal = state;
  marginal.keys.fold = 2;
  marginal.model.mode = PathMode::marginal;
  state.stored_paths = marginal.stored_paths = 30000;
  const std::vector<PathStats> got = make_cpu_backend(2)->simulate_batch({state, marginal});
  expect_matches_reference(got[0], testing::reference_stats(state), "state space");
  expect_matches_reference(got[1], testing::reference_stats(marginal), "marginal");
  // The outliers were drawn: values lie beyond the binned range both sides.
  const PathStats& m = got[1];
  float lowest = INFINITY, highest = -INFINITY;
  for (int p = 0; p < m.n_paths; ++p) {
    lowest = std::min(lowest, m.stored[p * m.mean.size()]);
    highest = std::max(highest, m.stored[p * m.mean.size()]);
  }
  EXPECT_LT(lowest, m.mean[0] - 10.0 * m.std[0]);
  EXPECT_GT(highest, m.mean[0] + 10.0 * m.std[0]);
}

// A memory budget of about three requests cuts a batch into parts; each
// request's result is the one it gets alone.
TEST(Pipeline, MultiPartBatchesEqualOneBatch) {
  std::vector<PathRequest> batch;
  for (int i = 0; i < 10; ++i) {
    PathRequest r = with_actuals(fitted().request(family(i % 2 ? "skew_t" : "bootstrap"),
                                                  {3, 1, static_cast<std::uint64_t>(i)}, 3000 + 501 * i));
    r.stored_paths = i;
    batch.push_back(r);
  }
  const double part_bytes = 3 * 7 * (6000 * 5 * 4.0 + 20000);
  const std::vector<PathStats> parts = make_cpu_backend(2, part_bytes)->simulate_batch(batch);
  const std::vector<PathStats> whole = make_cpu_backend(2)->simulate_batch(batch);
  ASSERT_EQ(parts.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    expect_matches_reference(parts[i], testing::reference_stats(batch[i]), "part request " + std::to_string(i));
    EXPECT_EQ(parts[i].mean, whole[i].mean) << i;
    EXPECT_EQ(parts[i].crps.segment(3, 4), whole[i].crps.segment(3, 4)) << i;
  }
}

void expect_identical(const PathStats& a, const PathStats& b) {
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.std, b.std);
  EXPECT_EQ(a.skewness, b.skewness);
  EXPECT_EQ(a.kurtosis, b.kurtosis);
  EXPECT_EQ(a.quantiles, b.quantiles);
  EXPECT_EQ(a.tail_mean, b.tail_mean);
  EXPECT_EQ(a.crps.segment(3, 4), b.crps.segment(3, 4));
  EXPECT_EQ(a.stored, b.stored);
}

// Bit for bit the same on a rerun and on any number of threads: every sum
// is combined in a fixed order of fixed chunks.
TEST(Pipeline, RepeatRunsAndThreadCountsGiveIdenticalResults) {
  PathRequest r = with_actuals(fitted().request(make_skew_t(1.0, 5.0), {4, 4, 4}, 140001));
  r.stored_paths = 3;
  const PathStats one = make_cpu_backend(1)->simulate(r);
  expect_identical(one, make_cpu_backend(1)->simulate(r));
  expect_identical(one, make_cpu_backend(2)->simulate(r));
  expect_identical(one, make_cpu_backend(3)->simulate(r));
}

// A model that explodes over the horizon: an error naming the request and
// the first day with non-finite prices, not NaN statistics.
TEST(Pipeline, NonFinitePathsAreAnErrorNamingTheRequestAndDay) {
  PathRequest r = fitted().request(make_normal(), {1, 12, 34}, 1000);
  r.model.transition[0] = 1e20f;  // the first state grows 1e20-fold a day: inf on day 2
  r.model.anchor[0] = 1e10f;
  try {
    make_cpu_backend(2)->simulate(r);
    FAIL() << "no error";
  } catch (const NumericalError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("series 12 fold 34"), std::string::npos) << message;
    EXPECT_NE(message.find("not finite"), std::string::npos) << message;
    EXPECT_NE(message.find("day 2"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace arabica
