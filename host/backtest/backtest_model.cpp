#include "arabica/backtest_model.hpp"

#include <optional>
#include <sstream>
#include <vector>

#include "arabica/error.hpp"
#include "arabica/innovations.hpp"
#include "arabica/text_number.hpp"

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
  const std::string expected =
      "' (expected naive, drift or sarimax[:p,d,q[:P,D,Q,s]][:trend], then any of :log or :boxcox=LAMBDA, :ewma[=LAMBDA] or :garch, "
      ":window=ROWS and an innovation family, e.g. sarimax:1,1,1:log:student_t:ewma)";
  const std::vector<std::string> parts = split(text, ':');
  if (parts.empty() || (parts[0] != "naive" && parts[0] != "drift" && parts[0] != "sarimax"))
    throw InputError(field, "unknown model '" + text + expected);
  BacktestModel model;
  // Orders and trend (sarimax only), then the variant options, each once.
  std::vector<std::string> orders;
  std::string trend = "n";
  bool trend_given = false;
  std::vector<std::string> options;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const auto refuse = [&](const std::string& why) {
      throw InputError(field, "model '" + text + "': " + why);
    };
    if (part.find(',') != std::string::npos) {
      if (parts[0] != "sarimax") refuse("only sarimax takes orders");
      if (orders.size() == 2 || trend_given || !options.empty())
        refuse("orders come first: sarimax:p,d,q[:P,D,Q,s]");
      orders.push_back(part);
    } else if (part == "n" || part == "c" || part == "t" || part == "ct") {
      if (parts[0] != "sarimax") refuse("only sarimax takes a trend");
      if (orders.empty() || trend_given || !options.empty())
        refuse("the trend follows the orders: sarimax:p,d,q[:P,D,Q,s]:trend");
      trend = part;
      trend_given = true;
    } else if (part == "log") {
      if (model.transform != PriceTransform::none) refuse("two price transforms");
      model.transform = PriceTransform::log;
      options.push_back(part);
    } else if (part.rfind("boxcox=", 0) == 0) {
      if (model.transform != PriceTransform::none) refuse("two price transforms");
      const std::string value = part.substr(7);
      const std::optional<double> lambda = number_of_text<double>(value);
      // 0 is the log (':log'); negative exponents map part of the line to
      // infinite prices.
      if (!lambda || !(*lambda > 0.0 && *lambda <= 1.0))
        refuse("boxcox's lambda must be a number in (0, 1] (':log' is lambda 0), not '" + value + "'");
      model.transform = PriceTransform::box_cox;
      model.box_cox_lambda = *lambda;
      options.push_back(part);
    } else if (part == "garch") {
      if (model.volatility != VolatilityModel::constant) refuse("two volatility models");
      model.volatility = VolatilityModel::garch;
      options.push_back(part);
    } else if (part == "ewma" || part.rfind("ewma=", 0) == 0) {
      if (model.volatility != VolatilityModel::constant) refuse("two volatility models");
      model.volatility = VolatilityModel::ewma;
      if (part != "ewma") {
        const std::string value = part.substr(5);
        const std::optional<double> lambda = number_of_text<double>(value);
        if (!lambda || !(*lambda > 0.0 && *lambda < 1.0))
          refuse("ewma's decay must be a number in (0, 1), not '" + value + "'");
        model.ewma_lambda = *lambda;
      }
      options.push_back(part);
    } else if (part.rfind("window=", 0) == 0) {
      if (model.window_rows != 0) refuse("two training windows");
      const std::string value = part.substr(7);
      const std::optional<int> rows = number_of_text<int>(value);
      if (!rows || *rows < 2)
        refuse("the training window must be a number of rows >= 2, not '" + value + "'");
      model.window_rows = *rows;
      options.push_back(part);
    } else if (part == "regime" || parse_innovation_kind(part)) {
      if (!model.innovations.empty()) refuse("two innovation families");
      model.innovations = part;
      options.push_back(part);
    } else {
      refuse("unknown option '" + part + expected);
    }
  }
  if (parts[0] == "sarimax") {
    model.kind = ModelKind::sarimax;
    model.spec = defaults;
    if (!orders.empty()) {
      try {
        SarimaxSpec spec =
            SarimaxSpec::from_strings(orders[0], orders.size() > 1 ? orders[1] : "0,0,0,0", trend);
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
  } else {
    model.name = parts[0];
    model.kind = parts[0] == "naive" ? ModelKind::naive : ModelKind::drift;
    model.spec = SarimaxSpec::from_strings("0,1,0", "0,0,0,0", parts[0] == "naive" ? "n" : "c");
    // Stationary initialisation of the (empty) ARMA part: the likelihood
    // counts every step after the first, which makes the closed form exact.
    model.spec.enforce_stationarity = true;
  }
  for (const std::string& option : options) model.name += "+" + option;
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
