#include "arabica/significance.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "arabica/error.hpp"
#include "arabica/philox.hpp"
#include "mc/path_moments.hpp"
#include "mc/special_functions.hpp"

namespace arabica {

double newey_west_variance_of_mean(const Eigen::VectorXd& x, int lags) {
  const Eigen::Index n = x.size();
  ARABICA_REQUIRE(n >= 2 && lags >= 0, "newey_west_variance_of_mean: needs n >= 2 and lags >= 0");
  ARABICA_REQUIRE(x.allFinite(), "newey_west_variance_of_mean: non-finite values");
  const Eigen::VectorXd u = x.array() - x.mean();
  double long_run = u.squaredNorm() / static_cast<double>(n);
  for (int j = 1; j <= lags && j < n; ++j) {
    const double gamma = u.tail(n - j).dot(u.head(n - j)) / static_cast<double>(n);
    long_run += 2.0 * (1.0 - static_cast<double>(j) / (lags + 1)) * gamma;
  }
  return long_run / static_cast<double>(n);
}

TestResult hac_direction_test(const Eigen::VectorXd& hits, int lags) {
  TestResult out;
  const double variance = newey_west_variance_of_mean(hits, lags);
  const double excess = hits.mean() - 0.5;
  if (!(variance > 0.0)) {  // every forecast a hit, or every one a miss
    out.statistic = excess > 0 ? INFINITY : -INFINITY;
    out.p_value = excess > 0 ? 0.0 : 1.0;
    return out;
  }
  out.statistic = excess / std::sqrt(variance);
  out.p_value = detail::normal_cdf(-out.statistic);  // P(Z >= z), without 1 - (almost 1)
  return out;
}

TestResult diebold_mariano(const Eigen::VectorXd& d, int lags) {
  TestResult out;
  const double n = static_cast<double>(d.size());
  const double variance = newey_west_variance_of_mean(d, lags);
  const double mean = d.mean();
  if (!(variance > 0.0)) {
    out.statistic = mean == 0.0 ? 0.0 : (mean > 0 ? INFINITY : -INFINITY);
    out.p_value = mean == 0.0 ? 1.0 : 0.0;
    return out;
  }
  const double h = lags + 1.0;
  const double correction = std::sqrt(std::max(n + 1.0 - 2.0 * h + h * (h - 1.0) / n, 1.0) / n);
  out.statistic = mean / std::sqrt(variance) * correction;
  out.p_value = 2.0 * detail::student_t_cdf(-std::abs(out.statistic), n - 1.0);
  return out;
}

BootstrapInterval moving_block_bootstrap(const Eigen::VectorXd& x, int block, int replicates,
                                         std::uint64_t seed, double level) {
  const Eigen::Index n = x.size();
  ARABICA_REQUIRE(block >= 1 && block <= n && replicates >= 2 && level > 0.0 && level < 1.0,
                  "moving_block_bootstrap: needs 1 <= block <= n, replicates >= 2, level in (0, 1)");
  // Sums of every block: start s covers x[s .. s + block).
  const Eigen::Index starts = n - block + 1;
  std::vector<double> block_sum(static_cast<std::size_t>(starts));
  double running = x.head(block).sum();
  for (Eigen::Index s = 0; s < starts; ++s) {
    block_sum[static_cast<std::size_t>(s)] = running;
    if (s + block < n) running += x[s + block] - x[s];
  }
  const Eigen::Index whole = n / block, rest = n % block;
  std::vector<double> means(static_cast<std::size_t>(replicates));
  for (int r = 0; r < replicates; ++r) {
    PhiloxStream stream(seed, static_cast<std::uint64_t>(r), 0);
    const auto start = [&] {
      return static_cast<Eigen::Index>((static_cast<std::uint64_t>(stream.next()) * starts) >> 32);
    };
    double sum = 0.0;
    for (Eigen::Index b = 0; b < whole; ++b) sum += block_sum[static_cast<std::size_t>(start())];
    if (rest > 0) sum += x.segment(start(), rest).sum();
    means[static_cast<std::size_t>(r)] = sum / static_cast<double>(n);
  }
  std::sort(means.begin(), means.end());
  const auto at = [&](double q) {  // numpy's linear percentile
    const QuantilePosition p = quantile_position(q, replicates);
    const double below = means[static_cast<std::size_t>(p.lo)];
    return interpolate_quantile(p, below, p.fraction > 0.0 ? means[static_cast<std::size_t>(p.lo) + 1] : below);
  };
  return {at(0.5 * (1.0 - level)), at(0.5 * (1.0 + level))};
}

}  // namespace arabica
