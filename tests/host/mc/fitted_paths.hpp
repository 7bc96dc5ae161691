// Test helper: SARIMAX(1,1,1) fitted to simulated ARIMAX data, and 7-day
// path requests (7 days unless asked) anchored at its last row (the backend tests' common set-up).
#pragma once

#include <cstdint>

#include "arabica/paths.hpp"
#include "model/simulate_arima.hpp"

namespace arabica::testing {

struct FittedPaths {
  SimulatedSeries data;
  SarimaxFit fit;

  PathRequest request(const InnovationParams& innovations, const PathKeys& keys,
                      std::int64_t n_paths, int horizon = 7) const {
    PathRequest r;
    r.model = make_path_model(fit, data.exog.bottomRows(horizon), horizon);
    r.innovations = innovations;
    r.keys = keys;
    r.n_paths = n_paths;
    r.last_price = data.y[data.y.size() - 1];
    return r;
  }
};

inline FittedPaths fitted_paths(int rows, unsigned seed) {
  FittedPaths f;
  f.data = simulate_arima(rows, 0.5, 0.3, 2.0, 1, Eigen::Vector2d(1.0, -2.0), seed);
  f.fit = fit_sarimax(SarimaxSpec::from_strings("1,1,1", "", "n"), f.data.y, f.data.exog);
  return f;
}

}  // namespace arabica::testing
