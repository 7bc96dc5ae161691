// The Monte Carlo batch pipeline, written once with Thrust and run by every
// backend: g++ builds it for Thrust's OpenMP device system (the CPU backend,
// executed by the tests on any machine), nvcc for CUDA. A System supplies
// the execution policy, its vectors, its chunk size and the loops of a work
// item (one by one, or in SIMD lanes: the same floats); the algorithm is
// the same:
//   1. simulate: one work item per chunk of paths, each path by the shared
//      simulate_path_strided() on its own Philox stream (on CUDA by a kernel
//      specialised to the request's states and family where there is one),
//      writing horizon-major values and per-day moment sums, range and
//      non-finite count of the chunk;
//   2. per (request, day) segment: the chunks' sums in path order (so no
//      result depends on the number of threads); a non-finite value is an
//      error naming the request and day;
//   3. order statistics by histogram selection (order_statistics.hpp), with
//      one key sort of the few candidate values of the whole batch;
//   4. CRPS and PIT, only for days with a realised price: those days' values
//      in one key sort, then the gap terms and counts in value items
//      combined in item order;
//   5. stored paths in one gather for the batch.
#pragma once

#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/gather.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/sort.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "arabica/error.hpp"
#include "arabica/paths.hpp"
#include "mc/path_moments.hpp"
#include "order_statistics.hpp"
#include "path_batch.hpp"

namespace arabica::pipeline {

/// Memory a batch holds per (request, day) beyond its values: the value
/// item's histogram and the day's bin marks, target plan and bookkeeping.
constexpr double kBytesPerDay = 64 * (sizeof(std::uint32_t) + sizeof(std::int32_t)) +
                                sizeof(SegmentTargets) + sizeof(SegmentOrderStats) +
                                sizeof(Segment) + 2 * sizeof(DayAccumulator) + sizeof(ValueItem);

/// How a work item's paths are made and its values summed, histogrammed and
/// collected on a GPU: one after another, paths by the shared
/// simulate_path() on their own streams. (A System may do it otherwise, as
/// the CPU does in SIMD lanes, provided the paths are the same floats and
/// every sum a fixed order of them.)
struct OneByOne : ValueByValue {
  /// Paths [first, end) straight into their day rows (no local path array),
  /// by the kernel for K states and Family (kAnyStates, kAnyFamily: any).
  template <int K, int Family>
  ARABICA_HD static void simulate(const DeviceRequest& request, std::int64_t first,
                                  std::int64_t end, float* out) {
    for (std::int64_t p = first; p < end; ++p) {
      PhiloxStream stream(request.stream_seed, static_cast<std::uint64_t>(p), 0);
      simulate_path_strided<K, Family>(request.model, request.innovations, stream, out + p,
                                       request.n_paths);
    }
  }
  /// A run of one day's values, one after another.
  ARABICA_HD static DayAccumulator accumulate(const float* values, std::int64_t n, double shift,
                                              double last_price) {
    DayAccumulator day;
    for (std::int64_t p = 0; p < n; ++p) day.add(values[p], shift, last_price);
    return day;
  }
};

/// Path kernels: the generic one (class 0) and, where a System sets
/// kSpecialisedPaths (CUDA: registers), one per common (states, family),
/// which holds the state in registers and inlines one sampler.
struct PathClass {
  int states;
  int family;
};
constexpr PathClass kPathClasses[] = {
    {kAnyStates, kAnyFamily},
    {1, int(InnovationKind::normal)},    {2, int(InnovationKind::normal)},
    {3, int(InnovationKind::normal)},    {4, int(InnovationKind::normal)},
    {1, int(InnovationKind::student_t)}, {2, int(InnovationKind::student_t)},
    {3, int(InnovationKind::student_t)}, {4, int(InnovationKind::student_t)},
};
constexpr int kPathClassCount = static_cast<int>(sizeof(kPathClasses) / sizeof(kPathClasses[0]));

inline int path_class_of(const PathRequest& request, bool specialised) {
  if (!specialised) return 0;
  for (int c = 1; c < kPathClassCount; ++c)
    if (kPathClasses[c].states == request.model.k_states &&
        kPathClasses[c].family == int(request.innovations.kind))
      return c;
  return 0;
}

/// One chunk of a request's paths: the work item of stage 1.
struct PathChunk {
  int request;
  std::int64_t chunk;
};

/// Stage 1: chunk i of a class's chunk list, by that class's kernel.
template <class ItemWork, int K, int Family>
struct SimulateChunks {
  const DeviceRequest* requests;
  const PathChunk* chunks;
  std::int64_t paths_per_chunk;
  float* values;
  DayAccumulator* accumulators;

