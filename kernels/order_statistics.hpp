// Exact order statistics without sorting a day: a histogram of each segment
// over its [min, max] finds the bins that hold the ranks the statistics read
// (numpy-linear quantiles' neighbours, the lower tails' boundaries); only the
// values in those few bins are kept and sorted. bin_of is monotone in the
// value, so every value of a lower bin is below every value of a higher one
// and a rank's value is found at (rank - values in lower bins) in its bin's
// sorted candidates. Tail sums add whole bins below the boundary bin plus
// the boundary bin's smallest candidates. Exact, whatever the distribution:
// ties or a constant day land in one bin, which is then simply sorted whole.
#pragma once

#include <algorithm>
#include <cstdint>

#include "arabica/hd.hpp"
#include "path_batch.hpp"

namespace arabica::pipeline {

constexpr int kMaxHistogramBins = 4096;

/// Bins of a day of n values: about n / 16 (a power of two in 64..4096), so
/// a small day's histogram stays small and a large day's target bins hold
/// a fraction of a percent of its values each.
inline int histogram_bins(std::int64_t n) {
  int bins = 64;
  while (bins < kMaxHistogramBins && bins * 16 < n) bins *= 2;
  return bins;
}
constexpr int kQuantiles = static_cast<int>(kQuantileLevels.size());
constexpr int kTails = static_cast<int>(kTailLevels.size());
constexpr int kMaxTargets = 2 * kQuantiles + kTails;

/// The statistics' levels by value: device code cannot read the host's
/// constexpr arrays.
struct Levels {
  double quantile[kQuantiles];
  double tail[kTails];
};
inline Levels statistic_levels() {
  Levels levels{};
  for (int q = 0; q < kQuantiles; ++q) levels.quantile[q] = kQuantileLevels[q];
  for (int i = 0; i < kTails; ++i) levels.tail[i] = kTailLevels[i];
  return levels;
}

/// The ranks one segment's statistics read, and where they were found.
struct SegmentTargets {
  float lo = 0.0f, scale = 0.0f;  // bin_of's map: bin = (value - lo) * scale
  int bins = 64;                  // histogram_bins(n)
  int count = 0;                 // distinct target ranks, ascending
  std::int64_t rank[kMaxTargets] = {};
  // Set by PlanTargets:
  int bin[kMaxTargets] = {};
  std::int64_t below[kMaxTargets] = {};  // values in the bins before bin[t]
  int group[kMaxTargets] = {};           // candidate group holding bin[t]
  int groups = 0;                        // distinct target bins, ascending
  int group_bin[kMaxTargets] = {};
  std::int64_t group_size[kMaxTargets] = {};
  // Set on the host once every segment's groups are sized:
  std::int64_t group_offset[kMaxTargets] = {};  // into the candidate buffer
  int first_group_key = 0;                      // groups' sort keys: first_group_key + g

