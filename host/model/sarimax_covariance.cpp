#include "model/sarimax_covariance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <limits>
#include <optional>
#include <vector>

#include <Eigen/Dense>

#include "arabica/error.hpp"
#include "arabica/state_space.hpp"
#include "model/parameter_transform.hpp"

namespace arabica {

CovarianceType parse_covariance_type(const std::string& text) {
  if (text == "opg") return CovarianceType::opg;
  if (text == "approx") return CovarianceType::approx;
  if (text == "robust_approx" || text == "robust-approx") return CovarianceType::robust_approx;
  if (text == "none") return CovarianceType::none;
  throw InputError("--cov-type", "unknown covariance type '" + text +
                                     "' (expected opg, approx, robust_approx or none)");
}

std::string to_string(CovarianceType cov_type) {
  switch (cov_type) {
    case CovarianceType::opg: return "opg";
    case CovarianceType::approx: return "approx";
    case CovarianceType::robust_approx: return "robust_approx";
    case CovarianceType::none: return "none";
  }
  return "none";
}

namespace {

// An MA root this close to the unit circle (relative modulus) is taken as on it.
constexpr double kUnitCircleTolerance = 1e-4;

// Each parameter's scale for finite differences (a step is a base step
// times it), chosen so that probes stay inside the parameter space at any
// data scale: sigma2 by a fraction of itself (sigma2 - h > 0), a regression
// coefficient by the change that moves its regressor's contribution by a
// fraction of the innovation standard deviation (the likelihood is quadratic
// in it, so only rounding limits the step), ARMA coefficients
// (dimensionless) by max(1, |x|).
Eigen::VectorXd parameter_scales(const SarimaxSpec& spec, Eigen::Index n, const Eigen::MatrixXd& exog,
                                 const SarimaxParams& params) {
  const int k_trend = spec.k_trend(), k_exog = static_cast<int>(exog.cols());
  Eigen::MatrixXd regressors(n, k_trend + k_exog);
  for (int j = 0; j < k_trend; ++j)
    for (Eigen::Index t = 0; t < n; ++t) regressors(t, j) = trend_regressor(spec, j, t);
  if (k_exog > 0) regressors.rightCols(k_exog) = exog;
  const double innovation_sd = std::sqrt(params.sigma2);

  Eigen::VectorXd flat = params.pack();
  Eigen::VectorXd scales(flat.size());
  for (Eigen::Index i = 0; i < flat.size(); ++i) scales[i] = std::max(1.0, std::abs(flat[i]));
  for (int j = 0; j < k_trend + k_exog; ++j) {
    const double rms = regressors.col(j).norm() / std::sqrt(static_cast<double>(n));
    if (rms > 0.0 && std::isfinite(rms)) scales[j] = innovation_sd / rms;
  }
  scales[flat.size() - 1] = params.sigma2;
  return scales;
}

// Per-period scores by central differences with steps h = eps^(1/3) times
// each parameter's scale and h/2, Richardson-extrapolated (4 D(h/2) - D(h)) / 3
// to an error of O(h^4): n x k. Plain central differences leave O(h^2),
// which near a unit root (Stata grid AR(3) rows on wpi1, whose AR
// polynomial vanishes within 1e-3 of L = 1) is 1.4% of a standard error;
// the extrapolated scores match statsmodels' complex-step ones to 1e-5 there.
Eigen::MatrixXd central_scores(const SarimaxLikelihood& likelihood, const Eigen::VectorXd& params,
                               const Eigen::VectorXd& scales) {
  const SarimaxSpec& spec = likelihood.spec();
  const int k_exog = likelihood.k_exog();
  const Eigen::Index k = params.size();
  Eigen::VectorXd probe = params;
  // Central differences of the per-period log-likelihoods in coordinate i.
  const auto difference = [&](Eigen::Index i, double step) -> Eigen::VectorXd {
    probe[i] = params[i] + step;
    const Eigen::VectorXd up = likelihood.loglike_obs(SarimaxParams::unpack(spec, k_exog, probe));
    probe[i] = params[i] - step;
    const Eigen::VectorXd down = likelihood.loglike_obs(SarimaxParams::unpack(spec, k_exog, probe));
    probe[i] = params[i];
    // The step as the probes hold it: (x + h) - (x - h) is not always 2h.
    return (up - down) / ((params[i] + step) - (params[i] - step));
  };
  Eigen::MatrixXd scores(likelihood.nobs(), k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const double step = std::cbrt(std::numeric_limits<double>::epsilon()) * scales[i];
    scores.col(i) = (4.0 * difference(i, 0.5 * step) - difference(i, step)) / 3.0;
  }
  if (!scores.allFinite()) throw NumericalError("the likelihood is not finite beside the optimum");
  return scores;
}

// The log-likelihood at many points, those sharing their regression
// coefficients in one interleaved pass each (loglike_many's contract).
std::vector<double> loglike_at(const SarimaxLikelihood& likelihood,
                               const std::vector<SarimaxParams>& points) {
  std::vector<double> out(points.size());
  std::vector<bool> done(points.size(), false);
  for (std::size_t first = 0; first < points.size(); ++first) {
    if (done[first]) continue;
    std::vector<SarimaxParams> group;
    std::vector<std::size_t> members;
    for (std::size_t i = first; i < points.size(); ++i)
      if (!done[i] && points[i].beta == points[first].beta && points[i].trend == points[first].trend) {
        group.push_back(points[i]);
        members.push_back(i);
        done[i] = true;
      }
    const std::vector<double> values = likelihood.loglike_many(group);
    for (std::size_t m = 0; m < members.size(); ++m) out[members[m]] = values[m];
  }
  return out;
}

// Hessian of the log-likelihood (f0 at params) by central second
// differences, steps base_step times each parameter's scale: the diagonal
// from x +- 2h_i, the cross terms from the four corners x +- h_i +- h_j.
Eigen::MatrixXd numerical_hessian(const SarimaxLikelihood& likelihood, const Eigen::VectorXd& params,
                                  double f0, const Eigen::VectorXd& scales, double base_step) {
  const SarimaxSpec& spec = likelihood.spec();
  const int k_exog = likelihood.k_exog();
  const Eigen::Index k = params.size();
  const Eigen::VectorXd steps = base_step * scales;
  // The steps as the probes hold them.
  Eigen::VectorXd h(k);
  for (Eigen::Index i = 0; i < k; ++i) h[i] = 0.5 * ((params[i] + steps[i]) - (params[i] - steps[i]));

  std::vector<SarimaxParams> points;
  const auto add = [&](Eigen::Index i, double si, Eigen::Index j, double sj) {
    Eigen::VectorXd probe = params;
    probe[i] += si * h[i];
    probe[j] += sj * h[j];
    points.push_back(SarimaxParams::unpack(spec, k_exog, probe));
  };
  for (Eigen::Index i = 0; i < k; ++i) {
    add(i, 1.0, i, 1.0);    // x + 2h_i
    add(i, -1.0, i, -1.0);  // x - 2h_i
    for (Eigen::Index j = i + 1; j < k; ++j)
      for (const double si : {1.0, -1.0})
        for (const double sj : {1.0, -1.0}) add(i, si, j, sj);
  }
  const std::vector<double> f = loglike_at(likelihood, points);

  Eigen::MatrixXd hessian(k, k);
  std::size_t at = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    hessian(i, i) = (f[at] - 2.0 * f0 + f[at + 1]) / (4.0 * h[i] * h[i]);
    at += 2;
    for (Eigen::Index j = i + 1; j < k; ++j) {
      hessian(i, j) = hessian(j, i) =
          (f[at] - f[at + 1] - f[at + 2] + f[at + 3]) / (4.0 * h[i] * h[j]);
      at += 4;
    }
  }
  if (!hessian.allFinite()) throw NumericalError("the likelihood is not finite beside the optimum");
  return hessian;
}

// Inverse of a symmetric information matrix, in correlation form so that
// parameters on scales far apart (a sigma2 of 1e-6 beside a coefficient of
// 1e3) do not decide the rank; an optimum on a boundary (an MA root on the
// unit circle) leaves a matrix that is positive definite but badly
// conditioned, which an eigendecomposition inverts where LDLT's pivots may
// fail.
Eigen::MatrixXd inverse_information(const Eigen::MatrixXd& information, const char* what) {
  const Eigen::VectorXd diagonal = information.diagonal();
  if (!(diagonal.minCoeff() > 0.0))
    throw NumericalError(std::string("the ") + what +
                         " has a non-positive diagonal (a parameter does not change the "
                         "likelihood, or the estimate is not a maximum)");
  const Eigen::VectorXd unit = diagonal.cwiseSqrt().cwiseInverse();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(unit.asDiagonal() * information *
                                                             unit.asDiagonal());
  if (eigen.info() != Eigen::Success || !(eigen.eigenvalues().minCoeff() > 0.0))
    throw NumericalError(std::string("the ") + what +
                         " is singular (an optimum on the boundary of the parameter space, such "
                         "as an MA root on the unit circle?)");
  const Eigen::MatrixXd& V = eigen.eigenvectors();
  return unit.asDiagonal() * (V * eigen.eigenvalues().cwiseInverse().asDiagonal() * V.transpose()) *
         unit.asDiagonal();
}

// (-H)^-1 from central second differences refined by Richardson's
// extrapolation, (4 H(h) - H(2h)) / 3, whose error is O(h^4): plain
// differences are not enough where the likelihood bends fast (an intercept
// and an AR coefficient that together set the mean, c / (1 - phi), leave a
// 3% truncation error at h = 1e-4). The extrapolation from steps twice as
// long must agree (every variance within 1%); steps 8 and 64 times shorter
// are tried where it does not or where the longer probes leave the parameter
// space (an AR root near 1 under the stationary prior). When no step agrees
// (rounding noise of the approximate diffuse prior, an optimum on the
// boundary) the most consistent one is used and reported.
Eigen::MatrixXd hessian_inverse(const SarimaxLikelihood& likelihood, const Eigen::VectorXd& params,
                                const Eigen::VectorXd& scales, std::vector<std::string>* warnings) {
  const char* what = "negative Hessian of the log-likelihood";
  const double f0 =
      likelihood.evaluate(SarimaxParams::unpack(likelihood.spec(), likelihood.k_exog(), params)).llf;
  if (!std::isfinite(f0)) throw NumericalError("the likelihood is not finite at the estimate");
  std::optional<Eigen::MatrixXd> best;
  double best_moved = std::numeric_limits<double>::infinity();
  std::string failure;
  for (const double base_step : {1e-3, 1.25e-4, 1.5625e-5}) {
    try {
      const Eigen::MatrixXd h1 = numerical_hessian(likelihood, params, f0, scales, base_step);
      const Eigen::MatrixXd h2 = numerical_hessian(likelihood, params, f0, scales, 2.0 * base_step);
      const Eigen::MatrixXd h4 = numerical_hessian(likelihood, params, f0, scales, 4.0 * base_step);
      const Eigen::MatrixXd inverse = inverse_information(-(4.0 * h1 - h2) / 3.0, what);
      double moved = std::numeric_limits<double>::infinity();
      try {
        const Eigen::MatrixXd wider = inverse_information(-(4.0 * h2 - h4) / 3.0, what);
        moved = ((wider.diagonal() - inverse.diagonal()).cwiseAbs().array() /
                 inverse.diagonal().array()).maxCoeff();
      } catch (const NumericalError&) {
      }
      if (moved <= 1e-2) return inverse;
      if (!best || moved < best_moved) best = inverse, best_moved = moved;
    } catch (const NumericalError& e) {
      failure = e.what();
    }
  }
  if (!best) throw NumericalError(failure);
  if (warnings != nullptr) {
    char text[240];
    std::snprintf(text, sizeof text,
                  "standard errors (numerical Hessian) depend on the finite-difference step "
                  "(a variance moves by %.3g%% with steps twice as long): rounding noise in the "
                  "likelihood or an optimum close to the boundary of the parameter space",
                  100.0 * best_moved);
    warnings->push_back(text);
  }
  return *best;
}

}  // namespace

