// Dates of the days ahead: the data's trading calendar, then business days.
#include <gtest/gtest.h>

#include "arabica/error.hpp"
#include "arabica/forecast_csv.hpp"

namespace arabica {
namespace {

std::vector<std::string> formatted(const std::vector<Date>& dates) {
  std::vector<std::string> out;
  for (const Date d : dates) out.push_back(format_date(d));
  return out;
}

TEST(ForecastDates, NextBusinessDaySkipsTheWeekend) {
  EXPECT_EQ(format_date(next_business_day(*parse_date("2020-12-17"))), "2020-12-18");  // Thu
  EXPECT_EQ(format_date(next_business_day(*parse_date("2020-12-18"))), "2020-12-21");  // Fri
  EXPECT_EQ(format_date(next_business_day(*parse_date("2020-12-19"))), "2020-12-21");  // Sat
  EXPECT_EQ(format_date(next_business_day(*parse_date("2020-12-20"))), "2020-12-21");  // Sun
}

TEST(ForecastDates, BusinessCalendarIsMondayToFriday) {
  const Date friday = *parse_date("2020-12-18");
  EXPECT_EQ(format_date(forecast_date(friday, 1, ForecastCalendar::business)), "2020-12-21");
  EXPECT_EQ(format_date(forecast_date(friday, 5, ForecastCalendar::business)), "2020-12-25");
  EXPECT_EQ(format_date(forecast_date(friday, 6, ForecastCalendar::business)), "2020-12-28");
  EXPECT_EQ(format_date(forecast_date(*parse_date("2020-12-19"), 1, ForecastCalendar::business)),
            "2020-12-21");
  // The legacy calendar adds days.
  EXPECT_EQ(format_date(forecast_date(friday, 1, ForecastCalendar::calendar)), "2020-12-19");
}

TEST(ForecastDates, TradingDatesFollowTheDataThenBusinessDays) {
  // 2020-12-25 is not in the data (a holiday).
  const std::vector<Date> calendar = {*parse_date("2020-12-22"), *parse_date("2020-12-23"),
                                      *parse_date("2020-12-24"), *parse_date("2020-12-28"),
                                      *parse_date("2020-12-29")};
  EXPECT_EQ(formatted(trading_dates_ahead(calendar, 1, 4)),
            (std::vector<std::string>{"2020-12-24", "2020-12-28", "2020-12-29", "2020-12-30"}));
  // From the data's last row the dates are what --calendar business prints.
  const std::vector<Date> ahead = trading_dates_ahead(calendar, 4, 5);
  for (int h = 1; h <= 5; ++h)
    EXPECT_EQ(ahead[h - 1], forecast_date(calendar.back(), h, ForecastCalendar::business)) << h;
  EXPECT_EQ(formatted(ahead).back(), "2021-01-05");
  EXPECT_TRUE(trading_dates_ahead(calendar, 4, 0).empty());
  EXPECT_THROW(trading_dates_ahead(calendar, 5, 1), ContractError);
}

}  // namespace
}  // namespace arabica
