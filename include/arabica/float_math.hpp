// The float logarithm, sine/cosine, e^x - 1 and e^x of the samplers and paths, written out so
// that one sequence of float operations runs on every backend: the scalar
// path, the CPU's SIMD lanes (which vectorise these lines; libm's calls do
// not) and CUDA. The paths are then the same floats on every CPU backend,
// whatever the lane width. Hand-written because that identity is the
// feature; the coefficients are least-squares fits on the reduced ranges
// (scripts/float_math_fit.py reproduces them), and tests/host/mc/
// float_math_test.cpp checks every result against double precision.
#pragma once

#include <cstdint>
#include <cstring>

#include "arabica/hd.hpp"

namespace arabica::fmath {

ARABICA_HD ARABICA_INLINE std::uint32_t bits_of(float x) {
  std::uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  return bits;
}

ARABICA_HD ARABICA_INLINE float float_of(std::uint32_t bits) {
  float x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

/// Natural logarithm of a positive normal float (the sampler's uniforms are
/// at least 2^-33): x = 2^e m with m in [sqrt(1/2), sqrt(2)), then
/// log m = 2 atanh(s), s = (m - 1) / (m + 1), as f - f^2/2 + s (f^2/2 + R(s^2)).
ARABICA_HD ARABICA_INLINE float log_positive(float x) {
  // Re-bias so that the exponent steps at sqrt(1/2) (0x3f3504f3) rather than 1.
  const std::uint32_t shifted = bits_of(x) + (0x3f800000u - 0x3f3504f3u);
  const int e = static_cast<int>(shifted >> 23) - 127;
  const float f = float_of((shifted & 0x007fffffu) + 0x3f3504f3u) - 1.0f;
  const float s = f / (2.0f + f);
  const float z = s * s;
  const float r = z * (0.66666669f + z * (0.40000147f + z * (0.28549907f + z * 0.23335172f)));
  const float half_f2 = 0.5f * f * f;
  const float ke = static_cast<float>(e);
  // ln 2 in two parts: ke * hi is exact for |e| < 2^8.
  return ke * 6.9313812256e-01f + ((f - half_f2) + (s * (half_f2 + r) + ke * 9.0580006145e-06f));
}

/// e^x = 2^k (1 + em) for x = k ln 2 + r (k: x / ln 2 rounded, given by the
/// caller): em = e^r - 1 by its Taylor series to r^7 (truncation below 0.2
/// ulp for |r| <= ln 2 / 2). Needs -126 <= k <= 127.
struct ExpParts {
  float two_k, em;
};
ARABICA_HD ARABICA_INLINE ExpParts exp_parts(float x, int k) {
  const float kf = static_cast<float>(k);
  // ln 2 in two parts: kf * hi is exact for |k| < 2^11.
  const float r = (x - kf * 0.693145751953125f) - kf * 1.428606765330187e-06f;
  const float em =
      r + r * r *
              (0.5f + r * (0.16666667f +
                           r * (0.041666668f + r * (0.0083333338f + r * (0.0013888889f + r * 0.00019841270f)))));
  return {float_of(static_cast<std::uint32_t>(k + 127) << 23), em};
}

/// e^x - 1 for 0 <= x < 88 (the Student-t sampler's exponent): exp_parts,
/// then 2^k (e^r - 1) + (2^k - 1), which is e^r - 1 itself for k = 0 and so
/// keeps full relative precision near x = 0.
ARABICA_HD ARABICA_INLINE float expm1_nonnegative(float x) {
  const ExpParts p = exp_parts(x, static_cast<int>(x * 1.44269504089f + 0.5f));  // x >= 0
  return p.two_k * p.em + (p.two_k - 1.0f);
}

/// e^x for a log price (paths of a log-transformed model): exp_parts, then
/// 2^k e^r. +inf above 88 (a path that explodes stays non-finite and is
/// reported), 0 below -87, NaN for NaN. Relative error below 2 ulp
/// (float_math_test.cpp).
ARABICA_HD ARABICA_INLINE float exp_of(float x) {
  const float clamped = x > 88.0f ? 88.0f : (x < -87.0f ? -87.0f : x);  // NaN passes
  const float held = clamped == clamped ? clamped : 0.0f;  // no int conversion of a NaN
  const ExpParts p = exp_parts(held, static_cast<int>(held * 1.44269504089f + (held >= 0.0f ? 0.5f : -0.5f)));
  const float value = p.two_k * p.em + p.two_k;
  if (x > 88.0f) return float_of(0x7f800000u);
  if (x < -87.0f) return 0.0f;
  return x == x ? value : x;
}

/// A price from its Box-Cox value x (lambda in (0, 1]): (lambda x + 1)^(1/lambda)
/// as e^(log(lambda x + 1) / lambda), with log_positive and exp_of; 0 where
/// lambda x + 1 is not a positive normal float (the transform's image ends at
/// price 0). NaN passes.
ARABICA_HD ARABICA_INLINE float box_cox_inverse(float x, float lambda) {
  const float w = lambda * x + 1.0f;
  if (w != w) return w;
  return w >= 0x1p-126f ? exp_of(log_positive(w) / lambda) : 0.0f;
}

struct SinCos {
  float sin, cos;
};

/// sin and cos of the angle 2 pi (word + 1/2) / 2^32, in (0, 2 pi): the
/// quadrant is the word's top two bits, the rest m a fraction (m + 1/2) / 2^30
/// of a quarter turn, folded in the integers (m -> 2^30 - 1 - m past the half)
/// so that the polynomials see 0 < r <= pi/4 with full relative precision,
/// also next to the zeros at multiples of pi/2.
ARABICA_HD ARABICA_INLINE SinCos sincos_turn(std::uint32_t word) {
  const std::uint32_t quadrant = word >> 30;
  const std::uint32_t m = word & 0x3fffffffu;
  const bool folded = m >= 0x20000000u;
  const std::uint32_t m_near = folded ? 0x3fffffffu - m : m;  // < 2^29
  const float r = (static_cast<float>(m_near) * 0x1p-30f + 0x1p-31f) * 1.57079632679f;
  const float r2 = r * r;
  const float sin_r = r + r * r2 * (-0.16666655f + r2 * (0.008332157f + r2 * -0.00019514658f));
  const float cos_r =
      1.0f - 0.5f * r2 + r2 * r2 * (0.041666646f + r2 * (-0.0013887309f + r2 * 2.4432433e-05f));
  // (sin, cos) within the quadrant, exchanged when folded; then the
  // quadrant's exchange (q = 1, 3) and signs (sin < 0 for q = 2, 3, cos < 0
  // for q = 1, 2), in bit operations so that SIMD lanes need no branches.
  const std::uint32_t exchange = 0u - ((folded ? 1u : 0u) ^ (quadrant & 1u));  // all ones or 0
  const std::uint32_t sin_bits = bits_of(sin_r), cos_bits = bits_of(cos_r);
  const std::uint32_t s = (cos_bits & exchange) | (sin_bits & ~exchange);
  const std::uint32_t c = (sin_bits & exchange) | (cos_bits & ~exchange);
  return {float_of(s ^ ((quadrant & 2u) << 30)), float_of(c ^ (((quadrant + 1u) & 2u) << 30))};
}

}  // namespace arabica::fmath
