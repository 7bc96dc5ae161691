#include "arabica/innovation_estimation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "arabica/error.hpp"
#include "goodness_of_fit.hpp"

namespace arabica {
namespace {

// Residuals as a fit would leave them: draws of `params` on an arbitrary
// location and scale, which estimation must standardise away.
Eigen::VectorXd residuals_from(const InnovationParams& params, std::size_t n, std::uint64_t seed) {
  const std::vector<double> draws = testing::draw_paths(params, n, seed, 100);
  Eigen::VectorXd r(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) r[static_cast<Eigen::Index>(i)] = 2.5 + 0.04 * draws[i];
  return r;
}

InnovationParams estimate(InnovationKind kind, const Eigen::VectorXd& r) {
  return estimate_innovations(kind, r).params();
}

TEST(EstimateInnovations, StudentTRecoversNu) {
  const InnovationParams p = estimate(InnovationKind::student_t, residuals_from(make_student_t(5.0), 20000, 11));
  EXPECT_EQ(p.kind, InnovationKind::student_t);
  EXPECT_NEAR(p.nu, 5.0, 0.7);
  // Normal residuals: no excess tails, so nu runs to the upper clip.
  EXPECT_GT(estimate(InnovationKind::student_t, residuals_from(make_normal(), 20000, 12)).nu, 50.0);
}

TEST(EstimateInnovations, SkewNormalInvertsTheSkewness) {
  EXPECT_NEAR(estimate(InnovationKind::skew_normal, residuals_from(make_skew_normal(3.0), 20000, 13)).alpha,
              3.0, 0.5);
  EXPECT_NEAR(estimate(InnovationKind::skew_normal, residuals_from(make_skew_normal(-1.0), 20000, 14)).alpha,
              -1.0, 0.25);
  // Exponential residuals (skewness 2) are beyond any skew-normal: clipped.
  Eigen::VectorXd exponential(5000);
  PhiloxStream stream(1, 0, 0);
  for (double& x : exponential) x = -std::log(uniform_float(stream.next()));
  const InnovationParams clipped = estimate(InnovationKind::skew_normal, exponential);
  EXPECT_GT(clipped.alpha, 10.0);
  EXPECT_TRUE(std::isfinite(clipped.center));
}

TEST(EstimateInnovations, SkewTRecoversSlantAndTails) {
  const InnovationParams p = estimate(InnovationKind::skew_t, residuals_from(make_skew_t(2.0, 6.0), 10000, 15));
  EXPECT_NEAR(p.alpha, 2.0, 0.5);
  EXPECT_NEAR(p.nu, 6.0, 1.5);
}

TEST(EstimateInnovations, MixtureMatchesKurtosisAtTheGivenWeight) {
  const InnovationParams p = estimate(InnovationKind::mixture, residuals_from(make_mixture(), 100000, 16));
  EXPECT_EQ(p.weight, 0.10);
  EXPECT_NEAR(p.wide_scale, 3.0, 0.2);
  const Innovations other = estimate_innovations(
      InnovationKind::mixture, residuals_from(make_mixture(0.2, 2.0), 100000, 17), {0.2});
  EXPECT_NEAR(other.params().wide_scale, 2.0, 0.15);
  // Thin tails: no wide component to speak of.
  EXPECT_EQ(estimate(InnovationKind::mixture, residuals_from(make_normal(), 100000, 18)).wide_scale, 1.0);
}

TEST(EstimateInnovations, NigMethodOfMomentsRecoversShape) {
  const InnovationParams p = estimate(InnovationKind::nig, residuals_from(make_nig(1.5, -0.6), 100000, 19));
  EXPECT_NEAR(p.alpha, 1.5, 0.3);
  EXPECT_NEAR(p.beta, -0.6, 0.15);
}

TEST(EstimateInnovations, JumpsRecoverRateAndSize) {
  const InnovationParams p =
      estimate(InnovationKind::jumps, residuals_from(make_jumps(0.1, -1.5, 2.0), 20000, 20));
  EXPECT_NEAR(p.jump_rate, 0.1, 0.035);
  EXPECT_NEAR(p.jump_mean, -1.5, 0.4);
  EXPECT_NEAR(p.jump_sd, 2.0, 0.4);
  // Normal residuals: the fitted jumps carry almost none of the variance.
  const InnovationParams none = estimate(InnovationKind::jumps, residuals_from(make_normal(), 20000, 21));
  EXPECT_LT(none.jump_rate * (none.jump_mean * none.jump_mean + none.jump_sd * none.jump_sd), 0.05);
}

TEST(EstimateInnovations, BootstrapOwnsStandardisedResiduals) {
  Eigen::VectorXd r(6);
  r << 3.0, std::numeric_limits<double>::quiet_NaN(), 1.0, 4.0, 1.0, 5.0;
  Eigen::VectorXd longer(12);
  longer << r, r;
  const Innovations innovations = estimate_innovations(InnovationKind::bootstrap, longer);
  const InnovationParams& p = innovations.params();
  ASSERT_EQ(p.kind, InnovationKind::bootstrap);
  ASSERT_EQ(p.residual_count, 10u);  // NaNs dropped
  const std::vector<float> expected = standardize_residuals(longer);
  double sum = 0.0, sum_sq = 0.0;
  for (std::uint32_t i = 0; i < p.residual_count; ++i) {
    EXPECT_EQ(p.residuals[i], expected[i]);
    sum += p.residuals[i];
    sum_sq += p.residuals[i] * p.residuals[i];
  }
  EXPECT_NEAR(sum / 10.0, 0.0, 1e-7);
  EXPECT_NEAR(sum_sq / 10.0, 1.0, 1e-6);
  // (3 - mean) / sd with mean 2.8 and sd 1.6 (divisor n).
  EXPECT_FLOAT_EQ(p.residuals[0], 0.125f);
}

TEST(EstimateInnovations, RejectsTooFewOrConstantResiduals) {
  EXPECT_THROW(estimate_innovations(InnovationKind::student_t, Eigen::VectorXd::Ones(9)),
               NumericalError);
  EXPECT_THROW(estimate_innovations(InnovationKind::skew_normal, Eigen::VectorXd::Constant(50, 2.0)),
               NumericalError);
  // Normal innovations estimate nothing from the residuals.
  EXPECT_EQ(estimate_innovations(InnovationKind::normal, Eigen::VectorXd::Constant(50, 2.0)).params().kind,
            InnovationKind::normal);
  Eigen::VectorXd mostly_nan = Eigen::VectorXd::Constant(40, std::numeric_limits<double>::quiet_NaN());
  mostly_nan.head(5) << 1.0, 2.0, 3.0, 4.0, 5.0;
  EXPECT_THROW(standardize_residuals(mostly_nan), NumericalError);
}

// Prices from returns: 200 calm returns of +-1%, then `recent` (30 returns).
Eigen::VectorXd prices_with_recent(double up, double down) {
  std::vector<double> returns;
  for (int i = 0; i < 200; ++i) returns.push_back(i % 2 ? -0.01 : 0.01);
  for (int i = 0; i < 30; ++i) returns.push_back(i % 2 ? down : up);
  Eigen::VectorXd prices(static_cast<Eigen::Index>(returns.size() + 1));
  prices[0] = 100.0;
  for (std::size_t i = 0; i < returns.size(); ++i)
    prices[static_cast<Eigen::Index>(i + 1)] = prices[static_cast<Eigen::Index>(i)] * (1.0 + returns[i]);
  return prices;
}

TEST(Regime, ClassifiesByRecentOverHistoricalVolatility) {
  // Recent sd over the whole series' sd: 1.0, 1.42, 1.89 and 1.89.
  EXPECT_EQ(classify_regime(prices_with_recent(0.01, -0.01)), Regime::normal);
  EXPECT_EQ(classify_regime(prices_with_recent(0.015, -0.015)), Regime::volatile_);
  EXPECT_EQ(classify_regime(prices_with_recent(0.035, -0.015)), Regime::boom);
  EXPECT_EQ(classify_regime(prices_with_recent(-0.035, 0.015)), Regime::crisis);
  // Thresholds are options: a stricter volatile bar turns 1.42 back to normal.
  RegimeOptions strict;
  strict.volatile_ratio = 1.45;
  strict.extreme_ratio = 2.0;
  EXPECT_EQ(classify_regime(prices_with_recent(0.015, -0.015), strict), Regime::normal);
  EXPECT_EQ(classify_regime(prices_with_recent(0.035, -0.015), strict), Regime::volatile_);
}

TEST(Regime, ValidatesPrices) {
  EXPECT_THROW(classify_regime(Eigen::VectorXd::Constant(31, 100.0)), ContractError);
  Eigen::VectorXd prices = prices_with_recent(0.01, -0.01);
  prices[5] = -1.0;
  EXPECT_THROW(classify_regime(prices), ContractError);
}

TEST(Regime, SkewParamsFollowTheLegacyTable) {
  EXPECT_STREQ(regime_name(Regime::volatile_), "volatile");
  const struct {
    Regime regime;
    double alpha;
  } table[] = {{Regime::normal, 0.0}, {Regime::volatile_, 0.3}, {Regime::crisis, -0.5},
               {Regime::boom, 0.8}};
  for (const auto& row : table) {
    const InnovationParams p = regime_skew_params(row.regime);
    EXPECT_EQ(p.kind, InnovationKind::skew_normal);
    EXPECT_EQ(p.alpha, row.alpha);
    EXPECT_EQ(p.center > 0.0f, row.alpha > 0.0);  // standardised: the slant's mean is removed
  }
}

// 49 residuals in steps of a half (ties), on which the jump sd of the
// search ran to infinity and broke make_jumps' contract (an internal error
// that stopped a backfill). The search stays where the likelihood is
// defined; an estimate with no finite maximum is an Error (the fold fails).
TEST(EstimateInnovations, JumpsOnTiedResidualsGiveFiniteParametersOrFail) {
  const std::vector<double> halves = {3,  2,  -1, 2,  0,  0, -1, -1, -3, 0, 0,  1,  3,  -1, -1, -3, -4,
                                      0,  -1, -2, -3, 0,  2, -1, 3,  -1, -2, -3, 1, -5, 0,  0,  2,  -2,
                                      -1, -3, 1,  -3, 3,  -1, -6, 2,  1,  0,  -2, 0, 0,  -1, -1};
  Eigen::VectorXd r(static_cast<Eigen::Index>(halves.size()));
  for (std::size_t i = 0; i < halves.size(); ++i) r[static_cast<Eigen::Index>(i)] = 0.5 * halves[i];
  try {
    const InnovationParams p = estimate(InnovationKind::jumps, r);
    EXPECT_TRUE(std::isfinite(p.jump_rate) && std::isfinite(p.jump_mean) && std::isfinite(p.jump_sd));
  } catch (const ContractError& e) {
    FAIL() << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no finite maximum"), std::string::npos) << e.what();
  }
}

// regime compares the last 30 returns with the window's: a shorter window
// (a backfill's early folds, a short CSV) is refused naming the option,
// not a contract error.
TEST(ChooseInnovations, RegimeOnFewerPricesThanItsLookbackIsAnInputError) {
  const Eigen::VectorXd residuals = Eigen::VectorXd::LinSpaced(40, -1.0, 1.0);
  const Eigen::VectorXd prices = Eigen::VectorXd::LinSpaced(31, 100.0, 130.0);
  try {
    choose_innovations("regime", residuals, prices, "--innovations");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "--innovations");
    EXPECT_NE(std::string(e.what()).find("needs at least 32 prices, got 31"), std::string::npos) << e.what();
  }
  const Eigen::VectorXd enough = Eigen::VectorXd::LinSpaced(32, 100.0, 130.0);
  EXPECT_EQ(choose_innovations("regime", residuals, enough, "--innovations").params().kind,
            InnovationKind::skew_normal);
}

// Found by fuzzing `arabica simulate --window-rows 10`: normal innovations
// were refused (exit 3, "needs at least 10 finite residuals") although they
// estimate nothing; a family that does estimate a shape from too few
// residuals is the user's window, an input error naming the setting.
TEST(ChooseInnovations, NormalNeedsNoResidualsAndOtherFamiliesNameTheSettingWhenTooFew) {
  const Eigen::VectorXd prices = Eigen::VectorXd::LinSpaced(9, 100.0, 108.0);
  const Eigen::VectorXd seven = Eigen::VectorXd::LinSpaced(7, -1.0, 1.0);
  EXPECT_EQ(choose_innovations("normal", seven, prices, "--innovations").params().kind, InnovationKind::normal);
  EXPECT_EQ(choose_innovations("normal", Eigen::VectorXd(), prices, "--innovations").params().kind,
            InnovationKind::normal);
  EXPECT_EQ(estimate_innovations(InnovationKind::normal, Eigen::VectorXd::Zero(3)).params().kind,
            InnovationKind::normal);
  for (const char* family : {"student_t", "skew_normal", "skew_t", "mixture", "nig", "jumps", "bootstrap"}) {
    try {
      choose_innovations(family, seven, prices, "--model");
      ADD_FAILURE() << family << ": no error";
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), "--model");
      EXPECT_NE(std::string(e.what()).find("needs at least 10 finite residuals, got 7"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace arabica