  ARABICA_HD void operator()(std::int64_t i) const {
    const PathChunk item = chunks[i];
    const DeviceRequest& request = requests[item.request];
    const std::int64_t first = item.chunk * paths_per_chunk;
    const std::int64_t end = first + paths_per_chunk < request.n_paths ? first + paths_per_chunk
                                                                       : request.n_paths;
    float* out = values + request.value_offset;
    ItemWork::template simulate<K, Family>(request, first, end, out);
    // The chunk's values are still in cache: accumulate them day by day.
    for (int h = 0; h < request.model.horizon; ++h)
      accumulators[request.accumulator_offset + h * request.chunks + item.chunk] = ItemWork::accumulate(
          out + h * request.n_paths + first, end - first, request.model.center[h], request.last_price);
  }
};

/// Stage 1 for every class, each class's chunks by its own kernel
/// (class_begin: where each class's chunks start, plus the total), launched
/// by the System (CUDA bounds a specialised kernel's registers).
template <class System, std::size_t... C>
void simulate_classes(System& system, const std::vector<std::int64_t>& class_begin,
                      const DeviceRequest* requests, const PathChunk* chunks,
                      std::int64_t paths_per_chunk, float* values, DayAccumulator* accumulators,
                      std::index_sequence<C...>) {
  (system.template for_each_path_chunk<(C != 0)>(
       class_begin[C + 1] - class_begin[C],
       SimulateChunks<typename System::ItemWork, kPathClasses[C].states, kPathClasses[C].family>{
           requests, chunks + class_begin[C], paths_per_chunk, values, accumulators}),
   ...);
}

/// Stage 2: a segment's chunk accumulators in path order.
struct SummarizeSegments {
  const Segment* segments;
  const DayAccumulator* accumulators;
  DayAccumulator* totals;

  ARABICA_HD void operator()(std::int64_t s) const {
    const Segment segment = segments[s];
    DayAccumulator total;
    for (std::int64_t c = 0; c < segment.accumulator_count; ++c)
      total.merge(accumulators[segment.accumulator_first + c]);
    totals[s] = total;
  }
};

/// Stage 4: the values of the CRPS segments, copied item by item to their
/// place in the sort buffer (sort_at[i] < 0: the item's day has no CRPS),
/// keyed by the segment.
struct CopyForCrps {
  const float* values;
  const ValueItem* items;
  const std::int64_t* sort_at;
  float* sorted;
  int* keys;

  ARABICA_HD void operator()(std::int64_t i) const {
    const ValueItem item = items[i];
    if (sort_at[i] < 0) return;
    for (std::int64_t k = 0; k < item.n; ++k) {
      sorted[sort_at[i] + k] = values[item.begin + k];
      keys[sort_at[i] + k] = item.segment;
    }
  }
};

/// Stage 4: an item's share of its day's CRPS sum (crps_gap_term) and of
/// the actual's PIT counts.
struct ScorePartial {
  double crps = 0.0;
  PitCounts pit;
};
struct ScorePartials {
  const ValueItem* items;
  const Segment* segments;
  const std::int64_t* sort_at;
  const float* sorted;
  ScorePartial* partial;

  ARABICA_HD void operator()(std::int64_t i) const {
    const ValueItem item = items[i];
    if (sort_at[i] < 0) return;
    const Segment segment = segments[item.segment];
    const std::int64_t first = item.begin - segment.begin;  // rank of the item's first value
    const float* day = sorted + (sort_at[i] - first);
    ScorePartial out;
    for (std::int64_t k = first; k < first + item.n; ++k)
      out.crps += crps_gap_term(day, segment.n, k, segment.actual);
    out.pit = pit_counts(day, first, first + item.n, segment.actual);
    partial[i] = out;
  }
};

template <class System, class T>
typename System::template vector<T> to_system(const std::vector<T>& host) {
  return typename System::template vector<T>(host.begin(), host.end());
}

template <class T, class Vector>
std::vector<T> to_host(const Vector& device) {
  std::vector<T> host(device.size());
  thrust::copy(device.begin(), device.end(), host.begin());
  return host;
}

template <class Vector>
auto raw(Vector& v) {
  return thrust::raw_pointer_cast(v.data());
}

/// The sort that orders each key's values, stable and device-wide: by value,
/// then stably by key.
template <class Policy, class Keys, class Values>
void sort_within_keys(const Policy& policy, Keys& keys, Values& values) {
  thrust::stable_sort_by_key(policy, values.begin(), values.end(), keys.begin());
  thrust::stable_sort_by_key(policy, keys.begin(), keys.end(), values.begin());
}

/// What a backend keeps between batches: the value buffer, the largest
/// allocation, grown when a batch needs more and never filled again (every
/// value is written by the simulation), so repeated batches neither
/// allocate nor touch fresh pages.
template <class System>
struct Workspace {
  typename System::template vector<float> values;

