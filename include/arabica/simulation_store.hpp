// One simulated fold (one model, one cutoff) written as a one-fold backfill
// store (arabica/backfill_store.hpp): `arabica simulate --h5`.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "arabica/backfill_store.hpp"
#include "arabica/date.hpp"
#include "arabica/forecast_csv.hpp"
#include "arabica/paths.hpp"
#include "arabica/sarimax.hpp"

namespace arabica {

struct SimulationRecord {
  std::string model_name;  // the `model` coordinate
  std::vector<std::string> param_names;
  Eigen::VectorXd params;  // the fit's, in param_names order
  double llf = 0.0, aic = 0.0;
  bool converged = false;
  int iterations = 0;
  Date cutoff = 0;         // fold origin (legacy data_cutoff_date)
  double last_price = 0.0;
  std::string units = "1";  // CF units of the prices
  int horizon = 0;
  ForecastCalendar calendar = ForecastCalendar::calendar;  // day_ahead -> forecast_date
  Forecast forecast;                                       // Kalman point forecast over the horizon
  PathStats stats;  // n_paths simulated; `stored` become the `paths` variable
  std::uint64_t seed = 0;
  std::string rng = "philox4x32-10";
  std::string generation_timestamp;  // ISO 8601 UTC
  /// Further root text attributes (config JSON, innovations, ...).
  std::vector<std::pair<std::string, std::string>> attributes;
};

/// Writes `record` to `path` as a new store with one model and one cutoff
/// (actual prices unknown): built under a temporary name, fsynced and
/// renamed into place, so readers and an existing file never see a partial
/// write. HDF5 failures throw
/// arabica::Error naming `path`; an inconsistent record throws ContractError.
void write_simulation_h5(const std::string& path, const SimulationRecord& record);

}  // namespace arabica
