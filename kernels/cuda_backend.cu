// The CUDA backend: the Monte Carlo pipeline (path_pipeline.hpp) on Thrust's
// CUDA system, on one stream per backend (that is, per backfill worker).
// The stream is a blocking one, so the pipeline's uploads and downloads on
// the legacy default stream stay ordered with its kernels.
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "arabica/backend.hpp"
#include "cuda_check.cuh"
#include "mc/backend_factory.hpp"
#include "path_pipeline.hpp"

namespace arabica {

namespace {

// Stage 1's kernel: the pipeline's SimulateChunks functor (which Thrust's
// for_each runs on the OpenMP system) under launch bounds, so that the
// specialised path kernels get at most 64 registers (4 blocks of 256 per
// SM) and the generic one at most 128.
constexpr int kPathThreads = 256;
template <class F, int kMinBlocks>
__global__ void __launch_bounds__(kPathThreads, kMinBlocks) path_chunk_kernel(F f, std::int64_t n) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * kPathThreads + threadIdx.x;
  if (i < n) f(i);
}

struct CudaSystem {
  template <class T>
  using vector = thrust::cuda::vector<T>;
  // Paths per thread: a thread's moment sums cover this many paths.
  static constexpr std::int64_t kPathsPerChunk = 32;
  // A kernel per common (states, family): the state in registers, one sampler.
  static constexpr bool kSpecialisedPaths = true;
  using ItemWork = pipeline::OneByOne;

  cudaStream_t stream = nullptr;
  auto policy() const { return thrust::cuda::par.on(stream); }
  template <bool Specialised, class F>
  void for_each_path_chunk(std::int64_t n, const F& f) const {
    if (n == 0) return;
    const auto blocks = static_cast<unsigned>((n + kPathThreads - 1) / kPathThreads);
    path_chunk_kernel<F, Specialised ? 4 : 2><<<blocks, kPathThreads, 0, stream>>>(f, n);
    ARABICA_CUDA_CHECK(cudaGetLastError());
  }
  void synchronize() const { ARABICA_CUDA_CHECK(cudaStreamSynchronize(stream)); }
  // Launch errors after every stage; in debug builds also the stage's
  // asynchronous faults, named by the stage that caused them.
  void stage_done(const char* stage) const {
    cuda::check(cudaGetLastError(), stage, __FILE__, __LINE__);
#if !defined(NDEBUG)
    cuda::check(cudaStreamSynchronize(stream), stage, __FILE__, __LINE__);
#endif
  }
};

// Backends alive per device: the workers of one GPU share its memory.
class DeviceShares {
 public:
  static void join(int device) {
    const std::lock_guard<std::mutex> lock(mutex());
    ++live()[device];
  }
  static void leave(int device) {
    const std::lock_guard<std::mutex> lock(mutex());
    --live()[device];
  }
  static int count(int device) {
    const std::lock_guard<std::mutex> lock(mutex());
    return std::max(1, live()[device]);
  }

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::map<int, int>& live() {
    static std::map<int, int> m;
    return m;
  }
};

class CudaBackend final : public Backend {
 public:
  // The device is per host thread: every thread that uses this backend
  // must be the one that created it.
  CudaBackend(int ordinal, double memory_budget) : memory_budget_(memory_budget) {
    int count = 0;
    ARABICA_CUDA_CHECK(cudaGetDeviceCount(&count));
    ARABICA_CUDA_CHECK(cudaSetDevice(ordinal % count));
    ARABICA_CUDA_CHECK(cudaGetDevice(&device_));
    ARABICA_CUDA_CHECK(cudaGetDeviceProperties(&properties_, device_));
    ARABICA_CUDA_CHECK(cudaStreamCreate(&system_.stream));
    DeviceShares::join(device_);
  }
  ~CudaBackend() override {
    DeviceShares::leave(device_);
    cudaStreamDestroy(system_.stream);
  }
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;

  std::string name() const override { return std::string("cuda(") + properties_.name + ")"; }

 protected:
  // Per value: the value, its copy and key in the CRPS sort, the radix
  // sort's double buffers and about half a byte of histogram. Each backend
  // on a device (a backfill worker) gets an equal share of 80% of its
  // memory, so concurrent batches fit together; or the given budget.
  BatchLimits batch_limits() const override {
    double budget = memory_budget_;
    if (budget <= 0) {
      std::size_t free_bytes = 0, total_bytes = 0;
      ARABICA_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
      budget = 0.8 * static_cast<double>(total_bytes) / DeviceShares::count(device_);
    }
    return {budget, 6.0 * sizeof(float) + 1.0, std::numeric_limits<std::int64_t>::max(),
            pipeline::kBytesPerDay};
  }

  std::vector<PathStats> run_batch(const std::vector<PathRequest>& requests) override {
    return pipeline::run_pipeline(system_, workspace_, requests);
  }

 private:
  int device_ = 0;
  cudaDeviceProp properties_{};
  CudaSystem system_;
  pipeline::Workspace<CudaSystem> workspace_;
  double memory_budget_;
};

}  // namespace

bool cuda_device_present() {
  int count = 0;
  // No driver or no device both mean "not available", not an error.
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

std::unique_ptr<Backend> make_cuda_backend(int ordinal, double memory_budget) {
  return std::make_unique<CudaBackend>(ordinal, memory_budget);
}

}  // namespace arabica
