// CPU and CUDA backends on the same streams agree to float rounding. Skips
// cleanly on machines without a CUDA device (or builds without CUDA).
#include <gtest/gtest.h>

#include <cmath>

#include "arabica/backend.hpp"
#include "mc/fitted_paths.hpp"

namespace arabica {
namespace {

class CudaBackendParity : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!cuda_available()) GTEST_SKIP() << "no CUDA device";
  }
};

InnovationParams family(const std::string& name) {
  if (name == "normal") return make_normal();
  if (name == "student_t") return make_student_t(4.0);
  if (name == "skew_t") return make_skew_t(2.0, 6.0);
  if (name == "mixture") return make_mixture();
  if (name == "nig") return make_nig(1.5, -0.5);
  return make_jumps(0.05, -1.0, 2.0);
}

double relative(double a, double b) { return std::abs(a - b) / std::max(1e-12, std::abs(b)); }

TEST_P(CudaBackendParity, StatisticsMatchTheCpuBackend) {
  PathRequest request = testing::fitted_paths(1000, 3).request(family(GetParam()), {2024, 1, 17}, 1000000);
  request.stored_paths = 100;
  request.actual = Eigen::VectorXd::Constant(7, request.last_price);
  const PathStats cpu = make_backend("cpu")->simulate(request);
  const PathStats gpu = make_backend("cuda")->simulate(request);
  for (int h = 0; h < 7; ++h) {
    EXPECT_LE(relative(gpu.mean[h], cpu.mean[h]), 1e-5) << "h=" << h;
    EXPECT_LE(relative(gpu.std[h], cpu.std[h]), 1e-5) << "h=" << h;
    EXPECT_NEAR(gpu.skewness[h], cpu.skewness[h], 1e-5 * std::max(1.0, std::abs(cpu.skewness[h])));
    EXPECT_NEAR(gpu.kurtosis[h], cpu.kurtosis[h], 1e-5 * std::max(1.0, std::abs(cpu.kurtosis[h])));
    EXPECT_NEAR(gpu.p_up[h], cpu.p_up[h], 1e-5);
    for (Eigen::Index q = 0; q < cpu.quantiles.cols(); ++q)
      EXPECT_LE(relative(gpu.quantiles(h, q), cpu.quantiles(h, q)), 1e-5) << "h=" << h;
    EXPECT_LE(relative(gpu.crps[h], cpu.crps[h]), 1e-5) << "h=" << h;
    EXPECT_NEAR(gpu.pit[h], cpu.pit[h], 1e-5) << "h=" << h;  // a few paths on the other side at most
    for (Eigen::Index i = 0; i < cpu.tail_mean.cols(); ++i)
      EXPECT_LE(relative(gpu.tail_mean(h, i), cpu.tail_mean(h, i)), 1e-5) << "h=" << h;
  }
  for (std::size_t i = 0; i < cpu.stored.size(); ++i)
    ASSERT_LE(relative(gpu.stored[i], cpu.stored[i]), 1e-5) << "stored value " << i;
}

TEST(CudaBatch, ABatchOfFoldsMatchesTheCpuBackend) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device";
  const testing::FittedPaths fitted = testing::fitted_paths(1000, 3);
  std::vector<PathRequest> batch;
  for (int fold = 0; fold < 40; ++fold) {
    PathRequest request =
        fitted.request(fold % 2 ? make_student_t(5.0) : make_skew_t(-1.0, 6.0),
                       {11, 2, static_cast<std::uint64_t>(fold)}, 2000 + 997 * fold);  // uneven segments
    request.stored_paths = fold % 3;
    if (fold % 4) request.actual = Eigen::VectorXd::Constant(7, request.last_price + fold);
    batch.push_back(request);
  }
  const std::vector<PathStats> cpu = make_backend("cpu")->simulate_batch(batch);
  const std::vector<PathStats> gpu = make_backend("cuda")->simulate_batch(batch);
  for (std::size_t i = 0; i < batch.size(); ++i)
    for (int h = 0; h < 7; ++h) {
      EXPECT_LE(relative(gpu[i].mean[h], cpu[i].mean[h]), 1e-5) << i << " h=" << h;
      EXPECT_LE(relative(gpu[i].std[h], cpu[i].std[h]), 1e-5) << i << " h=" << h;
      for (Eigen::Index q = 0; q < cpu[i].quantiles.cols(); ++q)
        EXPECT_LE(relative(gpu[i].quantiles(h, q), cpu[i].quantiles(h, q)), 1e-5) << i;
      if (batch[i].actual.size()) {
        EXPECT_LE(relative(gpu[i].crps[h], cpu[i].crps[h]), 1e-5) << i;
        EXPECT_NEAR(gpu[i].pit[h], cpu[i].pit[h], 2.0 / batch[i].n_paths) << i;
      }
      EXPECT_LE(relative(gpu[i].tail_mean(h, 1), cpu[i].tail_mean(h, 1)), 1e-5) << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Families, CudaBackendParity,
                         ::testing::Values("normal", "student_t", "skew_t", "mixture", "nig",
                                           "jumps"));

}  // namespace
}  // namespace arabica
