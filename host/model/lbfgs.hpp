// Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright,
// algorithms 7.4, 3.5 and 3.6). Small and dependency-free: the SARIMAX
// likelihood has a handful of free parameters once regression coefficients
// are profiled out.
#pragma once

#include <functional>
#include <string>

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

/// Objective: returns f(x) and writes its gradient into `gradient`.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& gradient)>;

LbfgsResult minimize_lbfgs(const Objective& objective, Eigen::VectorXd x0,
                           const LbfgsOptions& options = {});

/// Central-difference gradient of f at x (step ~ eps^(1/3) scaled by |x_i|).
Eigen::VectorXd central_gradient(const std::function<double(const Eigen::VectorXd&)>& f,
                                 const Eigen::VectorXd& x);

}  // namespace arabica
