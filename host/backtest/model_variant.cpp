#include "arabica/model_variant.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <Eigen/Eigenvalues>

#include "arabica/error.hpp"

namespace arabica {

FilteredVolatility ewma_volatility(const Eigen::VectorXd& residuals, double lambda) {
  ARABICA_REQUIRE(residuals.size() > 0 && residuals.allFinite(),
                  "ewma_volatility: needs finite residuals");
  ARABICA_REQUIRE(lambda > 0.0 && lambda < 1.0, "ewma_volatility: lambda must lie in (0, 1)");
  // RiskMetrics' recursion is GARCH(1,1)'s with omega 0, alpha 1 - lambda
  // and beta lambda (integrated: no long-run variance to return to).
  Garch11 ewma;
  ewma.alpha = 1.0 - lambda;
  ewma.beta = lambda;
  return garch_filter(ewma, residuals);
}

Eigen::VectorXd transform_prices(const BacktestModel& model, const Eigen::VectorXd& y) {
  if (model.transform == PriceTransform::none) return y;
  const char* what = model.transform == PriceTransform::log ? "a log model" : "a Box-Cox model";
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (!(y[i] > 0.0))
      throw Error(std::string(what) + " needs positive prices; row " + std::to_string(i + 1) +
                  " of the training window is " + std::to_string(y[i]));
  if (model.transform == PriceTransform::log) return y.array().log();
  const double lambda = model.box_cox_lambda;
  return (y.array().pow(lambda) - 1.0) / lambda;
}

double box_cox_price(double x, double lambda) {
  const double w = lambda * x + 1.0;
  return w > 0.0 ? std::pow(w, 1.0 / lambda) : 0.0;
}

namespace {

// E[f(Z)], Z standard normal, by the probabilists' Gauss-Hermite rule: the
// nodes and weights of the Hermite recurrence's Jacobi matrix (Golub-Welsch).
// 64 points integrate polynomials to degree 127 exactly. Hand-written: a
// dozen lines with Eigen, where a quadrature library would be a new
// dependency for one expectation.
struct NormalQuadrature {
  Eigen::VectorXd nodes, weights;
};
const NormalQuadrature& normal_quadrature() {
  static const NormalQuadrature rule = [] {
    constexpr int n = 64;
    Eigen::MatrixXd jacobi = Eigen::MatrixXd::Zero(n, n);
    for (int i = 1; i < n; ++i) jacobi(i, i - 1) = jacobi(i - 1, i) = std::sqrt(static_cast<double>(i));
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(jacobi);
    NormalQuadrature q;
    q.nodes = solver.eigenvalues();
    q.weights = solver.eigenvectors().row(0).transpose().array().square();
    return q;
  }();
  return rule;
}

}  // namespace

void add_shock_variance(Forecast& forecast, const PathModel& model,
                        const Eigen::VectorXd& shock_variance, double sigma2) {
  const int H = static_cast<int>(forecast.mean.size()), k = model.k_states;
  ARABICA_REQUIRE(shock_variance.size() == H && model.horizon == H,
                  "add_shock_variance: a path model over the forecast's horizon");
  Eigen::MatrixXd T(k, k);
  Eigen::VectorXd R(k), Z(k);
  for (int i = 0; i < k; ++i) {
    R[i] = model.selection[i];
    Z[i] = model.design[i];
    for (int j = 0; j < k; ++j) T(i, j) = model.transition[i * kMaxPathStates + j];
  }
  // psi[j] = Z T^j R.
  Eigen::VectorXd psi(H), response = R;
  for (int j = 0; j < H; ++j) {
    psi[j] = Z.dot(response);
    response = T * response;
  }
  constexpr double z975 = 1.959963984540054;  // forecast_sarimax's interval
  for (int h = 0; h < H; ++h) {
    double extra = 0.0;
    for (int j = 0; j <= h; ++j) extra += psi[j] * psi[j] * (shock_variance[h - j] - sigma2);
    const double variance = forecast.std_error[h] * forecast.std_error[h] + extra;
    ARABICA_REQUIRE(variance > 0.0, "add_shock_variance: a non-positive forecast variance");
    forecast.std_error[h] = std::sqrt(variance);
    forecast.lower_95[h] = forecast.mean[h] - z975 * forecast.std_error[h];
    forecast.upper_95[h] = forecast.mean[h] + z975 * forecast.std_error[h];
  }
}

Forecast forecast_in_prices(const BacktestModel& model, const Forecast& forecast) {
  if (model.transform == PriceTransform::none) return forecast;
  Forecast out;
  if (model.transform == PriceTransform::box_cox) {
    const double lambda = model.box_cox_lambda;
    const NormalQuadrature& q = normal_quadrature();
    const Eigen::Index H = forecast.mean.size();
    out.mean.resize(H), out.std_error.resize(H), out.median.resize(H);
    out.lower_95.resize(H), out.upper_95.resize(H);
    for (Eigen::Index h = 0; h < H; ++h) {
      const double mu = forecast.mean[h], s = forecast.std_error[h];
      const double median = box_cox_price(mu, lambda);
      // Moments of the deviations from the median: no cancellation when
      // s is small.
      double first = 0.0, second = 0.0;
      for (Eigen::Index i = 0; i < q.nodes.size(); ++i) {
        const double d = box_cox_price(mu + s * q.nodes[i], lambda) - median;
        first += q.weights[i] * d;
        second += q.weights[i] * d * d;
      }
      out.median[h] = median;
      out.mean[h] = median + first;
      out.std_error[h] = std::sqrt(std::max(second - first * first, 0.0));
      out.lower_95[h] = box_cox_price(forecast.lower_95[h], lambda);
      out.upper_95[h] = box_cox_price(forecast.upper_95[h], lambda);
    }
    return out;
  }
  const Eigen::ArrayXd variance = forecast.std_error.array().square();
  out.mean = (forecast.mean.array() + 0.5 * variance).exp();
  out.std_error = out.mean.array() * variance.unaryExpr([](double v) { return std::sqrt(std::expm1(v)); });
  out.median = forecast.mean.array().exp();
  out.lower_95 = forecast.lower_95.array().exp();
  out.upper_95 = forecast.upper_95.array().exp();
  return out;
}

void paths_in_prices(const BacktestModel& model, const Forecast& in_prices, PathModel& model_of_paths) {
  if (model.transform == PriceTransform::none) return;
  model_of_paths.price_transform = model.transform == PriceTransform::log ? kLogPrices : kBoxCoxPrices;
  model_of_paths.box_cox_lambda = static_cast<float>(model.box_cox_lambda);
  for (int h = 0; h < model_of_paths.horizon; ++h)
    model_of_paths.center[h] = static_cast<float>(in_prices.mean[h]);
}

}  // namespace arabica
