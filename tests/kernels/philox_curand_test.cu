// PhiloxStream reproduces cuRAND's curandStatePhilox4_32_10_t word for word:
// both generators run in one kernel and the host compares their output.
#include <curand_kernel.h>
#include <gtest/gtest.h>

#include <vector>

#include "arabica/backend.hpp"
#include "arabica/philox.hpp"
#include "cuda_check.cuh"
#include "device_buffer.cuh"

namespace arabica {
namespace {

constexpr int kWords = 64;

__global__ void both_generators(std::uint64_t seed, std::uint64_t offset, std::uint32_t* curand_out,
                                std::uint32_t* arabica_out) {
  const std::uint64_t subsequence = blockIdx.x * blockDim.x + threadIdx.x;
  curandStatePhilox4_32_10_t state;
  curand_init(seed, subsequence, offset, &state);
  PhiloxStream stream(seed, subsequence, offset);
  for (int i = 0; i < kWords; ++i) {
    curand_out[subsequence * kWords + i] = curand(&state);
    arabica_out[subsequence * kWords + i] = stream.next();
  }
}

TEST(PhiloxCurand, StreamsAreIdenticalOnTheDevice) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device";
  const int threads = 4 * 128;
  for (const std::uint64_t seed : {0ull, 42ull, 0xdeadbeefcafef00dull})
    for (const std::uint64_t offset : {0ull, 3ull, 1ull << 33}) {
      cuda::DeviceBuffer<std::uint32_t> expected(threads * kWords), actual(threads * kWords);
      both_generators<<<4, 128>>>(seed, offset, expected.data(), actual.data());
      ARABICA_CUDA_CHECK(cudaGetLastError());
      std::vector<std::uint32_t> a(threads * kWords), b(threads * kWords);
      expected.download(a.data(), a.size());
      actual.download(b.data(), b.size());
      ASSERT_EQ(a, b) << "seed " << seed << " offset " << offset;
    }
}

}  // namespace
}  // namespace arabica
