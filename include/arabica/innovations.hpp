// Innovation families for Monte Carlo paths. Every family is standardised to
// zero mean and unit variance, so a path step scales a draw by sqrt(sigma2)
// and sigma2 keeps its meaning. draw_innovation() is __host__ __device__:
// the CPU backend and the CUDA kernels run the same float code on the same
// Philox words, so they agree to float rounding. Everything that needs
// special functions (gamma, Bessel, standardising constants) runs once on the
// host in make_*() and is stored in InnovationParams.
#pragma once

#include <math.h>  // logf, sqrtf, ...: declared for host and device alike

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arabica/float_math.hpp"
#include "arabica/hd.hpp"
#include "arabica/philox.hpp"

namespace arabica {

enum class InnovationKind : std::uint8_t {
  normal,
  student_t,    // Student-t(nu), nu > 2
  skew_normal,  // Azzalini skew-normal(alpha)
  skew_t,       // Azzalini skew-t(alpha, nu) = skew-normal / sqrt(chi2_nu / nu), nu > 2
  mixture,      // N(0,1) w.p. 1 - weight, N(0, wide_scale^2) w.p. weight
  nig,          // normal-inverse-Gaussian(alpha, beta, delta = 1), |beta| < alpha
  jumps,        // Merton: N(0,1) + Poisson(jump_rate) sum of N(jump_mean, jump_sd^2)
  bootstrap,    // filtered historical simulation: resampled standardised residuals
};

/// Device-ready description of one family. Trivially copyable: pass it to a
/// kernel by value. Build it with make_*() (which validate and precompute);
/// a default-constructed one is the standard normal.
struct InnovationParams {
  InnovationKind kind = InnovationKind::normal;

  // The family's parameters as given; unused ones stay 0. Host side only
  // (describe, densities, reports): the sampler reads the fields below.
  double nu = 0;          // student_t, skew_t
  double alpha = 0;       // skew_normal, skew_t: slant; nig: tail heaviness
  double beta = 0;        // nig: asymmetry
  double weight = 0;      // mixture: probability of the wide component
  double wide_scale = 0;  // mixture: sd multiplier of the wide component
  double jump_rate = 0;   // jumps: lambda, expected jumps per step (also read by the sampler)
  double jump_mean = 0;   // jumps: mu_J, in units of the diffusion sd
  double jump_sd = 0;     // jumps: sigma_J, likewise

