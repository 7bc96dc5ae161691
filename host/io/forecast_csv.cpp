#include "arabica/forecast_csv.hpp"

#include <chrono>
#include <ctime>
#include <sstream>

#include "arabica/atomic_file.hpp"
#include "arabica/error.hpp"
#include "io/csv_field.hpp"

namespace arabica {

ForecastCalendar parse_forecast_calendar(const std::string& text) {
  if (text == "calendar") return ForecastCalendar::calendar;
  if (text == "business") return ForecastCalendar::business;
  throw InputError("--calendar", "unknown calendar '" + text + "' (expected calendar or business)");
}

Date forecast_date(Date cutoff, int day_ahead, ForecastCalendar calendar) {
  ARABICA_REQUIRE(day_ahead >= 1, "day_ahead starts at 1");
  if (calendar == ForecastCalendar::calendar) return cutoff + day_ahead;
  Date date = cutoff;
  for (int step = 0; step < day_ahead; ++step) date = next_business_day(date);
  return date;
}

std::vector<Date> trading_dates_ahead(const std::vector<Date>& calendar, std::size_t cutoff_row,
                                      int horizon) {
  ARABICA_REQUIRE(cutoff_row < calendar.size(), "trading_dates_ahead: cutoff row past the data");
  ARABICA_REQUIRE(horizon >= 0, "trading_dates_ahead: negative horizon");
  std::vector<Date> dates;
  Date last = calendar[cutoff_row];
  for (std::size_t row = cutoff_row + 1; dates.size() < static_cast<std::size_t>(horizon); ++row) {
    last = row < calendar.size() ? calendar[row] : next_business_day(last);
    dates.push_back(last);
  }
  return dates;
}

std::string utc_timestamp_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

const char kForecastCsvHeader[] =
    "forecast_date,day_ahead,forecast_mean,forecast_std,lower_95,upper_95,model_version,"
    "generation_timestamp,data_cutoff_date\n";

void append_forecast_rows(std::ostream& out, const Forecast& forecast,
                          const ForecastMetadata& metadata) {
  const auto precision = out.precision(17);
  const std::string cutoff = format_date(metadata.data_cutoff);
  const std::vector<Date>& dates = metadata.forecast_dates;
  ARABICA_REQUIRE(dates.empty() || dates.size() == static_cast<std::size_t>(forecast.mean.size()),
                  "forecast_dates must give one date per day ahead");
  for (Eigen::Index h = 0; h < forecast.mean.size(); ++h) {
    const int day = static_cast<int>(h) + 1;
    const Date date = dates.empty() ? forecast_date(metadata.data_cutoff, day, metadata.calendar)
                                    : dates[static_cast<std::size_t>(h)];
    out << format_date(date) << ','
        << day << ',' << forecast.mean[h] << ',' << forecast.std_error[h] << ','
        << forecast.lower_95[h] << ',' << forecast.upper_95[h] << ',' << csv_field(metadata.model_version)
        << ',' << metadata.generation_timestamp << ',' << cutoff << '\n';
  }
  out.precision(precision);
}

std::string distribution_csv_header(int horizon) {
  std::string header = "path_id";
  for (int h = 1; h <= horizon; ++h) header += ",day_" + std::to_string(h);
  return header + ",model_version,generation_timestamp,data_cutoff_date\n";
}

void append_distribution_rows(std::ostream& out, const std::vector<float>& paths, int horizon,
                              const ForecastMetadata& metadata) {
  ARABICA_REQUIRE(horizon > 0 && paths.size() % static_cast<std::size_t>(horizon) == 0,
                  "distribution rows: paths x horizon values expected");
  const auto precision = out.precision(9);
  const std::string tail = "," + csv_field(metadata.model_version) + "," + metadata.generation_timestamp +
                           "," + format_date(metadata.data_cutoff) + "\n";
  const std::size_t n = paths.size() / static_cast<std::size_t>(horizon);
  for (std::size_t p = 0; p < n; ++p) {
    out << p + 1;
    for (int h = 0; h < horizon; ++h) out << ',' << paths[p * static_cast<std::size_t>(horizon) + h];
    out << tail;
  }
  out.precision(precision);
}

void write_forecast_csv(const std::string& path, const Forecast& forecast,
                        const ForecastMetadata& metadata) {
  std::ostringstream out;
  out << kForecastCsvHeader;
  append_forecast_rows(out, forecast, metadata);
  write_file_atomically(path, out.str());
}

}  // namespace arabica
