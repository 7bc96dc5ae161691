// Exact Gaussian log-likelihood of a SARIMAX model via the Kalman filter.
// Trend and exogenous coefficients enter linearly, so filtering y, every
// exog column and every trend regressor together (one covariance recursion)
// gives the innovations of y - X*gamma for any gamma: `profile` uses that to
// replace the regression coefficients by their exact GLS optimum.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "arabica/kalman_filter.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/state_space.hpp"

namespace arabica {

class SarimaxLikelihood {
 public:
  /// regressor_names: trend then exog names, for error messages.
  SarimaxLikelihood(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                    const Eigen::MatrixXd& exog, std::vector<std::string> regressor_names = {});

  struct Evaluation {
    double llf = 0.0;
    Eigen::VectorXd regression;         // [trend; beta], statsmodels order
    Eigen::VectorXd innovations;        // v_t of y - regression, n
    Eigen::VectorXd forecast_variance;  // F_t, n
    FilterEndState end_state;
    Eigen::VectorXd diffuse_variance;   // KalmanResult::diffuse_variance
    int excluded_periods = 0;           // leading periods not in llf (burn, dropped diffuse)
  };

  /// Likelihood at `params`, regression coefficients included.
  Evaluation evaluate(const SarimaxParams& params) const;

  /// Likelihood maximised over the trend and exog coefficients (those in
  /// `params` are ignored). By the envelope theorem its gradient in the other
  /// parameters equals evaluate()'s at the returned regression. Throws
  /// InputError naming the column when the regressors are constant or
  /// collinear after filtering.
  Evaluation profile(const SarimaxParams& params) const;

  /// evaluate()'s log-likelihood at several points that share their
  /// regression coefficients (the probes of a numerical gradient), with the
  /// recursions interleaved; NaN where the likelihood cannot be evaluated.
  std::vector<double> loglike_many(const std::vector<SarimaxParams>& points) const;

  /// Per-period log-likelihood contributions (zero for periods left out).
  Eigen::VectorXd loglike_obs(const SarimaxParams& params) const;

  int nobs() const { return static_cast<int>(y_.size()); }
  int burn() const { return burn_; }
  int k_exog() const { return static_cast<int>(exog_.cols()); }
  const SarimaxSpec& spec() const { return spec_; }

 private:
  // Filters `columns` whose trend columns' intercept at t=0 is intercepts(0,j).
  KalmanResult filter(const StateSpace& system, const KalmanColumns& columns) const;
  // Fills e.llf and e.excluded_periods from e's innovations and variances.
  void loglike(Evaluation& e) const;
  // Weight of period t in the likelihood's sum of squares: 0 for periods
  // left out and for informative diffuse periods, else 1.
  Eigen::VectorXd sse_mask(const Eigen::VectorXd& diffuse_variance) const;
  std::string regressor_name(Eigen::Index j) const;
  [[noreturn]] void throw_collinear(const Eigen::MatrixXd& gram) const;

  SarimaxSpec spec_;
  Eigen::VectorXd y_;
  Eigen::MatrixXd exog_;
  Eigen::MatrixXd trend_;      // n x k_trend regressors
  int burn_ = 0;
  KalmanColumns regressors_;   // [y | -trend (as intercepts) | exog], for profile()
  std::vector<std::string> regressor_names_;
};

}  // namespace arabica
