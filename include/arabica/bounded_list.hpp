// Lists inside one-line messages (available columns, valid values) kept
// short whatever the input: a header of a million columns must not make a
// megabyte error line.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace arabica {

/// Items joined by ", "; past `shown` items the rest is counted
/// ("a, b, c ... and 997 more"), and an item longer than 40 characters is
/// cut with "...".
std::string bounded_list(const std::vector<std::string>& items, std::size_t shown = 10);

}  // namespace arabica
