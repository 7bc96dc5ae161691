#include "arabica/innovation_estimation.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "arabica/error.hpp"
#include "model/lbfgs.hpp"

namespace arabica {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMinNu = 2.1, kMaxNu = 100.0;
constexpr double kMaxSlant = 50.0;       // |alpha| cap: skewness is flat beyond it
constexpr double kMaxSkewNormalSkew = 0.995;
constexpr std::size_t kMinResiduals = 10;

// Finite residuals, standardised to mean 0 and variance 1 (divisor n).
Eigen::VectorXd standardized(const Eigen::VectorXd& residuals) {
  std::vector<double> finite;
  finite.reserve(static_cast<std::size_t>(residuals.size()));
  for (double r : residuals)
    if (std::isfinite(r)) finite.push_back(r);
  if (finite.size() < kMinResiduals)
    throw NumericalError("innovation estimation needs at least " + std::to_string(kMinResiduals) +
                         " finite residuals (got " + std::to_string(finite.size()) + ")");
  const Eigen::Map<const Eigen::VectorXd> r(finite.data(), static_cast<Eigen::Index>(finite.size()));
  const double mean = r.mean();
  const double sd = std::sqrt((r.array() - mean).square().mean());
  if (!(sd > 0.0) || !std::isfinite(sd))
    throw NumericalError("innovation estimation: residuals are constant");
  return (r.array() - mean) / sd;
}

struct ShapeMoments {
  double skewness, excess_kurtosis;  // biased (scipy's defaults)
};

ShapeMoments shape_moments(const Eigen::VectorXd& z) {
  return {z.array().cube().mean(), z.array().square().square().mean() - 3.0};
}

double mean_log_pdf(const InnovationParams& p, const Eigen::VectorXd& z) {
  double sum = 0.0;
  for (double x : z) sum += std::log(std::max(innovation_pdf(p, x), 1e-300));
  return sum / static_cast<double>(z.size());
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logit(double p) { return std::log(p / (1.0 - p)); }

// nu in (kMinNu, kMaxNu) from an unconstrained coordinate, and back.
double nu_from(double u) { return kMinNu + (kMaxNu - kMinNu) * logistic(u); }
double nu_to(double nu) {
  return logit(std::clamp((nu - kMinNu) / (kMaxNu - kMinNu), 1e-6, 1.0 - 1e-6));
}

// nu = 4 + 6 / excess kurtosis inverts the t's kurtosis; clipped, and at the
// upper end when the tails are not heavier than normal.
double nu_from_kurtosis(double excess_kurtosis) {
  if (excess_kurtosis <= 6.0 / (kMaxNu - 4.0)) return kMaxNu;
  return std::clamp(4.0 + 6.0 / excess_kurtosis, kMinNu, kMaxNu);
}

// Skew-normal alpha whose skewness is `skewness`: with m = delta sqrt(2/pi),
// skewness = (4 - pi)/2 * m^3 / (1 - m^2)^(3/2), so m / sqrt(1 - m^2) = c
// with c = (2 |skewness| / (4 - pi))^(1/3).
double skew_normal_alpha(double skewness) {
  const double s = std::min(std::abs(skewness), kMaxSkewNormalSkew);
  const double c = std::cbrt(2.0 * s / (4.0 - kPi));
  const double delta = c / std::sqrt(1.0 + c * c) / std::sqrt(2.0 / kPi);
  const double alpha = delta / std::sqrt(1.0 - delta * delta);
  return std::copysign(std::min(alpha, kMaxSlant), skewness);
}

// Maximises a likelihood over unconstrained coordinates with L-BFGS and
// central-difference gradients.
Eigen::VectorXd maximize(const std::function<double(const Eigen::VectorXd&)>& log_likelihood,
                         Eigen::VectorXd start) {
  const auto negative = [&](const Eigen::VectorXd& x) { return -log_likelihood(x); };
  const Objective objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd* gradient) {
    if (gradient != nullptr) *gradient = central_gradient(negative, x);
    return negative(x);
  };
  LbfgsOptions options;
  options.max_iterations = 200;
  options.gradient_tolerance = 1e-6;
  return minimize_lbfgs(objective, std::move(start), options).x;
}

InnovationParams estimate_student_t(const Eigen::VectorXd& z) {
  // Golden-section search on u = log(nu - 2): the profile likelihood in nu
  // is unimodal and one-dimensional, so this is robust and cheap.
  const auto log_likelihood = [&z](double u) {
    return mean_log_pdf(make_student_t(2.0 + std::exp(u)), z);
  };
  const double ratio = 0.5 * (std::sqrt(5.0) - 1.0);
  double lo = std::log(kMinNu - 2.0), hi = std::log(kMaxNu - 2.0);
  double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo);
  double fa = log_likelihood(a), fb = log_likelihood(b);
  while (hi - lo > 1e-4) {
    if (fa >= fb) {
      hi = b, b = a, fb = fa;
      a = hi - ratio * (hi - lo);
      fa = log_likelihood(a);
    } else {
      lo = a, a = b, fa = fb;
      b = lo + ratio * (hi - lo);
      fb = log_likelihood(b);
    }
  }
  return make_student_t(2.0 + std::exp(0.5 * (lo + hi)));
}