  float* values_for(std::int64_t count) {
    if (static_cast<std::int64_t>(values.size()) < count) {
      values.clear();
      values.shrink_to_fit();
      values.resize(static_cast<std::size_t>(count));
    }
    return thrust::raw_pointer_cast(values.data());
  }
};

/// Runs a batch on `system`; see the top of this file.
template <class System>
std::vector<PathStats> run_pipeline(System& system, Workspace<System>& workspace,
                                    const std::vector<PathRequest>& requests) {
  const auto policy = system.policy();
  const int R = static_cast<int>(requests.size());
  // One stage over n work items; the System checks it where it ran (CUDA:
  // launch errors always, asynchronous faults too in debug builds).
  auto each = [&](const char* stage, std::int64_t n, const auto& functor) {
    if (n > 0)
      thrust::for_each(policy, thrust::counting_iterator<std::int64_t>(0),
                       thrust::counting_iterator<std::int64_t>(n), functor);
    system.stage_done(stage);
  };

  // --- layout: requests, chunks, segments, value items
  std::vector<float> host_residuals;  // every bootstrap request's residuals, packed
  std::vector<std::size_t> residual_at(requests.size(), 0);
  for (int r = 0; r < R; ++r) {
    const InnovationParams& innovations = requests[r].innovations;
    residual_at[r] = host_residuals.size();
    if (innovations.kind == InnovationKind::bootstrap)
      host_residuals.insert(host_residuals.end(), innovations.residuals,
                            innovations.residuals + innovations.residual_count);
  }
  auto residuals = to_system<System>(host_residuals);

  std::vector<DeviceRequest> host_requests(requests.size());
  std::vector<Segment> host_segments;
  std::vector<ValueItem> host_items;
  std::int64_t total_values = 0, total_accumulators = 0, total_counts = 0, total_marks = 0;
  for (int r = 0; r < R; ++r) {
    const PathRequest& request = requests[r];
    const int horizon = request.model.horizon;
    const std::int64_t n = request.n_paths;
    DeviceRequest& d = host_requests[r];
    d.model = request.model;
    d.innovations = request.innovations;
    d.innovations.residuals = d.innovations.kind == InnovationKind::bootstrap
                                  ? raw(residuals) + residual_at[r]
                                  : nullptr;
    d.stream_seed = derive_stream_seed(request.keys.seed, request.keys.series, request.keys.fold);
    d.n_paths = n;
    d.value_offset = total_values;
    d.chunks = (n + System::kPathsPerChunk - 1) / System::kPathsPerChunk;
    d.accumulator_offset = total_accumulators;
    d.last_price = request.last_price;
    for (int h = 0; h < horizon; ++h) {
      Segment segment;
      segment.request = r;
      segment.day = h;
      segment.begin = total_values + h * n;
      segment.n = n;
      segment.shift = request.model.center[h];
      segment.actual = day_actual(request, h);
      segment.accumulator_first = d.accumulator_offset + h * d.chunks;
      segment.accumulator_count = d.chunks;
      segment.item_first = static_cast<std::int64_t>(host_items.size());
      const int bins = histogram_bins(n);
      segment.mark_offset = total_marks;
      total_marks += bins;
      for (std::int64_t at = 0; at < n; at += kValuesPerItem) {
        host_items.push_back({static_cast<int>(host_segments.size()), segment.begin + at,
                              std::min(kValuesPerItem, n - at), total_counts});
        total_counts += bins;
      }
      segment.item_count = static_cast<std::int64_t>(host_items.size()) - segment.item_first;
      host_segments.push_back(segment);
    }
    total_values += n * horizon;
    total_accumulators += d.chunks * horizon;
  }
  // Stage 1's chunks, grouped by path kernel.
  constexpr int kClasses = System::kSpecialisedPaths ? kPathClassCount : 1;
  std::vector<std::vector<PathChunk>> chunks_of_class(kClasses);
  for (int r = 0; r < R; ++r)
    for (std::int64_t c = 0; c < host_requests[r].chunks; ++c)
      chunks_of_class[path_class_of(requests[r], System::kSpecialisedPaths)].push_back({r, c});
  std::vector<PathChunk> host_chunks;
  std::vector<std::int64_t> class_begin{0};
  for (const std::vector<PathChunk>& of_class : chunks_of_class) {
    host_chunks.insert(host_chunks.end(), of_class.begin(), of_class.end());
    class_begin.push_back(static_cast<std::int64_t>(host_chunks.size()));
  }
  const auto S = static_cast<std::int64_t>(host_segments.size());
  const auto I = static_cast<std::int64_t>(host_items.size());
  auto device_requests = to_system<System>(host_requests);
  auto chunks = to_system<System>(host_chunks);
  auto segments = to_system<System>(host_segments);
  auto items = to_system<System>(host_items);

  // --- 1-2: simulate, then each day's moments, range and non-finite count
  float* const values = workspace.values_for(total_values);
  typename System::template vector<DayAccumulator> accumulators(
      static_cast<std::size_t>(total_accumulators));
  simulate_classes(system, class_begin, raw(device_requests), raw(chunks), System::kPathsPerChunk,
                   values, raw(accumulators), std::make_index_sequence<kClasses>{});
  system.stage_done("simulation");
  typename System::template vector<DayAccumulator> device_totals(static_cast<std::size_t>(S));
  each("moments", S, SummarizeSegments{raw(segments), raw(accumulators), raw(device_totals)});
  system.synchronize();
  const std::vector<DayAccumulator> totals = to_host<DayAccumulator>(device_totals);
  for (std::int64_t s = 0; s < S; ++s)
    if (totals[s].nonfinite > 0) {
      const Segment& segment = host_segments[s];
      const PathKeys& keys = requests[segment.request].keys;
      throw NumericalError("Monte Carlo paths of series " + std::to_string(keys.series) + " fold " +
                           std::to_string(keys.fold) + ": " + std::to_string(totals[s].nonfinite) +
                           " of " + std::to_string(segment.n) + " prices on day " +
                           std::to_string(segment.day + 1) +
                           " are not finite (the fitted model explodes over the horizon)");
    }

  // --- 3: order statistics by histogram selection
  std::vector<SegmentTargets> host_targets(static_cast<std::size_t>(S));
  for (std::int64_t s = 0; s < S; ++s) {
    SegmentTargets& t = host_targets[s];
    const Moments day = finalize_moments(totals[s].sums, host_segments[s].shift, host_segments[s].n);
    set_bin_map(t, totals[s].lo, totals[s].hi, day.mean, day.std, host_segments[s].n);
    set_target_ranks(t, host_segments[s].n);
  }
  auto targets = to_system<System>(host_targets);
  typename System::template vector<std::uint32_t> counts(static_cast<std::size_t>(total_counts));
  each("histogram", I, HistogramItems<typename System::ItemWork>{values, raw(items), raw(targets), raw(counts)});
  typename System::template vector<std::int32_t> bin_group(static_cast<std::size_t>(total_marks));
  each("target bins", S, PlanTargets{raw(segments), raw(items), raw(counts), raw(targets), raw(bin_group)});
  system.synchronize();
  host_targets = to_host<SegmentTargets>(targets);
  std::int64_t total_candidates = 0;
  int total_groups = 0;
  for (SegmentTargets& t : host_targets) {
    t.first_group_key = total_groups;
    total_groups += t.groups;
    for (int g = 0; g < t.groups; ++g) {
      t.group_offset[g] = total_candidates;
      total_candidates += t.group_size[g];
    }
  }
  thrust::copy(host_targets.begin(), host_targets.end(), targets.begin());
  const Levels levels = statistic_levels();
  typename System::template vector<float> candidates(static_cast<std::size_t>(total_candidates));
  typename System::template vector<int> candidate_keys(static_cast<std::size_t>(total_candidates));
  typename System::template vector<double> tail_partial(static_cast<std::size_t>(I) * kTails);
  each("candidates", I, CollectCandidates<typename System::ItemWork>{values, raw(items), raw(segments), raw(targets), raw(counts),
                            raw(bin_group), raw(candidates), raw(candidate_keys),
                            raw(tail_partial), levels});
  sort_within_keys(policy, candidate_keys, candidates);
  system.stage_done("candidate sort");
  typename System::template vector<SegmentOrderStats> order_stats(static_cast<std::size_t>(S));
  each("order statistics", S, FinishOrderStatistics{raw(segments), raw(targets), raw(candidates), raw(tail_partial),
                                levels, raw(order_stats)});

  // --- 4: CRPS of the days with a realised price
  std::vector<std::int64_t> host_sort_at(static_cast<std::size_t>(I), -1);
  std::int64_t crps_values = 0;
  for (std::int64_t s = 0; s < S; ++s) {
    const Segment& segment = host_segments[s];
    if (std::isnan(segment.actual)) continue;
    for (std::int64_t j = 0; j < segment.item_count; ++j) {
      const ValueItem& item = host_items[segment.item_first + j];
      host_sort_at[segment.item_first + j] = crps_values + (item.begin - segment.begin);
    }
    crps_values += segment.n;
  }
  typename System::template vector<ScorePartial> score_partial(static_cast<std::size_t>(I));
  if (crps_values > 0) {
    auto sort_at = to_system<System>(host_sort_at);
    typename System::template vector<float> sorted(static_cast<std::size_t>(crps_values));
    typename System::template vector<int> keys(static_cast<std::size_t>(crps_values));
    each("CRPS copy", I, CopyForCrps{values, raw(items), raw(sort_at), raw(sorted), raw(keys)});
    sort_within_keys(policy, keys, sorted);
    system.stage_done("CRPS sort");
    each("CRPS", I, ScorePartials{raw(items), raw(segments), raw(sort_at), raw(sorted), raw(score_partial)});
  }

  // --- 5: stored paths, (path, day) row-major per request, in one gather
  std::vector<std::int64_t> host_stored_index;
  for (int r = 0; r < R; ++r) {
    const DeviceRequest& d = host_requests[r];
    for (std::int64_t p = 0; p < requests[r].stored_paths; ++p)
      for (int h = 0; h < d.model.horizon; ++h) host_stored_index.push_back(d.value_offset + h * d.n_paths + p);
  }
  auto stored_index = to_system<System>(host_stored_index);
  typename System::template vector<float> stored(host_stored_index.size());
  if (!host_stored_index.empty())
    thrust::gather(policy, stored_index.begin(), stored_index.end(), values, stored.begin());
  system.stage_done("stored paths");

  system.synchronize();
  const std::vector<SegmentOrderStats> host_order = to_host<SegmentOrderStats>(order_stats);
  const std::vector<ScorePartial> host_scores = to_host<ScorePartial>(score_partial);
  const std::vector<float> host_stored = to_host<float>(stored);

  std::vector<PathStats> results;
  results.reserve(requests.size());
  std::size_t stored_at = 0;
  for (const PathRequest& request : requests) {
    results.push_back(empty_path_stats(request.model.horizon, request.n_paths, request.stored_paths));
    std::copy(host_stored.begin() + static_cast<std::ptrdiff_t>(stored_at),
              host_stored.begin() + static_cast<std::ptrdiff_t>(stored_at + results.back().stored.size()),
              results.back().stored.begin());
    stored_at += results.back().stored.size();
  }
  for (std::int64_t s = 0; s < S; ++s) {
    const Segment& segment = host_segments[s];
    PathStats& stats = results[segment.request];
    const int h = segment.day;
    set_day_moments(stats, h, totals[s].sums, segment.shift);
    for (int q = 0; q < kQuantiles; ++q) stats.quantiles(h, q) = host_order[s].quantiles[q];
    for (int i = 0; i < kTails; ++i)
      stats.tail_mean(h, i) =
          host_order[s].tail_sums[i] / static_cast<double>(tail_count(kTailLevels[i], segment.n));
    if (std::isnan(segment.actual)) continue;
    double sum = 0.0;
    PitCounts pit;
    for (std::int64_t j = 0; j < segment.item_count; ++j) {
      const ScorePartial& part = host_scores[segment.item_first + j];
      sum += part.crps;
      pit.below += part.pit.below;
      pit.equal += part.pit.equal;
    }
    stats.crps[h] = sum / (static_cast<double>(segment.n) * static_cast<double>(segment.n));
    stats.pit[h] = pit_of(pit, segment.n);
  }
  return results;
}

}  // namespace arabica::pipeline
