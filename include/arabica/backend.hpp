// Where paths are simulated: a multithreaded CPU backend and, when built with
// CUDA and a device is present, a GPU backend. Both run the same per-path
// code on the same Philox streams.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arabica/paths.hpp"

namespace arabica {

/// What one run of a backend can hold: exact quantiles keep every path
/// value of a batch, so a batch larger than memory is run in parts.
struct BatchLimits {
  double bytes_available = 0.0;  // for path values and their workspace
  double bytes_per_value = 0.0;  // per path per day
  std::int64_t max_days = 0;     // (request, day) pairs per run
  double bytes_per_day = 0.0;    // per (request, day), whatever its paths
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  /// Checks the request's contract (ContractError), then simulates it.
  PathStats simulate(const PathRequest& request);
  /// Many requests at once (folds, scenarios x cutoffs): each result equals
  /// its own simulate(), but the work is spread over the whole CPU pool, or
  /// goes to the GPU in a few launches for the whole batch. A batch beyond
  /// batch_limits() runs in consecutive parts that fit.
  std::vector<PathStats> simulate_batch(const std::vector<PathRequest>& requests);
  /// Throws the error simulate_batch would when one request of `n_paths`
  /// paths x `horizon` days cannot be held at once, as an InputError naming
  /// `option`: a run checks its --paths before it writes anything.
  void require_request_fits(std::int64_t n_paths, int horizon, const std::string& option) const;

 protected:
  virtual BatchLimits batch_limits() const = 0;
  /// Simulates a batch that fits batch_limits().
  virtual std::vector<PathStats> run_batch(const std::vector<PathRequest>& requests) = 0;
};

/// "cpu", "cuda" or "auto" (CUDA when built with it and a device is visible,
/// else CPU). threads: CPU worker threads, 0 = hardware concurrency. device:
/// CUDA device ordinal (modulo the device count), e.g. a node-local MPI rank;
/// a CUDA backend is used from the thread that made it.
std::unique_ptr<Backend> make_backend(const std::string& which, int threads = 0, int device = 0);

/// True when this build has CUDA kernels and a CUDA device is visible.
bool cuda_available();

}  // namespace arabica