InnovationParams estimate_skew_t(const Eigen::VectorXd& z) {
  const ShapeMoments m = shape_moments(z);
  // Coordinates: alpha = kMaxSlant tanh(x0 / kMaxSlant), nu = nu_from(x1).
  const auto params_at = [](const Eigen::VectorXd& x) {
    return make_skew_t(kMaxSlant * std::tanh(x[0] / kMaxSlant), nu_from(x[1]));
  };
  Eigen::VectorXd start(2);
  start << kMaxSlant * std::atanh(skew_normal_alpha(m.skewness) / kMaxSlant * 0.999),
      nu_to(nu_from_kurtosis(m.excess_kurtosis));
  const Eigen::VectorXd best =
      maximize([&](const Eigen::VectorXd& x) { return mean_log_pdf(params_at(x), z); }, start);
  return params_at(best);
}

InnovationParams estimate_mixture(const Eigen::VectorXd& z, double weight) {
  // Kurtosis K = 3 (1 - w + w s^2) / (1 - w + w s)^2 with s = k^2 gives
  // w (3 - K w) s^2 - 2 K w (1 - w) s + (1 - w)(3 - K (1 - w)) = 0, whose
  // larger root is the one with s >= 1 when 3 <= K < 3 / w.
  constexpr double kMaxScale = 10.0;
  const double w = weight, kurtosis = 3.0 + shape_moments(z).excess_kurtosis;
  ARABICA_REQUIRE(w > 0.0 && w < 1.0, "mixture_weight must be in (0, 1)");
  double scale = 1.0;
  const double a = w * (3.0 - kurtosis * w);
  if (kurtosis > 3.0 && a <= 0.0) {
    scale = kMaxScale;  // beyond the kurtosis any scale can reach at this weight
  } else if (kurtosis > 3.0) {
    const double b = -2.0 * kurtosis * w * (1.0 - w);
    const double c = (1.0 - w) * (3.0 - kurtosis * (1.0 - w));
    scale = std::sqrt((-b + std::sqrt(b * b - 4.0 * a * c)) / (2.0 * a));
  }
  return make_mixture(w, std::clamp(scale, 1.0, kMaxScale));
}

InnovationParams estimate_nig(const Eigen::VectorXd& z) {
  // With delta = 1, zeta = gamma and rho = beta / alpha:
  // skewness = 3 rho / sqrt(zeta), excess kurtosis = 3 (1 + 4 rho^2) / zeta,
  // so zeta = 3 / (kurtosis - 4 skewness^2 / 3) and rho = skewness sqrt(zeta) / 3.
  constexpr double kMaxZeta = 100.0, kMaxRho = 0.99;
  const ShapeMoments m = shape_moments(z);
  const double excess_over_skew = m.excess_kurtosis - 4.0 * m.skewness * m.skewness / 3.0;
  const double zeta = excess_over_skew > 3.0 / kMaxZeta ? 3.0 / excess_over_skew : kMaxZeta;
  const double rho = std::clamp(m.skewness * std::sqrt(zeta) / 3.0, -kMaxRho, kMaxRho);
  const double alpha = zeta / std::sqrt(1.0 - rho * rho);
  return make_nig(alpha, rho * alpha);
}

