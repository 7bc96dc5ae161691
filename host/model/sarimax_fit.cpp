#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <vector>

#include <Eigen/Dense>

#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/state_space.hpp"
#include "model/lbfgs.hpp"
#include "model/parameter_transform.hpp"
#include "model/ridge_starts.hpp"
#include "model/sarimax_covariance.hpp"
#include "model/sarimax_likelihood.hpp"

namespace arabica {

namespace {

// Iterations of a fit's first leg when the MA part may wander to its
// non-invertible mirror (see fit_sarimax).
constexpr int kFirstLegIterations = 50;
// Walks along the near-cancellation ridges after the first optimum, and the
// relative llf gain a ridge point must show to be worth a fit.
constexpr int kRidgeRounds = 2;
// Models with this many ARMA coefficients or more also start from a fixed
// set of shapes (alternative_starts): their likelihoods have several basins
// that no single start reaches reliably (Stata's coverage grid on wpi1).
constexpr int kMultiStartCoefficients = 3;
constexpr int kAlternativeLegIterations = 30;
// ... up to this many states (quarterly seasonal models): the legs of a
// monthly seasonal model (28 to 40 states at s = 12) cost several seconds each.
constexpr int kMultiStartMaxStates = 26;
constexpr double kRidgeMargin = 1e-9;

// Optimiser coordinates: the ARMA polynomials (transformed when stationarity
// or invertibility is enforced) and log sigma2. Regression coefficients are
// profiled out, so they never appear here.
struct Coordinates {
  const SarimaxSpec& spec;

  int size() const { return spec.p + spec.q + spec.P + spec.Q + 1; }

  Eigen::VectorXd to_free(const SarimaxParams& params) const {
    Eigen::VectorXd u(size());
    u << (spec.stationary_ar() ? unconstrain_stationary(params.ar) : params.ar),
        (spec.enforce_invertibility ? unconstrain_stationary(-params.ma) : params.ma),
        (spec.stationary_ar() ? unconstrain_stationary(params.sar) : params.sar),
        (spec.enforce_invertibility ? unconstrain_stationary(-params.sma) : params.sma),
        std::log(params.sigma2);
    return u;
  }

