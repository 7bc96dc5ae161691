// One simulated fold (one model, one cutoff) written as the netCDF-4
// compatible HDF5 store of /work/shared/HDF5_LAYOUT.md; the walk-forward
// backfill extends the same layout along the unlimited `cutoff` dimension.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "arabica/date.hpp"
#include "arabica/forecast_csv.hpp"
#include "arabica/paths.hpp"
#include "arabica/sarimax.hpp"

namespace arabica {

/// Version of the store layout, written as the root `schema_version`.
inline constexpr int kStoreSchemaVersion = 1;

struct SimulationRecord {
  std::string model_name;  // the `model` coordinate
  Date cutoff = 0;         // fold origin (legacy data_cutoff_date)
  double last_price = 0.0;
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

/// Writes `record` to `path` as a new store with one model and one cutoff:
/// built under a temporary name, fsynced and renamed into place, so readers
/// and an existing file never see a partial write. HDF5 failures throw
/// arabica::Error naming `path`; an inconsistent record throws ContractError.
void write_simulation_h5(const std::string& path, const SimulationRecord& record);

}  // namespace arabica
