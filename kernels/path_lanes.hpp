// The CPU's work-item loops in SIMD lanes: paths in groups of 32, bit for
// bit the floats simulate_path() gives each of them (the same operations in
// the same order, the same fmath functions, no contraction into FMA), so
// the OpenMP backend's paths equal the scalar reference's exactly; then the
// statistics passes over a run of values in 16 lanes. This is the part the
// hardware forces apart: a CUDA thread walks one path or value after
// another, a CPU core a vector of them.
#pragma once

#include <cstdint>

#include "order_statistics.hpp"
#include "path_batch.hpp"

namespace arabica::pipeline {

/// Simulates paths [first, end) of `request` into `out` (day h of path p at
/// out[h * request.n_paths + p]). False, with nothing written, when the
/// request's family has no lane version yet: the caller then runs
/// simulate_path() per path.
bool simulate_paths_in_lanes(const DeviceRequest& request, std::int64_t first, std::int64_t end,
                             float* out);

/// The moment sums, range and non-finite count of n values in 16 lanes
/// (value i in lane i % 16), the lanes combined in order: a fixed order, so
/// the result depends on the values only, not on the threads.
DayAccumulator accumulate_in_lanes(const float* values, std::int64_t n, double shift,
                                   double last_price);

/// ValueByValue::histogram, the bins computed in lanes, of at most one value
/// item (n <= kValuesPerItem: its partial counts are 16-bit).
void histogram_in_lanes(const float* values, std::int64_t n, float lo, float scale, int bins,
                        std::uint32_t* hist);

/// ValueByValue::collect, the bins and tail sums in lanes (value i's tail
/// sums in lane i % 16, the lanes added in order); candidates in value order.
void collect_in_lanes(const float* values, std::int64_t n, CollectPlan& plan, double* partial);

}  // namespace arabica::pipeline
