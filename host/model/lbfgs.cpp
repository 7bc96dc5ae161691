#include "model/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <string>

#include "arabica/error.hpp"

namespace arabica {

namespace {

struct LinePoint {
  double step, value, slope;  // phi(step), phi'(step)
  Eigen::VectorXd gradient;   // of f at x + step * direction
};

// Minimiser of the cubic interpolating two points with slopes, kept inside
// [lo + 10%, hi - 10%] of the bracket so the zoom always shrinks it.
double cubic_step(const LinePoint& a, const LinePoint& b) {
  const double d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.step - b.step);
  const double radicand = d1 * d1 - a.slope * b.slope;
  double step = 0.5 * (a.step + b.step);
  if (radicand >= 0.0) {
    const double d2 = std::copysign(std::sqrt(radicand), b.step - a.step);
    const double denom = b.slope - a.slope + 2.0 * d2;
    if (denom != 0.0) step = b.step - (b.step - a.step) * (b.slope + d2 - d1) / denom;
  }
  const double lo = std::min(a.step, b.step), hi = std::max(a.step, b.step);
  const double margin = 0.1 * (hi - lo);
  if (!std::isfinite(step)) step = 0.5 * (lo + hi);
  return std::clamp(step, lo + margin, hi - margin);
}

// Minimiser of the quadratic through a (value and slope) and b's value, for
// a trial point whose gradient was not computed; same safeguards.
double quadratic_step(const LinePoint& a, const LinePoint& b) {
  const double d = b.step - a.step;
  const double curvature = (b.value - a.value - a.slope * d) / (d * d);
  double step = curvature > 0.0 ? a.step - a.slope / (2.0 * curvature) : 0.5 * (a.step + b.step);
  const double lo = std::min(a.step, b.step), hi = std::max(a.step, b.step);
  const double margin = 0.1 * (hi - lo);
  if (!std::isfinite(step)) step = 0.5 * (lo + hi);
  return std::clamp(step, lo + margin, hi - margin);
}

// The next trial point of the zoom: cubic with both slopes, quadratic when
// the far end's gradient was skipped, bisection beside a non-finite value.
double interpolate(const LinePoint& lo, const LinePoint& hi) {
  if (!std::isfinite(hi.value)) return 0.5 * (lo.step + hi.step);
  if (!std::isfinite(hi.slope)) return quadratic_step(lo, hi);
  return cubic_step(lo, hi);
}

double central_step(double x, double widen = 1.0) {
  return widen * std::cbrt(std::numeric_limits<double>::epsilon()) * std::max(1.0, std::abs(x));
}

// How much wider than the usual central-difference steps the stall check
// probes. The usual step, eps^(1/3), is right for an objective rounded at
// machine precision; the step that balances truncation against a rounding
// noise of r machine epsilons grows as r^(1/3), and a SARIMAX likelihood
// under the 1e6 approximate-diffuse prior is noisy at ~1e8 epsilons (jumps
// of ~5e-7 in the llf of a 36-row airline model). Richardson extrapolation
// of the steps w and w/2 removes the O(h^2) error the wide step brings.
constexpr double kStallStepWidening = 1000.0;

// The gradient at x from central differences with steps kStallStepWidening
// and half that times the usual, Richardson-extrapolated (error O(h^4)).
// Values only, one probe at a time: it runs once, at a stall.
Eigen::VectorXd stall_gradient(const Objective& objective, const Eigen::VectorXd& x, int& evaluations) {
  Eigen::VectorXd gradient(x.size());
  Eigen::VectorXd probe = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    double differences[2];
    for (int half = 0; half < 2; ++half) {
      const double h = central_step(x[i], kStallStepWidening / (1 + half));
      probe[i] = x[i] + h;
      const double up = objective(probe, nullptr);
      probe[i] = x[i] - h;
      const double down = objective(probe, nullptr);
      evaluations += 2;
      differences[half] = (up - down) / ((x[i] + h) - (x[i] - h));
    }
    probe[i] = x[i];
    gradient[i] = (4.0 * differences[1] - differences[0]) / 3.0;
  }
  return gradient;
}

}  // namespace

