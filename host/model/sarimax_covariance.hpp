// Standard errors of SARIMAX parameters by statsmodels' cov_type names: the
// outer product of the per-period scores, the numerical Hessian, and their
// sandwich.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "arabica/sarimax.hpp"
#include "model/sarimax_likelihood.hpp"

namespace arabica {

/// Standard errors of constrained params (statsmodels order) under
/// `likelihood`; exog is the likelihood's regressor matrix (it sets the
/// steps of the regression coefficients). Throws NumericalError where the
/// likelihood is not finite beside params or the information matrix is
/// singular. Doubts about the result (a numerical Hessian that depends on
/// its step) are appended to `warnings` when given.
Eigen::VectorXd standard_errors(const SarimaxLikelihood& likelihood, const Eigen::MatrixXd& exog,
                                const Eigen::VectorXd& params, CovarianceType cov_type,
                                std::vector<std::string>* warnings = nullptr);

/// The covariance matrix of the parameters that standard_errors reports the
/// square roots of the diagonal of (NaN throughout for cov_type none).
Eigen::MatrixXd parameter_covariance(const SarimaxLikelihood& likelihood, const Eigen::MatrixXd& exog,
                                     const Eigen::VectorXd& params, CovarianceType cov_type,
                                     std::vector<std::string>* warnings = nullptr);

/// Standard errors from a parameter covariance: the square roots of its
/// diagonal (a rounding-negative variance gives 0).
Eigen::VectorXd standard_errors_of(const Eigen::MatrixXd& covariance);

}  // namespace arabica
