#include "arabica/innovations.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>

#include "arabica/error.hpp"
#include "mc/standardization.hpp"

namespace arabica {

static_assert(std::is_trivially_copyable_v<InnovationParams>,
              "InnovationParams is copied to the device as raw bytes");

namespace {

constexpr double kPi = 3.14159265358979323846;

constexpr struct {
  InnovationKind kind;
  const char* name;
} kKindNames[] = {
    {InnovationKind::normal, "normal"},   {InnovationKind::student_t, "student_t"},
    {InnovationKind::skew_normal, "skew_normal"}, {InnovationKind::skew_t, "skew_t"},
    {InnovationKind::mixture, "mixture"}, {InnovationKind::nig, "nig"},
    {InnovationKind::jumps, "jumps"},     {InnovationKind::bootstrap, "bootstrap"},
};

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// "<family>: <field> must be <rule> (got <value>)"
std::string bad_field(const char* family, const char* field, const char* rule, double value) {
  return std::string(family) + ": " + field + " must be " + rule + " (got " + number(value) + ")";
}

double slant_delta(double alpha) { return alpha / std::sqrt(1.0 + alpha * alpha); }

// Stores the rounded standardising constants of the sampler's raw draw,
// which is the textbook variable divided by `raw_unit`.
void set_standardization(InnovationParams& p, double raw_unit = 1.0) {
  const detail::Standardization s = detail::standardization(p);
  p.center = static_cast<float>(s.mean / raw_unit);
  p.inv_scale = static_cast<float>(raw_unit / s.sd);
}

}  // namespace

const char* innovation_kind_name(InnovationKind kind) {
  for (const auto& entry : kKindNames)
    if (entry.kind == kind) return entry.name;
  ARABICA_REQUIRE(false, "unknown InnovationKind " + std::to_string(static_cast<int>(kind)));
  return "";
}

std::optional<InnovationKind> parse_innovation_kind(const std::string& name) {
  for (const auto& entry : kKindNames)
    if (name == entry.name) return entry.kind;
  return std::nullopt;
}

namespace detail {

Standardization standardization(const InnovationParams& p) {
  switch (p.kind) {
    case InnovationKind::normal:
    case InnovationKind::bootstrap:
      return {0.0, 1.0};
    case InnovationKind::student_t:
      return {0.0, std::sqrt(p.nu / (p.nu - 2.0))};
    case InnovationKind::skew_normal: {
      const double mean = slant_delta(p.alpha) * std::sqrt(2.0 / kPi);
      return {mean, std::sqrt(1.0 - mean * mean)};
    }
    case InnovationKind::skew_t: {
      // Azzalini & Capitanio (2003): E X = delta b_nu,
      // b_nu = sqrt(nu / pi) Gamma((nu - 1) / 2) / Gamma(nu / 2).
      const double b = std::sqrt(p.nu / kPi) *
                       std::exp(std::lgamma(0.5 * (p.nu - 1.0)) - std::lgamma(0.5 * p.nu));
      const double mean = slant_delta(p.alpha) * b;
      return {mean, std::sqrt(p.nu / (p.nu - 2.0) - mean * mean)};
    }
    case InnovationKind::mixture:
      return {0.0, std::sqrt(1.0 - p.weight + p.weight * p.wide_scale * p.wide_scale)};
    case InnovationKind::nig: {
      const double gamma = std::sqrt((p.alpha - p.beta) * (p.alpha + p.beta));
      return {p.beta / gamma, p.alpha / std::pow(gamma, 1.5)};
    }
    case InnovationKind::jumps:
      return {p.jump_rate * p.jump_mean,
              std::sqrt(1.0 + p.jump_rate * (p.jump_mean * p.jump_mean + p.jump_sd * p.jump_sd))};
  }
  ARABICA_REQUIRE(false, "unknown InnovationKind " + std::to_string(static_cast<int>(p.kind)));
  return {};
}

}  // namespace detail

InnovationParams make_normal() { return InnovationParams{}; }

InnovationParams make_student_t(double nu) {
  ARABICA_REQUIRE(std::isfinite(nu) && nu > 2.0,
                  bad_field("student_t", "nu", "finite and > 2 (finite variance)", nu));
  InnovationParams p;
  p.kind = InnovationKind::student_t;
  p.nu = nu;
  p.coef[0] = static_cast<float>(nu);
  p.coef[1] = static_cast<float>(-2.0 / nu);
  set_standardization(p);
  return p;
}

InnovationParams make_skew_normal(double alpha) {
  ARABICA_REQUIRE(std::isfinite(alpha), bad_field("skew_normal", "alpha", "finite", alpha));
  InnovationParams p;
  p.kind = InnovationKind::skew_normal;
  p.alpha = alpha;
  p.coef[0] = static_cast<float>(slant_delta(alpha));
  p.coef[1] = static_cast<float>(1.0 / std::sqrt(1.0 + alpha * alpha));  // sqrt(1 - delta^2)
  set_standardization(p);
  return p;
}

InnovationParams make_skew_t(double alpha, double nu) {
  ARABICA_REQUIRE(std::isfinite(alpha), bad_field("skew_t", "alpha", "finite", alpha));
  ARABICA_REQUIRE(std::isfinite(nu) && nu > 2.0,
                  bad_field("skew_t", "nu", "finite and > 2 (finite variance)", nu));
  InnovationParams p;
  p.kind = InnovationKind::skew_t;
  p.alpha = alpha;
  p.nu = nu;
  const double d = 0.5 * nu - 1.0 / 3.0;  // Marsaglia-Tsang for Gamma(nu / 2), shape > 1
  p.coef[0] = static_cast<float>(slant_delta(alpha));
  p.coef[1] = static_cast<float>(1.0 / std::sqrt(1.0 + alpha * alpha));
  p.coef[2] = static_cast<float>(d);
  p.coef[3] = static_cast<float>(1.0 / std::sqrt(9.0 * d));
  // The sampler draws SN / sqrt(Gamma(nu/2)) = X / sqrt(nu / 2).
  set_standardization(p, std::sqrt(0.5 * nu));
  return p;
}

InnovationParams make_mixture(double weight, double wide_scale) {
  ARABICA_REQUIRE(std::isfinite(weight) && weight > 0.0 && weight < 1.0,
                  bad_field("mixture", "weight", "in (0, 1)", weight));
  ARABICA_REQUIRE(std::isfinite(wide_scale) && wide_scale > 0.0,
                  bad_field("mixture", "wide_scale", "finite and > 0", wide_scale));
  InnovationParams p;
  p.kind = InnovationKind::mixture;
  p.weight = weight;
  p.wide_scale = wide_scale;
  p.coef[0] = static_cast<float>(weight);
  p.coef[1] = static_cast<float>(wide_scale);
  set_standardization(p);
  return p;
}

InnovationParams make_nig(double alpha, double beta) {
  ARABICA_REQUIRE(std::isfinite(alpha) && alpha > 0.0,
                  bad_field("nig", "alpha", "finite and > 0", alpha));
  ARABICA_REQUIRE(std::isfinite(beta) && std::abs(beta) < alpha,
                  bad_field("nig", "beta", "finite with |beta| < alpha", beta));
  InnovationParams p;
  p.kind = InnovationKind::nig;
  p.alpha = alpha;
  p.beta = beta;
  const double gamma = std::sqrt((alpha - beta) * (alpha + beta));
  p.coef[0] = static_cast<float>(1.0 / gamma);  // inverse-Gaussian mean delta / gamma
  p.coef[1] = static_cast<float>(beta);
  set_standardization(p);
  return p;
}

InnovationParams make_jumps(double jump_rate, double jump_mean, double jump_sd) {
  // The bound keeps sequential Poisson inversion short; a larger rate per
  // step means the step is too long for a jump model.
  ARABICA_REQUIRE(std::isfinite(jump_rate) && jump_rate >= 0.0 && jump_rate <= 10.0,
                  bad_field("jumps", "jump_rate", "in [0, 10] per step", jump_rate));
  ARABICA_REQUIRE(std::isfinite(jump_mean), bad_field("jumps", "jump_mean", "finite", jump_mean));
  ARABICA_REQUIRE(std::isfinite(jump_sd) && jump_sd >= 0.0,
                  bad_field("jumps", "jump_sd", "finite and >= 0", jump_sd));
  InnovationParams p;
  p.kind = InnovationKind::jumps;
  p.jump_rate = jump_rate;
  p.jump_mean = jump_mean;
  p.jump_sd = jump_sd;
  p.coef[0] = static_cast<float>(jump_mean);
  p.coef[1] = static_cast<float>(jump_sd);
  p.poisson_p0 = std::exp(-jump_rate);
  set_standardization(p);
  return p;
}

InnovationParams make_bootstrap(const float* residuals, std::size_t count) {
  ARABICA_REQUIRE(residuals != nullptr, "bootstrap: residuals must not be null");
  ARABICA_REQUIRE(count >= 2 && count <= std::numeric_limits<std::uint32_t>::max(),
                  "bootstrap: count must be in [2, 2^32) (got " + std::to_string(count) + ")");
  double sum = 0.0, sum_sq = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    ARABICA_REQUIRE(std::isfinite(residuals[i]),
                    "bootstrap: residuals[" + std::to_string(i) + "] is not finite");
    sum += residuals[i];
    sum_sq += static_cast<double>(residuals[i]) * residuals[i];
  }
  const double mean = sum / count, variance = sum_sq / count - mean * mean;
  ARABICA_REQUIRE(std::abs(mean) <= 1e-4,
                  bad_field("bootstrap", "residual mean", "0 (standardise first)", mean));
  ARABICA_REQUIRE(std::abs(variance - 1.0) <= 1e-3,
                  bad_field("bootstrap", "residual variance (divisor n)", "1 (standardise first)",
                            variance));
  InnovationParams p;
  p.kind = InnovationKind::bootstrap;
  p.residuals = residuals;
  p.residual_count = static_cast<std::uint32_t>(count);
  return p;
}