  ARABICA_HD int target_of(std::int64_t r) const {
    int found = 0;
    for (int k = 0; k < count; ++k)
      if (rank[k] == r) found = k;
    return found;
  }
  /// Where the value of rank r lies in the sorted candidates.
  ARABICA_HD std::int64_t candidate_of(std::int64_t r) const {
    const int k = target_of(r);
    return group_offset[group[k]] + (r - below[k]);
  }
};

/// The ranks a segment of n values needs, ascending and distinct.
inline void set_target_ranks(SegmentTargets& t, std::int64_t n) {
  std::int64_t ranks[kMaxTargets];
  int count = 0;
  for (const double level : kQuantileLevels) {
    const QuantilePosition at = quantile_position(level, n);
    ranks[count++] = at.lo;
    if (at.fraction > 0.0) ranks[count++] = at.lo + 1;
  }
  for (const double level : kTailLevels) ranks[count++] = tail_count(level, n) - 1;
  std::sort(ranks, ranks + count);
  t.count = static_cast<int>(std::unique(ranks, ranks + count) - ranks);
  std::copy(ranks, ranks + t.count, t.rank);
}

/// Float operations only, each monotone (rounding is), so the map is
/// monotone in the value; values below lo land in bin 0, those at or beyond
/// the last bin in it; branch-free, so SIMD lanes vectorise it.
ARABICA_HD ARABICA_INLINE int bin_of(float value, float lo, float scale, int bins) {
  const float x = (value - lo) * scale;
  return x < static_cast<float>(bins - 1) ? (x > 0.0f ? static_cast<int>(x) : 0) : bins - 1;
}

/// Standard deviations either side of the mean that the bins cover.
/// Cantelli's inequality, P(X <= mean - k sd) <= 1 / (1 + k^2), holds for a
/// day's own values and their mean and (population) standard deviation:
/// with k = 10, fewer than 1% of them lie beyond either bound, so every rank
/// the statistics read (levels 1% to 99%) falls in the bins between.
constexpr double kBinnedStandardDeviations = 10.0;

/// The map of a day's values onto the bins: [lo, hi] (its minimum and
/// maximum) narrowed to mean +- kBinnedStandardDeviations sd, the values
/// beyond in the end bins. A heavy-tailed day's few extreme values then no
/// longer widen every bin (Student-t paths put ~3x the values in each
/// central bin, all of them candidates to sort). Exact whatever the values:
/// only the candidates' number depends on the map. A scale no product can
/// overflow when hi - lo is tiny, 0 when every value is lo.
inline void set_bin_map(SegmentTargets& t, float lo, float hi, double mean, double sd, std::int64_t n) {
  const double reach = kBinnedStandardDeviations * sd;
  if (sd > 0.0 && mean - reach > lo) lo = static_cast<float>(mean - reach);
  if (sd > 0.0 && mean + reach < hi) hi = static_cast<float>(mean + reach);
  t.lo = lo;
  t.bins = histogram_bins(n);
  const double scale = hi > lo ? t.bins / (static_cast<double>(hi) - lo) : 0.0;
  t.scale = static_cast<float>(scale < 1e30 ? scale : 1e30);
}

/// What one value item's candidate collection needs (CollectCandidates).
struct CollectPlan {
  float lo, scale;
  int bins;
  int boundary[kTails];         // per tail: the bin of its last value
  const std::int32_t* marks;    // per bin: candidate group + 1, or 0
  std::int64_t* position;       // per group: where its next candidate goes
  int first_group_key;
  float* candidates;
  int* keys;
};

/// The item loops of the statistics stages, one value after another (a
/// GPU thread's way; the CPU's is in SIMD lanes, path_lanes.hpp).
struct ValueByValue {
  ARABICA_HD static void histogram(const float* values, std::int64_t n, float lo, float scale,
                                   int bins, std::uint32_t* hist) {
    for (std::int64_t k = 0; k < n; ++k) ++hist[bin_of(values[k], lo, scale, bins)];
  }
  /// Sums per tail the values in bins below its boundary bin into partial,
  /// and appends the values of target bins to their groups.
  ARABICA_HD static void collect(const float* values, std::int64_t n, CollectPlan& plan,
                                 double* partial) {
    for (std::int64_t k = 0; k < n; ++k) {
      const float value = values[k];
      const int b = bin_of(value, plan.lo, plan.scale, plan.bins);
      for (int tail = 0; tail < kTails; ++tail)
        if (b < plan.boundary[tail]) partial[tail] += value;
      if (const int g = plan.marks[b]) {
        plan.candidates[plan.position[g - 1]] = value;
        plan.keys[plan.position[g - 1]++] = plan.first_group_key + g - 1;
      }
    }
  }
};

/// Per value item: its histogram (its segment's bins from counts[item.hist_offset]).
template <class ItemWork>
struct HistogramItems {
  const float* values;
  const ValueItem* items;
  const SegmentTargets* targets;
  std::uint32_t* counts;

  ARABICA_HD void operator()(std::int64_t i) const {
    const ValueItem item = items[i];
    const SegmentTargets& t = targets[item.segment];
    std::uint32_t* hist = counts + item.hist_offset;
    for (int b = 0; b < t.bins; ++b) hist[b] = 0;
    ItemWork::histogram(values + item.begin, item.n, t.lo, t.scale, t.bins, hist);
  }
};

/// Per segment: adds its items' histograms bin by bin to find each target
/// rank's bin; marks the target bins in bin_group (group + 1, else 0).
struct PlanTargets {
  const Segment* segments;
  const ValueItem* items;
  const std::uint32_t* counts;
  SegmentTargets* targets;
  std::int32_t* bin_group;

