// One simulated price path: the per-path math shared by the CPU backend and
// the CUDA kernels (compiled by g++ and nvcc from this one header), so the
// two backends cannot drift apart.
#pragma once

#include <math.h>

#include "arabica/hd.hpp"
#include "arabica/innovations.hpp"
#include "arabica/philox.hpp"

namespace arabica {

constexpr int kMaxPathStates = 24;
constexpr int kMaxPathHorizon = 64;

enum class PathMode : int {
  state_space,  // propagate the fitted state space from the filtered end state
  marginal,     // legacy: mean[h] + se[h] * shock, shocks independent across days
};

/// Everything a path needs, in float32 (paths are float; fits are double).
/// Plain data: copied to the device as is.
struct PathModel {
  PathMode mode = PathMode::state_space;
  int k_states = 0;
  int horizon = 0;
  int trend_state = 0;
  float sigma = 1.0f;                                    // sqrt(sigma2)
  float transition[kMaxPathStates * kMaxPathStates] = {};  // T, row-major
  float design[kMaxPathStates] = {};                     // Z
  float selection[kMaxPathStates] = {};                  // R
  float anchor[kMaxPathStates] = {};                     // a_{n|n}
  float anchor_factor[kMaxPathStates * kMaxPathStates] = {};  // L L' = P_{n|n}, row-major
  float intercept[kMaxPathHorizon] = {};                 // trend c for step h
  float regression[kMaxPathHorizon] = {};               // x_h' beta for step h
  float mean[kMaxPathHorizon] = {};                      // marginal mode: Kalman mean
  float std_error[kMaxPathHorizon] = {};                 // marginal mode: Kalman se
  // Stress shocks (make_path_model sets the neutral 1 and 0):
  float volatility[kMaxPathHorizon] = {};    // multiplies day h's innovation
  float price_offset[kMaxPathHorizon] = {};  // added to day h's price (deterministic jumps)
};

/// Writes the path's prices for days 1..horizon into `out`. The stream is
/// the path's own (seed, series, fold, path) stream; the draws are: k
/// normals for the filtered-state uncertainty, then one innovation per day.
ARABICA_HD ARABICA_INLINE void simulate_path(const PathModel& model,
                                             const InnovationParams& innovations,
                                             PhiloxStream& stream, float* out) {
  if (model.mode == PathMode::marginal) {
    for (int h = 0; h < model.horizon; ++h)
      out[h] = model.mean[h] +
               model.std_error[h] * model.volatility[h] * draw_innovation(innovations, stream) +
               model.price_offset[h];
    return;
  }
  const int k = model.k_states;
  float buffers[2][kMaxPathStates], xi[kMaxPathStates];
  float* state = buffers[0];
  float* next = buffers[1];  // swapped with state each day, not copied
  for (int i = 0; i < k; i += 2) {
    const detail::NormalPair pair = detail::normal_pair(stream);
    xi[i] = pair.a;
    if (i + 1 < k) xi[i + 1] = pair.b;
  }
  for (int i = 0; i < k; ++i) {
    float value = model.anchor[i];
    for (int j = 0; j < k; ++j) value += model.anchor_factor[i * kMaxPathStates + j] * xi[j];
    state[i] = value;
  }
  for (int h = 0; h < model.horizon; ++h) {
    const float shock = model.sigma * model.volatility[h] * draw_innovation(innovations, stream);
    float price = model.regression[h];
    for (int i = 0; i < k; ++i) {
      float value = model.selection[i] * shock;
      const float* row = model.transition + i * kMaxPathStates;
      for (int j = 0; j < k; ++j) value += row[j] * state[j];
      next[i] = value;
    }
    next[model.trend_state] += model.intercept[h];
    for (int i = 0; i < k; ++i) price += model.design[i] * next[i];
    float* const previous = state;
    state = next;
    next = previous;
    out[h] = price + model.price_offset[h];
  }
}

}  // namespace arabica