std::string describe(const InnovationParams& p) {
  const std::string name = innovation_kind_name(p.kind);
  switch (p.kind) {
    case InnovationKind::normal:
      return name;
    case InnovationKind::student_t:
      return name + "(nu=" + number(p.nu) + ")";
    case InnovationKind::skew_normal:
      return name + "(alpha=" + number(p.alpha) + ")";
    case InnovationKind::skew_t:
      return name + "(alpha=" + number(p.alpha) + ", nu=" + number(p.nu) + ")";
    case InnovationKind::mixture:
      return name + "(weight=" + number(p.weight) + ", wide_scale=" + number(p.wide_scale) + ")";
    case InnovationKind::nig:
      return name + "(alpha=" + number(p.alpha) + ", beta=" + number(p.beta) + ")";
    case InnovationKind::jumps:
      return name + "(rate=" + number(p.jump_rate) + ", mean=" + number(p.jump_mean) +
             ", sd=" + number(p.jump_sd) + ")";
    case InnovationKind::bootstrap:
      return name + "(n=" + std::to_string(p.residual_count) + ")";
  }
  return name;
}

Innovations::Innovations(const InnovationParams& params) : params_(params) {
  if (params.kind != InnovationKind::bootstrap) return;
  ARABICA_REQUIRE(params.residuals != nullptr && params.residual_count >= 2,
                  "bootstrap params need residuals; build them with make_bootstrap()");
  residuals_ = std::make_shared<const std::vector<float>>(
      params.residuals, params.residuals + params.residual_count);
  params_.residuals = residuals_->data();
}

}  // namespace arabica