  // Fills the ARMA part and sigma2 of `params` from free coordinates.
  void from_free(const Eigen::VectorXd& u, SarimaxParams& params) const {
    Eigen::Index at = 0;
    auto take = [&](int n) {
      Eigen::VectorXd part = u.segment(at, n);
      at += n;
      return part;
    };
    params.ar = take(spec.p);
    params.ma = take(spec.q);
    params.sar = take(spec.P);
    params.sma = take(spec.Q);
    if (spec.stationary_ar()) {
      params.ar = constrain_stationary(params.ar);
      params.sar = constrain_stationary(params.sar);
    }
    if (spec.enforce_invertibility) {
      params.ma = -constrain_stationary(params.ma);
      params.sma = -constrain_stationary(params.sma);
    }
    params.sigma2 = std::exp(u[at]);
  }
};

std::string format_seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

bool invertible(const SarimaxParams& params) {
  return is_invertible(params.ma) && is_invertible(params.sma);
}

// The MA polynomials with their roots inside the unit circle reflected out
// and sigma2 rescaled: the same autocovariances.
SarimaxParams invertible_twin(SarimaxParams params) {
  double factor = 1.0, seasonal_factor = 1.0;
  params.ma = reflect_to_invertible(params.ma, factor);
  params.sma = reflect_to_invertible(params.sma, seasonal_factor);
  params.sigma2 *= factor * seasonal_factor;
  return params;
}

// The coefficients of (1 + c z)^n after the leading 1.
Eigen::VectorXd repeated_root(int n, double c) {
  Eigen::VectorXd coefficients(n);
  double binomial = 1.0;
  for (int k = 1; k <= n; ++k) {
    binomial *= static_cast<double>(n - k + 1) / k;
    coefficients[k - 1] = binomial * std::pow(c, k);
  }
  return coefficients;
}

// Fixed, data-independent shapes for the ARMA coefficients of models with
// several of them; the regression coefficients and sigma2 come from the
// cold start. A shape acts on the non-seasonal polynomial when there is
// one, else on the seasonal one: white noise; every AR root at 1/0.9, the
// persistence trending levels pull a stationary model towards (the
// seasonal AR(3) rows of Stata's grid on wpi1 reach their best optima, two
// roots near 1, only from there); a moderate AR part (every root at 2); and
// an MA part with every root at -2 or at 2 (the two sides from which the
// non-invertible MA(2) and MA(3) optima of the same grid are reached).
std::vector<SarimaxParams> alternative_starts(const SarimaxSpec& spec, const SarimaxParams& cold) {
  std::vector<SarimaxParams> starts;
  // (1 - ar_root z)^n for the AR part, (1 + ma_root z)^n for the MA part.
  const auto shaped = [&](double ar_root, double ma_root) {
    SarimaxParams start = cold;
    start.ar.setZero(), start.sar.setZero(), start.ma.setZero(), start.sma.setZero();
    if (spec.p > 0) start.ar = -repeated_root(spec.p, -ar_root);
    else if (spec.P > 0) start.sar = -repeated_root(spec.P, -ar_root);
    if (spec.q > 0) start.ma = repeated_root(spec.q, ma_root);
    else if (spec.Q > 0) start.sma = repeated_root(spec.Q, ma_root);
    starts.push_back(start);
  };
  shaped(0.0, 0.0);
  if (spec.p + spec.P > 0) shaped(0.9, 0.0), shaped(0.5, 0.0);
  if (spec.q + spec.Q > 0) shaped(0.0, 0.5), shaped(0.0, -0.5);
  return starts;
}

void set_information_criteria(SarimaxFit& fit) {
  const double k = static_cast<double>(fit.params.size());
  const double n_eff = static_cast<double>(fit.nobs - fit.loglikelihood_burn);
  fit.aic = -2.0 * fit.llf + 2.0 * k;
  fit.bic = -2.0 * fit.llf + k * std::log(n_eff);
  fit.hqic = -2.0 * fit.llf + 2.0 * k * std::log(std::log(n_eff));
}

SarimaxFit make_fit(const SarimaxLikelihood& likelihood, const SarimaxFit& base,
                    const SarimaxLikelihood::Evaluation& evaluation) {
  SarimaxFit fit = base;
  fit.llf = evaluation.llf;
  fit.nobs = likelihood.nobs();
  fit.loglikelihood_burn = evaluation.excluded_periods;
  fit.initialisation_periods =
      std::max(likelihood.burn(), static_cast<int>(evaluation.diffuse_variance.size()));
  fit.residuals = evaluation.innovations;
  fit.end_state = evaluation.end_state;
  set_information_criteria(fit);
  return fit;
}

}  // namespace

double sarimax_loglike(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                       const Eigen::MatrixXd& exog, const Eigen::VectorXd& params) {
  const SarimaxLikelihood likelihood(spec, y, exog);
  return likelihood
      .evaluate(SarimaxParams::unpack(spec, static_cast<int>(exog.cols()), params))
      .llf;
}

SarimaxFit fit_sarimax(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                       const Eigen::MatrixXd& exog, const FitOptions& options,
                       const std::vector<std::string>& exog_names) {
  const int k_exog = static_cast<int>(exog.cols());
  ARABICA_REQUIRE(exog_names.empty() || static_cast<int>(exog_names.size()) == k_exog,
                  "exog_names does not match exog columns");
  spec.validate();
  ARABICA_REQUIRE(options.max_iterations >= 1 && options.max_seconds > 0.0,
                  "fit bounds must be positive");
  ARABICA_REQUIRE(options.start_params.size() == 0 ||
                      options.start_params.size() == spec.k_params(k_exog),
                  "start_params has the wrong length");
  if (!y.allFinite() || !exog.allFinite())
    throw NumericalError("fit_sarimax: data contain non-finite values");
  const int min_rows = spec.k_states() + spec.k_params(k_exog) + 1;
  if (y.size() < min_rows)  // a property of the data and the spec, not of the numerics
    throw InputError("target", spec.describe() + " needs at least " + std::to_string(min_rows) +
                                   " observations, got " + std::to_string(y.size()));

  std::vector<std::string> names = exog_names;
  for (int j = static_cast<int>(names.size()); j < k_exog; ++j)
    names.push_back("x" + std::to_string(j + 1));
  require_varying_target("target", "", spec, y);
  require_identifiable_regressors("exog", spec, exog, names);
  const std::vector<std::string> param_names = spec.param_names(names);
  const SarimaxLikelihood likelihood(
      spec, y, exog,
      std::vector<std::string>(param_names.begin(), param_names.begin() + spec.k_trend() + k_exog));
  const Coordinates coordinates{spec};

  const bool warm = options.start_params.size() > 0;
  SarimaxParams start = SarimaxParams::unpack(
      spec, k_exog, warm ? options.start_params : sarimax_start_params(spec, y, exog));
  if (warm) {
    // A warm start from another fit may violate this spec's constraints;
    // statsmodels-style start values are already valid.
    if (spec.stationary_ar() && !(is_stationary(start.ar) && is_stationary(start.sar)))
      start.ar.setZero(), start.sar.setZero();
    if (spec.enforce_invertibility && !invertible(start))
      start.ma.setZero(), start.sma.setZero();
    start.sigma2 = std::max(start.sigma2, 1e-10);
  }

  // Minimise the mean negative profile log-likelihood. Its gradient is that
  // of the plain likelihood at the profiled regression coefficients
  // (envelope theorem), which needs only the single combined column.
  const double n = static_cast<double>(y.size());
  const int k_trend = spec.k_trend();
  auto regression_from = [&](const SarimaxLikelihood::Evaluation& e, SarimaxParams& params) {
    params.trend = e.regression.head(k_trend);
    params.beta = e.regression.tail(k_exog);
  };
  // The value at u (the profile likelihood: a filter of the target and every
  // regressor) is kept for the gradient, which the line search asks for at
  // the same point only when it passes sufficient decrease.
  struct ProfiledPoint {
    Eigen::VectorXd u;
    SarimaxParams at;
    double value = 0.0;
  };
  std::optional<ProfiledPoint> last;
  const Objective objective = [&](const Eigen::VectorXd& u, Eigen::VectorXd* gradient) {
    if (!last || last->u.size() != u.size() || last->u != u) {
      ProfiledPoint point{u, start, std::numeric_limits<double>::infinity()};
      coordinates.from_free(u, point.at);
      try {
        const SarimaxLikelihood::Evaluation e = likelihood.profile(point.at);
        regression_from(e, point.at);
        point.value = -e.llf / n;
      } catch (const NumericalError&) {
      } catch (const InputError&) {  // collinear at this point; diagnosed below if at the start
      }
      last = std::move(point);
    }
    if (gradient == nullptr || !std::isfinite(last->value)) return last->value;
    // All probes of the central difference in one interleaved pass.
    std::vector<SarimaxParams> probes;
    for (const Eigen::VectorXd& probe : central_probes(u)) {
      SarimaxParams moved = last->at;
      coordinates.from_free(probe, moved);
      probes.push_back(std::move(moved));
    }
    std::vector<double> values = likelihood.loglike_many(probes);
    for (double& v : values) v = -v / n;
    *gradient = central_gradient_from(values, u);
    return gradient->allFinite() ? last->value : std::numeric_limits<double>::infinity();
  };
  LbfgsOptions lbfgs;
  lbfgs.max_iterations = options.max_iterations;
  lbfgs.gradient_tolerance = options.gradient_tolerance;
  lbfgs.function_tolerance = options.function_tolerance;
  lbfgs.deadline = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(std::min(options.max_seconds, 1e7)));
  struct Solution {
    LbfgsResult optimum;
    SarimaxParams params;
    SarimaxLikelihood::Evaluation evaluation;
  };
  auto solve_from = [&](const SarimaxParams& from, int max_iterations) {
    LbfgsOptions limited = lbfgs;
    limited.max_iterations = max_iterations;
    Solution solution{minimize_lbfgs(objective, coordinates.to_free(from), limited), from, {}};
    if (std::isfinite(solution.optimum.value)) {
      coordinates.from_free(solution.optimum.x, solution.params);
      solution.evaluation = likelihood.profile(solution.params);
      regression_from(solution.evaluation, solution.params);
    }
    return solution;
  };
  // Continues an unconverged solution with the iterations it has left.
  auto resume = [&](Solution solution) {
    const int left = lbfgs.max_iterations - solution.optimum.iterations;
    if (solution.optimum.converged || left <= 0) return solution;
    Solution more = solve_from(solution.params, left);
    if (!std::isfinite(more.optimum.value)) return solution;
    more.optimum.iterations += solution.optimum.iterations;
    return more;
  };
  const bool mirrored_ma = !spec.enforce_invertibility && (spec.q > 0 || spec.Q > 0);
  // The best optimum of a fixed, data-determined start set, whatever the
  // first start: the stops of the near-cancellation ridges through the
  // optimum (ridge_steps) are scored in one interleaved likelihood pass, and
  // the fit moves on from the best of them only when it already beats the
  // optimum (then another basin is higher); again from the new optimum.
  // Where the crest bends off the kept psi-weights, three points across it
  // locate it (the vertex of their parabola, not beyond them).
  const double ridge_offset = 1.0 / std::sqrt(std::max(1.0, n - likelihood.burn()));
  auto best_on_ridges = [&](Solution solution) {
    for (int round = 0; round < kRidgeRounds; ++round) {
      const std::vector<RidgeStep> steps = ridge_steps(solution.params);
      std::vector<SarimaxParams> walk;
      for (const RidgeStep& step : steps)
        for (const double shift : {0.0, -1.0, 1.0})
          if (shift == 0.0 || step.bends())
            walk.push_back(ridge_point(solution.params, step, shift * ridge_offset));
      std::vector<double> scores = likelihood.loglike_many(walk);
      for (std::size_t i = 0; i < walk.size(); ++i)
        if (!coordinates.to_free(walk[i]).allFinite()) scores[i] = std::nan("");
      const double margin = kRidgeMargin * std::abs(solution.evaluation.llf);
      double bar = solution.evaluation.llf + margin;
      const RidgeStep* best_step = nullptr;
      double best_shift = 0.0;
      std::size_t at = 0;
      for (const RidgeStep& step : steps) {
        const double f0 = scores[at];
        double value = f0, shift = 0.0;
        if (step.bends()) {
          double down = scores[at + 1], up = scores[at + 2];
          if (!std::isfinite(down) || !std::isfinite(up)) down = up = f0;  // the centre alone
          const double slope = 0.5 * (up - down), curvature = 2.0 * f0 - up - down;
          shift = curvature > 0.0 ? std::clamp(slope / curvature, -1.0, 1.0) : 0.0;
          value = f0 + slope * shift - 0.5 * curvature * shift * shift;
          at += 3;
        } else {
          at += 1;
        }
        if (value > bar) bar = value, best_step = &step, best_shift = shift;  // NaN never wins
      }
      const int left = lbfgs.max_iterations - solution.optimum.iterations;
      if (best_step == nullptr || left <= 0) break;
      Solution escaped =
          solve_from(ridge_point(solution.params, *best_step, best_shift * ridge_offset), left);
      const bool usable = std::isfinite(escaped.optimum.value) &&
                          (!mirrored_ma || invertible(escaped.params));
      if (!usable || !(escaped.evaluation.llf > solution.evaluation.llf + margin)) break;
      escaped.optimum.iterations += solution.optimum.iterations;
      solution = std::move(escaped);
    }
    return solution;
  };
  // A first leg short enough that a run-off towards a non-invertible MA
  // boundary (where the likelihood creeps up without a maximum) is caught
  // early and handed to the invertible twin below.
  Solution solution =
      solve_from(start, mirrored_ma ? std::min(lbfgs.max_iterations, kFirstLegIterations)
                                    : lbfgs.max_iterations);
  if (!std::isfinite(solution.optimum.value)) {
    // The real reason (collinear regressors, a failing filter) when there is one.
    try {
      likelihood.profile(start);
    } catch (const NumericalError& e) {
      throw NumericalError(std::string("fit_sarimax: the likelihood cannot be evaluated at the "
                                       "start parameters: ") + e.what());
    }
    throw NumericalError("fit_sarimax: the likelihood is not finite at the start parameters");
  }

