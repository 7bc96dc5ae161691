// The definition the pipeline is checked against: every path by the shared
// simulate_path() on its stream, each day fully sorted, statistics by the
// formulas of path_stats.cpp. Slow and simple on purpose.
#pragma once

#include <algorithm>
#include <vector>

#include "arabica/paths.hpp"
#include "mc/path_moments.hpp"

namespace arabica::testing {

/// A random walk from 100 (one state, sigma 1, no filtered-state
/// uncertainty): day h's price is 100 plus h unit shocks.
inline PathRequest random_walk_request(int horizon = 7) {
  PathRequest r;
  r.model.k_states = 1;
  r.model.horizon = horizon;
  r.model.transition[0] = r.model.selection[0] = r.model.design[0] = 1.0f;
  r.model.anchor[0] = 100.0f;
  r.model.sigma = 1.0f;
  for (int h = 0; h < horizon; ++h) {
    r.model.volatility[h] = 1.0f;
    r.model.center[h] = 100.0f;
  }
  r.last_price = 100.0;
  return r;
}

inline PathStats reference_stats(const PathRequest& request) {
  const int horizon = request.model.horizon;
  const std::int64_t n = request.n_paths;
  PathStats stats = empty_path_stats(horizon, n, request.stored_paths);
  std::vector<std::vector<float>> days(horizon, std::vector<float>(static_cast<std::size_t>(n)));
  const std::uint64_t seed = derive_stream_seed(request.keys.seed, request.keys.series, request.keys.fold);
  float path[kMaxPathHorizon];
  for (std::int64_t p = 0; p < n; ++p) {
    PhiloxStream stream(seed, static_cast<std::uint64_t>(p), 0);
    simulate_path(request.model, request.innovations, stream, path);
    for (int h = 0; h < horizon; ++h) days[h][p] = path[h];
  }
  for (std::int64_t p = 0; p < request.stored_paths; ++p)
    for (int h = 0; h < horizon; ++h) stats.stored[p * horizon + h] = days[h][p];
  for (int h = 0; h < horizon; ++h) {
    MomentSums sums;
    for (const float value : days[h]) sums.add(value, request.model.center[h], request.last_price);
    set_day_moments(stats, h, sums, request.model.center[h]);
    std::sort(days[h].begin(), days[h].end());
    set_sorted_day_stats(stats, h, days[h].data(), day_actual(request, h));
  }
  return stats;
}

}  // namespace arabica::testing
