// Tests that respect overlapping forecasts. Walk-forward forecasts whose
// horizons overlap share realised shocks, so their hits and losses are
// autocorrelated and a plain binomial or t test overstates significance:
// these use a Newey-West long-run variance or a moving-block bootstrap.
#pragma once

#include <cstdint>

#include <Eigen/Core>

namespace arabica {

/// Newey-West (Bartlett kernel) variance of the mean of x: (1/n) times
/// gamma_0 + 2 sum_{j=1..lags} (1 - j / (lags + 1)) gamma_j, gamma_j =
/// (1/n) sum_t (x_t - m)(x_{t-j} - m): statsmodels' OLS of x on a constant
/// with cov_type="HAC", maxlags=lags, use_correction=False. n >= 2, lags >= 0.
double newey_west_variance_of_mean(const Eigen::VectorXd& x, int lags);

struct TestResult {
  double statistic = 0.0;
  double p_value = 0.0;
};

/// Directional hits (1 hit, 0 miss, in time order) against coin-flipping:
/// z = (mean - 1/2) / sqrt(newey_west_variance_of_mean), one-sided normal
/// p-value P(Z >= z). With lags = 0 it is the binomial test's normal
/// approximation with the sample variance.
TestResult hac_direction_test(const Eigen::VectorXd& hits, int lags);

/// Diebold-Mariano test of equal accuracy from loss differences d_t =
/// loss(model) - loss(reference) in time order, with the Harvey, Leybourne
/// and Newbold (1997) small-sample correction for a horizon of lags + 1:
/// DM = mean(d) / sqrt(newey_west_variance_of_mean(d, lags)) times
/// sqrt((n + 1 - 2 h + h (h - 1) / n) / n), two-sided p-value from Student's
/// t with n - 1 degrees of freedom. Negative: the model's losses are lower.
/// A constant d (zero long-run variance) gives p = 1 when d = 0, else 0.
TestResult diebold_mariano(const Eigen::VectorXd& loss_differences, int lags);

/// Percentile interval of mean(x) from the moving-block bootstrap (Kunsch
/// 1989): each replicate joins ceil(n / block) blocks of `block`
/// consecutive values, starting at uniform positions 0..n - block, cut to
/// n values. Deterministic for a seed (Philox streams). 1 <= block <= n.
struct BootstrapInterval {
  double low = 0.0, high = 0.0;
};
BootstrapInterval moving_block_bootstrap(const Eigen::VectorXd& x, int block, int replicates,
                                         std::uint64_t seed, double level = 0.95);

}  // namespace arabica
