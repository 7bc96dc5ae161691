// The exact diffuse initialisation (--init exact-diffuse) and the likelihood
// of the differenced series (--simple-differencing): closed forms, scale
// invariance and the equivalence of the two conventions' optima.
#include <cmath>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "arabica/error.hpp"
#include "arabica/kalman_filter.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/state_space.hpp"
#include "golden_json.hpp"

namespace arabica {
namespace {

constexpr double kLog2Pi = 1.8378770664093454836;

// A case's data from the outside reference set (public datasets).
Eigen::VectorXd reference_series(const std::string& name) {
  std::ifstream in(ARABICA_TEST_DATA_DIR "/golden/sarimax_reference_set.json");
  const nlohmann::json all = nlohmann::json::parse(in);
  for (const nlohmann::json& c : all)
    if (c.at("name") == name) return golden::to_vector(c.at("y"));
  ADD_FAILURE() << "no case " << name;
  return {};
}

SarimaxSpec spec_of(const std::string& order, const std::string& seasonal, const std::string& trend,
                    Initialization init, bool simple_differencing = false) {
  SarimaxSpec spec = SarimaxSpec::from_strings(order, seasonal, trend);
  spec.initialization = init;
  spec.simple_differencing = simple_differencing;
  return spec;
}

// A random walk with an exactly diffuse start: the first period adds
// -(log 2pi + log F_inf)/2 with F_inf = 1, every later one the density of
// its increment.
TEST(ExactDiffuse, RandomWalkLikelihoodIsTheIncrementsDensity) {
  const Eigen::VectorXd y = (Eigen::VectorXd(6) << 1e4, 1e4 + 3.0, 1e4 + 1.0, 1e4 + 4.0, 1e4 + 2.0,
                             1e4 + 2.5).finished();
  const double sigma2 = 2.0;
  double expected = -0.5 * kLog2Pi;
  for (Eigen::Index t = 1; t < y.size(); ++t) {
    const double step = y[t] - y[t - 1];
    expected += -0.5 * (kLog2Pi + std::log(sigma2) + step * step / sigma2);
  }
  const SarimaxSpec spec = spec_of("0,1,0", "0,0,0,0", "n", Initialization::exact_diffuse);
  const Eigen::VectorXd params = (Eigen::VectorXd(1) << sigma2).finished();
  EXPECT_NEAR(sarimax_loglike(spec, y, Eigen::MatrixXd(y.size(), 0), params), expected, 1e-10);

  // The differenced series' convention leaves the diffuse period out.
  SarimaxSpec differenced = spec_of("0,1,0", "0,0,0,0", "n", Initialization::approximate_diffuse, true);
  differenced.enforce_stationarity = true;  // as Stata and R
  EXPECT_NEAR(sarimax_loglike(differenced, y, Eigen::MatrixXd(y.size(), 0), params), expected + 0.5 * kLog2Pi,
              1e-10);
}

// One diffuse period per differencing state; the filter reports them.
TEST(ExactDiffuse, TheFilterCountsTheDiffusePeriods) {
  const SarimaxSpec spec = spec_of("1,1,1", "0,1,1,4", "n", Initialization::exact_diffuse);
  SarimaxParams params;
  params.ar = Eigen::VectorXd::Constant(1, 0.3);
  params.ma = Eigen::VectorXd::Constant(1, -0.2);
  params.sma = Eigen::VectorXd::Constant(1, -0.5);
  params.sigma2 = 1.5;
  const StateSpace system = make_state_space(spec, params);
  const InitialState init = initial_state(spec, system, Eigen::VectorXd::Zero(system.k_states()));
  ASSERT_EQ(init.diffuse.rows(), system.k_states());
  KalmanColumns columns;
  columns.observations = ColumnsMatrix::Zero(40, 1);
  for (Eigen::Index t = 0; t < 40; ++t) columns.observations(t, 0) = std::sin(0.7 * t) + 0.1 * t;
  const KalmanResult kf = kalman_filter(system, Eigen::MatrixXd::Zero(system.k_states(), 1), init.cov,
                                        columns, init.diffuse);
  ASSERT_EQ(kf.diffuse_variance.size(), spec.k_states_diff());
  EXPECT_TRUE((kf.diffuse_variance.array() > 0.0).all());
  // The sample must not end inside them.
  columns.observations.conservativeResize(spec.k_states_diff(), 1);
  EXPECT_THROW(kalman_filter(system, Eigen::MatrixXd::Zero(system.k_states(), 1), init.cov, columns,
                             init.diffuse),
               NumericalError);
}

// Issue item 9: with the exact prior a fit on prices in cents is the fit on
// prices in dollars, rescaled; the approximate prior (variance 1e6 in the
// data's units) is not.
TEST(ExactDiffuse, FitsAreScaleFree) {
  const Eigen::VectorXd y = reference_series("stata_wpi1_arima111_c");  // wpi1, levels 30..115
  const double scale = 100.0;
  const Eigen::MatrixXd none(y.size(), 0);
  const SarimaxSpec spec = spec_of("1,1,1", "0,0,0,0", "c", Initialization::exact_diffuse);
  const SarimaxFit small = fit_sarimax(spec, y, none);
  const SarimaxFit large = fit_sarimax(spec, scale * y, none);
  ASSERT_TRUE(small.converged && large.converged) << small.message << " / " << large.message;
  EXPECT_NEAR(large.params[0], scale * small.params[0], 1e-4 * scale);       // intercept
  EXPECT_NEAR(large.params[1], small.params[1], 1e-4);                       // ar.L1
  EXPECT_NEAR(large.params[2], small.params[2], 1e-4);                       // ma.L1
  EXPECT_NEAR(large.params[3] / (scale * scale), small.params[3], 1e-4 * small.params[3]);
  // Every period but the diffuse one moves by -log(scale).
  EXPECT_NEAR(large.llf, small.llf - (y.size() - 1) * std::log(scale), 1e-6 * std::abs(small.llf));
}

// The exact diffuse likelihood and the differenced series' likelihood differ
// by a constant (the diffuse periods' log F_inf terms), so they share their
// optimum: R's exact ML on USAccDeaths (ma -0.4303, sigma2 99347).
TEST(ExactDiffuse, SharesItsOptimumWithTheDifferencedLikelihood) {
  const Eigen::VectorXd y = reference_series("r_usaccdeaths_airline");
  const Eigen::MatrixXd none(y.size(), 0);
  const SarimaxFit exact =
      fit_sarimax(spec_of("0,1,1", "0,1,1,12", "n", Initialization::exact_diffuse), y, none);
  SarimaxSpec differenced = spec_of("0,1,1", "0,1,1,12", "n", Initialization::approximate_diffuse, true);
  differenced.enforce_stationarity = true;
  const SarimaxFit simple = fit_sarimax(differenced, y, none);
  ASSERT_EQ(exact.params.size(), 3);
  for (Eigen::Index i = 0; i < 3; ++i)
    EXPECT_LE(golden::param_error(exact.params[i], simple.params[i]), 1e-4) << exact.param_names[i];
  EXPECT_NEAR(exact.params[0], -0.4303, 5e-4);
  EXPECT_NEAR(exact.params[2], 99347.0, 0.005 * 99347.0);
  EXPECT_EQ(simple.loglikelihood_burn, 13);  // the 13 differencing periods left out
  EXPECT_EQ(exact.loglikelihood_burn, 0);
  EXPECT_EQ(exact.initialisation_periods, 13);

  // The approximate prior (variance 1e6 at levels ~1e4) lands elsewhere, as
  // statsmodels' default does (ma.L1 -0.392).
  SarimaxSpec approximate_spec = spec_of("0,1,1", "0,1,1,12", "n", Initialization::approximate_diffuse);
  approximate_spec.enforce_stationarity = true;  // statsmodels' default
  const SarimaxFit approximate = fit_sarimax(approximate_spec, y, none);
  EXPECT_NEAR(approximate.params[0], -0.392, 5e-3);
}

TEST(ExactDiffuse, InitialisationNamesParse) {
  EXPECT_EQ(parse_initialization("exact-diffuse"), Initialization::exact_diffuse);
  EXPECT_EQ(parse_initialization("approximate"), Initialization::approximate_diffuse);
  EXPECT_THROW(parse_initialization("exact diffuse"), InputError);
  SarimaxSpec spec;
  spec.initialization = Initialization::exact_diffuse;
  spec.simple_differencing = true;
  EXPECT_EQ(spec.describe(), "SARIMAX(1,1,1)(0,0,0,0) trend=n init=exact-diffuse simple-differencing");
  EXPECT_EQ(SarimaxSpec().describe(), "SARIMAX(1,1,1)(0,0,0,0) trend=n");
}

}  // namespace
}  // namespace arabica