  // Without enforced invertibility an MA polynomial and its root-reflected
  // twin are observationally equivalent and the exact likelihoods differ only
  // through the initialisation. Like statsmodels and Box-Jenkins practice,
  // report the invertible optimum when it is as good (to 1e-6 relative) as
  // the non-invertible point, which is kept (and finished) otherwise.
  const SarimaxParams& found = solution.params;
  if (mirrored_ma && !invertible(found)) {
    Solution twin = solve_from(invertible_twin(found), lbfgs.max_iterations);
    const double tolerance = 1e-6 * std::abs(solution.evaluation.llf);
    const bool twin_usable = std::isfinite(twin.optimum.value) && invertible(twin.params);
    if (twin_usable && twin.evaluation.llf >= solution.evaluation.llf - tolerance) {
      twin.optimum.iterations += solution.optimum.iterations;
      solution = std::move(twin);
    } else {
      solution = resume(std::move(solution));
    }
  } else {
    solution = resume(std::move(solution));
  }
  if (spec.p + spec.q + spec.P + spec.Q >= kMultiStartCoefficients &&
      spec.k_states() <= kMultiStartMaxStates) {
    // The same shapes whatever the first start was (a warm start included),
    // so the best of them does not depend on the fold plan.
    const SarimaxParams cold = warm ? SarimaxParams::unpack(spec, k_exog, sarimax_start_params(spec, y, exog))
                                    : start;
    // A short leg from each shape. Where a leg stands after 30 iterations
    // says little about where it ends (on Stata's (3,2,2)(3,2,2,4) row the
    // leader finishes 0.23 llf below the runner-up), so every leg within
    // the slack of the best point so far is finished, in the fixed order of
    // the shapes, and the best finish is kept when it beats the optimum
    // found so far.
    std::vector<Solution> legs;
    int iterations = solution.optimum.iterations;
    double best_llf = solution.evaluation.llf;
    for (const SarimaxParams& alternative : alternative_starts(spec, cold)) {
      Solution leg = solve_from(alternative, kAlternativeLegIterations);
      if (!std::isfinite(leg.optimum.value)) continue;
      iterations += leg.optimum.iterations;
      best_llf = std::max(best_llf, leg.evaluation.llf);
      legs.push_back(std::move(leg));
    }
    const double slack = std::max(1.0, 1e-3 * std::abs(best_llf));
    const double margin = kRidgeMargin * std::abs(solution.evaluation.llf);
    for (Solution& leg : legs) {
      if (!(leg.evaluation.llf > best_llf - slack)) continue;
      const int leg_iterations = leg.optimum.iterations;
      // A leg running off towards a non-invertible MA boundary, where the
      // likelihood creeps up without a maximum (Stata's (0,2,0)(0,0,3,4) row
      // ran out its 500 iterations there), is finished from its invertible
      // twin, as the first start is.
      if (mirrored_ma && !leg.optimum.converged && !invertible(leg.params)) {
        Solution twin = solve_from(invertible_twin(leg.params), lbfgs.max_iterations - leg_iterations);
        if (std::isfinite(twin.optimum.value)) {
          twin.optimum.iterations += leg_iterations;
          leg = std::move(twin);
        }
      }
      Solution finished = resume(std::move(leg));
      iterations += finished.optimum.iterations - leg_iterations;
      if (std::isfinite(finished.optimum.value) &&
          finished.evaluation.llf > solution.evaluation.llf + margin)
        solution = std::move(finished);
    }
    solution.optimum.iterations = iterations;
  }
  solution = best_on_ridges(std::move(solution));
  const LbfgsResult& optimum = solution.optimum;
  const SarimaxParams& best = solution.params;
  const SarimaxLikelihood::Evaluation& evaluation = solution.evaluation;

