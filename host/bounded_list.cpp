#include "arabica/bounded_list.hpp"

namespace arabica {

std::string bounded_list(const std::vector<std::string>& items, std::size_t shown) {
  constexpr std::size_t kMaxItemLength = 40;
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < shown; ++i) {
    if (i) text += ", ";
    const std::string& item = items[i];
    text += item.size() <= kMaxItemLength ? item : item.substr(0, kMaxItemLength - 3) + "...";
  }
  if (items.size() > shown) text += " ... and " + std::to_string(items.size() - shown) + " more";
  return text;
}

}  // namespace arabica
