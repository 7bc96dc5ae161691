// The CPU backend: the Monte Carlo pipeline on Thrust's OpenMP device
// system. It runs every line of the pipeline the CUDA backend runs, on any
// machine, which is how the tests exercise the device code without a GPU.
#include <thrust/system/omp/execution_policy.h>
#include <thrust/system/omp/vector.h>

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <thread>

#include "arabica/backend.hpp"
#include "mc/backend_factory.hpp"
#include "path_lanes.hpp"
#include "path_pipeline.hpp"

namespace arabica {

namespace {

struct OmpSystem {
  template <class T>
  using vector = thrust::omp::vector<T>;
  // Paths per work item: enough to amortise the item, few enough that a
  // request's chunks spread over the threads.
  static constexpr std::int64_t kPathsPerChunk = 4096;
  static constexpr bool kSpecialisedPaths = false;
  // A work item's loops in SIMD lanes (path_lanes.hpp); paths one by one
  // for the families without a lane version.
  struct ItemWork {
    template <int K, int Family>  // one class: the lanes choose at run time
    static void simulate(const pipeline::DeviceRequest& request, std::int64_t first, std::int64_t end,
                         float* out) {
      if (!pipeline::simulate_paths_in_lanes(request, first, end, out))
        pipeline::OneByOne::simulate<K, Family>(request, first, end, out);
    }
    static pipeline::DayAccumulator accumulate(const float* values, std::int64_t n, double shift,
                                               double last_price) {
      return pipeline::accumulate_in_lanes(values, n, shift, last_price);
    }
    static void histogram(const float* values, std::int64_t n, float lo, float scale, int bins,
                          std::uint32_t* hist) {
      pipeline::histogram_in_lanes(values, n, lo, scale, bins, hist);
    }
    static void collect(const float* values, std::int64_t n, pipeline::CollectPlan& plan,
                        double* partial) {
      pipeline::collect_in_lanes(values, n, plan, partial);
    }
  };

  auto policy() const { return thrust::omp::par; }
  template <bool Specialised, class F>
  void for_each_path_chunk(std::int64_t n, const F& f) const {
    if (n > 0)
      thrust::for_each(policy(), thrust::counting_iterator<std::int64_t>(0),
                       thrust::counting_iterator<std::int64_t>(n), f);
  }
  void synchronize() const {}
  void stage_done(const char* /*stage*/) const {}  // errors are exceptions where they happen
};

class OmpBackend final : public Backend {
 public:
  OmpBackend(int threads, double memory_budget)
      : threads_(threads > 0 ? threads
                             : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
        memory_budget_(memory_budget) {}

  std::string name() const override { return "cpu(" + std::to_string(threads_) + " threads)"; }

 protected:
  // Per value: the value, its copy and key in the CRPS sort, the sort's
  // scratch and about half a byte of histogram; per day the rest of its
  // bookkeeping. Within 80% of physical memory unless a budget is given.
  // The value buffer stays allocated between batches (Workspace).
  BatchLimits batch_limits() const override {
    double budget = memory_budget_;
    if (budget <= 0) {
      const double physical = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
      budget = physical > 0 ? 0.8 * physical : std::numeric_limits<double>::infinity();
    }
    return {budget, 5.0 * sizeof(float) + 1.0, std::numeric_limits<std::int64_t>::max(),
            pipeline::kBytesPerDay};
  }

  std::vector<PathStats> run_batch(const std::vector<PathRequest>& requests) override {
    // Sets the team size of the parallel regions this thread starts: a
    // backfill worker with one thread runs its batches on itself alone.
    omp_set_num_threads(threads_);
    OmpSystem system;
    return pipeline::run_pipeline(system, workspace_, requests);
  }

 private:
  int threads_;
  pipeline::Workspace<OmpSystem> workspace_;
  double memory_budget_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads, double memory_budget) {
  return std::make_unique<OmpBackend>(threads, memory_budget);
}

}  // namespace arabica
