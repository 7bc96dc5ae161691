// Test helper: residuals standardised as make_bootstrap asks (mean 0,
// variance with divisor n 1), in double, each rounded back to float.
#pragma once

#include <cmath>
#include <vector>

namespace arabica::testing {

inline std::vector<float> standardised(std::vector<float> v) {
  double mean = 0.0, sq = 0.0;
  for (const float x : v) mean += x;
  mean /= v.size();
  for (const float x : v) sq += (x - mean) * (x - mean);
  const double sd = std::sqrt(sq / v.size());
  for (float& x : v) x = static_cast<float>((x - mean) / sd);
  return v;
}

}  // namespace arabica::testing
