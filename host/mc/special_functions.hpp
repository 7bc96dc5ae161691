// Special functions and quadrature for the innovation densities, accurate to
// 1e-12 or better (absolute), so goodness-of-fit tests on 10^6 draws measure
// the samplers, not these.
#pragma once

#include <functional>

namespace arabica::detail {

double normal_pdf(double x);
double normal_cdf(double x);

/// Regularised incomplete beta I_x(a, b) for x in [0, 1], a, b > 0, by its
/// continued fraction (modified Lentz), using the symmetry
/// I_x(a, b) = 1 - I_{1-x}(b, a) where that converges faster.
double incomplete_beta(double x, double a, double b);

/// CDF of Student's t with nu > 0 degrees of freedom.
double student_t_cdf(double x, double nu);
/// Density of Student's t with nu > 0 degrees of freedom.
double student_t_pdf(double x, double nu);

/// Owen's T(h, a) = 1/(2 pi) int_0^a exp(-h^2 (1 + x^2) / 2) / (1 + x^2) dx,
/// by quadrature for |a| <= 1 and Owen's (1956) reflection for |a| > 1.
double owens_t(double h, double a);

/// exp(x) K_1(x) for x > 0 (modified Bessel function of the second kind),
/// by the trapezoidal rule on int_0^inf exp(-x (cosh t - 1)) cosh t dt, whose
/// error falls exponentially with the step for this analytic integrand.
double bessel_k1_scaled(double x);

/// Adaptive Gauss-Kronrod (7, 15) quadrature of f over [a, b] to an absolute
/// error of about `tolerance`.
double integrate(const std::function<double(double)>& f, double a, double b, double tolerance);
/// int_{-inf}^x f and int_x^{inf} f, mapped onto [0, 1) by t = x -+ s / (1 - s).
double integrate_below(const std::function<double(double)>& f, double x, double tolerance);
double integrate_above(const std::function<double(double)>& f, double x, double tolerance);

}  // namespace arabica::detail
