#include "arabica/sarimax.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "arabica/error.hpp"
#include "model/sarimax_likelihood.hpp"
#include "model/simulate_arima.hpp"

namespace arabica {
namespace {

TEST(SarimaxFit, RecoversSimulatedArimaxParameters) {
  const Eigen::Vector2d beta(1.5, -0.8);
  const auto data = testing::simulate_arima(4000, 0.5, 0.3, 1.0, 1, beta, 42);
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog, {}, {"a", "b"});
  ASSERT_TRUE(fit.converged) << fit.message;
  const Eigen::VectorXd truth = (Eigen::VectorXd(5) << 1.5, -0.8, 0.5, 0.3, 1.0).finished();
  for (Eigen::Index i = 0; i < truth.size(); ++i)
    EXPECT_NEAR(fit.params[i], truth[i], 4.0 * fit.standard_errors[i]) << fit.param_names[i];
  EXPECT_EQ(fit.param_names[0], "a");
  EXPECT_EQ(fit.residuals.size(), 4000);
  // The reported llf is the likelihood at the reported parameters.
  EXPECT_NEAR(sarimax_loglike(spec, data.y, data.exog, fit.params), fit.llf,
              1e-9 * std::abs(fit.llf));
  EXPECT_NEAR(fit.aic, -2 * fit.llf + 2 * 5, 1e-9);
}

TEST(SarimaxFit, MaximisesTheLikelihoodLocally) {
  const auto data = testing::simulate_arima(800, -0.4, 0.6, 2.0, 0, Eigen::VectorXd(), 7);
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,0,1", "", "c");
  const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog);
  for (Eigen::Index i = 0; i < fit.params.size(); ++i)
    for (double step : {-1e-3, 1e-3}) {
      Eigen::VectorXd moved = fit.params;
      moved[i] += step * std::max(1.0, std::abs(moved[i]));
      EXPECT_LT(sarimax_loglike(spec, data.y, data.exog, moved), fit.llf) << fit.param_names[i];
    }
}

TEST(SarimaxFit, ReportsTheInvertibleRepresentation) {
  // MA(1) with theta = 0.6; its mirror 1/0.6 fits equally well.
  const auto data = testing::simulate_arima(1500, 0.0, 0.6, 1.0, 0, Eigen::VectorXd(), 3);
  const SarimaxSpec spec = SarimaxSpec::from_strings("0,0,1", "", "c");
  FitOptions options;
  options.start_params = Eigen::Vector3d(100.0, 1.0 / 0.6, 0.36);
  const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog, options);
  EXPECT_LT(std::abs(fit.params[1]), 1.0);
  EXPECT_NEAR(fit.params[1], 0.6, 0.1);
}

TEST(SarimaxFit, EnforcedConstraintsKeepParametersInside) {
  const auto data = testing::simulate_arima(600, 0.95, 0.0, 1.0, 0, Eigen::VectorXd(), 11);
  SarimaxSpec spec = SarimaxSpec::from_strings("1,0,1", "", "c");
  spec.enforce_stationarity = spec.enforce_invertibility = true;
  const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog);
  EXPECT_TRUE(fit.converged) << fit.message;
  EXPECT_LT(std::abs(fit.params[1]), 1.0);
  EXPECT_LT(std::abs(fit.params[2]), 1.0);
  EXPECT_EQ(fit.loglikelihood_burn, 0);
}

TEST(SarimaxFit, RefilterWithTheSameDataReproducesTheFit) {
  const auto data = testing::simulate_arima(500, 0.3, 0.2, 1.0, 1, Eigen::Vector2d(0.5, 1.0), 5);
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog);
  const SarimaxFit again = refilter_sarimax(fit, data.y, data.exog);
  EXPECT_NEAR(again.llf, fit.llf, 1e-9 * std::abs(fit.llf));
  EXPECT_LT((again.end_state.state - fit.end_state.state).cwiseAbs().maxCoeff(), 1e-8);
  // More data, same parameters: the end state moves, parameters do not.
  const SarimaxFit shorter = fit_sarimax(spec, data.y.head(400), data.exog.topRows(400));
  const SarimaxFit extended = refilter_sarimax(shorter, data.y, data.exog);
  EXPECT_EQ(extended.params, shorter.params);
  EXPECT_EQ(extended.nobs, 500);
}

TEST(SarimaxFit, RejectsTooFewRowsAndNonFiniteData) {
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  // Too few rows for the model is an input problem (exit 2), not a numerical one.
  EXPECT_THROW(fit_sarimax(spec, Eigen::VectorXd::LinSpaced(4, 1.0, 2.0).array().square().matrix(),
                           Eigen::MatrixXd(4, 0)),
               InputError);
  Eigen::VectorXd y = Eigen::VectorXd::LinSpaced(50, 1.0, 50.0);
  y[10] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(fit_sarimax(spec, y, Eigen::MatrixXd(50, 0)), NumericalError);
}

