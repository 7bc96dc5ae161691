// Cuts a batch of path requests into consecutive parts that a backend can
// hold at once (Backend::simulate_batch). Results do not depend on the cut:
// every request draws from its own counter-based streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "arabica/backend.hpp"

namespace arabica {

struct BatchRange {
  std::size_t begin = 0, end = 0;  // requests [begin, end)
};

/// What one request of `n_paths` paths x `horizon` days needs at once under
/// `limits`, and, when that exceeds them, the reason, naming `backend_name`
/// (empty when it fits).
double request_bytes(std::int64_t n_paths, int horizon, const BatchLimits& limits);
std::string request_too_large(std::int64_t n_paths, int horizon, const BatchLimits& limits,
                              const std::string& backend_name);

/// Greedy, in order: each part is as long as the limits allow. A request
/// that alone exceeds them is an Error naming the backend.
std::vector<BatchRange> split_batch(const std::vector<PathRequest>& requests,
                                    const BatchLimits& limits, const std::string& backend_name);

}  // namespace arabica
