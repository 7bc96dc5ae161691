// Messages that list things stay one short line (issue 12, defect 13's
// 10.9 MB error line for a header of a million columns).

#include <gtest/gtest.h>

#include "arabica/bounded_list.hpp"

namespace arabica {
namespace {

TEST(BoundedList, ListsFewItemsAndCountsTheRest) {
  EXPECT_EQ(bounded_list({}), "");
  EXPECT_EQ(bounded_list({"a", "b"}), "a, b");
  EXPECT_EQ(bounded_list({"a", "b", "c", "d"}, 2), "a, b ... and 2 more");
  EXPECT_EQ(bounded_list({std::string(100, 'x')}), std::string(37, 'x') + "...");
}

}  // namespace
}  // namespace arabica