InnovationParams estimate_jumps(const Eigen::VectorXd& z) {
  constexpr double kMaxRate = 10.0;
  // Start: robust diffusion scale (MAD), and values beyond 4 of those taken
  // as jumps; then maximum likelihood over (rate, mean, sd).
  std::vector<double> values(z.data(), z.data() + z.size());
  const auto median_of = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const double median = median_of(values);
  std::vector<double> deviations(values.size());
  std::transform(values.begin(), values.end(), deviations.begin(),
                 [median](double v) { return std::abs(v - median); });
  double diffusion_sd = 1.4826 * median_of(deviations);
  if (!(diffusion_sd > 0.0)) diffusion_sd = 1.0;  // over half the values tie
  double jump_sum = 0.0, jump_sum_sq = 0.0;
  int jumps = 0;
  for (double v : values) {
    const double d = (v - median) / diffusion_sd;
    if (std::abs(d) > 4.0) ++jumps, jump_sum += d, jump_sum_sq += d * d;
  }
  const double n = static_cast<double>(values.size());
  const double rate0 = std::clamp(jumps / n, 1.0 / n, 0.5);
  const double mean0 = jumps > 0 ? jump_sum / jumps : 0.0;
  const double sd0 = jumps > 1 ? std::sqrt(std::max(jump_sum_sq / jumps - mean0 * mean0, 0.25)) : 1.0;

  // Coordinates: rate = kMaxRate logistic(x0), mean = x1, sd = exp(x2).
  const auto params_at = [](const Eigen::VectorXd& x) {
    return make_jumps(kMaxRate * logistic(x[0]), x[1], std::exp(x[2]));
  };
  Eigen::VectorXd start(3);
  start << logit(rate0 / kMaxRate), mean0, std::log(sd0);
  // A step of the search may leave the parameters' range (exp overflows):
  // no likelihood there. A few residuals may have no finite maximum at all
  // (the jump sd diverges): the estimate fails, as a fit does.
  const auto valid = [](const Eigen::VectorXd& x) { return x.allFinite() && std::isfinite(std::exp(x[2])); };
  const Eigen::VectorXd best = maximize(
      [&](const Eigen::VectorXd& x) {
        return valid(x) ? mean_log_pdf(params_at(x), z) : -std::numeric_limits<double>::infinity();
      },
      start);
  if (!valid(best))
    throw Error("jumps: the likelihood of these " + std::to_string(z.size()) +
                " residuals has no finite maximum (the jump sd diverges)");
  return params_at(best);
}

}  // namespace

std::vector<float> standardize_residuals(const Eigen::VectorXd& residuals) {
  const Eigen::VectorXd z = standardized(residuals);
  return std::vector<float>(z.data(), z.data() + z.size());
}

Innovations estimate_innovations(InnovationKind kind, const Eigen::VectorXd& residuals,
                                 const EstimateOptions& options) {
  // Normal innovations have no shape to estimate: any residuals will do,
  // those of a window too short to estimate a shape from included.
  if (kind == InnovationKind::normal) return Innovations(make_normal());
  const Eigen::VectorXd z = standardized(residuals);
  switch (kind) {
    case InnovationKind::normal:
      break;  // returned above, before the residuals are standardised
    case InnovationKind::student_t:
      return Innovations(estimate_student_t(z));
    case InnovationKind::skew_normal:
      return Innovations(make_skew_normal(skew_normal_alpha(shape_moments(z).skewness)));
    case InnovationKind::skew_t:
      return Innovations(estimate_skew_t(z));
    case InnovationKind::mixture:
      return Innovations(estimate_mixture(z, options.mixture_weight));
    case InnovationKind::nig:
      return Innovations(estimate_nig(z));
    case InnovationKind::jumps:
      return Innovations(estimate_jumps(z));
    case InnovationKind::bootstrap: {
      const std::vector<float> values(z.data(), z.data() + z.size());
      return Innovations(make_bootstrap(values.data(), values.size()));  // copies them
    }
  }
  ARABICA_REQUIRE(false, "estimate_innovations: unknown InnovationKind");
  return Innovations();
}

