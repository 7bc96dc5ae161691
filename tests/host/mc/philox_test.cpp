#include "arabica/philox.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <unordered_set>
#include <vector>

namespace arabica {
namespace {

std::uint32_t word_of(const PhiloxBlock& block, int i) {
  const std::uint32_t words[4] = {block.x, block.y, block.z, block.w};
  return words[i];
}

void expect_block(const PhiloxBlock& got, std::uint32_t x, std::uint32_t y, std::uint32_t z,
                  std::uint32_t w) {
  EXPECT_EQ(got.x, x);
  EXPECT_EQ(got.y, y);
  EXPECT_EQ(got.z, z);
  EXPECT_EQ(got.w, w);
}

// Random123's kat_vectors, "philox4x32 10" lines: counter, key -> output.
TEST(Philox, KnownAnswerVectors) {
  expect_block(philox4x32_10({0, 0, 0, 0}, {0, 0}), 0x6627e8d5, 0xe169c58d, 0xbc57ac4c,
               0x9b00dbd8);
  expect_block(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                             {0xffffffff, 0xffffffff}),
               0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
  expect_block(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                             {0xa4093822, 0x299f31d0}),
               0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
}

// Words from cuRAND itself: curand_init(seed, subsequence, offset) then
// curand() six times, compiled for the host from CUDA 13.0's curand_kernel.h
// (its functions are host-callable when QUALIFIERS includes __host__).
TEST(PhiloxStream, MatchesCurandSequences) {
  struct Case {
    std::uint64_t seed, subsequence, offset;
    std::uint32_t words[6];
  };
  const Case cases[] = {
      {0, 0, 0, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8, 0xf8e4cca4, 0x5cb200db}},
      {1234, 5, 6, {0x32773955, 0x72c26332, 0x26a9bd1b, 0xd88ecb0d, 0x088f2111, 0xd1e85602}},
      {0xfedcba9876543210ull, 0x100000001ull, 0x123456789ull,
       {0xc57210ca, 0x81c77f7a, 0xec66334f, 0xaf800628, 0x7295cb58, 0x3d9a8d12}},
  };
  for (const Case& c : cases) {
    PhiloxStream stream(c.seed, c.subsequence, c.offset);
    for (std::uint32_t expected : c.words) EXPECT_EQ(stream.next(), expected) << c.seed;
  }
}

// cuRAND on the host after curand_init(7, 3, 0): curand_uniform twice, then
// curand_uniform2_double (which converts words 2-3 and 4-5 in pairs).
TEST(PhiloxStream, UniformConversionsMatchCurand) {
  PhiloxStream stream(7, 3, 0);
  EXPECT_EQ(uniform_float(stream.next()), 0x1.2f66aep-1f);
  EXPECT_EQ(uniform_float(stream.next()), 0x1.fb03c4p-4f);
  const std::uint32_t w2 = stream.next(), w3 = stream.next();
  const std::uint32_t w4 = stream.next(), w5 = stream.next();
  EXPECT_EQ(uniform_double(w2, w3), 0x1.33168eba796e8p-1);
  EXPECT_EQ(uniform_double(w4, w5), 0x1.d6e8ddabefd9dp-2);
}

// curand_init documents that the first 2^66 * subsequence + offset words of
// the seed's sequence are skipped: word `offset` of a subsequence is word
// offset % 4 of the block whose counter is (offset / 4, subsequence).
TEST(PhiloxStream, PositionIsSubsequenceAndOffset) {
  const std::uint64_t seed = 0x0123456789abcdefull;
  const PhiloxKey key{0x89abcdefu, 0x01234567u};
  const std::uint64_t subsequences[] = {0, 1, 0xffffffffull, 0x1234567890ull, ~0ull};
  const std::uint64_t offsets[] = {0, 1, 2, 3, 4, 7, 0x400000003ull, ~0ull - 5};
  for (std::uint64_t sub : subsequences) {
    for (std::uint64_t offset : offsets) {
      PhiloxStream stream(seed, sub, offset);
      for (std::uint64_t k = 0; k < 6; ++k) {
        const std::uint64_t position = offset + k, block = position / 4;
        const PhiloxBlock counter{static_cast<std::uint32_t>(block),
                                  static_cast<std::uint32_t>(block >> 32),
                                  static_cast<std::uint32_t>(sub),
                                  static_cast<std::uint32_t>(sub >> 32)};
        EXPECT_EQ(stream.next(), word_of(philox4x32_10(counter, key), position % 4))
            << "sub " << sub << " offset " << offset << " k " << k;
      }
    }
  }
}

TEST(PhiloxStream, SkipEqualsDrawAndDiscard) {
  for (std::uint64_t start = 0; start < 5; ++start) {
    for (std::uint64_t n = 0; n < 14; ++n) {
      PhiloxStream skipped(42, 9, 0), drawn(42, 9, 0);
      for (std::uint64_t i = 0; i < start; ++i) skipped.next(), drawn.next();
      skipped.skip(n);
      for (std::uint64_t i = 0; i < n; ++i) drawn.next();
      for (int i = 0; i < 9; ++i) ASSERT_EQ(skipped.next(), drawn.next()) << start << " " << n;
    }
  }
}

TEST(PhiloxStream, OffsetEqualsSkipAndSkipsCompose) {
  PhiloxStream by_offset(5, 2, 1000003), by_skip(5, 2, 0), composed(5, 2, 3);
  by_skip.skip(1000003);
  composed.skip(1000000);
  for (int i = 0; i < 10; ++i) {
    const std::uint32_t expected = by_offset.next();
    EXPECT_EQ(by_skip.next(), expected);
    EXPECT_EQ(composed.next(), expected);
  }
}

TEST(PhiloxStream, SkipSubsequencesKeepsOffset) {
  PhiloxStream moved(77, 10, 13), direct(77, 13, 13);
  moved.skip_subsequences(3);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(moved.next(), direct.next());
}

// Subsequences are consecutive 2^66-word pieces of one sequence: running off
// the end of one (the low 64 counter bits wrap) continues into the next.
TEST(PhiloxStream, SubsequenceEndCarriesIntoNext) {
  PhiloxStream stream(99, 6, 0);
  for (int i = 0; i < 4; ++i) stream.skip(~0ull - 3);  // 4 (2^62 - 1) blocks
  for (int i = 0; i < 16; ++i) stream.next();         // the last 4 blocks
  PhiloxStream next_subsequence(99, 7, 0);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(stream.next(), next_subsequence.next());
}

TEST(PhiloxStream, CopiesForkIdentically) {
  PhiloxStream a(3, 4, 5);
  a.next();
  PhiloxStream b = a;
  for (int i = 0; i < 9; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(Uniform, FloatRangeIsZeroExclusiveOneInclusive) {
  EXPECT_EQ(uniform_float(0), 0x1p-33f);
  EXPECT_EQ(uniform_float(1), 0x1.8p-32f);
  EXPECT_EQ(uniform_float(0xffffffffu), 1.0f);  // rounds up, as curand_uniform does
  EXPECT_EQ(uniform_float(0x80000000u), 0.5f);
  float previous = 0.0f;
  for (std::uint64_t x = 0; x <= 0xffffffffull; x += 0x10001) {
    const float u = uniform_float(static_cast<std::uint32_t>(x));
    EXPECT_GE(u, previous);
    previous = u;
  }
}

TEST(Uniform, DoubleRangeIsZeroExclusiveOneInclusive) {
  EXPECT_EQ(uniform_double(0, 0), 0x1p-54);
  // All 53 bits set: 1 - 2^-54 is a tie that rounds to even, i.e. 1 (cuRAND too).
  EXPECT_EQ(uniform_double(0x1fffffu, 0xffffffffu), 1.0);
  EXPECT_LT(uniform_double(0x1ffffeu, 0xffffffffu), 1.0);
  // The pair carries 53 bits: x sets the low 21 without touching the high 32.
  EXPECT_EQ(uniform_double(1, 0) - uniform_double(0, 0), 0x1p-53);
  EXPECT_EQ(uniform_double(0, 1) - uniform_double(0, 0), 0x1p-32);
}

TEST(StreamSeed, Splitmix64KnownAnswer) {
  static_assert(splitmix64(0) == 0xe220a8397b1dcdafull, "first splitmix64 output from state 0");
  EXPECT_EQ(splitmix64(0), 0xe220a8397b1dcdafull);
}

TEST(StreamSeed, DistinctAcrossSeedsSeriesAndFolds) {
  std::unordered_set<std::uint64_t> seen;
  for (std::uint64_t seed : {0ull, 1ull, 20240101ull})
    for (std::uint64_t series = 0; series < 100; ++series)
      for (std::uint64_t fold = 0; fold < 100; ++fold)
        EXPECT_TRUE(seen.insert(derive_stream_seed(seed, series, fold)).second);
  // Order matters: (series, fold) is not a symmetric pair.
  EXPECT_NE(derive_stream_seed(7, 1, 2), derive_stream_seed(7, 2, 1));
  EXPECT_EQ(derive_stream_seed(7, 1, 2), derive_stream_seed(7, 1, 2));
}

}  // namespace
}  // namespace arabica
