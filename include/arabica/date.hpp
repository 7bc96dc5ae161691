// Calendar dates as int32 days since 1970-01-01 (the HDF5 store's encoding).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arabica {

using Date = std::int32_t;  // days since 1970-01-01, proleptic Gregorian

/// Parses "yyyy-mm-dd" (ISO 8601) or "dd/mm/yyyy"; nullopt when the text is
/// not a valid calendar date in either form.
std::optional<Date> parse_date(std::string_view text);

std::string format_date(Date date);  // "yyyy-mm-dd"

/// 0 = Monday ... 6 = Sunday.
int weekday(Date date);

/// The first Monday..Friday after `date` (no holidays: an exchange calendar
/// is only known from the data's own rows).
Date next_business_day(Date date);

}  // namespace arabica
