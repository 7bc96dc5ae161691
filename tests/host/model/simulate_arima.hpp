// Test helper: simulates y = x*beta + ARIMA noise with a fixed seed.
#pragma once

#include <random>

#include <Eigen/Core>

namespace arabica::testing {

struct SimulatedSeries {
  Eigen::VectorXd y;
  Eigen::MatrixXd exog;
};

// ARMA(1,1) noise u_t = phi u_{t-1} + e_t + theta e_{t-1}, integrated d times,
// plus exog * beta (exog: smooth AR(1) covariates).
inline SimulatedSeries simulate_arima(int n, double phi, double theta, double sigma, int d,
                                      const Eigen::VectorXd& beta, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  SimulatedSeries out;
  out.exog.resize(n, beta.size());
  for (Eigen::Index j = 0; j < beta.size(); ++j) {
    double x = 0.0;
    for (int t = 0; t < n; ++t) out.exog(t, j) = x = 0.9 * x + normal(rng);
  }
  Eigen::VectorXd u(n);
  double prev_u = 0.0, prev_e = 0.0;
  for (int t = 0; t < n; ++t) {
    const double e = sigma * normal(rng);
    u[t] = phi * prev_u + e + theta * prev_e;
    prev_u = u[t], prev_e = e;
  }
  for (int k = 0; k < d; ++k)
    for (int t = 1; t < n; ++t) u[t] += u[t - 1];
  out.y = u + out.exog * beta;
  out.y.array() += 100.0;
  return out;
}

}  // namespace arabica::testing
