// Moment sums of path values, shifted by a per-horizon reference so that
// float paths around a price level accumulate without cancellation. Shared
// by the CPU backend and the CUDA backend's host-side finalisation.
#pragma once

#include <cstdint>
#include <limits>

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

/// numpy's linear interpolation between the order statistics at.lo and
/// at.lo + 1.
ARABICA_HD inline double interpolate_quantile(QuantilePosition at, double below, double above) {
  return at.fraction > 0.0 ? below + at.fraction * (above - below) : below;
}

/// numpy.percentile(values, 100 * level) of n ascending values.
ARABICA_HD inline double sorted_quantile(const float* sorted, std::int64_t n, double level) {
  const QuantilePosition at = quantile_position(level, n);
  const double below = sorted[at.lo];
  return interpolate_quantile(at, below, at.fraction > 0.0 ? sorted[at.lo + 1] : below);
}

/// How many of n ascending values form the lower `level` tail: ceil(level n),
/// at least one.
ARABICA_HD inline std::int64_t tail_count(double level, std::int64_t n) {
  const double exact = level * static_cast<double>(n);
  auto k = static_cast<std::int64_t>(exact);
  if (static_cast<double>(k) < exact) ++k;
  return k < 1 ? 1 : (k > n ? n : k);
}

/// Sample CRPS (mean|X - y| - 0.5 mean|X - X'|) of m ascending values at y,
/// as the sum over k of crps_gap_term(...) / m^2: the integral of
/// (F_m(z) - 1{z >= y})^2 over the left tail (k = 0) and the gap after
/// value k, where F_m = (k + 1) / m. Every term is non-negative, so nothing
/// cancels, and the terms are independent: a parallel reduction.
ARABICA_HD inline double crps_gap_term(const float* sorted, std::int64_t m, std::int64_t k,
                                       double y) {
  const double lo = sorted[k];
  double sum = 0.0;
  if (k == 0 && lo > y) sum += static_cast<double>(m) * static_cast<double>(m) * (lo - y);
  const double below = static_cast<double>(k + 1) * static_cast<double>(k + 1);
  if (k == m - 1) return lo < y ? sum + below * (y - lo) : sum;  // [x_(m), inf): F = 1
  const double hi = sorted[k + 1];
  const double above = static_cast<double>(m - k - 1) * static_cast<double>(m - k - 1);
  if (lo < y) sum += below * ((hi < y ? hi : y) - lo);
  if (hi > y) sum += above * (hi - (lo > y ? lo : y));
  return sum;
}

/// A run of ascending values' share in the probability integral transform
/// at y: the values below y, and those equal to it (counted half).
struct PitCounts {
  std::int64_t below = 0, equal = 0;
};
ARABICA_HD inline PitCounts pit_counts(const float* sorted, std::int64_t first, std::int64_t end,
                                       double y) {
  PitCounts counts;
  for (std::int64_t k = first; k < end; ++k) {
    counts.below += sorted[k] < y;
    counts.equal += sorted[k] == y;
  }
  return counts;
}
/// PIT of y among n values: (below + equal / 2) / n, the actual's mid-rank.
inline double pit_of(const PitCounts& counts, std::int64_t n) {
  return (static_cast<double>(counts.below) + 0.5 * static_cast<double>(counts.equal)) /
         static_cast<double>(n);
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

/// Fills day h's quantiles and lower-tail means from its n_paths values,
/// ascending at least at the ranks those read (every value in the lower
/// tails below its boundary), and its CRPS, which needs them all in order,
/// when `actual` is not NaN: the definition the pipeline's tests check the
/// backends against (the backends select and reduce on their device).
void set_sorted_day_stats(PathStats& stats, int h, const float* sorted, double actual);

/// Realised price of day h for the CRPS, NaN when not requested or unknown.
inline double day_actual(const PathRequest& request, int h) {
  return request.actual.size() > h ? request.actual[h] : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace arabica
