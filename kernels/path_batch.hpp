// A batch of path requests as the pipeline's functors see it: plain data,
// copied to the device system as is. Values are horizon-major per request
// (day h's n_paths values contiguous), so each (request, day) is one
// contiguous segment of the batch's value buffer.
#pragma once

#include <math.h>

#include <cstdint>

#include "arabica/hd.hpp"
#include "arabica/paths.hpp"
#include "mc/path_moments.hpp"

namespace arabica::pipeline {

struct DeviceRequest {
  PathModel model;
  InnovationParams innovations;  // bootstrap residuals point into the batch's packed copy
  std::uint64_t stream_seed;
  std::int64_t n_paths;
  std::int64_t value_offset;  // day h's values start at value_offset + h * n_paths
  std::int64_t chunks;        // path chunks; day h's accumulators at accumulator_offset + h * chunks
  std::int64_t accumulator_offset;
  double last_price;
};

/// One (request, day).
struct Segment {
  int request;
  int day;
  std::int64_t begin;  // into the value buffer
  std::int64_t n;
  double shift;        // moment reference: the day's Kalman mean (no cancellation in float paths)
  double actual;       // realised price for the CRPS, NaN when unknown
  std::int64_t accumulator_first, accumulator_count;  // one per path chunk, in path order
  std::int64_t item_first, item_count;                // value items, in value order
  std::int64_t mark_offset;                           // its bins' marks in the bin_group buffer
};

/// A run of at most kValuesPerItem consecutive values of one segment: the
/// unit of the statistics passes. Partial results per item are combined in
/// item order, so no result depends on the number of threads.
constexpr std::int64_t kValuesPerItem = 65536;
struct ValueItem {
  int segment;
  std::int64_t begin;        // into the value buffer
  std::int64_t n;
  std::int64_t hist_offset;  // its histogram in the counts buffer
};

/// Moments of the finite values of one run of a day, their range, and how
/// many were not finite (a request with any is an error, on every backend).
struct DayAccumulator {
  MomentSums sums;
  float lo = INFINITY, hi = -INFINITY;
  std::int64_t nonfinite = 0;

  ARABICA_HD void add(float value, double shift, double last_price) {
    if (!isfinite(value)) {
      ++nonfinite;
      return;
    }
    sums.add(value, shift, last_price);
    lo = fminf(lo, value);
    hi = fmaxf(hi, value);
  }
  ARABICA_HD void merge(const DayAccumulator& other) {
    sums.merge(other.sums);
    lo = fminf(lo, other.lo);
    hi = fmaxf(hi, other.hi);
    nonfinite += other.nonfinite;
  }
};

}  // namespace arabica::pipeline
