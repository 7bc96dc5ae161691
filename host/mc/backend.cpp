#include "arabica/backend.hpp"

#include "arabica/error.hpp"
#include "mc/backend_factory.hpp"
#include "mc/batch_split.hpp"

namespace arabica {

namespace {

void validate(const PathRequest& request) {
  ARABICA_REQUIRE(request.n_paths >= 2, "need at least two paths");
  ARABICA_REQUIRE(request.model.horizon >= 1 && request.model.horizon <= kMaxPathHorizon,
                  "horizon outside 1..64");
  ARABICA_REQUIRE(request.model.k_states >= 1 && request.model.k_states <= kMaxPathStates,
                  "state dimension outside 1..24");
  ARABICA_REQUIRE(request.stored_paths >= 0 && request.stored_paths <= request.n_paths,
                  "stored_paths outside 0..n_paths");
  ARABICA_REQUIRE(request.innovations.kind != InnovationKind::bootstrap ||
                      (request.innovations.residuals && request.innovations.residual_count > 0),
                  "bootstrap innovations without residuals");
  ARABICA_REQUIRE(request.actual.size() == 0 || request.actual.size() == request.model.horizon,
                  "actual prices must be empty or cover the horizon");
}

}  // namespace

PathStats Backend::simulate(const PathRequest& request) {
  return std::move(simulate_batch({request}).front());
}

std::vector<PathStats> Backend::simulate_batch(const std::vector<PathRequest>& requests) {
  for (const PathRequest& request : requests) validate(request);
  if (requests.empty()) return {};
  const std::vector<BatchRange> parts = split_batch(requests, batch_limits(), name());
  if (parts.size() == 1) return run_batch(requests);
  std::vector<PathStats> results;
  results.reserve(requests.size());
  for (const BatchRange& part : parts) {
    std::vector<PathStats> stats = run_batch({requests.begin() + static_cast<std::ptrdiff_t>(part.begin),
                                              requests.begin() + static_cast<std::ptrdiff_t>(part.end)});
    for (PathStats& s : stats) results.push_back(std::move(s));
  }
  return results;
}

void Backend::require_request_fits(std::int64_t n_paths, int horizon, const std::string& option) const {
  const std::string too_large = request_too_large(n_paths, horizon, batch_limits(), name());
  if (!too_large.empty()) throw InputError(option, too_large);
}

bool cuda_available() {
#if defined(ARABICA_WITH_CUDA)
  return cuda_device_present();
#else
  return false;
#endif
}

std::unique_ptr<Backend> make_backend(const std::string& which, int threads, int device) {
  if (which == "cpu") return make_cpu_backend(threads);
  if (which == "cuda" || which == "auto") {
#if defined(ARABICA_WITH_CUDA)
    if (cuda_device_present()) return make_cuda_backend(device);
#endif
    if (which == "auto") return make_cpu_backend(threads);
    throw InputError("--device", "cuda requested, but this build has no CUDA kernels or no device is visible");
  }
  throw InputError("--device", "unknown device '" + which + "' (expected auto, cpu or cuda)");
}

}  // namespace arabica
