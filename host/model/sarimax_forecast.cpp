#include <cmath>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/state_space.hpp"

namespace arabica {

Forecast forecast_sarimax(const SarimaxFit& fitted, const Eigen::MatrixXd& future_exog,
                          int horizon) {
  ARABICA_REQUIRE(horizon > 0, "horizon must be positive");
  ARABICA_REQUIRE(future_exog.cols() == fitted.k_exog, "future exog has the wrong column count");
  ARABICA_REQUIRE(fitted.k_exog == 0 || future_exog.rows() >= horizon,
                  "future exog has fewer rows than the horizon");
  const SarimaxSpec& spec = fitted.spec;
  const SarimaxParams params = SarimaxParams::unpack(spec, fitted.k_exog, fitted.params);
  const StateSpace system = make_state_space(spec, params);
  const Eigen::MatrixXd RQR = system.sigma2 * system.selection * system.selection.transpose();

  Forecast out;
  out.mean.resize(horizon);
  out.std_error.resize(horizon);
  Eigen::VectorXd a = fitted.end_state.state;
  Eigen::MatrixXd P = fitted.end_state.covariance;
  for (int h = 0; h < horizon; ++h) {
    const double regression = fitted.k_exog ? future_exog.row(h).dot(params.beta) : 0.0;
    out.mean[h] = system.design.dot(a) + regression;
    out.std_error[h] = std::sqrt(system.design * P * system.design.transpose());
    // Period n + h carries trend regressor index n + h (0-based).
    double intercept = 0.0;
    for (int j = 0; j < spec.k_trend(); ++j)
      intercept += params.trend[j] * trend_regressor(spec, j, fitted.nobs + h);
    a = system.transition * a;
    a[system.trend_state] += intercept;
    P = system.transition * P * system.transition.transpose() + RQR;
  }
  constexpr double z975 = 1.959963984540054;
  out.lower_95 = out.mean - z975 * out.std_error;
  out.upper_95 = out.mean + z975 * out.std_error;
  return out;
}

}  // namespace arabica
