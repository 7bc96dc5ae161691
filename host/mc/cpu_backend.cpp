// Multithreaded CPU backend. Paths are cut into fixed blocks whose moment
// sums are combined in block order, so results do not depend on the number
// of threads; a batch spreads every request's blocks, then its days, over
// one pool.
#include <algorithm>
#include <cmath>
#include <atomic>
#include <limits>
#include <thread>
#include <vector>

#include <unistd.h>

#include "arabica/backend.hpp"
#include "mc/path_moments.hpp"

namespace arabica {

namespace {

constexpr std::int64_t kBlockPaths = 4096;

// Puts in place the order statistics a day's statistics read: a full sort
// when the CRPS needs every value in order, else selection of just the
// quantiles' neighbours and the tail boundaries (with every smaller value
// before each), which is several times cheaper for millions of paths.
void order_for_stats(std::vector<float>& values, bool full_sort) {
  if (full_sort) {
    std::sort(values.begin(), values.end());
    return;
  }
  const auto n = static_cast<std::int64_t>(values.size());
  std::vector<std::int64_t> ranks;
  for (const double level : kQuantileLevels) {
    const QuantilePosition at = quantile_position(level, n);
    ranks.push_back(at.lo);
    if (at.fraction > 0.0) ranks.push_back(at.lo + 1);
  }
  for (const double level : kTailLevels) ranks.push_back(tail_count(level, n) - 1);
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  auto from = values.begin();
  for (const std::int64_t rank : ranks) {
    std::nth_element(from, values.begin() + rank, values.end());
    from = values.begin() + rank + 1;
  }
}

// Runs `work` on `threads` threads (this one included) until it returns.
template <class Work>
void run_on_pool(int threads, Work& work) {
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads)
      : threads_(threads > 0 ? threads
                             : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

  std::string name() const override { return "cpu(" + std::to_string(threads_) + " threads)"; }

 protected:
  // Exact quantiles keep every value, a float per path per day: at most 80%
  // of physical memory at once.
  BatchLimits batch_limits() const override {
    const double physical = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
    return {physical > 0 ? 0.8 * physical : std::numeric_limits<double>::infinity(), sizeof(float),
            std::numeric_limits<std::int64_t>::max()};
  }

  std::vector<PathStats> run_batch(const std::vector<PathRequest>& requests) override {
    // Per request: horizon-major values for the order statistics, moment
    // sums per (block, day).
    struct Work {
      std::uint64_t stream_seed;
      std::int64_t blocks;
      std::vector<std::vector<float>> values;
      std::vector<MomentSums> block_sums;
      std::vector<double> shift;
    };
    std::vector<Work> work(requests.size());
    std::vector<std::pair<std::size_t, std::int64_t>> block_items;  // (request, block)
    std::vector<std::pair<std::size_t, int>> day_items;              // (request, day)
    std::vector<PathStats> results;
    for (std::size_t r = 0; r < requests.size(); ++r) {
      const PathRequest& request = requests[r];
      const int H = request.model.horizon;
      const std::int64_t n = request.n_paths;
      Work& w = work[r];
      w.stream_seed = derive_stream_seed(request.keys.seed, request.keys.series, request.keys.fold);
      w.blocks = (n + kBlockPaths - 1) / kBlockPaths;
      w.values.assign(H, std::vector<float>(static_cast<std::size_t>(n)));
      w.block_sums.resize(static_cast<std::size_t>(w.blocks * H));
      for (int h = 0; h < H; ++h) w.shift.push_back(request.model.mean[h]);
      for (std::int64_t b = 0; b < w.blocks; ++b) block_items.emplace_back(r, b);
      for (int h = 0; h < H; ++h) day_items.emplace_back(r, h);
      results.push_back(empty_path_stats(H, n, request.stored_paths));
    }

    // Paths in blocks, then days (order statistics, CRPS), both over the pool.
    std::atomic<std::size_t> next_block{0}, next_day{0};
    auto simulate_blocks = [&] {
      float path[kMaxPathHorizon];
      for (std::size_t i; (i = next_block.fetch_add(1)) < block_items.size();) {
        const auto [r, b] = block_items[i];
        const PathRequest& request = requests[r];
        Work& w = work[r];
        const int H = request.model.horizon;
        MomentSums* sums = &w.block_sums[static_cast<std::size_t>(b * H)];
        const std::int64_t end = std::min(request.n_paths, (b + 1) * kBlockPaths);
        for (std::int64_t p = b * kBlockPaths; p < end; ++p) {
          PhiloxStream stream(w.stream_seed, static_cast<std::uint64_t>(p), 0);
          simulate_path(request.model, request.innovations, stream, path);
          for (int h = 0; h < H; ++h) {
            w.values[h][static_cast<std::size_t>(p)] = path[h];
            sums[h].add(path[h], w.shift[h], request.last_price);
          }
        }
      }
    };
    auto finish_days = [&] {
      for (std::size_t i; (i = next_day.fetch_add(1)) < day_items.size();) {
        const auto [r, h] = day_items[i];
        const PathRequest& request = requests[r];
        Work& w = work[r];
        PathStats& stats = results[r];
        const int H = request.model.horizon;
        MomentSums total;
        for (std::int64_t b = 0; b < w.blocks; ++b)
          total.merge(w.block_sums[static_cast<std::size_t>(b * H + h)]);
        set_day_moments(stats, h, total, w.shift[h]);
        std::vector<float>& day = w.values[static_cast<std::size_t>(h)];
        for (std::int64_t p = 0; p < request.stored_paths; ++p)
          stats.stored[static_cast<std::size_t>(p * H + h)] = day[static_cast<std::size_t>(p)];
        const double actual = day_actual(request, h);
        order_for_stats(day, !std::isnan(actual));
        set_sorted_day_stats(stats, h, day.data(), actual);
        std::vector<float>().swap(day);  // done with this day: free it early
      }
    };
    run_on_pool(static_cast<int>(std::min<std::size_t>(threads_, block_items.size())), simulate_blocks);
    run_on_pool(static_cast<int>(std::min<std::size_t>(threads_, day_items.size())), finish_days);
    return results;
  }

 private:
  int threads_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace arabica
