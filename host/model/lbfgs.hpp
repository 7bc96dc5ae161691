// Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright,
// algorithms 7.4, 3.5 and 3.6). Small and dependency-free: the SARIMAX
// likelihood has a handful of free parameters once regression coefficients
// are profiled out.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace arabica {

struct LbfgsOptions {
  int max_iterations = 500;
  int memory = 10;
  double gradient_tolerance = 1e-8;   // on the max-norm of the gradient
  double function_tolerance = 1e-13;  // relative decrease between iterations
  // When the line search cannot decrease f any more, the point still counts
  // as converged if the gradient max-norm is below this (scipy's pgtol).
  double noise_floor_gradient = 1e-5;
  // ... or if a full quasi-Newton step would gain at most this much relative
  // to |f| (half the Newton decrement -g'Hg): a rule in the objective's own
  // units, whatever the parameters' scales, for optima whose gradient is
  // held up by rounding in flat directions.
  double decrement_tolerance = 1e-9;
  // ... or if the last accepted step changed f by at most this much relative
  // (scipy's L-BFGS-B factr rule at its default, 1e7 * machine epsilon, as
  // statsmodels fits use): the objective has stagnated at its rounding floor.
  double stagnation_tolerance = 2.2e-9;
  // Wall-clock bound, checked before each iteration.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct LbfgsResult {
  Eigen::VectorXd x;
  double value = 0.0;
  Eigen::VectorXd gradient;
  int iterations = 0;
  int evaluations = 0;
  bool converged = false;
  std::string message;
};

/// Objective: returns f(x) and, when `gradient` is not null, writes the
/// gradient there. The line search asks for the value alone first and for
/// the gradient only at points that pass its sufficient-decrease test (a
/// quarter of a SARIMAX fit's trial points do not), so an objective whose
/// gradient is costly may cache its work for the value at x and skip it.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd* gradient)>;

LbfgsResult minimize_lbfgs(const Objective& objective, Eigen::VectorXd x0,
                           const LbfgsOptions& options = {});

/// The probe points of a central-difference gradient at x, in pairs
/// x + h_i e_i, x - h_i e_i (step h_i ~ eps^(1/3) scaled by |x_i|), so that a
/// caller can evaluate them together.
std::vector<Eigen::VectorXd> central_probes(const Eigen::VectorXd& x);
/// The gradient from f's values at central_probes(x), in that order.
Eigen::VectorXd central_gradient_from(const std::vector<double>& values, const Eigen::VectorXd& x);

/// Central-difference gradient of f at x, one probe at a time.
Eigen::VectorXd central_gradient(const std::function<double(const Eigen::VectorXd&)>& f,
                                 const Eigen::VectorXd& x);

}  // namespace arabica
