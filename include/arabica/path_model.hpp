// One simulated price path: the per-path math shared by the CPU backend and
// the CUDA kernels (compiled by g++ and nvcc from this one header), so the
// two backends cannot drift apart.
#pragma once

#include <math.h>

#include <cstdint>

#include "arabica/float_math.hpp"
#include "arabica/hd.hpp"
#include "arabica/innovations.hpp"
#include "arabica/philox.hpp"

namespace arabica {

constexpr int kMaxPathStates = 24;

// PathModel::price_transform.
constexpr int kModelledPrices = 0, kLogPrices = 1, kBoxCoxPrices = 2;
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
  /// How a modelled value becomes a price (a transformed model's paths,
  /// mapped back): kModelledPrices itself, kLogPrices e^value,
  /// kBoxCoxPrices (box_cox_lambda value + 1)^(1 / box_cox_lambda).
  int price_transform = 0;
  float box_cox_lambda = 1.0f;
  /// 1: the shocks' variance follows GARCH(1,1) path by path: day h's shock
  /// is sqrt(s2) volatility[h] z with s2 = garch_variance on day 1, then
  /// s2 = garch_omega + garch_alpha shock^2 + garch_beta s2 (`sigma` unused).
  int garch = 0;
  float garch_variance = 0.0f, garch_omega = 0.0f, garch_alpha = 0.0f, garch_beta = 0.0f;
  /// A price near the middle of day h's paths (the moment sums are taken
  /// around it, which keeps them precise): the Kalman mean in prices.
  float center[kMaxPathHorizon] = {};
  // Stress shocks (make_path_model sets the neutral 1 and 0):
  float volatility[kMaxPathHorizon] = {};    // multiplies day h's innovation
  float price_offset[kMaxPathHorizon] = {};  // added to day h's price (deterministic jumps)
};

/// The GARCH(1,1) variance of the next day's shock after `shock`.
ARABICA_HD ARABICA_INLINE float next_garch_variance(const PathModel& model, float shock,
                                                   float variance) {
  return model.garch_omega + model.garch_alpha * (shock * shock) + model.garch_beta * variance;
}

/// A modelled value as a price (PathModel::price_transform).
ARABICA_HD ARABICA_INLINE float modelled_price(const PathModel& model, float value) {
  if (model.price_transform == kLogPrices) return fmath::exp_of(value);
  if (model.price_transform == kBoxCoxPrices) return fmath::box_cox_inverse(value, model.box_cox_lambda);
  return value;
}

/// Day h's price from the model's value: mapped back from a transformed
/// model's scale, then the stress offset. One definition for every backend.
ARABICA_HD ARABICA_INLINE float path_price(const PathModel& model, int h, float value) {
  return modelled_price(model, value) + model.price_offset[h];
}

/// A path kernel's state dimension: kAnyStates reads model.k_states at run
/// time; 1..4 fix it at compile time, so a GPU thread keeps the state in
/// registers.
constexpr int kAnyStates = 0;

/// Writes the path's prices for days 1..horizon to out[0], out[stride], ...
/// The stream is the path's own (seed, series, fold, path) stream; the draws
/// are: k normals for the filtered-state uncertainty, then one innovation
/// per day (InnovationDraws: normal days in pairs). K and Family (see kAnyStates, kAnyFamily) only select a kernel:
/// the floats are the same for every choice that fits the model.
template <int K = kAnyStates, int Family = kAnyFamily>
ARABICA_HD ARABICA_INLINE void simulate_path_strided(const PathModel& model,
                                                     const InnovationParams& innovations,
                                                     PhiloxStream& stream, float* out,
                                                     std::int64_t stride) {
  InnovationDraws<Family> draws(innovations, stream);
  if (model.mode == PathMode::marginal) {
    for (int h = 0; h < model.horizon; ++h)
      out[h * stride] =
          path_price(model, h, model.mean[h] + model.std_error[h] * model.volatility[h] * draws.next());
    return;
  }
  constexpr int kCapacity = K > 0 ? K : kMaxPathStates;
  const int k = K > 0 ? K : model.k_states;
  float buffers[2][kCapacity], xi[kCapacity + 1];
  float* state = buffers[0];
  float* next = buffers[1];
  for (int i = 0; i < k; i += 2) {
    const detail::NormalPair pair = detail::normal_pair(stream);
    xi[i] = pair.a;
    xi[i + 1] = pair.b;  // xi[k] when k is odd: drawn, never read
  }
  for (int i = 0; i < k; ++i) {
    float value = model.anchor[i];
    for (int j = 0; j < k; ++j) value += model.anchor_factor[i * kMaxPathStates + j] * xi[j];
    state[i] = value;
  }
  float variance = model.garch_variance;  // GARCH only
  for (int h = 0; h < model.horizon; ++h) {
    const float shock = (model.garch ? sqrtf(variance) : model.sigma) * model.volatility[h] * draws.next();
    if (model.garch) variance = next_garch_variance(model, shock, variance);
    float price = model.regression[h];
    for (int i = 0; i < k; ++i) {
      float value = model.selection[i] * shock;
      const float* row = model.transition + i * kMaxPathStates;
      for (int j = 0; j < k; ++j) value += row[j] * state[j];
      // c_h on the trend state; 0 elsewhere changes no float but the sign
      // of a zero state, and keeps the index constant (registers on a GPU).
      next[i] = value + (i == model.trend_state ? model.intercept[h] : 0.0f);
    }
    for (int i = 0; i < k; ++i) price += model.design[i] * next[i];
    if constexpr (K > 0) {
      for (int i = 0; i < K; ++i) state[i] = next[i];  // unrolled: registers
    } else {
      float* const previous = state;  // swapped, not copied
      state = next;
      next = previous;
    }
    out[h * stride] = path_price(model, h, price);
  }
}

/// The path's prices for days 1..horizon into out[0..horizon).
ARABICA_HD ARABICA_INLINE void simulate_path(const PathModel& model,
                                             const InnovationParams& innovations,
                                             PhiloxStream& stream, float* out) {
  simulate_path_strided(model, innovations, stream, out, 1);
}

}  // namespace arabica