  // Sampler constants, computed in double on the host and rounded once.
  //   student_t:   coef = {nu, -2/nu}
  //   skew_normal: coef = {delta, sqrt(1 - delta^2)}
  //   skew_t:      coef = {delta, sqrt(1 - delta^2), d, c} (Marsaglia-Tsang, shape nu/2)
  //   mixture:     coef = {weight, wide_scale}
  //   nig:         coef = {1/gamma (inverse-Gaussian mean), beta}
  //   jumps:       coef = {jump_mean, jump_sd}
  float coef[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  double poisson_p0 = 0;  // jumps: exp(-jump_rate); Poisson inversion runs in double
  float center = 0.0f;    // mean of the raw draw
  float inv_scale = 1.0f; // 1 / standard deviation of the raw draw

  // bootstrap: residuals already standardised (mean 0, variance 1 with
  // divisor n). Not owned: host memory on the CPU, a device copy on the GPU.
  const float* residuals = nullptr;
  std::uint32_t residual_count = 0;
};

namespace detail {

struct NormalPair {
  float a, b;
};

/// Two independent N(0,1) from two words by Box-Muller: radius from
/// cuRAND's uniform_float (never log 0), angle 2 pi (word + 1/2) / 2^32.
/// The float math is fmath's, so that every backend and lane width draws
/// the same floats.
ARABICA_HD ARABICA_INLINE NormalPair normal_pair(PhiloxStream& stream) {
  const float u = uniform_float(stream.next());
  const fmath::SinCos turn = fmath::sincos_turn(stream.next());
  const float radius = sqrtf(-2.0f * fmath::log_positive(u));
  return {radius * turn.sin, radius * turn.cos};
}

/// Uniform on (-1, 1), symmetric about 0 and never 0: (int32(x) + 1/2) 2^-31.
ARABICA_HD ARABICA_INLINE float signed_uniform(std::uint32_t x) {
  return static_cast<float>(static_cast<std::int32_t>(x)) * 0x1p-31f + 0x1p-32f;
}

/// Student-t(nu) by Bailey's polar method (Math. Comp. 62, 1994): exact,
/// two words per try, acceptance pi/4; nu > 2 (make_student_t), so the
/// exponent stays below 44.
ARABICA_HD ARABICA_INLINE float student_t_raw(PhiloxStream& stream, float nu,
                                              float minus_two_over_nu) {
  float u, w;
  do {
    u = signed_uniform(stream.next());
    const float v = signed_uniform(stream.next());
    w = u * u + v * v;
  } while (w >= 1.0f);
  // expm1 keeps precision near w = 1, where t is near 0; fmath's, so that
  // the CPU's SIMD lanes draw the same floats.
  return u * sqrtf(nu * fmath::expm1_nonnegative(minus_two_over_nu * fmath::log_positive(w)) / w);
}

/// Gamma(d + 1/3) for shape >= 1 by Marsaglia & Tsang (ACM TOMS 26, 2000),
/// with c = 1 / sqrt(9 d). Three words per try; acceptance > 95%. v > 0 is
/// at least (2^-24)^3, a normal float, so fmath's log applies.
ARABICA_HD ARABICA_INLINE float gamma_raw(PhiloxStream& stream, float d, float c) {
  for (;;) {
    float x, v;
    do {
      x = normal_pair(stream).a;
      v = 1.0f + c * x;
    } while (v <= 0.0f);
    v = v * v * v;
    const float u = uniform_float(stream.next());
    const float x2 = x * x;
    if (u < 1.0f - 0.0331f * x2 * x2) return d * v;  // squeeze, no log
    if (fmath::log_positive(u) < 0.5f * x2 + d * (1.0f - v + fmath::log_positive(v))) return d * v;
  }
}

/// Poisson(rate) by sequential inversion of one word. Double, so the
/// cumulative sum resolves the far tail and the integer count is the same on
/// CPU and GPU (+, *, / are correctly rounded on both).
ARABICA_HD ARABICA_INLINE int poisson_inversion(std::uint32_t word, double rate, double p0) {
  const double u = (word + 0.5) * 0x1p-32;  // in (0, 1)
  int count = 0;
  double p = p0, cdf = p0;
  while (u > cdf && p > 0.0) {  // p > 0: terminates even on hand-made params
    ++count;
    p *= rate / count;
    cdf += p;
  }
  return count;
}

/// Raw (unstandardised) draw of family Kind; see InnovationParams::coef.
/// Path kernels compiled for one family call it directly.
template <InnovationKind Kind>
ARABICA_HD ARABICA_INLINE float raw_innovation_of(const InnovationParams& p, PhiloxStream& stream) {
  if constexpr (Kind == InnovationKind::student_t) {
    return student_t_raw(stream, p.coef[0], p.coef[1]);
  } else if constexpr (Kind == InnovationKind::skew_normal) {
    // Azzalini's construction: delta |U0| + sqrt(1 - delta^2) U1.
    const NormalPair z = normal_pair(stream);
    return p.coef[0] * fabsf(z.a) + p.coef[1] * z.b;
  } else if constexpr (Kind == InnovationKind::skew_t) {
    // Skew-normal / sqrt(G) with G ~ Gamma(nu/2); the sqrt(nu/2) that turns
    // G into chi2_nu / nu is folded into center and inv_scale.
    const NormalPair z = normal_pair(stream);
    const float skew_normal = p.coef[0] * fabsf(z.a) + p.coef[1] * z.b;
    return skew_normal / sqrtf(gamma_raw(stream, p.coef[2], p.coef[3]));
  } else if constexpr (Kind == InnovationKind::mixture) {
    const float z = normal_pair(stream).a;
    return uniform_float(stream.next()) <= p.coef[0] ? p.coef[1] * z : z;
  } else if constexpr (Kind == InnovationKind::nig) {
    // V ~ inverse Gaussian(m, shape 1) by Michael, Schucany & Haas (1976),
    // then beta V + sqrt(V) Z. The small root is m^2 / (large root), which
    // avoids the cancellation of the textbook formula.
    const NormalPair z = normal_pair(stream);
    const float m = p.coef[0];
    const float my = m * z.a * z.a;
    const float large = m * (1.0f + 0.5f * (my + sqrtf(my * (my + 4.0f))));
    const float small = m * m / large;
    const float v = uniform_float(stream.next()) * (m + small) <= m ? small : large;
    return p.coef[1] * v + sqrtf(v) * z.b;
  } else if constexpr (Kind == InnovationKind::jumps) {
    // Given N jumps, the jump sum is N mu_J + sigma_J sqrt(N) Z'.
    const NormalPair z = normal_pair(stream);
    const int n = poisson_inversion(stream.next(), p.jump_rate, p.poisson_p0);
    return z.a + n * p.coef[0] + p.coef[1] * sqrtf(static_cast<float>(n)) * z.b;
  } else if constexpr (Kind == InnovationKind::bootstrap) {
    // Multiply-shift index: bias below count / 2^32.
    const std::uint64_t index = (static_cast<std::uint64_t>(stream.next()) * p.residual_count) >> 32;
    return p.residuals[index];
  } else {
    return normal_pair(stream).a;
  }
}

/// Raw draw of the family params names at run time.
ARABICA_HD ARABICA_INLINE float raw_innovation(const InnovationParams& p, PhiloxStream& stream) {
  switch (p.kind) {
    case InnovationKind::student_t: return raw_innovation_of<InnovationKind::student_t>(p, stream);
    case InnovationKind::skew_normal: return raw_innovation_of<InnovationKind::skew_normal>(p, stream);
    case InnovationKind::skew_t: return raw_innovation_of<InnovationKind::skew_t>(p, stream);
    case InnovationKind::mixture: return raw_innovation_of<InnovationKind::mixture>(p, stream);
    case InnovationKind::nig: return raw_innovation_of<InnovationKind::nig>(p, stream);
    case InnovationKind::jumps: return raw_innovation_of<InnovationKind::jumps>(p, stream);
    case InnovationKind::bootstrap: return raw_innovation_of<InnovationKind::bootstrap>(p, stream);
    case InnovationKind::normal:
    default: return raw_innovation_of<InnovationKind::normal>(p, stream);
  }
}

}  // namespace detail

/// One standardised innovation (mean 0, variance 1). Consumes a variable
/// number of words from `stream` (rejection samplers), which is fine because
/// each path owns its stream: the sequence is still a function of the key.
ARABICA_HD ARABICA_INLINE float draw_innovation(const InnovationParams& params,
                                                PhiloxStream& stream) {
  return (detail::raw_innovation(params, stream) - params.center) * params.inv_scale;
}

/// A path kernel's family: kAnyFamily reads params.kind at run time, any
/// other value is an InnovationKind fixed at compile time (a smaller kernel).
constexpr int kAnyFamily = -1;

/// draw_innovation for family Family (or params.kind for kAnyFamily).
template <int Family>
ARABICA_HD ARABICA_INLINE float draw_innovation_as(const InnovationParams& params, PhiloxStream& stream) {
  if constexpr (Family == kAnyFamily)
    return draw_innovation(params, stream);
  else
    return (detail::raw_innovation_of<static_cast<InnovationKind>(Family)>(params, stream) - params.center) *
           params.inv_scale;
}

/// A path's innovations, one a day (draw_innovation_as), but for the normal
/// family, which takes both normals of each Box-Muller pair: days 2j and
/// 2j + 1 are the pair's a and b (as cuRAND's curand_normal returns the
/// second of its pair on the next call), so a normal path draws one pair
/// every two days instead of discarding half of each.
template <int Family>
class InnovationDraws {
 public:
  ARABICA_HD InnovationDraws(const InnovationParams& params, PhiloxStream& stream)
      : params_(params), stream_(stream) {}