Eigen::MatrixXd parameter_covariance(const SarimaxLikelihood& likelihood, const Eigen::MatrixXd& exog,
                                     const Eigen::VectorXd& params, CovarianceType cov_type,
                                     std::vector<std::string>* warnings) {
  if (cov_type == CovarianceType::none)
    return Eigen::MatrixXd::Constant(params.size(), params.size(), std::numeric_limits<double>::quiet_NaN());
  const SarimaxSpec& spec = likelihood.spec();
  const SarimaxParams unpacked = SarimaxParams::unpack(spec, likelihood.k_exog(), params);
  const Eigen::VectorXd scales = parameter_scales(spec, likelihood.nobs(), exog, unpacked);
  Eigen::MatrixXd covariance;
  switch (cov_type) {
    case CovarianceType::none:
      break;
    case CovarianceType::opg: {
      const Eigen::MatrixXd scores = central_scores(likelihood, params, scales);
      covariance = inverse_information(scores.transpose() * scores, "information matrix (OPG)");
      break;
    }
    case CovarianceType::approx:
    case CovarianceType::robust_approx: {
      const Eigen::MatrixXd bread = hessian_inverse(likelihood, params, scales, warnings);
      if (cov_type == CovarianceType::approx) {
        covariance = bread;
      } else {
        const Eigen::MatrixXd scores = central_scores(likelihood, params, scales);
        covariance = bread * (scores.transpose() * scores) * bread;
      }
      break;
    }
  }
  // On the unit circle an MA optimum sits on the boundary of the
  // invertible region (the likelihood creeps up to it): the information
  // there is singular or nearly so, and its inverse is rounding.
  const double ma_root = std::max(largest_inverse_root(unpacked.ma), largest_inverse_root(unpacked.sma));
  if (warnings != nullptr && std::abs(ma_root - 1.0) <= kUnitCircleTolerance) {
    char text[200];
    std::snprintf(text, sizeof text,
                  "standard errors not meaningful: an MA root lies on the unit circle (modulus %.6f), "
                  "an optimum on the boundary of the invertible region",
                  1.0 / ma_root);
    warnings->push_back(text);
  }
  return covariance;
}

