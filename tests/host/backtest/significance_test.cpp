// Overlap-aware tests against statsmodels and scipy on fixed data
// (scripts/make_significance_reference.py prints every reference value).
#include "arabica/significance.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "arabica/error.hpp"
#include "arabica/metrics.hpp"

namespace arabica {
namespace {

Eigen::VectorXd loss_differences() {
  const std::vector<double> d = {
      0.205479,  -0.665451, -0.771267, -1.231627, -0.371246, 1.378807,  0.629966,  -0.213734,
      0.269895,  0.764650,  0.766499,  -0.460153, -0.255908, 0.698612,  -0.635808, -0.755554,
      -2.279057, -2.267556, -2.885825, -1.426993, -1.661022, -0.259731, 0.239276,  0.288499,
      -2.281893, -1.804828, -0.826745, 0.222601,  -1.176701, -1.061842, -1.424212, -1.239275,
      0.582041,  -0.113647, 0.101227,  0.922616,  0.237277,  0.103455,  0.168363,  0.396550,
      -0.853648, -0.339759, 1.336991,  -0.409009, 0.638743,  0.470840,  -0.012043, 1.951341,
      2.070069,  0.158192,  -0.116379, 0.561613,  0.479586,  1.042648,  0.586594,  1.132210,
      2.118916,  0.687626,  0.529298,  -0.244123, 0.210225};
  return Eigen::Map<const Eigen::VectorXd>(d.data(), static_cast<Eigen::Index>(d.size()));
}

TEST(NeweyWest, IsStatsmodelsHacVarianceOfTheMean) {
  const Eigen::VectorXd d = loss_differences();
  EXPECT_NEAR(newey_west_variance_of_mean(d, 0), 0.018281907832860468, 1e-14);
  EXPECT_NEAR(newey_west_variance_of_mean(d, 2), 0.03691377840961123, 1e-14);
  EXPECT_NEAR(newey_west_variance_of_mean(d, 6), 0.05987017742643992, 1e-14);
}

TEST(DieboldMariano, IsTheHarveyLeybourneNewboldStatistic) {
  const TestResult dm = diebold_mariano(loss_differences(), 2);
  EXPECT_NEAR(dm.statistic, -0.49866871235246896, 1e-12);
  EXPECT_NEAR(dm.p_value, 0.6198360793432164, 1e-10);
  // Equal losses: no evidence either way.
  EXPECT_EQ(diebold_mariano(Eigen::VectorXd::Zero(10), 1).p_value, 1.0);
}

TEST(HacDirectionTest, IsTheNormalTestWithTheNeweyWestVariance) {
  const std::string text = "11110101001000111011001111101110111100110110110010100110100101111101110101100110";
  Eigen::VectorXd hits(static_cast<Eigen::Index>(text.size()));
  for (std::size_t i = 0; i < text.size(); ++i) hits[static_cast<Eigen::Index>(i)] = text[i] == '1';
  const TestResult t = hac_direction_test(hits, 3);
  EXPECT_NEAR(t.statistic, 2.509533544349798, 1e-12);
  EXPECT_NEAR(t.p_value, 0.006044536655507795, 1e-12);
  EXPECT_EQ(hac_direction_test(Eigen::VectorXd::Ones(20), 2).p_value, 0.0);  // every forecast a hit
}

// The replicates' variance converges to the moving-block bootstrap's exact
// variance of the mean, (1/k) Var(block means over every start) for n = k b.
TEST(MovingBlockBootstrap, HasTheExactBootstrapVarianceAndIsReproducible) {
  const Eigen::VectorXd d = loss_differences().head(60);
  const int block = 5, k = 12, starts = 56;
  Eigen::VectorXd block_mean(starts);
  for (int s = 0; s < starts; ++s) block_mean[s] = d.segment(s, block).mean();
  const double exact_variance =
      (block_mean.array() - block_mean.mean()).square().mean() / static_cast<double>(k);
  const double exact_mean = block_mean.mean();
  // The 95% interval of a normal with that mean and variance, within Monte
  // Carlo error of 20,000 replicates.
  const BootstrapInterval ci = moving_block_bootstrap(d, block, 20000, 42);
  const double half = 1.959963984540054 * std::sqrt(exact_variance);
  EXPECT_NEAR(ci.low, exact_mean - half, 0.05 * half);
  EXPECT_NEAR(ci.high, exact_mean + half, 0.05 * half);
  const BootstrapInterval again = moving_block_bootstrap(d, block, 20000, 42);
  EXPECT_EQ(ci.low, again.low);
  EXPECT_EQ(ci.high, again.high);
  // Blocks keep the autocorrelation: wider than the iid bootstrap's.
  const BootstrapInterval iid = moving_block_bootstrap(d, 1, 20000, 42);
  EXPECT_GT(ci.high - ci.low, 1.2 * (iid.high - iid.low));
  EXPECT_THROW(moving_block_bootstrap(d, 61, 100, 1), ContractError);
}

// Exceedances that come in pairs: too many for a 95% VaR (Kupiec) and
// clustered (Christoffersen's independence test).
TEST(VarBacktest, IsKupiecsAndChristoffersensLikelihoodRatio) {
  const std::string text =
      "000000000000000000000000000000000000000001111000110011000000011000000000000000000000000000";
  const auto n = static_cast<Eigen::Index>(text.size());
  const Eigen::VectorXd var_price = Eigen::VectorXd::Constant(n, 100.0);
  Eigen::VectorXd actual(n);
  for (Eigen::Index i = 0; i < n; ++i) actual[i] = text[static_cast<std::size_t>(i)] == '1' ? 99.0 : 101.0;
  const VarBacktest t = var_backtest(var_price, actual, 0.95);
  EXPECT_EQ(t.n, 90);
  EXPECT_EQ(t.exceedances, 10);
  EXPECT_DOUBLE_EQ(t.exceedance_rate, 10.0 / 90.0);
  EXPECT_NEAR(t.kupiec_p, 0.020939804624399757, 1e-12);
  EXPECT_NEAR(t.christoffersen_p, 2.9755305552938625e-05, 1e-14);
  // On the VaR price is no exceedance; none at all is consistent with
  // independence (p = 1) and, in 90 folds, with a 1% rate.
  const VarBacktest none = var_backtest(var_price, var_price, 0.99);
  EXPECT_EQ(none.exceedances, 0);
  EXPECT_EQ(none.christoffersen_p, 1.0);
  EXPECT_GT(none.kupiec_p, 0.1);
  EXPECT_TRUE(std::isnan(var_backtest(Eigen::VectorXd(), Eigen::VectorXd(), 0.95).kupiec_p));
  EXPECT_THROW(var_backtest(var_price, actual, 1.0), ContractError);
}

}  // namespace
}  // namespace arabica
