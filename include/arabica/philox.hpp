// Philox4x32-10 counter-based RNG (Salmon, Moraes, Dror & Shaw, "Parallel
// random numbers: as easy as 1, 2, 3", SC 2011), shared by the CPU backend
// and CUDA kernels. PhiloxStream reproduces cuRAND's device generator
// curandStatePhilox4_32_10_t word for word, so a path drawn on the CPU and on
// the GPU consumes the same 32-bit sequence.
#pragma once

#include <cstdint>

#include "arabica/hd.hpp"

namespace arabica {

/// A 128-bit Philox counter or output block; x is the least significant word.
struct PhiloxBlock {
  std::uint32_t x, y, z, w;
};

/// The 64-bit Philox key, low word first.
struct PhiloxKey {
  std::uint32_t lo, hi;
};

namespace detail {

constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;  // round multipliers
constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;  // Weyl key increments
constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;

ARABICA_HD ARABICA_INLINE PhiloxBlock philox_round(PhiloxBlock c, PhiloxKey k) {
  const std::uint64_t p0 = static_cast<std::uint64_t>(kPhiloxM0) * c.x;
  const std::uint64_t p1 = static_cast<std::uint64_t>(kPhiloxM1) * c.z;
  return {static_cast<std::uint32_t>(p1 >> 32) ^ c.y ^ k.lo, static_cast<std::uint32_t>(p1),
          static_cast<std::uint32_t>(p0 >> 32) ^ c.w ^ k.hi, static_cast<std::uint32_t>(p0)};
}

}  // namespace detail

/// The Philox4x32 bijection with 10 rounds: one 128-bit block per counter.
ARABICA_HD ARABICA_INLINE PhiloxBlock philox4x32_10(PhiloxBlock counter, PhiloxKey key) {
  for (int round = 0; round < 9; ++round) {
    counter = detail::philox_round(counter, key);
    key.lo += detail::kPhiloxW0;
    key.hi += detail::kPhiloxW1;
  }
  return detail::philox_round(counter, key);
}

/// Sequence of 32-bit words identical to cuRAND's curand() after
/// curand_init(seed, subsequence, offset, &state): the key is the seed (low
/// word first), the subsequence occupies the high 64 bits of the counter (so
/// each subsequence is 2^66 words long), offset skips words, and each block is
/// returned x, y, z, w. Copying a stream forks it; draws never allocate.
class PhiloxStream {
 public:
  ARABICA_HD PhiloxStream(std::uint64_t seed, std::uint64_t subsequence, std::uint64_t offset)
      : counter_{0u, 0u, 0u, 0u},
        key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)} {
    add_high(subsequence);
    add_words(offset);
    output_ = philox4x32_10(counter_, key_);
  }

  /// Next word; equals curand(&state).
  ARABICA_HD std::uint32_t next() {
    std::uint32_t word;
    // A switch, not output_[index_], so the state stays in registers on the GPU.
    switch (index_++) {
      case 0: word = output_.x; break;
      case 1: word = output_.y; break;
      case 2: word = output_.z; break;
      default: word = output_.w; break;
    }
    if (index_ == 4) {
      increment();
      output_ = philox4x32_10(counter_, key_);
      index_ = 0;
    }
    return word;
  }

  /// Skips n words; equals skipahead(n, &state).
  ARABICA_HD void skip(std::uint64_t n) {
    add_words(n);
    output_ = philox4x32_10(counter_, key_);
  }

  /// Skips n subsequences (n * 2^66 words); equals skipahead_sequence(n, &state).
  ARABICA_HD void skip_subsequences(std::uint64_t n) {
    add_high(n);
    output_ = philox4x32_10(counter_, key_);
  }

 private:
  // Counter arithmetic mirrors cuRAND's Philox_State_Incr* exactly, carries
  // included, because bit-identity is the point of this class.
  ARABICA_HD void increment() {
    if (++counter_.x) return;
    if (++counter_.y) return;
    if (++counter_.z) return;
    ++counter_.w;
  }

  ARABICA_HD void add_blocks(std::uint64_t n) {
    const std::uint32_t lo = static_cast<std::uint32_t>(n);
    std::uint32_t hi = static_cast<std::uint32_t>(n >> 32);
    counter_.x += lo;
    if (counter_.x < lo) ++hi;
    counter_.y += hi;
    if (hi <= counter_.y) return;
    if (++counter_.z) return;
    ++counter_.w;
  }

  ARABICA_HD void add_high(std::uint64_t n) {
    const std::uint32_t lo = static_cast<std::uint32_t>(n);
    std::uint32_t hi = static_cast<std::uint32_t>(n >> 32);
    counter_.z += lo;
    if (counter_.z < lo) ++hi;
    counter_.w += hi;
  }

  ARABICA_HD void add_words(std::uint64_t n) {
    index_ += static_cast<std::uint32_t>(n & 3u);
    n /= 4;
    if (index_ > 3) {
      ++n;
      index_ -= 4;
    }
    add_blocks(n);
  }

  PhiloxBlock counter_;
  PhiloxBlock output_{};
  PhiloxKey key_;
  std::uint32_t index_ = 0;  // next word of output_ to return
};

/// cuRAND's float conversion (curand_uniform): x * 2^-32 + 2^-33, in (0, 1].
/// The product is exact, so host and device (with or without FMA) agree.
ARABICA_HD ARABICA_INLINE float uniform_float(std::uint32_t x) {
  return x * 0x1p-32f + 0x1p-33f;
}

/// cuRAND's two-word double conversion (curand_uniform2_double per pair):
/// 53 bits from x ^ (y << 21), then * 2^-53 + 2^-54, in (0, 1]: the top
/// value 1 - 2^-54 rounds to 1, as documented for curand_uniform_double.
ARABICA_HD ARABICA_INLINE double uniform_double(std::uint32_t x, std::uint32_t y) {
  const std::uint64_t bits = static_cast<std::uint64_t>(x) ^ (static_cast<std::uint64_t>(y) << 21);
  return bits * 0x1p-53 + 0x1p-54;
}

/// splitmix64's finaliser (Steele, Lea & Flood 2014): a bijection on 64-bit
/// words with full avalanche; splitmix64(0) == 0xe220a8397b1dcdaf.
ARABICA_HD constexpr std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Philox seed of one (seed, series, fold) job, by chaining splitmix64:
/// h = mix(mix(mix(seed) ^ series) ^ fold). Each step is a bijection, so for
/// a fixed prefix distinct series (then folds) give distinct seeds. A path's
/// stream is PhiloxStream(derive_stream_seed(seed, series, fold), path, 0),
/// which keys every draw by (seed, series, fold, path, position).
ARABICA_HD constexpr std::uint64_t derive_stream_seed(std::uint64_t seed, std::uint64_t series,
                                                      std::uint64_t fold) {
  return splitmix64(splitmix64(splitmix64(seed) ^ series) ^ fold);
}

}  // namespace arabica
