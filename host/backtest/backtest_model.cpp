#include "arabica/backtest_model.hpp"

#include <sstream>
#include <vector>

#include "arabica/error.hpp"

namespace arabica {

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);) parts.push_back(part);
  return parts;
}

// A SARIMAX coordinate name: "sarimax(p,d,q)", the seasonal order when there
// is one, and the trend when not none.
std::string sarimax_name(const SarimaxSpec& spec) {
  std::string name = "sarimax(" + std::to_string(spec.p) + "," + std::to_string(spec.d) + "," +
                     std::to_string(spec.q) + ")";
  if (spec.P || spec.D || spec.Q || spec.s)
    name += "(" + std::to_string(spec.P) + "," + std::to_string(spec.D) + "," +
            std::to_string(spec.Q) + "," + std::to_string(spec.s) + ")";
  if (spec.trend != Trend::none) name += "+" + to_string(spec.trend);
  return name;
}

}  // namespace

BacktestModel parse_backtest_model(const std::string& text, const SarimaxSpec& defaults,
                                   const std::string& field) {
  BacktestModel model;
  if (text == "naive" || text == "drift") {
    model.name = text;
    model.kind = text == "naive" ? ModelKind::naive : ModelKind::drift;
    model.spec = SarimaxSpec::from_strings("0,1,0", "0,0,0,0", text == "naive" ? "n" : "c");
    // Stationary initialisation of the (empty) ARMA part: the likelihood
    // counts every step after the first, which makes the closed form exact.
    model.spec.enforce_stationarity = true;
    return model;
  }
  const std::vector<std::string> parts = split(text, ':');
  if (parts.empty() || parts[0] != "sarimax" || parts.size() > 4)
    throw InputError(field, "unknown model '" + text +
                                "' (expected naive, drift, sarimax or sarimax:p,d,q[:P,D,Q,s[:trend]])");
  model.kind = ModelKind::sarimax;
  model.spec = defaults;
  if (parts.size() > 1) {
    try {
      SarimaxSpec spec = SarimaxSpec::from_strings(parts[1], parts.size() > 2 ? parts[2] : "0,0,0,0",
                                                   parts.size() > 3 ? parts[3] : "n");
      spec.enforce_stationarity = defaults.enforce_stationarity;
      spec.enforce_invertibility = defaults.enforce_invertibility;
      spec.initialization = defaults.initialization;
      spec.simple_differencing = defaults.simple_differencing;
      model.spec = spec;
    } catch (const InputError& e) {
      throw InputError(field, "model '" + text + "': " + e.what());
    }
  }
  model.name = sarimax_name(model.spec);
  return model;
}

SarimaxFit fit_baseline(const BacktestModel& model, const Eigen::VectorXd& y) {
  ARABICA_REQUIRE(model.kind != ModelKind::sarimax, "fit_baseline: not a baseline model");
  if (y.size() < 2) throw InputError("training window", "a random walk needs at least two prices");
  const Eigen::ArrayXd steps = (y.tail(y.size() - 1) - y.head(y.size() - 1)).array();
  const double drift = model.kind == ModelKind::drift ? steps.mean() : 0.0;
  SarimaxFit fit;
  fit.spec = model.spec;
  fit.param_names = model.spec.param_names({});
  fit.params.resize(model.kind == ModelKind::drift ? 2 : 1);
  if (model.kind == ModelKind::drift) fit.params[0] = drift;
  fit.params[fit.params.size() - 1] = (steps - drift).square().mean();
  fit.converged = true;
  fit.message = "closed form";
  return refilter_sarimax(fit, y, Eigen::MatrixXd(y.size(), 0));
}

}  // namespace arabica