const char* regime_name(Regime regime) {
  switch (regime) {
    case Regime::normal: return "normal";
    case Regime::volatile_: return "volatile";
    case Regime::crisis: return "crisis";
    case Regime::boom: return "boom";
  }
  ARABICA_REQUIRE(false, "unknown Regime");
  return "";
}

Regime classify_regime(const Eigen::VectorXd& prices, const RegimeOptions& options) {
  ARABICA_REQUIRE(options.lookback >= 2, "classify_regime: lookback must be >= 2");
  ARABICA_REQUIRE(options.volatile_ratio > 0.0 && options.extreme_ratio >= options.volatile_ratio,
                  "classify_regime: need 0 < volatile_ratio <= extreme_ratio");
  ARABICA_REQUIRE(prices.size() >= options.lookback + 2,
                  "classify_regime: need at least lookback + 2 prices (got " +
                      std::to_string(prices.size()) + ")");
  ARABICA_REQUIRE((prices.array() > 0.0).all() && prices.allFinite(),
                  "classify_regime: prices must be positive and finite");
  const Eigen::Index n = prices.size() - 1;
  const Eigen::VectorXd returns =
      prices.tail(n).array() / prices.head(n).array() - 1.0;
  const auto sample_sd = [](const Eigen::VectorXd& x) {
    return std::sqrt((x.array() - x.mean()).square().sum() / static_cast<double>(x.size() - 1));
  };
  const Eigen::VectorXd recent = returns.tail(options.lookback);
  const double recent_vol = sample_sd(recent), historical_vol = sample_sd(returns);
  if (recent_vol > options.extreme_ratio * historical_vol)
    return recent.mean() > 0.0 ? Regime::boom : Regime::crisis;
  if (recent_vol > options.volatile_ratio * historical_vol) return Regime::volatile_;
  return Regime::normal;
}

InnovationParams regime_skew_params(Regime regime) {
  switch (regime) {
    case Regime::normal: return make_skew_normal(0.0);
    case Regime::volatile_: return make_skew_normal(0.3);
    case Regime::crisis: return make_skew_normal(-0.5);
    case Regime::boom: return make_skew_normal(0.8);
  }
  ARABICA_REQUIRE(false, "unknown Regime");
  return {};
}

std::string innovation_cost_note(const std::string& setting) {
  if (setting == "student_t")
    return "nu fitted by maximum likelihood at every fold, paths drawn by a rejection sampler "
           "(innovations about 3x as costly as normal's)";
  if (setting == "skew_t")
    return "(alpha, nu) fitted by maximum likelihood at every fold, each likelihood a Student-t "
           "CDF per residual: the slowest family (innovations 8-30x as costly as normal's, measured)";
  if (setting == "jumps") return "(rate, mean, sd) fitted by maximum likelihood at every fold";
  return "";
}

Innovations choose_innovations(const std::string& setting, const Eigen::VectorXd& residuals,
                               const Eigen::VectorXd& prices, const std::string& field) {
  if (setting == "regime") {
    const RegimeOptions regime;
    if (prices.size() < regime.lookback + 2)
      throw InputError(field, "regime compares the last " + std::to_string(regime.lookback) +
                                  " returns with the whole window's: it needs at least " +
                                  std::to_string(regime.lookback + 2) + " prices, got " +
                                  std::to_string(prices.size()));
    return Innovations(regime_skew_params(classify_regime(prices, regime)));
  }
  const std::optional<InnovationKind> kind = parse_innovation_kind(setting);
  if (!kind)
    throw InputError(field, "unknown family '" + setting +
                                "' (normal, student_t, skew_normal, skew_t, mixture, nig, jumps, "
                                "bootstrap, regime)");
  if (*kind != InnovationKind::normal) {
    // Too few residuals is the training window's size, which the user
    // chose: an input error naming the setting, not a numerical failure.
    const auto finite = static_cast<std::size_t>(residuals.array().isFinite().count());
    if (finite < kMinResiduals)
      throw InputError(field, setting + " estimates its shape from the fit's residuals: it needs at least " +
                                  std::to_string(kMinResiduals) + " finite residuals, got " +
                                  std::to_string(finite) + " (a longer training window or series)");
  }
  return estimate_innovations(*kind, residuals);
}

}  // namespace arabica
