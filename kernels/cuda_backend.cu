// CUDA backend: a batch of requests (folds, scenarios) in a few launches. One
// thread per path runs the same simulate_path() as the CPU backend on the
// same Philox stream (counter-based: nothing depends on the launch shape);
// then moment sums per (request, day), one segmented sort of every day, and
// one block per day for exact quantiles, tail means and the CRPS, with the
// CPU backend's formulas.
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_segmented_sort.cuh>

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

// One request of a batch as the kernels see it. Its values are horizon-major
// (day h's n_paths values contiguous) from value_offset in the batch buffer.
struct DeviceRequest {
  PathModel model;
  InnovationParams innovations;
  std::uint64_t stream_seed;
  std::int64_t n_paths;
  std::int64_t value_offset;
  double last_price;
};

// One (request, day) of a batch: a contiguous run of values to reduce and sort.
struct Segment {
  int request;
  int day;
  std::int64_t begin;  // into the batch buffer
  std::int64_t n;
  double shift;   // moment reference: the day's Kalman mean
  double actual;  // realised price, NaN when unknown
};

// Global path g of the batch belongs to the request whose path range holds
// it; path_begin has one entry per request plus the total.
__device__ int request_of(const std::int64_t* path_begin, int requests, std::int64_t g) {
  int lo = 0, hi = requests;  // path_begin[lo] <= g < path_begin[hi]
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (path_begin[mid] <= g) lo = mid; else hi = mid;
  }
  return lo;
}

__global__ void simulate_paths_kernel(const DeviceRequest* requests, const std::int64_t* path_begin,
                                      int n_requests, float* values) {
  float path[kMaxPathHorizon];
  const std::int64_t total = path_begin[n_requests];
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t g = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; g < total;
       g += stride) {
    const int r = request_of(path_begin, n_requests, g);
    const DeviceRequest& request = requests[r];
    const std::int64_t p = g - path_begin[r];
    PhiloxStream stream(request.stream_seed, static_cast<std::uint64_t>(p), 0);
    simulate_path(request.model, request.innovations, stream, path);
    float* out = values + request.value_offset + p;
    for (int h = 0; h < request.model.horizon; ++h) out[h * request.n_paths] = path[h];
  }
}

// One MomentSums per (segment, block); the host adds them in block order.
__global__ void moments_kernel(const float* values, const Segment* segments,
                               const DeviceRequest* requests, MomentSums* partial) {
  const Segment segment = segments[blockIdx.y];
  const double last_price = requests[segment.request].last_price;
  MomentSums local;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       p < segment.n; p += stride)
    local.add(values[segment.begin + p], segment.shift, last_price);

  __shared__ MomentSums shared[kThreads];
  shared[threadIdx.x] = local;
  __syncthreads();
  for (int width = kThreads / 2; width > 0; width /= 2) {
    if (threadIdx.x < width) shared[threadIdx.x].merge(shared[threadIdx.x + width]);
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.y * gridDim.x + blockIdx.x] = shared[0];
}

// Per sorted segment (one block each): quantiles with the CPU backend's
// interpolation, lower-tail sums and the CRPS sum. The levels come by value:
// device code cannot read host constants.
using QuantileLevels = std::array<double, kQuantileLevels.size()>;
using TailLevels = std::array<double, kTailLevels.size()>;
struct SegmentStats {
  double quantiles[kQuantileLevels.size()];
  double tail_sums[kTailLevels.size()];
  double crps_sum;
};

