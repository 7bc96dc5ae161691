// Cuts a batch of path requests into consecutive parts that a backend can
// hold at once (Backend::simulate_batch). Results do not depend on the cut:
// every request draws from its own counter-based streams.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "arabica/backend.hpp"

namespace arabica {

struct BatchRange {
  std::size_t begin = 0, end = 0;  // requests [begin, end)
};

/// Greedy, in order: each part is as long as the limits allow. A request
/// that alone exceeds them is an Error naming the backend.
std::vector<BatchRange> split_batch(const std::vector<PathRequest>& requests,
                                    const BatchLimits& limits, const std::string& backend_name);

}  // namespace arabica
