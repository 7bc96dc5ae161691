#include "mc/special_functions.hpp"

#include <algorithm>
#include <cmath>

namespace arabica::detail {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Gauss-Kronrod 15-point nodes and weights on [-1, 1] (QUADPACK qk15); the
// 7-point Gauss rule uses the odd-indexed nodes.
constexpr double kKronrodNodes[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
constexpr double kKronrodWeights[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
constexpr double kGaussWeights[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

// One Kronrod panel; `error` is |Kronrod - Gauss|, a conservative estimate.
double kronrod_panel(const std::function<double(double)>& f, double a, double b, double& error) {
  const double center = 0.5 * (a + b), half = 0.5 * (b - a);
  const double fc = f(center);
  double kronrod = kKronrodWeights[7] * fc, gauss = kGaussWeights[3] * fc;
  for (int i = 0; i < 7; ++i) {
    const double dx = half * kKronrodNodes[i];
    const double pair = f(center - dx) + f(center + dx);
    kronrod += kKronrodWeights[i] * pair;
    if (i % 2 == 1) gauss += kGaussWeights[i / 2] * pair;
  }
  error = std::abs(half * (kronrod - gauss));
  return half * kronrod;
}

double adapt(const std::function<double(double)>& f, double a, double b, double tolerance,
             int depth) {
  double error;
  const double value = kronrod_panel(f, a, b, error);
  // The relative test stops refinement at rounding noise.
  if (error <= tolerance || error <= 1e-14 * std::abs(value) || depth == 0) return value;
  const double mid = 0.5 * (a + b);
  return adapt(f, a, mid, 0.5 * tolerance, depth - 1) +
         adapt(f, mid, b, 0.5 * tolerance, depth - 1);
}

// Lentz's evaluation of 1 + d1/(1 + d2/(1 + ...)) for the incomplete beta
// (Numerical Recipes' betacf recurrence, written out here).
double beta_continued_fraction(double x, double a, double b) {
  constexpr double tiny = 1e-300, eps = 1e-16;
  double c = 1.0, d = 0.0, value = 1.0;
  for (int j = 1; j <= 1000; ++j) {
    const int m = j / 2;
    const double coefficient =
        j % 2 == 1 ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                   : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1.0 + coefficient * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1.0 + coefficient / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = c * d;
    value *= delta;
    if (std::abs(delta - 1.0) < eps) break;
  }
  return value;
}

}  // namespace

double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi); }

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double incomplete_beta(double x, double a, double b) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front = a * std::log(x) + b * std::log1p(-x) + std::lgamma(a + b) -
                           std::lgamma(a) - std::lgamma(b);
  if (x < (a + 1.0) / (a + b + 2.0))
    return std::exp(log_front) / (a * beta_continued_fraction(x, a, b));
  return 1.0 - std::exp(log_front) / (b * beta_continued_fraction(1.0 - x, b, a));
}

double student_t_cdf(double x, double nu) {
  // P(|T| > |x|) = I_{nu / (nu + x^2)}(nu / 2, 1 / 2).
  const double tail = 0.5 * incomplete_beta(nu / (nu + x * x), 0.5 * nu, 0.5);
  return x > 0.0 ? 1.0 - tail : tail;
}

double student_t_pdf(double x, double nu) {
  const double log_norm =
      std::lgamma(0.5 * (nu + 1.0)) - std::lgamma(0.5 * nu) - 0.5 * std::log(nu * kPi);
  return std::exp(log_norm - 0.5 * (nu + 1.0) * std::log1p(x * x / nu));
}

double owens_t(double h, double a) {
  if (a < 0.0) return -owens_t(h, -a);
  if (a == 0.0) return 0.0;
  h = std::abs(h);  // T is even in h
  if (a <= 1.0) {
    const double half_h2 = 0.5 * h * h;
    const auto integrand = [half_h2](double x) {
      return std::exp(-half_h2 * (1.0 + x * x)) / (1.0 + x * x);
    };
    return integrate(integrand, 0.0, a, 1e-15) / (2.0 * kPi);
  }
  // T(h, a) + T(ah, 1/a) = (Phi(h) + Phi(ah)) / 2 - Phi(h) Phi(ah) for h >= 0.
  const double ah = a * h, ph = normal_cdf(h), pah = normal_cdf(ah);
  return 0.5 * (ph + pah) - ph * pah - owens_t(ah, 1.0 / a);
}

double bessel_k1_scaled(double x) {
  // Steps fine enough for both regimes: a long, slowly decaying integrand
  // for small x, a Gaussian of width 1/sqrt(x) for large x.
  const double step = std::min(0.1, 0.3 / std::sqrt(x));
  const double t_max = std::acosh(1.0 + 40.0 / x);  // integrand < e^-40 beyond
  double sum = 0.5;  // half weight at t = 0, where the integrand is 1
  for (double t = step; t <= t_max; t += step)
    sum += std::exp(-x * (std::cosh(t) - 1.0)) * std::cosh(t);
  return step * sum;
}

double integrate(const std::function<double(double)>& f, double a, double b, double tolerance) {
  return adapt(f, a, b, tolerance, 30);
}

double integrate_below(const std::function<double(double)>& f, double x, double tolerance) {
  const auto mapped = [&f, x](double s) {
    const double r = 1.0 / (1.0 - s);
    return f(x - s * r) * r * r;
  };
  return integrate(mapped, 0.0, 1.0, tolerance);
}

double integrate_above(const std::function<double(double)>& f, double x, double tolerance) {
  const auto mapped = [&f, x](double s) {
    const double r = 1.0 / (1.0 - s);
    return f(x + s * r) * r * r;
  };
  return integrate(mapped, 0.0, 1.0, tolerance);
}

}  // namespace arabica::detail
