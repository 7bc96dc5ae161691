#include "arabica/date.hpp"

#include <date/date.h>
#include <gtest/gtest.h>

namespace arabica {
namespace {

Date days(int y, unsigned m, unsigned d) {
  return static_cast<Date>(
      date::sys_days(date::year(y) / date::month(m) / date::day(d)).time_since_epoch().count());
}

TEST(Date, EpochAndKnownDays) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("1970-01-02"), 1);
  EXPECT_EQ(parse_date("1969-12-31"), -1);
  EXPECT_EQ(parse_date("2000-03-01"), 11017);
  EXPECT_EQ(parse_date("2024-12-31"), days(2024, 12, 31));
}

TEST(Date, DayFirstSlashFormat) {
  EXPECT_EQ(parse_date("27/02/2025"), days(2025, 2, 27));
  EXPECT_EQ(parse_date("03/10/1994"), days(1994, 10, 3));  // day first, not US order
  EXPECT_EQ(parse_date("3/1/2024"), days(2024, 1, 3));     // spreadsheets drop leading zeros
  EXPECT_EQ(parse_date("29/02/2024"), days(2024, 2, 29));
}

TEST(Date, LeapYearsAreValidated) {
  EXPECT_TRUE(parse_date("2024-02-29"));
  EXPECT_TRUE(parse_date("2000-02-29"));
  EXPECT_FALSE(parse_date("2023-02-29"));
  EXPECT_FALSE(parse_date("1900-02-29"));
  EXPECT_FALSE(parse_date("29/02/2023"));
  EXPECT_FALSE(parse_date("2024-04-31"));
  EXPECT_FALSE(parse_date("31/06/2024"));
}

TEST(Date, RejectsMalformedText) {
  for (const char* text :
       {"", "2024", "2024-1-02", "2024-01-2", "2024/01/02", "02-01-2024", " 2024-01-02",
        "2024-01-02 ", "2024-01-02x", "2024-01-02T00:00:00", "13/13/2024", "00/01/2024",
        "2024-00-10", "2024-13-01", "2024-01-00", "0000-01-01", "123/01/2024", "01/001/2024",
        "01/01/24", "01/01/20245", "+024-01-01", "abcd-ef-gh", "1/2/3/2024"})
    EXPECT_FALSE(parse_date(text)) << text;
}

TEST(Date, FormatRoundTripsAgainstIndependentCalendar) {
  // Every day of 1800..2200 against Howard Hinnant's date library.
  const Date first = days(1800, 1, 1), last = days(2200, 12, 31);
  for (Date d = first; d <= last; ++d) {
    const std::string text = format_date(d);
    ASSERT_EQ(text, date::format("%F", date::sys_days(date::days(d)))) << d;
    ASSERT_EQ(parse_date(text), d) << text;
  }
}

TEST(Date, FormatPadsSmallYears) {
  EXPECT_EQ(format_date(days(1, 1, 1)), "0001-01-01");
  EXPECT_EQ(parse_date("0001-01-01"), days(1, 1, 1));
  EXPECT_EQ(format_date(days(9999, 12, 31)), "9999-12-31");
}

TEST(Date, WeekdayMondayIsZero) {
  EXPECT_EQ(weekday(0), 3);                       // 1970-01-01, Thursday
  EXPECT_EQ(weekday(-1), 2);                      // 1969-12-31, Wednesday
  EXPECT_EQ(weekday(days(2024, 12, 30)), 0);      // Monday
  EXPECT_EQ(weekday(days(2024, 12, 31)), 1);      // Tuesday
  EXPECT_EQ(weekday(days(1995, 6, 10)), 5);       // Saturday
  EXPECT_EQ(weekday(days(2011, 12, 25)), 6);      // Sunday
  for (Date d = days(1900, 1, 1); d < days(1901, 1, 1); ++d)
    ASSERT_EQ(weekday(d), date::weekday(date::sys_days(date::days(d))).iso_encoding() - 1);
}

}  // namespace
}  // namespace arabica
