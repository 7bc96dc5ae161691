// The quantile levels every path statistic, store and score reports.
#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace arabica {

/// numpy.percentile levels reported for every horizon: 2.5 and 97.5 bound
/// the central 95% interval that coverage and the Winkler score read.
inline constexpr std::array<double, 11> kQuantileLevels{0.01, 0.025, 0.05, 0.10, 0.25, 0.50,
                                                        0.75, 0.90, 0.95, 0.975, 0.99};

/// Column of `level` in kQuantileLevels, -1 when it is not one (callers
/// static_assert the constant).
constexpr int quantile_index(double level) {
  for (std::size_t q = 0; q < kQuantileLevels.size(); ++q)
    if (kQuantileLevels[q] == level) return static_cast<int>(q);
  return -1;
}
/// Name of a level in CSV columns: 0.05 -> "p5", 0.025 -> "p2.5".
std::string quantile_column(double level);

}  // namespace arabica
