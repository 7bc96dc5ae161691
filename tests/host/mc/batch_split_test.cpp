#include "mc/batch_split.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "arabica/error.hpp"
#include "mc/fitted_paths.hpp"

namespace arabica {
namespace {

PathRequest sized(std::int64_t n_paths, int horizon = 7) {
  PathRequest r;
  r.model.horizon = horizon;
  r.n_paths = n_paths;
  return r;
}

std::vector<std::pair<std::size_t, std::size_t>> ranges(const std::vector<BatchRange>& parts) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const BatchRange& part : parts) out.emplace_back(part.begin, part.end);
  return out;
}

using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;

TEST(SplitBatch, ABatchThatFitsIsOnePart) {
  const std::vector<PathRequest> batch(5, sized(1000));
  EXPECT_EQ(ranges(split_batch(batch, {1e9, 4.0, 65535}, "test")), (Ranges{{0, 5}}));
}

TEST(SplitBatch, PartsAreGreedyRunsWithinTheMemory) {
  // 1000 paths x 7 days x 4 bytes = 28,000 bytes each; 60,000 hold two.
  std::vector<PathRequest> batch(5, sized(1000));
  EXPECT_EQ(ranges(split_batch(batch, {60000, 4.0, 65535}, "test")),
            (Ranges{{0, 2}, {2, 4}, {4, 5}}));
  batch[1] = sized(2000);  // 56,000 bytes: alone
  EXPECT_EQ(ranges(split_batch(batch, {60000, 4.0, 65535}, "test")),
            (Ranges{{0, 1}, {1, 2}, {2, 4}, {4, 5}}));
  // Exactly at the limit still fits.
  EXPECT_EQ(ranges(split_batch(batch, {56000, 4.0, 65535}, "test")),
            (Ranges{{0, 1}, {1, 2}, {2, 4}, {4, 5}}));
}

TEST(SplitBatch, PartsKeepWithinTheDayLimit) {
  // 64 (request, day) pairs hold nine 7-day requests.
  const std::vector<PathRequest> batch(20, sized(10));
  EXPECT_EQ(ranges(split_batch(batch, {1e9, 4.0, 64}, "test")),
            (Ranges{{0, 9}, {9, 18}, {18, 20}}));
}

TEST(SplitBatch, ARequestTooLargeOnItsOwnIsAnError) {
  const std::vector<PathRequest> batch{sized(10), sized(1000000000)};
  try {
    split_batch(batch, {1e9, 12.0, 65535}, "cuda(test)");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cuda(test)"), std::string::npos) << message;
    EXPECT_NE(message.find("1000000000 paths x 7 days needs 84.0"), std::string::npos) << message;
    EXPECT_NE(message.find("use fewer paths"), std::string::npos) << message;
  }
  EXPECT_THROW(split_batch(batch, {1e9, 0.0, 65535}, "test"), ContractError);
  EXPECT_THROW(split_batch(batch, {1e9, 4.0, 10}, "test"), ContractError);
}

// A CPU backend that holds little at once: simulate_batch must cut the batch
// and give every request the result it gets alone.
class SmallBackend final : public Backend {
 public:
  std::string name() const override { return "small"; }
  int runs = 0;

 protected:
  BatchLimits batch_limits() const override { return {300000.0, 4.0, 64}; }
  std::vector<PathStats> run_batch(const std::vector<PathRequest>& requests) override {
    ++runs;
    return cpu_->simulate_batch(requests);
  }

 private:
  std::unique_ptr<Backend> cpu_ = make_backend("cpu", 2);
};

TEST(SplitBatch, ABatchRunInPartsGivesEachRequestsOwnResult) {
  const testing::FittedPaths fitted = testing::fitted_paths(600, 5);
  std::vector<PathRequest> batch;
  for (int fold = 0; fold < 12; ++fold) {
    // 2,000 to 5,000 paths: 56,000 to 140,000 bytes.
    PathRequest r = fitted.request(make_student_t(5.0), {3, 0, static_cast<std::uint64_t>(fold)},
                                   2000 + 1000 * (fold % 4));
    r.stored_paths = 2;
    batch.push_back(r);
  }
  SmallBackend small;
  const std::vector<PathStats> parts = small.simulate_batch(batch);
  EXPECT_GT(small.runs, 3);
  const std::vector<PathStats> whole = make_backend("cpu", 2)->simulate_batch(batch);
  ASSERT_EQ(parts.size(), whole.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(parts[i].n_paths, batch[i].n_paths) << i;
    EXPECT_EQ(parts[i].mean, whole[i].mean) << i;
    EXPECT_EQ(parts[i].quantiles, whole[i].quantiles) << i;
    EXPECT_EQ(parts[i].stored, whole[i].stored) << i;
  }
}

// What a run checks before it writes anything (--paths): the request that
// simulate_batch would refuse, as an InputError naming the option.
TEST(SplitBatch, ARequestTooLargeIsRefusedUpFrontNamingTheOption) {
  const SmallBackend small;  // 300,000 bytes at 4 per value: 10,714 paths x 7 days
  EXPECT_NO_THROW(small.require_request_fits(10000, 7, "--paths"));
  try {
    small.require_request_fits(20000, 7, "--paths");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "--paths");
    EXPECT_NE(std::string(e.what()).find("small: one request of 20000 paths x 7 days needs 0.00056"),
              std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(small.require_request_fits(20000, 3, "--paths"));  // fewer days fit
}

}  // namespace
}  // namespace arabica
