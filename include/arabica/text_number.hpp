// Numbers spelled by a whole text (option values such as "ewma=0.97"):
// nothing before or after the number, no leading '+' or spaces.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace arabica {

/// The value `text` spells whole, or nullopt (empty, trailing characters,
/// out of range).
template <class Number>
std::optional<Number> number_of_text(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace arabica