LbfgsResult minimize_lbfgs(const Objective& objective, Eigen::VectorXd x0,
                           const LbfgsOptions& options) {
  constexpr double c1 = 1e-4, c2 = 0.9;
  LbfgsResult result;
  Eigen::VectorXd x = std::move(x0);
  Eigen::VectorXd g(x.size());
  double f = objective(x, &g);
  result.evaluations = 1;
  if (!std::isfinite(f)) {
    result.x = x, result.value = f, result.gradient = g;
    result.message = "objective is not finite at the start point";
    return result;
  }

  std::deque<Eigen::VectorXd> s_hist, y_hist;
  std::deque<double> rho_hist;
  Eigen::VectorXd x_new(x.size()), g_new(x.size());
  double last_change = std::numeric_limits<double>::infinity();  // of the last accepted step

  for (int iter = 0; iter < options.max_iterations; ++iter) {
    if (g.lpNorm<Eigen::Infinity>() <= options.gradient_tolerance) {
      result.converged = true;
      result.message = "gradient below tolerance";
      break;
    }
    if (std::chrono::steady_clock::now() >= options.deadline) {
      result.message = "stopped: time limit";
      break;
    }
    // Two-loop recursion: direction = -H g.
    Eigen::VectorXd direction = -g;
    std::vector<double> alpha(s_hist.size());
    for (std::size_t i = s_hist.size(); i-- > 0;) {
      alpha[i] = rho_hist[i] * s_hist[i].dot(direction);
      direction -= alpha[i] * y_hist[i];
    }
    if (!s_hist.empty()) direction *= s_hist.back().dot(y_hist.back()) / y_hist.back().squaredNorm();
    for (std::size_t i = 0; i < s_hist.size(); ++i) {
      const double beta = rho_hist[i] * y_hist[i].dot(direction);
      direction += (alpha[i] - beta) * s_hist[i];
    }
    double slope0 = g.dot(direction);
    if (!(slope0 < 0.0)) {  // not a descent direction: restart from steepest descent
      s_hist.clear(), y_hist.clear(), rho_hist.clear();
      direction = -g;
      slope0 = -g.squaredNorm();
    }

    // Strong-Wolfe line search: bracket, then zoom.
    double step = s_hist.empty() ? std::min(1.0, 1.0 / g.lpNorm<Eigen::Infinity>()) : 1.0;
    LinePoint previous{0.0, f, slope0, g}, accepted = previous;
    bool found = false;
    // A trial point; its gradient only when it passes sufficient decrease
    // (a rejected point's slope stays NaN and is never read).
    constexpr double kNoSlope = std::numeric_limits<double>::quiet_NaN();
    auto probe = [&](double t) {
      x_new = x + t * direction;
      const double value = objective(x_new, nullptr);
      ++result.evaluations;
      if (!std::isfinite(value))
        return LinePoint{t, std::numeric_limits<double>::infinity(), kNoSlope, {}};
      if (value > f + c1 * t * slope0) return LinePoint{t, value, kNoSlope, {}};
      if (!std::isfinite(objective(x_new, &g_new)))
        return LinePoint{t, std::numeric_limits<double>::infinity(), kNoSlope, {}};
      return LinePoint{t, value, g_new.dot(direction), g_new};
    };
    auto zoom = [&](LinePoint lo, LinePoint hi) {
      for (int i = 0; i < 12; ++i) {
        const LinePoint mid = probe(interpolate(lo, hi));
        if (mid.value > f + c1 * mid.step * slope0 || mid.value >= lo.value) {
          hi = mid;
        } else {
          if (std::abs(mid.slope) <= -c2 * slope0) return std::make_pair(true, mid);
          if (mid.slope * (hi.step - lo.step) >= 0.0) hi = lo;
          lo = mid;
        }
        if (std::abs(hi.step - lo.step) <= 1e-16 * std::max(1.0, lo.step)) break;
      }
      // Accept the best sufficient-decrease point found, if any.
      return std::make_pair(lo.step > 0.0, lo);
    };
    for (int i = 0; i < 40; ++i) {
      const LinePoint current = probe(step);
      if (current.value > f + c1 * step * slope0 || (i > 0 && current.value >= previous.value)) {
        std::tie(found, accepted) = zoom(previous, current);
        break;
      }
      if (std::abs(current.slope) <= -c2 * slope0) {
        found = true, accepted = current;
        break;
      }
      if (current.slope >= 0.0) {
        std::tie(found, accepted) = zoom(current, previous);
        break;
      }
      previous = current;
      step *= 2.0;
    }
    if (!found) {
      // At the objective's rounding floor no step decreases it; that is a
      // converged point when the gradient is already small.
      const double gradient_norm = g.lpNorm<Eigen::Infinity>();
      // With curvature pairs, -slope0 = g'Hg is the Newton decrement.
      const double gain = s_hist.empty() ? std::numeric_limits<double>::infinity()
                                         : 0.5 * -slope0 / std::max(1.0, std::abs(f));
      char text[160];
      if (gradient_norm <= options.noise_floor_gradient) {
        result.converged = true;
        std::snprintf(text, sizeof text, "at the rounding floor, gradient max-norm %.3g", gradient_norm);
      } else if (gain <= options.decrement_tolerance) {
        result.converged = true;
        std::snprintf(text, sizeof text,
                      "at the rounding floor, a quasi-Newton step would gain %.2g relative", gain);
      } else if (last_change <= options.stagnation_tolerance) {
        result.converged = true;
        std::snprintf(text, sizeof text,
                      "at the rounding floor, the last step changed the objective by %.2g relative",
                      last_change);
      } else {
        // The usual gradient may be the objective's rounding noise: ask again
        // with steps that noise cannot swamp.
        const double wide_norm = stall_gradient(objective, x, result.evaluations).lpNorm<Eigen::Infinity>();
        if (wide_norm <= options.noise_floor_gradient) {
          result.converged = true;
          std::snprintf(text, sizeof text,
                        "at the rounding floor, gradient max-norm %.3g from steps %g times wider",
                        wide_norm, kStallStepWidening);
        } else {
          std::snprintf(text, sizeof text,
                        "no further decrease possible (gradient max-norm %.3g, predicted gain %.2g "
                        "relative)", gradient_norm, gain);
        }
      }
      result.message = text;
      break;
    }
    x_new = x + accepted.step * direction;
    const Eigen::VectorXd s = x_new - x, y = accepted.gradient - g;
    const double f_old = f;
    x = x_new, g = accepted.gradient, f = accepted.value;
    result.iterations = iter + 1;
    const double sy = s.dot(y);
    if (sy > 1e-12 * s.norm() * y.norm()) {
      s_hist.push_back(s), y_hist.push_back(y), rho_hist.push_back(1.0 / sy);
      if (static_cast<int>(s_hist.size()) > options.memory)
        s_hist.pop_front(), y_hist.pop_front(), rho_hist.pop_front();
    }
    last_change = std::abs(f_old - f) / std::max({std::abs(f_old), std::abs(f), 1.0});
    if (last_change <= options.function_tolerance) {
      result.converged = true;
      result.message = "relative function change below tolerance";
      break;
    }
  }
  if (result.message.empty())
    result.message = "stopped: iteration limit " + std::to_string(options.max_iterations);
  result.x = x, result.value = f, result.gradient = g;
  return result;
}

std::vector<Eigen::VectorXd> central_probes(const Eigen::VectorXd& x) {
  std::vector<Eigen::VectorXd> probes;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double h = central_step(x[i]);
    probes.push_back(x);
    probes.back()[i] = x[i] + h;
    probes.push_back(x);
    probes.back()[i] = x[i] - h;
  }
  return probes;
}

Eigen::VectorXd central_gradient_from(const std::vector<double>& values, const Eigen::VectorXd& x) {
  ARABICA_REQUIRE(values.size() == 2 * static_cast<std::size_t>(x.size()),
                  "central_gradient_from: two values per coordinate");
  Eigen::VectorXd grad(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    // The step as the probe holds it: (x + h) - (x - h) is not always 2h.
    const double h = central_step(x[i]);
    grad[i] = (values[2 * i] - values[2 * i + 1]) / (2.0 * h);
  }
  return grad;
}

Eigen::VectorXd central_gradient(const std::function<double(const Eigen::VectorXd&)>& f,
                                 const Eigen::VectorXd& x) {
  std::vector<double> values;
  for (const Eigen::VectorXd& probe : central_probes(x)) values.push_back(f(probe));
  return central_gradient_from(values, x);
}

}  // namespace arabica
