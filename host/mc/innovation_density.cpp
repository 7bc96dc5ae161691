// Densities and CDFs of the standardised innovation families, in double.
// Each family is written for its textbook variable X; the standardised
// innovation is e = (X - mean) / sd with the moments from standardization().
#include <cmath>
#include <functional>

#include "arabica/error.hpp"
#include "arabica/innovations.hpp"
#include "mc/special_functions.hpp"
#include "mc/standardization.hpp"

namespace arabica {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kQuadratureTolerance = 1e-13;

// Calls f(probability, mean, sd) for each Poisson term N = k of the jump
// model, X | N = k ~ N(k mu_J, 1 + k sigma_J^2), until the terms are negligible.
template <class F>
void for_each_jump_count(const InnovationParams& p, F&& f) {
  double probability = std::exp(-p.jump_rate);
  for (int k = 0; k <= p.jump_rate || probability > 1e-20; ++k) {
    if (k > 0) probability *= p.jump_rate / k;
    f(probability, k * p.jump_mean, std::sqrt(1.0 + k * p.jump_sd * p.jump_sd));
  }
}

double raw_pdf(const InnovationParams& p, double x) {
  using namespace detail;
  switch (p.kind) {
    case InnovationKind::normal:
      return normal_pdf(x);
    case InnovationKind::student_t:
      return student_t_pdf(x, p.nu);
    case InnovationKind::skew_normal:
      return 2.0 * normal_pdf(x) * normal_cdf(p.alpha * x);
    case InnovationKind::skew_t:
      // Azzalini & Capitanio (2003): 2 t_nu(x) T_{nu+1}(alpha x sqrt((nu + 1) / (nu + x^2))).
      return 2.0 * student_t_pdf(x, p.nu) *
             student_t_cdf(p.alpha * x * std::sqrt((p.nu + 1.0) / (p.nu + x * x)), p.nu + 1.0);
    case InnovationKind::mixture:
      return (1.0 - p.weight) * normal_pdf(x) +
             p.weight * normal_pdf(x / p.wide_scale) / p.wide_scale;
    case InnovationKind::nig: {
      // Barndorff-Nielsen (1997) with delta = 1, mu = 0; K_1 scaled by exp(alpha q).
      const double q = std::sqrt(1.0 + x * x);
      const double gamma = std::sqrt((p.alpha - p.beta) * (p.alpha + p.beta));
      return p.alpha / (kPi * q) * bessel_k1_scaled(p.alpha * q) *
             std::exp(gamma + p.beta * x - p.alpha * q);
    }
    case InnovationKind::jumps: {
      double density = 0.0;
      for_each_jump_count(p, [&](double probability, double mean, double sd) {
        density += probability * normal_pdf((x - mean) / sd) / sd;
      });
      return density;
    }
    case InnovationKind::bootstrap:
      break;
  }
  ARABICA_REQUIRE(false, "innovation_pdf: " + describe(p) + " has no density");
  return 0.0;
}

double raw_cdf(const InnovationParams& p, double x) {
  using namespace detail;
  switch (p.kind) {
    case InnovationKind::normal:
      return normal_cdf(x);
    case InnovationKind::student_t:
      return student_t_cdf(x, p.nu);
    case InnovationKind::skew_normal:
      return normal_cdf(x) - 2.0 * owens_t(x, p.alpha);
    case InnovationKind::mixture:
      return (1.0 - p.weight) * normal_cdf(x) + p.weight * normal_cdf(x / p.wide_scale);
    case InnovationKind::jumps: {
      double cdf = 0.0;
      for_each_jump_count(p, [&](double probability, double mean, double sd) {
        cdf += probability * normal_cdf((x - mean) / sd);
      });
      return cdf;
    }
    case InnovationKind::skew_t:
    case InnovationKind::nig: {
      // Integrate the shorter tail so the result keeps absolute accuracy.
      const std::function<double(double)> pdf = [&p](double t) { return raw_pdf(p, t); };
      const double mean = standardization(p).mean;
      return x <= mean ? integrate_below(pdf, x, kQuadratureTolerance)
                       : 1.0 - integrate_above(pdf, x, kQuadratureTolerance);
    }
    case InnovationKind::bootstrap: {
      std::uint32_t at_or_below = 0;
      for (std::uint32_t i = 0; i < p.residual_count; ++i) at_or_below += p.residuals[i] <= x;
      return static_cast<double>(at_or_below) / p.residual_count;
    }
  }
  ARABICA_REQUIRE(false, "innovation_cdf: unknown InnovationKind");
  return 0.0;
}

}  // namespace

double innovation_pdf(const InnovationParams& params, double x) {
  const detail::Standardization s = detail::standardization(params);
  return s.sd * raw_pdf(params, s.mean + s.sd * x);
}

double innovation_cdf(const InnovationParams& params, double x) {
  const detail::Standardization s = detail::standardization(params);
  return raw_cdf(params, s.mean + s.sd * x);
}

}  // namespace arabica
