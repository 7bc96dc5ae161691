// CUDA backend: one thread per path runs the same simulate_path() as the CPU
// backend on the same Philox stream (counter-based: nothing depends on the
// launch shape); per-horizon moment sums, then each day sorted on the device
// for exact quantiles and the CRPS, with the CPU backend's formulas.
#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/reduce.h>
#include <thrust/sort.h>
#include <thrust/transform_reduce.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "arabica/backend.hpp"
#include "arabica/error.hpp"
#include "cuda_check.cuh"
#include "device_buffer.cuh"
#include "mc/path_moments.hpp"

namespace arabica {

namespace {

constexpr int kThreads = 256;

__global__ void simulate_paths_kernel(const PathModel* model, InnovationParams innovations,
                                      std::uint64_t stream_seed, std::int64_t n, float* values) {
  float path[kMaxPathHorizon];
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < n;
       p += stride) {
    PhiloxStream stream(stream_seed, static_cast<std::uint64_t>(p), 0);
    simulate_path(*model, innovations, stream, path);
    // Horizon-major, so each day's values are contiguous for sorting and the
    // moment pass reads them coalesced.
    for (int h = 0; h < model->horizon; ++h) values[h * n + p] = path[h];
  }
}

// One MomentSums per (horizon, block); the host adds them in block order.
__global__ void moments_kernel(const float* values, std::int64_t n, const double* shift,
                               double last_price, MomentSums* partial) {
  const int h = blockIdx.y;
  MomentSums local;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < n;
       p += stride)
    local.add(values[h * n + p], shift[h], last_price);

  __shared__ MomentSums shared[kThreads];
  shared[threadIdx.x] = local;
  __syncthreads();
  for (int width = kThreads / 2; width > 0; width /= 2) {
    if (threadIdx.x < width) shared[threadIdx.x].merge(shared[threadIdx.x + width]);
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[h * gridDim.x + blockIdx.x] = shared[0];
}

// Quantiles of one sorted day, with the CPU backend's interpolation.
// The levels come by value: device code cannot read host constants.
using QuantileLevels = std::array<double, kQuantileLevels.size()>;
__global__ void quantiles_kernel(const float* sorted, std::int64_t n, QuantileLevels levels,
                                 double* out) {
  const int q = threadIdx.x;
  if (q < static_cast<int>(levels.size())) out[q] = sorted_quantile(sorted, n, levels[q]);
}

// Term k of one sorted day's CRPS sum (see crps_gap_term).
struct CrpsTerm {
  const float* sorted;
  std::int64_t n;
  double actual;
  __device__ double operator()(std::int64_t k) const { return crps_gap_term(sorted, n, k, actual); }
};

class CudaBackend final : public Backend {
 public:
  // The device is per host thread: every thread that uses this backend
  // must be the one that created it.
  explicit CudaBackend(int ordinal) {
    int count = 0;
    ARABICA_CUDA_CHECK(cudaGetDeviceCount(&count));
    ARABICA_CUDA_CHECK(cudaSetDevice(ordinal % count));
    ARABICA_CUDA_CHECK(cudaGetDevice(&device_));
    ARABICA_CUDA_CHECK(cudaGetDeviceProperties(&properties_, device_));
  }

  std::string name() const override { return std::string("cuda(") + properties_.name + ")"; }

