#include "arabica/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "arabica/error.hpp"
#include "mc/path_moments.hpp"

namespace arabica {

namespace {

constexpr double kLog2Pi = 1.83787706640934548356;  // log(2 pi)

// Loader's (2000) saddle-point pieces for binomial probabilities, which keep
// full relative accuracy where log C(n, k) from lgamma would lose ~log10(n)
// digits to cancellation.

// stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n / e)^n) for integer n >= 1.
double stirlerr(double n) {
  if (n <= 15.0) {
    // n! is exact in a double here; the difference loses < 1e-13 absolute.
    double factorial = 1.0;
    for (double i = 2.0; i <= n; ++i) factorial *= i;
    return std::log(factorial) - (n + 0.5) * std::log(n) + n - 0.5 * kLog2Pi;
  }
  constexpr double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
                   s4 = 1.0 / 1188;
  const double nn = n * n;
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// bd0(x, np) = x log(x / np) + np - x, by its series near x = np where the
// direct form cancels.
double bd0(double x, double np) {
  if (std::abs(x - np) < 0.1 * (x + np)) {
    double v = (x - np) / (x + np);
    double sum = (x - np) * v, term = 2.0 * x * v;
    v *= v;
    for (int j = 1; j < 1000; ++j) {
      term *= v;
      const double next = sum + term / (2 * j + 1);
      if (next == sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * std::log(x / np) + np - x;
}

// P(X = k) for X ~ Binomial(n, 1/2).
double binomial_pmf_half(double k, double n) {
  // 2^-n, which underflows to 0 long before n overflows an int exponent.
  if (k == 0.0 || k == n) return n > 1100.0 ? 0.0 : std::ldexp(1.0, -static_cast<int>(n));
  const double half = 0.5 * n;
  const double lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, half) - bd0(n - k, half);
  const double lf = kLog2Pi + std::log(k) + std::log1p(-k / n);
  return std::exp(lc - 0.5 * lf);
}

// P(X >= k) for 2k > n: decreasing terms from the first, summed until the
// rest cannot change the total.
double upper_tail_half(std::int64_t k, std::int64_t n) {
  if (k > n) return 0.0;
  double term = binomial_pmf_half(static_cast<double>(k), static_cast<double>(n));
  double sum = 0.0;
  for (std::int64_t j = k; j <= n && term > 1e-17 * sum; ++j) {
    sum += term;
    term *= static_cast<double>(n - j) / static_cast<double>(j + 1);
  }
  return sum;
}

void require_same_length(const Eigen::VectorXd& a, const Eigen::VectorXd& b, const char* what) {
  ARABICA_REQUIRE(a.size() == b.size(), std::string(what) + ": inputs differ in length (" +
                                            std::to_string(a.size()) + " vs " +
                                            std::to_string(b.size()) + ")");
}

void require_finite(const Eigen::VectorXd& v, const char* what) {
  ARABICA_REQUIRE(v.allFinite(), std::string(what) + ": non-finite value");
}

// The checks every paired metric shares.
void require_pair(const Eigen::VectorXd& forecast, const Eigen::VectorXd& actual,
                  const char* what) {
  require_same_length(forecast, actual, what);
  require_finite(forecast, what);
  require_finite(actual, what);
}

// v restricted to the positions in `keep`.
Eigen::VectorXd select(const Eigen::VectorXd& v, const std::vector<Eigen::Index>& keep) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(keep.size()));
  for (std::size_t i = 0; i < keep.size(); ++i) out[static_cast<Eigen::Index>(i)] = v[keep[i]];
  return out;
}

}  // namespace

double binomial_p_value(std::int64_t hits, std::int64_t n) {
  ARABICA_REQUIRE(n >= 1, "binomial test needs at least one trial");
  ARABICA_REQUIRE(hits >= 0 && hits <= n, "binomial test: hits outside 0..n");
  // Sum the short side so the result never comes from 1 - (almost 1): by
  // symmetry P(X >= k) = 1 - P(X >= n - k + 1), and the latter is <= 1/2.
  if (2 * hits > n) return upper_tail_half(hits, n);
  return 1.0 - upper_tail_half(n - hits + 1, n);
}

int direction_outcome(double forecast, double actual, double cutoff_price) {
  const double predicted = forecast - cutoff_price;
  const double realised = actual - cutoff_price;
  if (std::abs(predicted) <= kForecastMoveRounding * std::abs(cutoff_price) || realised == 0.0) return -1;
  return (predicted > 0.0) == (realised > 0.0) ? 1 : 0;
}

DirectionalAccuracy directional_accuracy(const Eigen::VectorXd& forecast_mean,
                                         const Eigen::VectorXd& actual,
                                         const Eigen::VectorXd& cutoff_price) {
  require_pair(forecast_mean, actual, "directional_accuracy");
  require_same_length(actual, cutoff_price, "directional_accuracy");
  require_finite(cutoff_price, "directional_accuracy");
  DirectionalAccuracy out;
  for (Eigen::Index i = 0; i < actual.size(); ++i) {
    const int outcome = direction_outcome(forecast_mean[i], actual[i], cutoff_price[i]);
    if (outcome < 0) {
      ++out.ties;
      continue;
    }
    ++out.n;
    out.hits += outcome;
  }
  if (out.n > 0) {
    out.accuracy = static_cast<double>(out.hits) / static_cast<double>(out.n);
    out.p_value = binomial_p_value(out.hits, out.n);
  }
  return out;
}

double rmse(const Eigen::VectorXd& forecast, const Eigen::VectorXd& actual) {
  require_pair(forecast, actual, "rmse");
  if (actual.size() == 0) return kNoMetric;
  return std::sqrt((forecast - actual).squaredNorm() / static_cast<double>(actual.size()));
}

double mae(const Eigen::VectorXd& forecast, const Eigen::VectorXd& actual) {
  require_pair(forecast, actual, "mae");
  if (actual.size() == 0) return kNoMetric;
  return (forecast - actual).cwiseAbs().mean();
}

double mape(const Eigen::VectorXd& forecast, const Eigen::VectorXd& actual) {
  require_pair(forecast, actual, "mape");
  ARABICA_REQUIRE((actual.array() != 0.0).all(), "mape: zero actual");
  if (actual.size() == 0) return kNoMetric;
  return 100.0 * ((forecast - actual).array() / actual.array()).abs().mean();
}

double interval_coverage(const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                         const Eigen::VectorXd& actual) {
  require_pair(lower, actual, "interval_coverage");
  require_pair(upper, actual, "interval_coverage");
  ARABICA_REQUIRE((lower.array() <= upper.array()).all(), "interval_coverage: lower > upper");
  if (actual.size() == 0) return kNoMetric;
  const auto inside = (actual.array() >= lower.array() && actual.array() <= upper.array());
  return static_cast<double>(inside.count()) / static_cast<double>(actual.size());
}

BrierScore brier_score(const Eigen::VectorXd& p_up, const Eigen::VectorXd& actual,
                       const Eigen::VectorXd& cutoff_price) {
  require_pair(p_up, actual, "brier_score");
  require_same_length(actual, cutoff_price, "brier_score");
  require_finite(cutoff_price, "brier_score");
  ARABICA_REQUIRE((p_up.array() >= 0.0 && p_up.array() <= 1.0).all(),
                  "brier_score: p_up outside [0, 1]");
  BrierScore out;
  double sum = 0.0;
  for (Eigen::Index i = 0; i < actual.size(); ++i) {
    if (actual[i] == cutoff_price[i]) {
      ++out.ties;
      continue;
    }
    const double error = p_up[i] - (actual[i] > cutoff_price[i] ? 1.0 : 0.0);
    sum += error * error;
    ++out.n;
  }
  if (out.n > 0) out.score = sum / static_cast<double>(out.n);
  return out;
}

double crps_sample(std::vector<float> samples, double actual) {
  ARABICA_REQUIRE(!samples.empty(), "crps_sample: no samples");
  ARABICA_REQUIRE(std::isfinite(actual), "crps_sample: non-finite actual");
  ARABICA_REQUIRE(std::all_of(samples.begin(), samples.end(), [](float x) { return std::isfinite(x); }),
                  "crps_sample: non-finite sample");
  std::sort(samples.begin(), samples.end());
  // The energy form's value without its cancellation: see crps_gap_term.
  const auto m = static_cast<std::int64_t>(samples.size());
  double sum = 0.0;
  for (std::int64_t k = 0; k < m; ++k) sum += crps_gap_term(samples.data(), m, k, actual);
  return sum / (static_cast<double>(m) * static_cast<double>(m));
}

double crps_gaussian(double mu, double sigma, double actual) {
  ARABICA_REQUIRE(std::isfinite(mu) && std::isfinite(actual), "crps_gaussian: non-finite input");
  ARABICA_REQUIRE(std::isfinite(sigma) && sigma >= 0.0, "crps_gaussian: sigma must be >= 0");
  if (sigma == 0.0) return std::abs(actual - mu);
  // Gneiting & Raftery (2007): sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)).
  constexpr double inv_sqrt_2 = 0.70710678118654752440, inv_sqrt_pi = 0.56418958354775628695,
                   inv_sqrt_2pi = 0.39894228040143267794;
  const double z = (actual - mu) / sigma;
  const double pdf = inv_sqrt_2pi * std::exp(-0.5 * z * z);
  return sigma * (z * std::erf(z * inv_sqrt_2) + 2.0 * pdf - inv_sqrt_pi);
}

double pit_coverage(const Eigen::VectorXd& pit, double level) {
  ARABICA_REQUIRE(level > 0.0 && level < 1.0, "pit_coverage: level must lie in (0, 1)");
  if (pit.size() == 0) return kNoMetric;
  require_finite(pit, "pit_coverage");
  // Ends widened by 1e-12: 0.5 * (1 - 0.95) rounds above 0.025, which is a
  // PIT on the interval's end (a PIT is a count over 2 n).
  const double lo = 0.5 * (1.0 - level) - 1e-12, hi = 0.5 * (1.0 + level) + 1e-12;
  return static_cast<double>((pit.array() >= lo && pit.array() <= hi).count()) /
         static_cast<double>(pit.size());
}

double pit_ks_distance(Eigen::VectorXd pit) {
  if (pit.size() == 0) return kNoMetric;
  require_finite(pit, "pit_ks_distance");
  ARABICA_REQUIRE((pit.array() >= 0.0 && pit.array() <= 1.0).all(),
                  "pit_ks_distance: PIT values must lie in [0, 1]");
  std::sort(pit.data(), pit.data() + pit.size());
  const double n = static_cast<double>(pit.size());
  double distance = 0.0;
  for (Eigen::Index i = 0; i < pit.size(); ++i)
    distance = std::max({distance, static_cast<double>(i + 1) / n - pit[i],
                         pit[i] - static_cast<double>(i) / n});
  return distance;
}

double pinball_loss(const Eigen::MatrixXd& quantiles, const Eigen::VectorXd& actual) {
  ARABICA_REQUIRE(quantiles.rows() == actual.size() &&
                      quantiles.cols() == static_cast<Eigen::Index>(kQuantileLevels.size()),
                  "pinball_loss: quantiles must be forecasts x kQuantileLevels");
  if (actual.size() == 0) return kNoMetric;
  require_finite(actual, "pinball_loss");
  ARABICA_REQUIRE(quantiles.allFinite(), "pinball_loss: non-finite quantile");
  double sum = 0.0;
  for (Eigen::Index i = 0; i < quantiles.rows(); ++i)
    for (Eigen::Index q = 0; q < quantiles.cols(); ++q) {
      const double level = kQuantileLevels[static_cast<std::size_t>(q)];
      const double gap = actual[i] - quantiles(i, q);
      sum += gap >= 0.0 ? level * gap : (level - 1.0) * gap;
    }
  return sum / static_cast<double>(quantiles.size());
}

double winkler_score(const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                     const Eigen::VectorXd& actual, double level) {
  ARABICA_REQUIRE(level > 0.0 && level < 1.0, "winkler_score: level must lie in (0, 1)");
  require_same_length(lower, actual, "winkler_score");
  require_same_length(upper, actual, "winkler_score");
  if (actual.size() == 0) return kNoMetric;
  for (const Eigen::VectorXd* v : {&lower, &upper, &actual}) require_finite(*v, "winkler_score");
  const double penalty = 2.0 / (1.0 - level);
  double sum = 0.0;
  for (Eigen::Index i = 0; i < actual.size(); ++i) {
    ARABICA_REQUIRE(lower[i] <= upper[i], "winkler_score: lower above upper");
    sum += upper[i] - lower[i] + penalty * (std::max(lower[i] - actual[i], 0.0) +
                                            std::max(actual[i] - upper[i], 0.0));
  }
  return sum / static_cast<double>(actual.size());
}

namespace {

// x log(y) with 0 log 0 = 0: the likelihoods' terms of an empty cell.
double xlogy(double x, double y) { return x == 0.0 ? 0.0 : x * std::log(y); }

// P(X > x) for X ~ chi-square(1): P(|Z| > sqrt(x)).
double chi_square_1_sf(double x) { return std::erfc(std::sqrt(std::max(x, 0.0) / 2.0)); }

}  // namespace

VarBacktest var_backtest(const Eigen::VectorXd& var_price, const Eigen::VectorXd& actual, double level) {
  ARABICA_REQUIRE(level > 0.0 && level < 1.0, "var_backtest: level must lie in (0, 1)");
  require_same_length(var_price, actual, "var_backtest");
  VarBacktest out;
  out.n = actual.size();
  if (out.n == 0) return out;
  require_finite(var_price, "var_backtest");
  require_finite(actual, "var_backtest");
  // Exceedances and the transitions between consecutive ones (n_ij: i then j).
  double n_ij[2][2] = {{0.0, 0.0}, {0.0, 0.0}};
  int previous = -1;
  for (Eigen::Index i = 0; i < actual.size(); ++i) {
    const int exceeded = actual[i] < var_price[i] ? 1 : 0;
    out.exceedances += exceeded;
    if (previous >= 0) n_ij[previous][exceeded] += 1.0;
    previous = exceeded;
  }
  const double n = static_cast<double>(out.n), x = static_cast<double>(out.exceedances);
  const double p = 1.0 - level, rate = x / n;
  out.exceedance_rate = rate;
  // Kupiec: log L(p) against log L(x / n) of the exceedance count.
  const double kupiec = -2.0 * (xlogy(n - x, 1.0 - p) + xlogy(x, p) - xlogy(n - x, 1.0 - rate) - xlogy(x, rate));
  out.kupiec_p = chi_square_1_sf(kupiec);
  // Christoffersen: one rate after a non-exceedance (pi0) and one after an
  // exceedance (pi1), against a single rate pi.
  const double n0 = n_ij[0][0] + n_ij[0][1], n1 = n_ij[1][0] + n_ij[1][1];
  if (n0 + n1 > 0.0) {
    const double pi = (n_ij[0][1] + n_ij[1][1]) / (n0 + n1);
    const double pi0 = n0 > 0.0 ? n_ij[0][1] / n0 : 0.0, pi1 = n1 > 0.0 ? n_ij[1][1] / n1 : 0.0;
    const double restricted = xlogy(n_ij[0][0] + n_ij[1][0], 1.0 - pi) + xlogy(n_ij[0][1] + n_ij[1][1], pi);
    const double free = xlogy(n_ij[0][0], 1.0 - pi0) + xlogy(n_ij[0][1], pi0) + xlogy(n_ij[1][0], 1.0 - pi1) +
                        xlogy(n_ij[1][1], pi1);
    out.christoffersen_p = chi_square_1_sf(-2.0 * (restricted - free));
  }
  return out;
}

MetricSummary summarize(const FoldRecords& folds) {
  const Eigen::VectorXd& actual = folds.actual;
  for (const Eigen::VectorXd* v : {&folds.forecast_mean, &folds.lower_95, &folds.upper_95,
                                   &folds.cutoff_price})
    require_same_length(*v, actual, "summarize");
  for (const Eigen::VectorXd* v : {&folds.p_up, &folds.crps, &folds.pit, &folds.forecast_median})
    if (v->size() != 0) require_same_length(*v, actual, "summarize (optional input)");

  MetricSummary out;
  out.folds = actual.size();
  std::vector<Eigen::Index> scored;
  for (Eigen::Index i = 0; i < actual.size(); ++i)
    if (!std::isnan(actual[i])) scored.push_back(i);
  out.n = static_cast<std::int64_t>(scored.size());
  out.missing = out.folds - out.n;

  const Eigen::VectorXd mean = select(folds.forecast_mean, scored);
  const Eigen::VectorXd lower = select(folds.lower_95, scored);
  const Eigen::VectorXd upper = select(folds.upper_95, scored);
  const Eigen::VectorXd truth = select(actual, scored);
  const Eigen::VectorXd cutoff = select(folds.cutoff_price, scored);
  out.direction = directional_accuracy(
      folds.forecast_median.size() != 0 ? select(folds.forecast_median, scored) : mean, truth, cutoff);
  out.rmse = rmse(mean, truth);
  out.mae = mae(mean, truth);
  out.mape = mape(mean, truth);
  out.coverage_95 = interval_coverage(lower, upper, truth);
  if (folds.p_up.size() != 0) out.brier = brier_score(select(folds.p_up, scored), truth, cutoff);
  if (folds.crps.size() != 0 && out.n > 0) {
    const Eigen::VectorXd crps = select(folds.crps, scored);
    require_finite(crps, "summarize: crps");
    out.crps = crps.mean();
  }
  if (folds.pit.size() != 0 && out.n > 0) {
    const Eigen::VectorXd pit = select(folds.pit, scored);
    for (std::size_t i = 0; i < kPathCoverageLevels.size(); ++i)
      out.path_coverage[i] = pit_coverage(pit, kPathCoverageLevels[i]);
    out.pit_ks = pit_ks_distance(pit);
  }
  if (folds.quantiles.rows() != 0 && out.n > 0) {
    ARABICA_REQUIRE(folds.quantiles.rows() == actual.size(), "summarize: quantiles of other folds");
    if (folds.score_scale.size() != 0) require_same_length(folds.score_scale, actual, "summarize (score_scale)");
    Eigen::MatrixXd quantiles(out.n, folds.quantiles.cols());
    Eigen::VectorXd scaled_truth = truth;
    for (Eigen::Index i = 0; i < out.n; ++i) {
      const Eigen::Index at = scored[static_cast<std::size_t>(i)];
      const double scale = folds.score_scale.size() != 0 ? folds.score_scale[at] : 1.0;
      quantiles.row(i) = folds.quantiles.row(at) / scale;
      scaled_truth[i] /= scale;
    }
    out.pinball = pinball_loss(quantiles, scaled_truth);
    const auto column = [&](double level) {
      const int q = quantile_index(level);
      ARABICA_REQUIRE(q >= 0, "summarize: a level outside kQuantileLevels");
      return Eigen::VectorXd(quantiles.col(q));
    };
    out.winkler_95 = winkler_score(column(0.025), column(0.975), scaled_truth, 0.95);
    out.winkler_80 = winkler_score(column(0.10), column(0.90), scaled_truth, 0.80);
    out.var_95 = var_backtest(column(0.05), scaled_truth, 0.95);
    out.var_99 = var_backtest(column(0.01), scaled_truth, 0.99);
  }
  return out;
}

}  // namespace arabica