  SarimaxFit base;
  base.spec = spec;
  base.k_exog = k_exog;
  base.param_names = param_names;
  base.params = best.pack();
  base.converged = optimum.converged;
  base.iterations = optimum.iterations;
  base.message = optimum.message;
  // The legs share one iteration budget and one deadline: name the bound.
  if (!optimum.converged && optimum.message == "stopped: time limit")
    base.message = "stopped: time limit (" + format_seconds(options.max_seconds) + " s)";
  else if (!optimum.converged && optimum.iterations >= options.max_iterations)
    base.message = "stopped: iteration limit " + std::to_string(options.max_iterations);
  SarimaxFit fit = make_fit(likelihood, base, evaluation);
  fit.cov_type = options.cov_type;
  if (fit.cov_type != CovarianceType::none) {
    // A finished fit is never lost to its standard errors.
    try {
      fit.covariance = parameter_covariance(likelihood, exog, fit.params, fit.cov_type, &fit.warnings);
      fit.standard_errors = standard_errors_of(fit.covariance);
    } catch (const NumericalError& e) {
      constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
      fit.covariance = Eigen::MatrixXd::Constant(fit.params.size(), fit.params.size(), kNaN);
      fit.standard_errors = Eigen::VectorXd::Constant(fit.params.size(), kNaN);
      fit.warnings.push_back(std::string("standard errors not available: ") + e.what());
    }
  }
  return fit;
}

SarimaxFit refilter_sarimax(const SarimaxFit& fitted, const Eigen::VectorXd& y,
                            const Eigen::MatrixXd& exog) {
  ARABICA_REQUIRE(exog.cols() == fitted.k_exog, "exog columns differ from the fitted model");
  const SarimaxLikelihood likelihood(fitted.spec, y, exog);
  const SarimaxParams params = SarimaxParams::unpack(fitted.spec, fitted.k_exog, fitted.params);
  return make_fit(likelihood, fitted, likelihood.evaluate(params));
}

}  // namespace arabica
