#include "mc/batch_split.hpp"

#include "arabica/error.hpp"

namespace arabica {

double request_bytes(std::int64_t n_paths, int horizon, const BatchLimits& limits) {
  return horizon * (static_cast<double>(n_paths) * limits.bytes_per_value + limits.bytes_per_day);
}

std::string request_too_large(std::int64_t n_paths, int horizon, const BatchLimits& limits,
                              const std::string& backend_name) {
  const double needed = request_bytes(n_paths, horizon, limits);
  if (needed <= limits.bytes_available) return {};
  return backend_name + ": one request of " + std::to_string(n_paths) + " paths x " + std::to_string(horizon) +
         " days needs " + std::to_string(needed / 1e9) + " GB, " + std::to_string(limits.bytes_available / 1e9) +
         " GB are available; use fewer paths per request";
}

std::vector<BatchRange> split_batch(const std::vector<PathRequest>& requests,
                                    const BatchLimits& limits, const std::string& backend_name) {
  ARABICA_REQUIRE(limits.bytes_per_value > 0.0 && limits.max_days >= kMaxPathHorizon,
                  "batch limits must hold at least one request's days");
  std::vector<BatchRange> parts;
  double bytes = 0.0;
  std::int64_t days = 0;
  for (std::size_t r = 0; r < requests.size(); ++r) {
    const PathRequest& request = requests[r];
    const double needed = request_bytes(request.n_paths, request.model.horizon, limits);
    const std::string too_large = request_too_large(request.n_paths, request.model.horizon, limits, backend_name);
    if (!too_large.empty()) throw Error(too_large);
    const bool fits = bytes + needed <= limits.bytes_available && days + request.model.horizon <= limits.max_days;
    if (parts.empty() || !fits) {
      parts.push_back({r, r});
      bytes = 0.0;
      days = 0;
    }
    parts.back().end = r + 1;
    bytes += needed;
    days += request.model.horizon;
  }
  return parts;
}

}  // namespace arabica