 protected:
  PathStats run(const PathRequest& request) override {
    const PathModel& model = request.model;
    const int H = model.horizon;
    const std::int64_t n = request.n_paths;
    std::size_t free_bytes = 0, total_bytes = 0;
    ARABICA_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const double needed = static_cast<double>(n) * H * sizeof(float);
    if (needed > 0.8 * static_cast<double>(free_bytes))
      throw Error("cuda backend: " + std::to_string(n) + " paths x " + std::to_string(H) +
                  " days need " + std::to_string(needed / 1e9) + " GB, " +
                  std::to_string(free_bytes / 1e9) + " GB free; use fewer paths per request");

    cuda::DeviceBuffer<PathModel> device_model(1);
    device_model.upload(&model, 1);
    // Bootstrap draws index residuals on the device: swap in a device copy.
    InnovationParams innovations = request.innovations;
    cuda::DeviceBuffer<float> residuals(innovations.residual_count);
    if (innovations.residual_count > 0) {
      residuals.upload(innovations.residuals, innovations.residual_count);
      innovations.residuals = residuals.data();
    }

    cuda::DeviceBuffer<float> values(static_cast<std::size_t>(n) * H);
    const std::uint64_t stream_seed =
        derive_stream_seed(request.keys.seed, request.keys.series, request.keys.fold);
    const int max_blocks = properties_.multiProcessorCount * 32;
    const int blocks =
        static_cast<int>(std::min<std::int64_t>((n + kThreads - 1) / kThreads, max_blocks));
    simulate_paths_kernel<<<blocks, kThreads>>>(device_model.data(), innovations, stream_seed, n,
                                                values.data());
    ARABICA_CUDA_CHECK(cudaGetLastError());

    std::vector<double> shift(H);
    for (int h = 0; h < H; ++h) shift[h] = model.mean[h];
    cuda::DeviceBuffer<double> device_shift(H);
    device_shift.upload(shift.data(), H);
    const int moment_blocks = std::min(blocks, 1024);
    cuda::DeviceBuffer<MomentSums> partial(static_cast<std::size_t>(moment_blocks) * H);
    moments_kernel<<<dim3(moment_blocks, H), kThreads>>>(values.data(), n, device_shift.data(),
                                                          request.last_price, partial.data());
    ARABICA_CUDA_CHECK(cudaGetLastError());
    std::vector<MomentSums> host_partial(partial.size());
    partial.download(host_partial.data(), host_partial.size());

    PathStats stats = empty_path_stats(H, n, request.stored_paths);
    // Stored paths come out before sorting reorders each day.
    std::vector<float> leading(static_cast<std::size_t>(request.stored_paths));
    for (int h = 0; h < H; ++h) {
      if (request.stored_paths == 0) break;
      values.download(leading.data(), leading.size(), static_cast<std::size_t>(h) * n);
      for (std::int64_t p = 0; p < request.stored_paths; ++p)
        stats.stored[static_cast<std::size_t>(p * H + h)] = leading[static_cast<std::size_t>(p)];
    }

    cuda::DeviceBuffer<double> levels(kQuantileLevels.size());
    for (int h = 0; h < H; ++h) {
      MomentSums total;
      for (int b = 0; b < moment_blocks; ++b) total.merge(host_partial[h * moment_blocks + b]);
      set_day_moments(stats, h, total, shift[h]);

      float* day = values.data() + static_cast<std::size_t>(h) * n;
      thrust::sort(thrust::device, day, day + n);
      ARABICA_CUDA_CHECK(cudaGetLastError());
      quantiles_kernel<<<1, 32>>>(day, n, kQuantileLevels, levels.data());
      ARABICA_CUDA_CHECK(cudaGetLastError());
      double day_levels[kQuantileLevels.size()];
      levels.download(day_levels, kQuantileLevels.size());
      for (std::size_t q = 0; q < kQuantileLevels.size(); ++q)
        stats.quantiles(h, static_cast<Eigen::Index>(q)) = day_levels[q];
      for (std::size_t i = 0; i < kTailLevels.size(); ++i) {
        const std::int64_t k = tail_count(kTailLevels[i], n);
        const double sum = thrust::reduce(thrust::device, day, day + k, 0.0, thrust::plus<double>());
        ARABICA_CUDA_CHECK(cudaGetLastError());
        stats.tail_mean(h, static_cast<Eigen::Index>(i)) = sum / static_cast<double>(k);
      }
      const double actual = day_actual(request, h);
      if (!std::isnan(actual)) {
        const double sum = thrust::transform_reduce(
            thrust::device, thrust::counting_iterator<std::int64_t>(0),
            thrust::counting_iterator<std::int64_t>(n), CrpsTerm{day, n, actual}, 0.0,
            thrust::plus<double>());
        ARABICA_CUDA_CHECK(cudaGetLastError());
        stats.crps[h] = sum / (static_cast<double>(n) * static_cast<double>(n));
      }
    }
    return stats;
  }

 private:
  int device_ = 0;
  cudaDeviceProp properties_{};
};

}  // namespace

bool cuda_device_present() {
  int count = 0;
  // No driver or no device both mean "not available", not an error.
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

std::unique_ptr<Backend> make_cuda_backend(int ordinal) {
  return std::make_unique<CudaBackend>(ordinal);
}

}  // namespace arabica
