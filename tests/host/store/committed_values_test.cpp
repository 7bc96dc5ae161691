// The message an MPI rank hands rank 0: read back as written, and refused
// (Error, not misread) when cut short, foreign or followed by more bytes.
#include <gtest/gtest.h>

#include <vector>

#include "arabica/committed_values.hpp"
#include "arabica/error.hpp"

namespace arabica {
namespace {

std::vector<CommittedValues> two_series() {
  CommittedValues a;
  a.folds = {0, 2, 3};
  a.variables["forecast_mean"] = {1, 2, 3, 4, 5, 6, 7, 8};
  a.variables["status"] = {0, 1, 0};
  CommittedValues b;  // a series with no fold committed
  return {a, b};
}

TEST(CommittedValues, AMessageIsReadBackAsWritten) {
  const std::vector<CommittedValues> sent = two_series();
  const std::vector<CommittedValues> got = from_bytes(to_bytes(sent));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].folds, sent[0].folds);
  EXPECT_EQ(got[0].variables, sent[0].variables);
  EXPECT_TRUE(got[1].folds.empty());
  EXPECT_TRUE(got[1].variables.empty());
  EXPECT_EQ(sent[0].bytes(), 3 * sizeof(int) + 13 + 8 + 6 + 3);
  EXPECT_TRUE(from_bytes(to_bytes({})).empty());
}

TEST(CommittedValues, AMessageCutShortForeignOrLongerIsRefused) {
  const std::vector<char> message = to_bytes(two_series());
  for (std::size_t size = 0; size < message.size(); ++size)
    EXPECT_THROW(from_bytes(std::vector<char>(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(size))),
                 Error)
        << size;
  std::vector<char> longer = message;
  longer.push_back(0);
  EXPECT_THROW(from_bytes(longer), Error);
  std::vector<char> foreign = message;
  foreign[0] ^= 1;
  EXPECT_THROW(from_bytes(foreign), Error);
}

}  // namespace
}  // namespace arabica
