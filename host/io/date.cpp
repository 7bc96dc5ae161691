// Civil-date arithmetic after Howard Hinnant's days_from_civil / civil_from_days
// (proleptic Gregorian, exact for every int32 day count).
#include "arabica/date.hpp"

#include <cstdio>

namespace arabica {

namespace {

struct Civil {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly `min..max` ASCII digits at `pos`; -1 when there are none or too many.
int read_digits(std::string_view text, std::size_t& pos, std::size_t min, std::size_t max) {
  const std::size_t start = pos;
  int value = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < max)
    value = value * 10 + (text[pos++] - '0');
  const std::size_t count = pos - start;
  const bool more_digits = pos < text.size() && text[pos] >= '0' && text[pos] <= '9';
  return count < min || more_digits ? -1 : value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

std::optional<Date> make_date(int y, int m, int d) {
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return static_cast<Date>(days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
}

}  // namespace

std::optional<Date> parse_date(std::string_view text) {
  std::size_t pos = 0;
  if (text.size() >= 5 && text[4] == '-') {  // yyyy-mm-dd
    const int y = read_digits(text, pos, 4, 4);
    if (y < 0 || !expect(text, pos, '-')) return std::nullopt;
    const int m = read_digits(text, pos, 2, 2);
    if (m < 0 || !expect(text, pos, '-')) return std::nullopt;
    const int d = read_digits(text, pos, 2, 2);
    if (d < 0 || pos != text.size()) return std::nullopt;
    return make_date(y, m, d);
  }
  // dd/mm/yyyy; spreadsheets often drop the leading zero of day and month.
  const int d = read_digits(text, pos, 1, 2);
  if (d < 0 || !expect(text, pos, '/')) return std::nullopt;
  const int m = read_digits(text, pos, 1, 2);
  if (m < 0 || !expect(text, pos, '/')) return std::nullopt;
  const int y = read_digits(text, pos, 4, 4);
  if (y < 0 || pos != text.size()) return std::nullopt;
  return make_date(y, m, d);
}

std::string format_date(Date date) {
  const Civil c = civil_from_days(date);
  char text[32];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month,
                c.day);
  return text;
}

int weekday(Date date) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  const std::int64_t r = (static_cast<std::int64_t>(date) + 3) % 7;
  return static_cast<int>(r < 0 ? r + 7 : r);
}

Date next_business_day(Date date) {
  do ++date;
  while (weekday(date) >= 5);
  return date;
}

}  // namespace arabica
