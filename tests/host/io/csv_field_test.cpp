#include "io/csv_field.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "arabica/forecast_csv.hpp"
#include "io/csv_reader.hpp"

namespace arabica {
namespace {

TEST(CsvField, PlainTextStaysAsItIs) {
  EXPECT_EQ(csv_field("sarimax_v1"), "sarimax_v1");
  EXPECT_EQ(csv_field(""), "");
}

TEST(CsvField, SeparatorsQuotesAndLineBreaksAreQuoted) {
  EXPECT_EQ(csv_field("sarimax(1,1,1)"), "\"sarimax(1,1,1)\"");
  EXPECT_EQ(csv_field("the \"frost\" case"), "\"the \"\"frost\"\" case\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
}

TEST(CsvField, ForecastRowsKeepTheirNineColumnsWithACommaInTheModelName) {
  Forecast forecast;
  forecast.mean = Eigen::Vector2d(101.5, 102.25);
  forecast.std_error = Eigen::Vector2d(1.0, 1.5);
  forecast.lower_95 = forecast.mean.array() - 2.0;
  forecast.upper_95 = forecast.mean.array() + 2.0;
  ForecastMetadata metadata;
  metadata.model_version = "sarimax(1,1,1) \"weekly\"";
  metadata.generation_timestamp = "2026-12-01T00:00:00Z";
  metadata.data_cutoff = *parse_date("2024-12-31");
  std::ostringstream out;
  out << kForecastCsvHeader;
  append_forecast_rows(out, forecast, metadata);

  CsvReader reader(out.str(), "forecast.csv");
  CsvRecord record;
  int rows = 0;
  while (reader.next(record)) {
    ASSERT_EQ(record.fields.size(), 9u) << "line " << record.line;
    if (record.line == 1) continue;
    ++rows;
    EXPECT_EQ(record.fields[6], metadata.model_version);
    EXPECT_EQ(record.fields[8], "2024-12-31");
  }
  EXPECT_EQ(rows, 2);
}

}  // namespace
}  // namespace arabica