Eigen::VectorXd standard_errors(const SarimaxLikelihood& likelihood, const Eigen::MatrixXd& exog,
                                const Eigen::VectorXd& params, CovarianceType cov_type,
                                std::vector<std::string>* warnings) {
  if (cov_type == CovarianceType::none)
    return Eigen::VectorXd::Constant(params.size(), std::numeric_limits<double>::quiet_NaN());
  return standard_errors_of(parameter_covariance(likelihood, exog, params, cov_type, warnings));
}

Eigen::VectorXd standard_errors_of(const Eigen::MatrixXd& covariance) {
  return covariance.diagonal().cwiseMax(0.0).cwiseSqrt();
}

Eigen::VectorXd sarimax_standard_errors(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                        const Eigen::MatrixXd& exog, const Eigen::VectorXd& params,
                                        CovarianceType cov_type, std::vector<std::string>* warnings) {
  const Eigen::MatrixXd covariance = sarimax_parameter_covariance(spec, y, exog, params, cov_type, warnings);
  if (cov_type == CovarianceType::none)
    return Eigen::VectorXd::Constant(params.size(), std::numeric_limits<double>::quiet_NaN());
  return standard_errors_of(covariance);
}

Eigen::MatrixXd sarimax_parameter_covariance(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                             const Eigen::MatrixXd& exog, const Eigen::VectorXd& params,
                                             CovarianceType cov_type, std::vector<std::string>* warnings) {
  spec.validate();
  ARABICA_REQUIRE(params.size() == spec.k_params(static_cast<int>(exog.cols())),
                  "sarimax_parameter_covariance: params has the wrong length");
  const SarimaxLikelihood likelihood(spec, y, exog);
  return parameter_covariance(likelihood, exog, params, cov_type, warnings);
}

}  // namespace arabica
