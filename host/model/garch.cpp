#include "arabica/garch.hpp"

#include <cmath>

#include "arabica/error.hpp"
#include "model/lbfgs.hpp"

namespace arabica {

namespace {

constexpr double kMaxPersistence = 0.9999;

double logistic(double u) { return 1.0 / (1.0 + std::exp(-u)); }

// Unconstrained (u1, u2) -> alpha + beta = kMaxPersistence * logistic(u1),
// alpha's share of it logistic(u2).
Garch11 from_free(const Eigen::Vector2d& u, double variance) {
  Garch11 g;
  const double persistence = kMaxPersistence * logistic(u[0]);
  g.alpha = persistence * logistic(u[1]);
  g.beta = persistence - g.alpha;
  g.omega = variance * (1.0 - persistence);
  return g;
}

// Mean negative quasi log-likelihood (constants dropped) and the variances.
double negative_llf(const Garch11& g, const Eigen::VectorXd& e, double start) {
  double variance = start, sum = 0.0;
  for (Eigen::Index t = 0; t < e.size(); ++t) {
    sum += std::log(variance) + e[t] * e[t] / variance;
    variance = g.omega + g.alpha * e[t] * e[t] + g.beta * variance;
  }
  return 0.5 * sum / static_cast<double>(e.size());
}

}  // namespace

Garch11 fit_garch11(const Eigen::VectorXd& residuals) {
  if (residuals.size() < 20) throw Error("GARCH(1,1) needs at least 20 residuals");
  if (!residuals.allFinite()) throw Error("GARCH(1,1): residuals are not finite");
  const double variance = residuals.squaredNorm() / static_cast<double>(residuals.size());
  if (!(variance > 0.0)) throw Error("GARCH(1,1): the residuals are all zero");
  const auto objective = [&](const Eigen::VectorXd& u) {
    return negative_llf(from_free(u, variance), residuals, variance);
  };
  // Start at alpha 0.05, beta 0.90: typical of daily prices.
  const Eigen::Vector2d start(std::log(0.95 / kMaxPersistence / (1.0 - 0.95 / kMaxPersistence)),
                              std::log(0.05 / 0.90));
  LbfgsOptions options;
  options.gradient_tolerance = 1e-7;
  const LbfgsResult result = minimize_lbfgs(
      [&](const Eigen::VectorXd& u, Eigen::VectorXd* gradient) {
        if (gradient) *gradient = central_gradient(objective, u);
        return objective(u);
      },
      start, options);
  Garch11 g = from_free(result.x, variance);
  g.converged = result.converged;
  g.llf = -static_cast<double>(residuals.size()) *
          (result.value + 0.5 * std::log(2.0 * 3.14159265358979323846));
  return g;
}

FilteredVolatility garch_filter(const Garch11& g, const Eigen::VectorXd& residuals) {
  ARABICA_REQUIRE(residuals.size() > 0 && residuals.allFinite(), "garch_filter: needs finite residuals");
  FilteredVolatility out;
  out.sigma.resize(residuals.size());
  double variance = residuals.squaredNorm() / static_cast<double>(residuals.size());
  for (Eigen::Index t = 0; t < residuals.size(); ++t) {
    out.sigma[t] = std::sqrt(variance);
    variance = g.omega + g.alpha * residuals[t] * residuals[t] + g.beta * variance;
  }
  out.next = std::sqrt(variance);
  return out;
}

Eigen::VectorXd garch_variance_forecast(const Garch11& g, double next_variance, int horizon) {
  ARABICA_REQUIRE(horizon >= 1, "garch_variance_forecast: horizon must be >= 1");
  const double v = g.unconditional_variance(), persistence = g.alpha + g.beta;
  Eigen::VectorXd out(horizon);
  double decay = 1.0;
  for (int h = 0; h < horizon; ++h, decay *= persistence) out[h] = v + decay * (next_variance - v);
  return out;
}

}  // namespace arabica