  ARABICA_HD ARABICA_INLINE float next() {
    if (!normal()) return draw_innovation_as<Family>(params_, stream_);
    float raw = second_;
    if (!has_second_) {
      const detail::NormalPair pair = detail::normal_pair(stream_);
      raw = pair.a;
      second_ = pair.b;
    }
    has_second_ = !has_second_;
    return (raw - params_.center) * params_.inv_scale;
  }

 private:
  ARABICA_HD ARABICA_INLINE bool normal() const {
    if constexpr (Family == kAnyFamily)
      return params_.kind == InnovationKind::normal;
    else
      return Family == static_cast<int>(InnovationKind::normal);
  }

  const InnovationParams& params_;
  PhiloxStream& stream_;
  float second_ = 0.0f;
  bool has_second_ = false;
};

// ---- host API -------------------------------------------------------------

/// Stable lower-case name ("student_t", "skew_t", ...), as used in configs.
const char* innovation_kind_name(InnovationKind kind);
/// Inverse of innovation_kind_name; nullopt for an unknown name.
std::optional<InnovationKind> parse_innovation_kind(const std::string& name);

// Constructors: validate (ContractError naming the field) and precompute.
InnovationParams make_normal();
InnovationParams make_student_t(double nu);
InnovationParams make_skew_normal(double alpha);
InnovationParams make_skew_t(double alpha, double nu);
/// Legacy default: 10% of draws from a component with 3x the volatility.
InnovationParams make_mixture(double weight = 0.10, double wide_scale = 3.0);
InnovationParams make_nig(double alpha, double beta);
/// jump_rate in [0, 10] jumps per step; jump_mean, jump_sd in diffusion sds.
InnovationParams make_jumps(double jump_rate, double jump_mean, double jump_sd);
/// Borrows `residuals` (count in [2, 2^32)), which must be finite and
/// standardised: mean within 1e-4 of 0, variance (divisor n) within 1e-3 of 1.
InnovationParams make_bootstrap(const float* residuals, std::size_t count);

/// One line such as "skew_t(alpha=2, nu=6)".
std::string describe(const InnovationParams& params);

/// Host-side owner of a family: params plus the bootstrap residuals they
/// point at, held immutable and shared so copies stay valid and cheap.
class Innovations {
 public:
  Innovations() = default;  // standard normal
  /// Copies bootstrap residuals, if any, into owned storage.
  explicit Innovations(const InnovationParams& params);

  const InnovationParams& params() const noexcept { return params_; }
  std::string describe() const { return arabica::describe(params_); }

 private:
  std::shared_ptr<const std::vector<float>> residuals_;
  InnovationParams params_;
};

/// Density of the standardised innovation, in double (not for bootstrap).
double innovation_pdf(const InnovationParams& params, double x);

/// CDF of the standardised innovation, in double. Closed forms for normal,
/// Student-t (incomplete beta), skew-normal (Owen's T), mixture, jumps (a
/// Poisson mixture of normals) and bootstrap (the empirical CDF); adaptive
/// Gauss-Kronrod quadrature of the density for skew-t and NIG (absolute
/// error about 1e-12). For tests and diagnostics, not for hot loops.
double innovation_cdf(const InnovationParams& params, double x);

}  // namespace arabica
