// Test helpers for the innovation samplers: draws laid out like the path
// engine's (one Philox stream per path), Kolmogorov-Smirnov and chi-square
// p-values, and moments with batch-means standard errors.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "arabica/innovations.hpp"
#include "arabica/philox.hpp"
#include "mc/special_functions.hpp"

namespace arabica::testing {

/// n draws as `paths` paths of n / paths steps, each path on its own stream
/// PhiloxStream(derive_stream_seed(seed, 0, 0), path, 0).
inline std::vector<double> draw_paths(const InnovationParams& params, std::size_t n,
                                      std::uint64_t seed, std::size_t paths = 1000) {
  std::vector<double> draws;
  draws.reserve(n);
  const std::uint64_t key = derive_stream_seed(seed, 0, 0);
  for (std::size_t path = 0; path < paths; ++path) {
    PhiloxStream stream(key, path, 0);
    for (std::size_t step = 0; step < n / paths; ++step)
      draws.push_back(draw_innovation(params, stream));
  }
  return draws;
}

/// Asymptotic Kolmogorov p-value with Stephens' small-sample correction:
/// Q(lambda) = 2 sum_k (-1)^(k-1) exp(-2 k^2 lambda^2).
inline double kolmogorov_p_value(double statistic, std::size_t n) {
  const double root_n = std::sqrt(static_cast<double>(n));
  const double lambda = (root_n + 0.12 + 0.11 / root_n) * statistic;
  if (lambda < 0.2) return 1.0;
  double sum = 0.0;
  for (int k = 1; k <= 100; ++k) sum += (k % 2 ? 2.0 : -2.0) * std::exp(-2.0 * k * k * lambda * lambda);
  return std::clamp(sum, 0.0, 1.0);
}

struct KsResult {
  double statistic, p_value;
};

/// One-sample KS test of `draws` (sorted in place) against `cdf`.
inline KsResult ks_test(std::vector<double>& draws, const std::function<double(double)>& cdf) {
  std::sort(draws.begin(), draws.end());
  const double n = static_cast<double>(draws.size());
  double d = 0.0;
  for (std::size_t i = 0; i < draws.size(); ++i) {
    const double f = cdf(draws[i]);
    d = std::max({d, (i + 1) / n - f, f - i / n});
  }
  return {d, kolmogorov_p_value(d, draws.size())};
}

/// Upper tail of chi-square with `dof` degrees of freedom by Wilson-Hilferty
/// (relative error well under 1% at p = 1e-3 for dof >= 30).
inline double chi_square_p_value(double statistic, double dof) {
  const double v = 2.0 / (9.0 * dof);
  const double z = (std::cbrt(statistic / dof) - (1.0 - v)) / std::sqrt(v);
  return 1.0 - detail::normal_cdf(z);
}

/// CDF tabulated on a grid over [lo, hi]: F at the knots by adding up
/// quadratures of the density cell by cell from an exact F(lo), then cubic
/// Hermite interpolation with the density as slope (error O(h^4)). Makes a
/// quadrature-based CDF affordable at 10^6 points.
class TabulatedCdf {
 public:
  TabulatedCdf(const std::function<double(double)>& pdf, const std::function<double(double)>& cdf,
               double lo, double hi, int cells)
      : lo_(lo), step_((hi - lo) / cells), cdf_(cdf) {
    values_.push_back(cdf(lo));
    densities_.push_back(pdf(lo));
    for (int i = 0; i < cells; ++i) {
      const double a = lo + i * step_;
      values_.push_back(values_.back() + detail::integrate(pdf, a, a + step_, 1e-15));
      densities_.push_back(pdf(a + step_));
    }
  }

  double operator()(double x) const {
    const double cell = std::floor((x - lo_) / step_);
    if (cell < 0 || cell >= static_cast<double>(values_.size() - 1)) return cdf_(x);
    const std::size_t i = static_cast<std::size_t>(cell);
    const double t = (x - lo_) / step_ - cell, t2 = t * t, t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * values_[i] + (t3 - 2 * t2 + t) * step_ * densities_[i] +
           (-2 * t3 + 3 * t2) * values_[i + 1] + (t3 - t2) * step_ * densities_[i + 1];
  }

  /// F at the last knot, accumulated; compare with the exact CDF there.
  double last_value() const { return values_.back(); }

 private:
  double lo_, step_;
  std::function<double(double)> cdf_;
  std::vector<double> values_, densities_;
};

/// Sample moment with its standard error from `batches` batch means.
struct Estimate {
  double value, standard_error;
};

struct SampleMoments {
  Estimate mean, variance, skewness;
};

inline SampleMoments sample_moments(const std::vector<double>& x, std::size_t batches = 100) {
  const auto moments_of = [](const double* begin, const double* end) {
    const double n = static_cast<double>(end - begin);
    double m1 = 0, m2 = 0, m3 = 0;
    for (const double* p = begin; p != end; ++p) m1 += *p;
    m1 /= n;
    for (const double* p = begin; p != end; ++p) {
      const double d = *p - m1;
      m2 += d * d;
      m3 += d * d * d;
    }
    m2 /= n;
    m3 /= n;
    return std::vector<double>{m1, m2, m3 / std::pow(m2, 1.5)};
  };
  const std::vector<double> all = moments_of(x.data(), x.data() + x.size());
  const std::size_t size = x.size() / batches;
  std::vector<double> sum(3, 0.0), sum_sq(3, 0.0);
  for (std::size_t b = 0; b < batches; ++b) {
    const std::vector<double> m = moments_of(x.data() + b * size, x.data() + (b + 1) * size);
    for (int k = 0; k < 3; ++k) sum[k] += m[k], sum_sq[k] += m[k] * m[k];
  }
  const double nb = static_cast<double>(batches);
  const auto se = [&](int k) {
    return std::sqrt((sum_sq[k] / nb - sum[k] * sum[k] / (nb * nb)) / (nb - 1.0));
  };
  return {{all[0], se(0)}, {all[1], se(1)}, {all[2], se(2)}};
}

}  // namespace arabica::testing
