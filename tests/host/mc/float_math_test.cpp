// The sampler's float log and sine/cosine against higher precision: log
// within 2 units in the last place, sine and cosine within 3 (the float
// fraction of the quarter turn is itself rounded), over a dense sample of
// the words they see.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "arabica/float_math.hpp"
#include "arabica/philox.hpp"

namespace arabica {
namespace {

// Distance in float ulps between a float result and the exact value.
double ulps(float got, double exact) {
  const float nearest = static_cast<float>(exact);
  const double ulp = std::nextafter(std::abs(nearest), INFINITY) - std::abs(nearest);
  return std::abs(static_cast<double>(got) - exact) / ulp;
}

// Every 1021st word and the edges of the quadrants and folds.
std::vector<std::uint32_t> words() {
  std::vector<std::uint32_t> w;
  for (std::uint64_t x = 0; x < (1ull << 32); x += 1021) w.push_back(static_cast<std::uint32_t>(x));
  for (const std::uint64_t edge : {0ull, 1ull << 29, 1ull << 30, 1ull << 31, 3ull << 30, 1ull << 32})
    for (std::int64_t d = -3; d <= 3; ++d)
      if (static_cast<std::int64_t>(edge) + d >= 0 && edge + d < (1ull << 32))
        w.push_back(static_cast<std::uint32_t>(edge + d));
  return w;
}

TEST(FloatMath, LogOfEveryUniformIsWithinTwoUlps) {
  double worst = 0.0;
  for (const std::uint32_t w : words()) {
    const float u = uniform_float(w);
    const double exact = std::log(static_cast<double>(u));
    if (exact == 0.0) {
      ASSERT_EQ(fmath::log_positive(u), 0.0f);
      continue;
    }
    worst = std::max(worst, ulps(fmath::log_positive(u), exact));
  }
  EXPECT_LE(worst, 2.0);
  // Beyond the uniforms: the whole normal range the gamma and t samplers may use.
  for (float x = 1e-37f; x < 1e37f; x *= 1.37f)
    EXPECT_LE(ulps(fmath::log_positive(x), std::log(static_cast<double>(x))), 2.0) << x;
}

TEST(FloatMath, SinCosOfEveryTurnIsWithinThreeUlps) {
  // Long double: next to 2 pi a double angle would leave the exact sine of
  // 7e-10 with only six correct digits.
  const long double two_pi = 6.283185307179586476925286766559L;
  double worst = 0.0;
  for (const std::uint32_t w : words()) {
    const long double angle = two_pi * (static_cast<long double>(w) + 0.5L) * 0x1p-32L;
    const fmath::SinCos sc = fmath::sincos_turn(w);
    worst = std::max({worst, ulps(sc.sin, static_cast<double>(std::sin(angle))),
                      ulps(sc.cos, static_cast<double>(std::cos(angle)))});
  }
  EXPECT_LE(worst, 3.0);
}

TEST(FloatMath, Expm1IsWithinTwoUlpsOverTheStudentTRange) {
  double worst = 0.0;
  float at = 0.0f;
  // Dense near 0 (relative precision of tiny results), then out to 88.
  for (float x = 1e-30f; x < 88.0f; x = x < 1e-3f ? x * 1.01f : x + 1.3e-4f) {
    const double error = ulps(fmath::expm1_nonnegative(x), static_cast<double>(std::expm1(static_cast<long double>(x))));
    if (error > worst) worst = error, at = x;
  }
  EXPECT_LE(worst, 2.0) << "at x = " << at;
  EXPECT_EQ(fmath::expm1_nonnegative(0.0f), 0.0f);
}

TEST(FloatMath, ExpOfALogPriceIsWithinTwoUlps) {
  double worst = 0.0;
  float at = 0.0f;
  for (float x = -87.0f; x < 88.0f; x += 1.7e-4f) {
    const double error = ulps(fmath::exp_of(x), static_cast<double>(std::exp(static_cast<long double>(x))));
    if (error > worst) worst = error, at = x;
  }
  EXPECT_LE(worst, 2.0) << "at x = " << at;
  EXPECT_EQ(fmath::exp_of(0.0f), 1.0f);
  EXPECT_TRUE(std::isinf(fmath::exp_of(88.5f)));  // an exploding log path stays non-finite
  EXPECT_EQ(fmath::exp_of(-100.0f), 0.0f);
  EXPECT_TRUE(std::isnan(fmath::exp_of(std::numeric_limits<float>::quiet_NaN())));
}

}  // namespace
}  // namespace arabica