  ARABICA_HD void operator()(std::int64_t s) const {
    const Segment segment = segments[s];
    SegmentTargets& t = targets[s];
    std::int32_t* marks = bin_group + segment.mark_offset;
    std::int64_t cumulative = 0;
    int next = 0;  // first target not yet placed
    t.groups = 0;
    for (int b = 0; b < t.bins; ++b) marks[b] = 0;
    // The items' counts summed a run of bins at a time, item by item: each
    // item's run is contiguous (bin by bin across the items strides by a
    // whole histogram per load).
    constexpr int kRun = 256;
    std::int64_t run[kRun];
    for (int b = 0; b < t.bins && next < t.count; ++b) {
      if (b % kRun == 0) {
        const int width = t.bins - b < kRun ? t.bins - b : kRun;
        for (int k = 0; k < width; ++k) run[k] = 0;
        for (std::int64_t j = 0; j < segment.item_count; ++j) {
          const std::uint32_t* item_counts = counts + items[segment.item_first + j].hist_offset + b;
          for (int k = 0; k < width; ++k) run[k] += item_counts[k];
        }
      }
      const std::int64_t in_bin = run[b % kRun];
      const int first = next;
      while (next < t.count && t.rank[next] < cumulative + in_bin) {
        t.bin[next] = b;
        t.below[next] = cumulative;
        t.group[next] = t.groups;
        ++next;
      }
      if (next > first) {
        t.group_bin[t.groups] = b;
        t.group_size[t.groups] = in_bin;
        marks[b] = ++t.groups;
      }
      cumulative += in_bin;
    }
  }
};

/// Per value item: copies the values of its segment's target bins into their
/// groups (after the earlier items' values of the same bin), with the
/// group's key, and sums per tail the values in bins below the tail's
/// boundary bin.
template <class ItemWork>
struct CollectCandidates {
  const float* values;
  const ValueItem* items;
  const Segment* segments;
  const SegmentTargets* targets;
  const std::uint32_t* counts;
  const std::int32_t* bin_group;
  float* candidates;
  int* candidate_keys;
  double* tail_partial;  // [item * kTails + tail]
  Levels levels;

  ARABICA_HD void operator()(std::int64_t i) const {
    const ValueItem item = items[i];
    const Segment segment = segments[item.segment];
    const SegmentTargets& t = targets[item.segment];
    std::int64_t position[kMaxTargets];
    for (int g = 0; g < t.groups; ++g) {
      position[g] = t.group_offset[g];
      for (std::int64_t j = segment.item_first; j < i; ++j)
        position[g] += counts[items[j].hist_offset + t.group_bin[g]];
    }
    CollectPlan plan;
    plan.lo = t.lo;
    plan.scale = t.scale;
    plan.bins = t.bins;
    for (int tail = 0; tail < kTails; ++tail)
      plan.boundary[tail] = t.bin[t.target_of(tail_count(levels.tail[tail], segment.n) - 1)];
    plan.marks = bin_group + segment.mark_offset;
    plan.position = position;
    plan.first_group_key = t.first_group_key;
    plan.candidates = candidates;
    plan.keys = candidate_keys;
    double partial[kTails] = {};
    ItemWork::collect(values + item.begin, item.n, plan, partial);
    for (int tail = 0; tail < kTails; ++tail) tail_partial[i * kTails + tail] = partial[tail];
  }
};

/// A segment's order statistics, read from its sorted candidates.
struct SegmentOrderStats {
  double quantiles[kQuantiles];
  double tail_sums[kTails];
};

struct FinishOrderStatistics {
  const Segment* segments;
  const SegmentTargets* targets;
  const float* candidates;  // each group sorted
  const double* tail_partial;
  Levels levels;
  SegmentOrderStats* out;

  ARABICA_HD void operator()(std::int64_t s) const {
    const Segment segment = segments[s];
    const SegmentTargets& t = targets[s];
    SegmentOrderStats& result = out[s];
    for (int q = 0; q < kQuantiles; ++q) {
      const QuantilePosition at = quantile_position(levels.quantile[q], segment.n);
      const double below = candidates[t.candidate_of(at.lo)];
      const double above = at.fraction > 0.0 ? candidates[t.candidate_of(at.lo + 1)] : below;
      result.quantiles[q] = interpolate_quantile(at, below, above);
    }
    for (int tail = 0; tail < kTails; ++tail) {
      const std::int64_t k = tail_count(levels.tail[tail], segment.n);
      double sum = 0.0;
      for (std::int64_t j = 0; j < segment.item_count; ++j)
        sum += tail_partial[(segment.item_first + j) * kTails + tail];
      const int boundary = t.target_of(k - 1);
      const float* group = candidates + t.group_offset[t.group[boundary]];
      for (std::int64_t j = 0; j < k - t.below[boundary]; ++j) sum += group[j];
      result.tail_sums[tail] = sum;
    }
  }
};

}  // namespace arabica::pipeline