__global__ void segment_stats_kernel(const float* sorted_values, const Segment* segments,
                                     QuantileLevels levels, TailLevels tails, SegmentStats* out) {
  using Reduce = cub::BlockReduce<double, kThreads>;
  __shared__ typename Reduce::TempStorage temp;
  const Segment segment = segments[blockIdx.x];
  const float* sorted = sorted_values + segment.begin;
  SegmentStats& result = out[blockIdx.x];
  if (threadIdx.x < levels.size())
    result.quantiles[threadIdx.x] = sorted_quantile(sorted, segment.n, levels[threadIdx.x]);
  for (std::size_t i = 0; i < tails.size(); ++i) {
    const std::int64_t k = tail_count(tails[i], segment.n);
    double local = 0.0;
    for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) local += sorted[j];
    const double sum = Reduce(temp).Sum(local);
    if (threadIdx.x == 0) result.tail_sums[i] = sum;
    __syncthreads();  // temp is reused
  }
  double local = 0.0;
  if (!isnan(segment.actual))
    for (std::int64_t k = threadIdx.x; k < segment.n; k += blockDim.x)
      local += crps_gap_term(sorted, segment.n, k, segment.actual);
  const double sum = Reduce(temp).Sum(local);
  if (threadIdx.x == 0) result.crps_sum = sum;
}

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
  // Per value: the unsorted values (kept for the stored paths), the sorted
  // copy and the segmented sort's own buffer, within 80% of free memory;
  // (request, day) pairs index the moments kernel's grid y (at most 65535).
  BatchLimits batch_limits() const override {
    std::size_t free_bytes = 0, total_bytes = 0;
    ARABICA_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    return {0.8 * static_cast<double>(free_bytes), 3.0 * sizeof(float), 65535};
  }

  std::vector<PathStats> run_batch(const std::vector<PathRequest>& requests) override;

 private:
  int device_ = 0;
  cudaDeviceProp properties_{};
};

