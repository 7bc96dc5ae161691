// The legacy point-forecast CSV contract (forecast.csv):
// forecast_date,day_ahead,forecast_mean,forecast_std,lower_95,upper_95,
// model_version,generation_timestamp,data_cutoff_date
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "arabica/date.hpp"
#include "arabica/sarimax.hpp"

namespace arabica {

/// How day_ahead maps to forecast_date for a forecast from the data's last
/// row (`forecast`, `simulate`, `stress`). The legacy system added calendar
/// days; `business` gives the next Monday..Friday days, the dates
/// trading_dates_ahead() gives past the data. Backfills do not use it.
enum class ForecastCalendar { calendar, business };

ForecastCalendar parse_forecast_calendar(const std::string& text);
Date forecast_date(Date cutoff, int day_ahead, ForecastCalendar calendar);

/// The date of the price each of the `horizon` steps after row `cutoff_row`
/// of `calendar` (the data's ascending dates) is scored against: the date of
/// row cutoff_row + k while the data has it (holidays and all), then the
/// next business days after the data's last date.
std::vector<Date> trading_dates_ahead(const std::vector<Date>& calendar, std::size_t cutoff_row,
                                      int horizon);

struct ForecastMetadata {
  std::string model_version = "arabica_sarimax_v1";
  std::string generation_timestamp;  // ISO 8601 UTC, e.g. 2025-01-14T16:00:00Z
  Date data_cutoff = 0;
  ForecastCalendar calendar = ForecastCalendar::calendar;
  /// forecast_date of day_ahead h at [h - 1] (a backfill fold's trading
  /// dates); empty: from data_cutoff and calendar.
  std::vector<Date> forecast_dates;
};

/// Current UTC time as ISO 8601 with a Z suffix.
std::string utc_timestamp_now();

/// The contract's header line (with its newline).
extern const char kForecastCsvHeader[];

/// One row per day ahead, 17 significant digits (doubles round-trip).
void append_forecast_rows(std::ostream& out, const Forecast& forecast,
                          const ForecastMetadata& metadata);

/// The legacy distribution.csv contract: path_id,day_1..day_H,
/// model_version,generation_timestamp,data_cutoff_date; the header, then
/// one row per path of `paths` (paths x horizon, row-major), 9 digits.
std::string distribution_csv_header(int horizon);
void append_distribution_rows(std::ostream& out, const std::vector<float>& paths, int horizon,
                              const ForecastMetadata& metadata);

/// Writes the CSV atomically (temporary file, fsync, rename): a reader never
/// sees a partial file and an existing file survives a failed write.
void write_forecast_csv(const std::string& path, const Forecast& forecast,
                        const ForecastMetadata& metadata);

}  // namespace arabica
