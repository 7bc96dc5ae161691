// Text fields of the CSV files arabica writes. Model and scenario names may
// hold commas ("sarimax(1,1,1)"): such a field is quoted as RFC 4180 asks,
// so every reader (pandas, csv, the legacy consumers) sees the same columns.
#pragma once

#include <string>
#include <string_view>

namespace arabica {

inline std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace arabica