std::vector<PathStats> CudaBackend::run_batch(const std::vector<PathRequest>& requests) {
  // The batch as the kernels see it; bootstrap residuals get device copies.
  const int R = static_cast<int>(requests.size());
  std::vector<DeviceRequest> host_requests(requests.size());
  std::vector<std::int64_t> path_begin{0};
  std::vector<Segment> segments;
  std::vector<cuda::DeviceBuffer<float>> residuals;
  std::int64_t total_values = 0;
  for (int r = 0; r < R; ++r) {
    const PathRequest& request = requests[r];
    DeviceRequest& d = host_requests[r];
    d.model = request.model;
    d.innovations = request.innovations;
    if (d.innovations.residual_count > 0) {
      residuals.emplace_back(d.innovations.residual_count);
      residuals.back().upload(request.innovations.residuals, d.innovations.residual_count);
      d.innovations.residuals = residuals.back().data();
    }
    d.stream_seed = derive_stream_seed(request.keys.seed, request.keys.series, request.keys.fold);
    d.n_paths = request.n_paths;
    d.value_offset = total_values;
    d.last_price = request.last_price;
    for (int h = 0; h < request.model.horizon; ++h)
      segments.push_back({r, h, total_values + h * request.n_paths, request.n_paths,
                          static_cast<double>(request.model.mean[h]), day_actual(request, h)});
    total_values += request.n_paths * request.model.horizon;
    path_begin.push_back(path_begin.back() + request.n_paths);
  }
  const int S = static_cast<int>(segments.size());

  cuda::DeviceBuffer<DeviceRequest> device_requests(host_requests.size());
  device_requests.upload(host_requests.data(), host_requests.size());
  cuda::DeviceBuffer<std::int64_t> device_path_begin(path_begin.size());
  device_path_begin.upload(path_begin.data(), path_begin.size());
  cuda::DeviceBuffer<Segment> device_segments(segments.size());
  device_segments.upload(segments.data(), segments.size());
  cuda::DeviceBuffer<float> values(static_cast<std::size_t>(total_values));

  const int max_blocks = properties_.multiProcessorCount * 32;
  const int blocks =
      static_cast<int>(std::min<std::int64_t>((path_begin.back() + kThreads - 1) / kThreads, max_blocks));
  simulate_paths_kernel<<<blocks, kThreads>>>(device_requests.data(), device_path_begin.data(), R,
                                              values.data());
  ARABICA_CUDA_CHECK(cudaGetLastError());

  std::int64_t longest = 0;
  for (const Segment& segment : segments) longest = std::max(longest, segment.n);
  // Blocks per (request, day) so that all of them together fill the device
  // once: a large batch gets one block per day, a single request many. Few
  // partial sums also keep the download and the host merge small.
  const int moment_blocks = static_cast<int>(std::clamp<std::int64_t>(
      std::min<std::int64_t>((longest + kThreads - 1) / kThreads, max_blocks / S), 1, 1024));
  cuda::DeviceBuffer<MomentSums> partial(static_cast<std::size_t>(moment_blocks) * S);
  moments_kernel<<<dim3(moment_blocks, S), kThreads>>>(values.data(), device_segments.data(),
                                                       device_requests.data(), partial.data());
  ARABICA_CUDA_CHECK(cudaGetLastError());

  // Every day of every request sorted in one segmented sort.
  std::vector<std::int64_t> begins, ends;
  for (const Segment& segment : segments) {
    begins.push_back(segment.begin);
    ends.push_back(segment.begin + segment.n);
  }
  cuda::DeviceBuffer<std::int64_t> device_begins(begins.size()), device_ends(ends.size());
  device_begins.upload(begins.data(), begins.size());
  device_ends.upload(ends.data(), ends.size());
  cuda::DeviceBuffer<float> sorted(static_cast<std::size_t>(total_values));
  std::size_t temp_bytes = 0;
  ARABICA_CUDA_CHECK(cub::DeviceSegmentedSort::SortKeys(
      nullptr, temp_bytes, values.data(), sorted.data(), total_values, S, device_begins.data(),
      device_ends.data()));
  cuda::DeviceBuffer<unsigned char> temp(temp_bytes);
  ARABICA_CUDA_CHECK(cub::DeviceSegmentedSort::SortKeys(
      temp.data(), temp_bytes, values.data(), sorted.data(), total_values, S,
      device_begins.data(), device_ends.data()));

  cuda::DeviceBuffer<SegmentStats> segment_stats(segments.size());
  segment_stats_kernel<<<S, kThreads>>>(sorted.data(), device_segments.data(), kQuantileLevels,
                                        kTailLevels, segment_stats.data());
  ARABICA_CUDA_CHECK(cudaGetLastError());

  std::vector<MomentSums> host_partial(partial.size());
  partial.download(host_partial.data(), host_partial.size());
  std::vector<SegmentStats> host_stats(segments.size());
  segment_stats.download(host_stats.data(), host_stats.size());

  std::vector<PathStats> results;
  for (int r = 0; r < R; ++r) {
    const PathRequest& request = requests[r];
    results.push_back(empty_path_stats(request.model.horizon, request.n_paths, request.stored_paths));
  }
  for (int s = 0; s < S; ++s) {
    const Segment& segment = segments[s];
    const PathRequest& request = requests[segment.request];
    PathStats& stats = results[segment.request];
    const int h = segment.day;
    MomentSums total;
    for (int b = 0; b < moment_blocks; ++b) total.merge(host_partial[s * moment_blocks + b]);
    set_day_moments(stats, h, total, segment.shift);
    const SegmentStats& found = host_stats[s];
    for (std::size_t q = 0; q < kQuantileLevels.size(); ++q)
      stats.quantiles(h, static_cast<Eigen::Index>(q)) = found.quantiles[q];
    for (std::size_t i = 0; i < kTailLevels.size(); ++i)
      stats.tail_mean(h, static_cast<Eigen::Index>(i)) =
          found.tail_sums[i] / static_cast<double>(tail_count(kTailLevels[i], segment.n));
    if (!std::isnan(segment.actual))
      stats.crps[h] = found.crps_sum / (static_cast<double>(segment.n) * static_cast<double>(segment.n));
    // Stored paths: the leading values of the unsorted day.
    if (request.stored_paths > 0) {
      std::vector<float> leading(static_cast<std::size_t>(request.stored_paths));
      values.download(leading.data(), leading.size(), static_cast<std::size_t>(segment.begin));
      const int H = request.model.horizon;
      for (std::int64_t p = 0; p < request.stored_paths; ++p)
        stats.stored[static_cast<std::size_t>(p * H + h)] = leading[static_cast<std::size_t>(p)];
    }
  }
  return results;
}

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
