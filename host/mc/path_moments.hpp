// Moment sums of path values, shifted by a per-horizon reference so that
// float paths around a price level accumulate without cancellation. Shared
// by the CPU backend and the CUDA backend's host-side finalisation.
#pragma once

#include <cstdint>

#include "arabica/hd.hpp"
#include "arabica/paths.hpp"

namespace arabica {

struct MomentSums {
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;  // sums of d, d^2, d^3, d^4 with d = x - shift
  std::int64_t up = 0;                    // values above the cutoff price

  ARABICA_HD void add(float value, double shift, double last_price) {
    const double d = static_cast<double>(value) - shift, d2 = d * d;
    s1 += d, s2 += d2, s3 += d2 * d, s4 += d2 * d2;
    up += static_cast<double>(value) > last_price;
  }
  ARABICA_HD void merge(const MomentSums& other) {
    s1 += other.s1, s2 += other.s2, s3 += other.s3, s4 += other.s4, up += other.up;
  }
};

/// Where numpy.percentile's linear interpolation looks in n sorted values:
/// the order statistic `lo` and the weight of its successor.
struct QuantilePosition {
  std::int64_t lo;
  double fraction;
};
ARABICA_HD inline QuantilePosition quantile_position(double level, std::int64_t n) {
  const double position = level * static_cast<double>(n - 1);
  const auto lo = static_cast<std::int64_t>(position);  // position >= 0: floor
  return {lo, lo + 1 < n ? position - static_cast<double>(lo) : 0.0};
}

struct Moments {
  double mean, std, skewness, kurtosis, p_up;
};

/// Population moments (numpy std ddof=0, scipy.stats.skew/kurtosis biased).
Moments finalize_moments(const MomentSums& sums, double shift, std::int64_t n);

/// Statistics sized for `horizon` days and `stored` kept paths.
PathStats empty_path_stats(int horizon, std::int64_t n_paths, std::int64_t stored);

/// Fills day h's moments and P(up) from its total sums.
void set_day_moments(PathStats& stats, int h, const MomentSums& total, double shift);

}  // namespace arabica
