#include "arabica/state_space.hpp"

#include <gtest/gtest.h>

#include "arabica/error.hpp"

namespace arabica {
namespace {

SarimaxParams params_for(const SarimaxSpec& spec, std::vector<double> flat, int k_exog = 0) {
  return SarimaxParams::unpack(spec, k_exog,
                               Eigen::Map<Eigen::VectorXd>(flat.data(), flat.size()));
}

// Expected matrices are statsmodels' SARIMAX((1,1,1),(1,1,1,3), trend='c')
// representation at params [0.5, 0.3, 0.2, 0.1, 0.4, 2.0].
TEST(StateSpace, MatchesStatsmodelsSeasonalLayout) {
  SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "1,1,1,3", "c");
  const StateSpace ss = make_state_space(spec, params_for(spec, {0.5, 0.3, 0.2, 0.1, 0.4, 2.0}));
  ASSERT_EQ(ss.k_states(), 9);
  Eigen::RowVectorXd Z(9);
  Z << 1, 0, 0, 1, 1, 0, 0, 0, 0;
  EXPECT_EQ(ss.design, Z);
  Eigen::MatrixXd T(9, 9);
  T << 1, 0, 0, 1, 1, 0, 0, 0, 0,  //
      0, 0, 0, 1, 1, 0, 0, 0, 0,   //
      0, 1, 0, 0, 0, 0, 0, 0, 0,   //
      0, 0, 1, 0, 0, 0, 0, 0, 0,   //
      0, 0, 0, 0, 0.3, 1, 0, 0, 0,  //
      0, 0, 0, 0, 0, 0, 1, 0, 0,   //
      0, 0, 0, 0, 0.1, 0, 0, 1, 0,  //
      0, 0, 0, 0, -0.03, 0, 0, 0, 1,  //
      0, 0, 0, 0, 0, 0, 0, 0, 0;
  EXPECT_LT((ss.transition - T).cwiseAbs().maxCoeff(), 1e-15);
  Eigen::VectorXd R(9);
  R << 0, 0, 0, 0, 1, 0.2, 0, 0.4, 0.08;
  EXPECT_LT((ss.selection - R).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_EQ(ss.trend_state, 4);
  EXPECT_DOUBLE_EQ(ss.sigma2, 2.0);
}

TEST(StateSpace, SecondDifferencesIntegrateTwice) {
  SarimaxSpec spec = SarimaxSpec::from_strings("0,2,0", "", "n");
  const StateSpace ss = make_state_space(spec, params_for(spec, {1.0}));
  Eigen::MatrixXd T(3, 3);
  T << 1, 1, 1, 0, 1, 1, 0, 0, 0;
  EXPECT_EQ(ss.transition, T);
  EXPECT_EQ(ss.design, Eigen::RowVector3d(1, 1, 1));
}

TEST(StateSpace, TrendRegressorsFollowStatsmodelsOffset) {
  SarimaxSpec spec = SarimaxSpec::from_strings("1,0,0", "", "ct");
  EXPECT_DOUBLE_EQ(trend_regressor(spec, 0, 5), 1.0);
  EXPECT_DOUBLE_EQ(trend_regressor(spec, 1, 0), 1.0);  // drift starts at t = 1
  EXPECT_DOUBLE_EQ(trend_regressor(spec, 1, 9), 10.0);
  SarimaxSpec drift = SarimaxSpec::from_strings("1,0,0", "", "t");
  EXPECT_DOUBLE_EQ(trend_regressor(drift, 0, 4), 5.0);
}

TEST(StateSpace, BurnInCountsDiffuseStates) {
  SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "1,0,1,5", "n");
  EXPECT_EQ(loglikelihood_burn(spec), spec.k_states());
  spec.enforce_stationarity = true;
  EXPECT_EQ(loglikelihood_burn(spec), 1);
}

TEST(StateSpace, StationaryInitialisationSolvesLyapunov) {
  SarimaxSpec spec = SarimaxSpec::from_strings("1,0,0", "", "c");
  spec.enforce_stationarity = true;
  const SarimaxParams params = params_for(spec, {2.0, 0.6, 1.5});
  const StateSpace ss = make_state_space(spec, params);
  Eigen::VectorXd c0 = Eigen::VectorXd::Zero(ss.k_states());
  c0[ss.trend_state] = 2.0;
  const InitialState init = initial_state(spec, ss, c0);
  // AR(1): variance sigma2 / (1 - phi^2), mean c / (1 - phi).
  EXPECT_NEAR(init.cov(0, 0), 1.5 / (1 - 0.36), 1e-12);
  EXPECT_NEAR(init.mean[0], 2.0 / 0.4, 1e-12);
}

// The O(k^3) doubling solver near the unit root: AR(1) with phi = 1 - 1e-6
// needs about 2^24 terms of the series, still exact to rounding; an AR block
// on the unit circle has no stationary law and is refused, not summed.
TEST(StateSpace, StationaryInitialisationNearAndOnTheUnitRoot) {
  SarimaxSpec spec = SarimaxSpec::from_strings("1,0,0", "", "n");
  spec.enforce_stationarity = true;
  const double phi = 1.0 - 1e-6;
  const StateSpace near = make_state_space(spec, params_for(spec, {phi, 0.25}));
  const InitialState init = initial_state(spec, near, Eigen::VectorXd::Zero(near.k_states()));
  const double exact = 0.25 / (1.0 - phi * phi);
  EXPECT_NEAR(init.cov(0, 0), exact, 1e-8 * exact);
  const StateSpace unit = make_state_space(spec, params_for(spec, {1.0, 0.25}));
  EXPECT_THROW(initial_state(spec, unit, Eigen::VectorXd::Zero(1)), NumericalError);
  const StateSpace explosive = make_state_space(spec, params_for(spec, {1.01, 0.25}));
  EXPECT_THROW(initial_state(spec, explosive, Eigen::VectorXd::Zero(1)), NumericalError);
}

// A seasonal ARMA block (27 states): the solution satisfies X = T X T' + Q.
TEST(StateSpace, StationaryInitialisationOfASeasonalBlock) {
  SarimaxSpec spec = SarimaxSpec::from_strings("2,0,2", "1,0,2,12", "n");
  spec.enforce_stationarity = true;
  const StateSpace ss =
      make_state_space(spec, params_for(spec, {0.5, 0.3, 0.2, -0.3, 0.9, 0.4, 0.2, 2.0}));
  const InitialState init = initial_state(spec, ss, Eigen::VectorXd::Zero(ss.k_states()));
  const Eigen::MatrixXd& T = ss.transition;
  const Eigen::MatrixXd Q = ss.sigma2 * ss.selection * ss.selection.transpose();
  const Eigen::MatrixXd residual = init.cov - T * init.cov * T.transpose() - Q;
  EXPECT_LT(residual.cwiseAbs().maxCoeff(), 1e-11 * init.cov.cwiseAbs().maxCoeff());
  EXPECT_LT((init.cov - init.cov.transpose()).cwiseAbs().maxCoeff(), 1e-15 * init.cov.cwiseAbs().maxCoeff());
}

TEST(SarimaxSpec, ParsesAndNamesParameters) {
  const SarimaxSpec spec = SarimaxSpec::from_strings("2,1,1", "1,0,1,5", "ct");
  EXPECT_EQ(spec.k_params(2), 2 + 2 + 2 + 1 + 1 + 1 + 1);
  const std::vector<std::string> expected{"intercept", "drift",  "brl",     "inr",
                                          "ar.L1",     "ar.L2",  "ma.L1",   "ar.S.L5",
                                          "ma.S.L5",   "sigma2"};
  EXPECT_EQ(spec.param_names({"brl", "inr"}), expected);
  EXPECT_EQ(spec.describe(), "SARIMAX(2,1,1)(1,0,1,5) trend=ct");
}

TEST(SarimaxSpec, RejectsMalformedOrders) {
  EXPECT_THROW(SarimaxSpec::from_strings("1,1", "", "n"), InputError);
  EXPECT_THROW(SarimaxSpec::from_strings("1,x,1", "", "n"), InputError);
  EXPECT_THROW(SarimaxSpec::from_strings("1,1,1", "1,0,0,1", "n"), InputError);
  EXPECT_THROW(SarimaxSpec::from_strings("1,1,1", "", "quadratic"), InputError);
}

}  // namespace
}  // namespace arabica