std::string spec_error(const std::string& order, const std::string& seasonal) {
  try {
    SarimaxSpec::from_strings(order, seasonal, "n");
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(SarimaxSpecLimits, OversizedModelsAreRefusedNamingTheOption) {
  EXPECT_EQ(spec_error("50,2,50", ""), "--order: p 50 is above the supported maximum 20");
  EXPECT_EQ(spec_error("1,3,1", ""), "--order: d 3 is above the supported maximum 2");
  EXPECT_EQ(spec_error("0,1,1", "1,1,1,400"),
            "--seasonal: period s 400 is above the supported maximum 366");
  EXPECT_EQ(spec_error("0,1,1", "1,1,1,260"),
            "--seasonal: SARIMAX(0,1,1)(1,1,1,260) trend=n needs 523 states; at most 64 are "
            "supported");
  EXPECT_EQ(spec_error("2,1,2", "0,1,2,12"), "accepted");  // 40 states
}

TEST(SarimaxSpecLimits, LagsInBothPolynomialsAreRefusedAsStatsmodelsDoes) {
  EXPECT_EQ(spec_error("4,1,0", "1,0,0,4"),
            "--seasonal: autoregressive lag(s) {4} are in both the seasonal and non-seasonal "
            "autoregressive components");
  EXPECT_EQ(spec_error("0,1,8", "0,0,2,4"),
            "--seasonal: moving average lag(s) {4, 8} are in both the seasonal and non-seasonal "
            "moving average components");
  EXPECT_EQ(spec_error("3,1,0", "1,0,0,4"), "accepted");
}

TEST(SarimaxFit, IterationAndTimeLimitsStopTheFitAndSaySo) {
  // ARMA: the Hannan-Rissanen start is not the optimum (for a pure AR it is).
  const auto data = testing::simulate_arima(500, 0.5, 0.4, 1.0, 1, Eigen::VectorXd(), 13);
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "", "n");
  FitOptions options;
  options.max_iterations = 1;
  const SarimaxFit few = fit_sarimax(spec, data.y, data.exog, options);
  EXPECT_FALSE(few.converged);
  EXPECT_EQ(few.message, "stopped: iteration limit 1");
  EXPECT_TRUE(few.params.allFinite());
  options = FitOptions{};
  options.max_seconds = 1e-9;
  const SarimaxFit late = fit_sarimax(spec, data.y, data.exog, options);
  EXPECT_FALSE(late.converged);
  EXPECT_EQ(late.message, "stopped: time limit (1e-09 s)");
  EXPECT_TRUE(late.params.allFinite());
}

TEST(SarimaxForecast, RandomWalkForecastIsFlatWithGrowingVariance) {
  const auto data = testing::simulate_arima(300, 0.0, 0.0, 1.0, 1, Eigen::VectorXd(), 9);
  const SarimaxSpec spec = SarimaxSpec::from_strings("0,1,0", "", "n");
  const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog);
  const Forecast forecast = forecast_sarimax(fit, Eigen::MatrixXd(5, 0), 5);
  for (int h = 0; h < 5; ++h) {
    EXPECT_NEAR(forecast.mean[h], data.y[299], 1e-9);
    EXPECT_NEAR(forecast.std_error[h], std::sqrt((h + 1) * fit.params[0]), 1e-9);
    EXPECT_NEAR(forecast.upper_95[h] - forecast.mean[h], 1.959963984540054 * forecast.std_error[h],
                1e-12);
  }
}

TEST(SarimaxForecast, FutureExogShiftsTheMeanByItsCoefficient) {
  const auto data = testing::simulate_arima(400, 0.4, 0.0, 1.0, 0, Eigen::VectorXd::Constant(1, 2.0), 4);
  const SarimaxSpec spec = SarimaxSpec::from_strings("1,0,0", "", "c");
  const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog);
  const Eigen::MatrixXd base = Eigen::MatrixXd::Zero(3, 1);
  const Eigen::MatrixXd shocked = Eigen::MatrixXd::Constant(3, 1, 1.0);
  const Forecast a = forecast_sarimax(fit, base, 3), b = forecast_sarimax(fit, shocked, 3);
  for (int h = 0; h < 3; ++h) EXPECT_NEAR(b.mean[h] - a.mean[h], fit.params[1], 1e-10);
  EXPECT_EQ(a.std_error, b.std_error);
}

}  // namespace
}  // namespace arabica

namespace arabica {
namespace {

// The interleaved probes of the optimiser's gradient give each point's own
// likelihood, for plain, trend and enforced-stationarity models alike.
TEST(SarimaxLikelihoodLanes, EachLaneEqualsItsOwnEvaluation) {
  const auto data = testing::simulate_arima(400, 0.6, -0.3, 1.5, 1, Eigen::Vector2d(0.7, -1.2), 8);
  for (const char* trend : {"n", "t"})
    for (const bool stationary : {false, true}) {
      SarimaxSpec spec = SarimaxSpec::from_strings("1,1,1", "0,0,0,0", trend);
      spec.enforce_stationarity = stationary;
      const SarimaxLikelihood likelihood(spec, data.y, data.exog);
      const SarimaxFit fit = fit_sarimax(spec, data.y, data.exog);
      const SarimaxParams base = SarimaxParams::unpack(spec, 2, fit.params);
      std::vector<SarimaxParams> points;
      for (const double shift : {0.0, 0.05, -0.1, 0.2}) {
        SarimaxParams p = base;
        p.ar[0] += shift;
        p.ma[0] -= shift / 2;
        p.sigma2 *= 1.0 + shift;
        points.push_back(p);
      }
      SarimaxParams explosive = base;
      explosive.ar[0] = 1.5;  // no stationary law: NaN when enforced
      points.push_back(explosive);
      const std::vector<double> lanes = likelihood.loglike_many(points);
      ASSERT_EQ(lanes.size(), points.size());
      for (std::size_t i = 0; i + 1 < points.size(); ++i)
        EXPECT_EQ(lanes[i], likelihood.evaluate(points[i]).llf) << trend << stationary << i;
      if (stationary) {
        EXPECT_TRUE(std::isnan(lanes.back()));
      } else {
        EXPECT_EQ(lanes.back(), likelihood.evaluate(explosive).llf);
      }
    }
}

}  // namespace
}  // namespace arabica
