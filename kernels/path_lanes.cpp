// See path_lanes.hpp. Normal innovations: every lane consumes the same
// words, so the Philox blocks of a group of paths are made for all lanes at
// once and each step reads its words by position. Student-t and skew-t
// (rejection samplers): each lane keeps its own position in its stream.
// Compiled with -ffp-contract=off (CMakeLists.txt) and cloned per ISA
// (x86-64-v4 with AVX-512, v3 with AVX2, baseline), the best chosen at
// load time.
#include "path_lanes.hpp"

// GCC 12 warns inside its own AVX-512 headers (their deliberately
// undefined vectors); nothing here reads an uninitialised value.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <math.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "arabica/error.hpp"
#include "arabica/float_math.hpp"
#include "arabica/path_model.hpp"
#include "arabica/philox.hpp"

// ARABICA_LANES_ISA: the most the lanes are built for: 4 (x86-64-v4, with
// AVX-512; the build's), 3 (v3, AVX2) or 1 (the baseline). The tests build
// 3 and 1 as well, so that an AVX-512 machine runs the code the others do.
#ifndef ARABICA_LANES_ISA
#define ARABICA_LANES_ISA 4
#endif
#if ARABICA_LANES_ISA >= 4
#define ARABICA_ISA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#elif ARABICA_LANES_ISA >= 3
#define ARABICA_ISA_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define ARABICA_ISA_CLONES
#endif
#if ARABICA_LANES_ISA >= 3
#define ARABICA_DEFAULT_VERSION __attribute__((target("default")))
#else
#define ARABICA_DEFAULT_VERSION
#endif

namespace arabica::pipeline {

namespace {

// The statistics' lanes: value i of a run in lane i % 16 (their sums'
// order, hence their floats, depend on it).
constexpr int kLanes = 16;
// The paths' lanes: two 512-bit vectors a group, whose two dependency
// chains (Philox rounds, the log and sincos polynomials, the state
// recursion) overlap where one alone would wait on latencies.
constexpr int kPathLanes = 32;
constexpr unsigned kAllLanes = 0xffffffffu;  // bit l: lane l
static_assert(kPathLanes == 32, "a lane mask is one unsigned");
// Words of one lockstep path at most: the state's normals in pairs, then up
// to three a day.
constexpr int kMaxWords = 2 * ((kMaxPathStates + 1) / 2) + 3 * kMaxPathHorizon;
constexpr int kMaxBlocks = (kMaxWords + 3) / 4;

using Lanes = float[kPathLanes];
using WordLanes = std::uint32_t[kPathLanes];

// Philox4x32-10 blocks first_block + 0..blocks-1 of the lanes' streams
// (subsequence = path): block c has counter {c, 0, path_lo, path_hi}, as
// PhiloxStream makes it; words[4 b + i] holds word i of each lane's block
// first_block + b. Three versions, chosen at load time: compilers widen
// the 32 x 32 -> 64-bit products to 64-bit lanes (vpmullq), while vpmuludq
// makes them from the 32-bit lanes directly, even and odd lanes in two
// instructions.
ARABICA_DEFAULT_VERSION
void philox_blocks(int blocks, const WordLanes first_block, const WordLanes path_lo,
                   const WordLanes path_hi, PhiloxKey key, WordLanes* words) {
  for (int b = 0; b < blocks; ++b) {
    PhiloxKey k = key;
    std::uint32_t x[kPathLanes], y[kPathLanes], z[kPathLanes], w[kPathLanes];
    for (int l = 0; l < kPathLanes; ++l)
      x[l] = first_block[l] + b, y[l] = 0, z[l] = path_lo[l], w[l] = path_hi[l];
    for (int round = 0; round < 10; ++round) {
      for (int l = 0; l < kPathLanes; ++l) {
        const std::uint64_t p0 = static_cast<std::uint64_t>(detail::kPhiloxM0) * x[l];
        const std::uint64_t p1 = static_cast<std::uint64_t>(detail::kPhiloxM1) * z[l];
        x[l] = static_cast<std::uint32_t>(p1 >> 32) ^ y[l] ^ k.lo;
        y[l] = static_cast<std::uint32_t>(p1);
        const std::uint32_t next_z = static_cast<std::uint32_t>(p0 >> 32) ^ w[l] ^ k.hi;
        w[l] = static_cast<std::uint32_t>(p0);
        z[l] = next_z;
      }
      k.lo += detail::kPhiloxW0;
      k.hi += detail::kPhiloxW1;
    }
    for (int l = 0; l < kPathLanes; ++l)
      words[4 * b][l] = x[l], words[4 * b + 1][l] = y[l], words[4 * b + 2][l] = z[l], words[4 * b + 3][l] = w[l];
  }
}

#if ARABICA_LANES_ISA >= 4
// One Philox round of 16 lanes: vpmuludq makes the 32 x 32 -> 64-bit
// products from the 32-bit lanes directly, even and odd lanes in two
// instructions (compilers widen them to 64-bit lanes, vpmullq).
__attribute__((target("avx512f"), always_inline)) inline void philox_round_512(
    __m512i& x, __m512i& y, __m512i& z, __m512i& w, __m512i key_lo, __m512i key_hi) {
  const __m512i m0 = _mm512_set1_epi64(detail::kPhiloxM0), m1 = _mm512_set1_epi64(detail::kPhiloxM1);
  constexpr __mmask16 even = 0x5555, odd = 0xAAAA;
  const __m512i px_even = _mm512_mul_epu32(x, m0), px_odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), m0);
  const __m512i pz_even = _mm512_mul_epu32(z, m1), pz_odd = _mm512_mul_epu32(_mm512_srli_epi64(z, 32), m1);
  // Each lane's half of its 64-bit product, in one masked swap of adjacent
  // 32-bit lanes: an even lane's product fills its lane and the next, an
  // odd lane's the one before and its own.
  const __m512i x_lo = _mm512_mask_shuffle_epi32(px_even, odd, px_odd, _MM_PERM_CDAB);
  const __m512i x_hi = _mm512_mask_shuffle_epi32(px_odd, even, px_even, _MM_PERM_CDAB);
  const __m512i z_lo = _mm512_mask_shuffle_epi32(pz_even, odd, pz_odd, _MM_PERM_CDAB);
  const __m512i z_hi = _mm512_mask_shuffle_epi32(pz_odd, even, pz_even, _MM_PERM_CDAB);
  x = _mm512_ternarylogic_epi32(z_hi, y, key_lo, 0x96);
  y = z_lo;
  z = _mm512_ternarylogic_epi32(x_hi, w, key_hi, 0x96);
  w = x_lo;
}

__attribute__((target("avx512f")))
void philox_blocks(int blocks, const WordLanes first_block, const WordLanes path_lo,
                   const WordLanes path_hi, PhiloxKey key, WordLanes* words) {
  static_assert(kPathLanes == 32, "two 512-bit vectors of lanes, interleaved");
  const __m512i lo0 = _mm512_loadu_si512(path_lo), hi0 = _mm512_loadu_si512(path_hi);
  const __m512i lo1 = _mm512_loadu_si512(path_lo + 16), hi1 = _mm512_loadu_si512(path_hi + 16);
  const __m512i first0 = _mm512_loadu_si512(first_block), first1 = _mm512_loadu_si512(first_block + 16);
  for (int b = 0; b < blocks; ++b) {
    const __m512i block = _mm512_set1_epi32(b);
    __m512i x0 = _mm512_add_epi32(first0, block), y0 = _mm512_setzero_si512(), z0 = lo0, w0 = hi0;
    __m512i x1 = _mm512_add_epi32(first1, block), y1 = _mm512_setzero_si512(), z1 = lo1, w1 = hi1;
    std::uint32_t key_lo = key.lo, key_hi = key.hi;
    for (int round = 0; round < 10; ++round) {
      const __m512i klo = _mm512_set1_epi32(static_cast<int>(key_lo));
      const __m512i khi = _mm512_set1_epi32(static_cast<int>(key_hi));
      philox_round_512(x0, y0, z0, w0, klo, khi);
      philox_round_512(x1, y1, z1, w1, klo, khi);
      key_lo += detail::kPhiloxW0;
      key_hi += detail::kPhiloxW1;
    }
    _mm512_storeu_si512(words[4 * b], x0);
    _mm512_storeu_si512(words[4 * b] + 16, x1);
    _mm512_storeu_si512(words[4 * b + 1], y0);
    _mm512_storeu_si512(words[4 * b + 1] + 16, y1);
    _mm512_storeu_si512(words[4 * b + 2], z0);
    _mm512_storeu_si512(words[4 * b + 2] + 16, z1);
    _mm512_storeu_si512(words[4 * b + 3], w0);
    _mm512_storeu_si512(words[4 * b + 3] + 16, w1);
  }
}

#endif

#if ARABICA_LANES_ISA >= 3
__attribute__((target("avx2")))
void philox_blocks(int blocks, const WordLanes first_block, const WordLanes path_lo,
                   const WordLanes path_hi, PhiloxKey key, WordLanes* words) {
  const __m256i m0 = _mm256_set1_epi64x(detail::kPhiloxM0), m1 = _mm256_set1_epi64x(detail::kPhiloxM1);
  for (int b = 0; b < blocks; ++b)
    for (int half = 0; half < kPathLanes; half += 8) {
      __m256i x = _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(first_block + half)),
                                   _mm256_set1_epi32(b));
      __m256i y = _mm256_setzero_si256();
      __m256i z = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(path_lo + half));
      __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(path_hi + half));
      std::uint32_t key_lo = key.lo, key_hi = key.hi;
      for (int round = 0; round < 10; ++round) {
        const __m256i px_even = _mm256_mul_epu32(x, m0), px_odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m0);
        const __m256i pz_even = _mm256_mul_epu32(z, m1), pz_odd = _mm256_mul_epu32(_mm256_srli_epi64(z, 32), m1);
        const __m256i x_lo = _mm256_blend_epi32(px_even, _mm256_slli_epi64(px_odd, 32), 0xAA);
        const __m256i x_hi = _mm256_blend_epi32(_mm256_srli_epi64(px_even, 32), px_odd, 0xAA);
        const __m256i z_lo = _mm256_blend_epi32(pz_even, _mm256_slli_epi64(pz_odd, 32), 0xAA);
        const __m256i z_hi = _mm256_blend_epi32(_mm256_srli_epi64(pz_even, 32), pz_odd, 0xAA);
        x = _mm256_xor_si256(_mm256_xor_si256(z_hi, y), _mm256_set1_epi32(static_cast<int>(key_lo)));
        y = z_lo;
        z = _mm256_xor_si256(_mm256_xor_si256(x_hi, w), _mm256_set1_epi32(static_cast<int>(key_hi)));
        w = x_lo;
        key_lo += detail::kPhiloxW0;
        key_hi += detail::kPhiloxW1;
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(words[4 * b] + half), x);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(words[4 * b + 1] + half), y);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(words[4 * b + 2] + half), z);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(words[4 * b + 3] + half), w);
    }
}

#endif

// detail::normal_pair on words (u_word, angle_word) of every lane.
[[gnu::always_inline]] inline void normal_pairs(const WordLanes u_word, const WordLanes angle_word, Lanes a,
                                                Lanes b) {
#pragma omp simd
  for (int l = 0; l < kPathLanes; ++l) {
    const float u = uniform_float(u_word[l]);
    const fmath::SinCos turn = fmath::sincos_turn(angle_word[l]);
    const float radius = sqrtf(-2.0f * fmath::log_positive(u));
    a[l] = radius * turn.sin;
    b[l] = radius * turn.cos;
  }
}

// A group's draws in lockstep: families whose every draw takes the same
// number of words (normal, skew-normal, mixture, NIG, jumps, bootstrap), so all
// of a group's Philox blocks are made up front. The state's normals come
// first, then kWordsPerDay words a day; each family's arithmetic is
// detail::raw_innovation_of's, operation for operation.
template <InnovationKind Kind>
struct LockstepWords {
  // Normal days come in pairs (InnovationDraws): one pair of words, day 2j's
  // normal and day 2j + 1's, so a word a day.
  // Skew-normal takes a pair a day; mixture, NIG and jumps a pair and a
  // word.
  static constexpr int kWordsPerDay = Kind == InnovationKind::bootstrap || Kind == InnovationKind::normal ? 1
                                      : Kind == InnovationKind::skew_normal                                 ? 2
                                                                                                            : 3;
  // Words for `horizon` days (an odd horizon's last pair is drawn whole).
  static constexpr int day_words(int horizon) {
    return Kind == InnovationKind::normal ? 2 * ((horizon + 1) / 2) : kWordsPerDay * horizon;
  }
  const WordLanes* words;
  int state_words;
  const InnovationParams& innovations;
  alignas(64) Lanes second = {};  // normal: the pair's b, for the odd day

  [[gnu::always_inline]] void state_pair(int i, Lanes a, Lanes b) const {
    normal_pairs(words[i], words[i + 1], a, b);
  }
  // detail::poisson_inversion of each lane's word: the lanes step on
  // together while any of them has not reached its count (with few jumps a
  // step, most groups stop after a step or two).
  [[gnu::always_inline]] void poisson_counts(const WordLanes word, int* count) const {
    const double rate = innovations.jump_rate;
    alignas(64) double u[kPathLanes], p[kPathLanes], cdf[kPathLanes];
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) {
      u[l] = (word[l] + 0.5) * 0x1p-32;
      p[l] = cdf[l] = innovations.poisson_p0;
      count[l] = 0;
    }
    for (int stepping = 1; stepping;) {
      stepping = 0;
#pragma omp simd reduction(| : stepping)
      for (int l = 0; l < kPathLanes; ++l) {
        const bool step = u[l] > cdf[l] && p[l] > 0.0;
        const int next = count[l] + step;
        const double next_p = p[l] * (rate / (step ? next : 1));  // kept only if it steps
        count[l] = next;
        p[l] = step ? next_p : p[l];
        cdf[l] = step ? cdf[l] + next_p : cdf[l];
        stepping |= step;
      }
    }
  }
  // draw_innovation: the family's raw draw, standardised.
  [[gnu::always_inline]] void innovation(int h, Lanes z) {
    const WordLanes* day = words + state_words + kWordsPerDay * h;
    const InnovationParams& p = innovations;
    if constexpr (Kind == InnovationKind::normal) {
      alignas(64) Lanes a;
      if (h % 2 == 0) normal_pairs(day[0], day[1], a, second);  // days h and h + 1
      const float* raw = h % 2 == 0 ? a : second;
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) z[l] = (raw[l] - p.center) * p.inv_scale;
    } else if constexpr (Kind == InnovationKind::bootstrap) {
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) {
        const std::uint64_t index = (static_cast<std::uint64_t>(day[0][l]) * p.residual_count) >> 32;
        z[l] = (p.residuals[index] - p.center) * p.inv_scale;
      }
    } else {
      alignas(64) Lanes a, b;
      normal_pairs(day[0], day[1], a, b);
      alignas(64) int jumps[kPathLanes];
      if constexpr (Kind == InnovationKind::jumps) poisson_counts(day[2], jumps);
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) {
        float raw;
        if constexpr (Kind == InnovationKind::skew_normal) {
          raw = p.coef[0] * fabsf(a[l]) + p.coef[1] * b[l];
        } else if constexpr (Kind == InnovationKind::mixture) {
          raw = uniform_float(day[2][l]) <= p.coef[0] ? p.coef[1] * a[l] : a[l];
        } else if constexpr (Kind == InnovationKind::nig) {
          const float m = p.coef[0];
          const float my = m * a[l] * a[l];
          const float large = m * (1.0f + 0.5f * (my + sqrtf(my * (my + 4.0f))));
          const float small = m * m / large;
          const float v = uniform_float(day[2][l]) * (m + small) <= m ? small : large;
          raw = p.coef[1] * v + sqrtf(v) * b[l];
        } else if constexpr (Kind == InnovationKind::jumps) {
          const int n = jumps[l];
          raw = a[l] + n * p.coef[0] + p.coef[1] * sqrtf(static_cast<float>(n)) * b[l];
        } else {
          raw = a[l];
        }
        z[l] = (raw - p.center) * p.inv_scale;
      }
    }
  }
};

// A group's streams when lanes consume different numbers of words
// (rejection samplers): each lane has its position and holds the Philox
// block around it; the blocks lanes step into are made together, for all
// lanes at once. Words are taken in pairs at even positions, which never
// straddle a block. (Holding two blocks a lane measured slower: lanes drift
// apart, and each refill then makes twice the words.)
struct LaneStreams {
  PhiloxKey key;
  alignas(64) WordLanes path_lo, path_hi;
  alignas(64) WordLanes position;  // next word of each lane's stream
  alignas(64) WordLanes held;      // block each lane holds
  alignas(64) WordLanes block[4];

  LaneStreams(PhiloxKey stream_key, const WordLanes lo, const WordLanes hi) : key(stream_key) {
    std::copy(lo, lo + kPathLanes, path_lo);
    std::copy(hi, hi + kPathLanes, path_hi);
    std::fill(position, position + kPathLanes, 0u);
    std::fill(held, held + kPathLanes, 0u);
    philox_blocks(1, position, path_lo, path_hi, key, block);  // block 0 for every lane
  }

  // Makes the lanes in `lanes` hold the block of their next word: the
  // blocks of every lane that steps into a new one, in one Philox call.
  [[gnu::always_inline]] void hold_next_blocks(unsigned lanes) {
    alignas(64) WordLanes wanted;
    unsigned stale = 0;
#pragma omp simd reduction(| : stale)
    for (int l = 0; l < kPathLanes; ++l) {
      wanted[l] = position[l] >> 2;
      stale |= (((lanes >> l) & 1u) & (wanted[l] != held[l] ? 1u : 0u)) << l;
    }
    if (!stale) return;
    alignas(64) WordLanes fresh[4];
    philox_blocks(1, wanted, path_lo, path_hi, key, fresh);
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) {
      const std::uint32_t take = 0u - ((stale >> l) & 1u);  // all ones or 0
      for (int e = 0; e < 4; ++e) block[e][l] = (fresh[e][l] & take) | (block[e][l] & ~take);
      held[l] = (wanted[l] & take) | (held[l] & ~take);
    }
  }

  // The next word pair of the lanes in `lanes` (bit l), in (first, second);
  // their positions advance by two.
  [[gnu::always_inline]] void next_pairs(unsigned lanes, WordLanes first, WordLanes second) {
    hold_next_blocks(lanes);
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) {
      const std::uint32_t high = 0u - ((position[l] >> 1) & 1u);  // words 2, 3 of the block
      first[l] = (block[2][l] & high) | (block[0][l] & ~high);
      second[l] = (block[3][l] & high) | (block[1][l] & ~high);
      position[l] += ((lanes >> l) & 1u) << 1;
    }
  }

  // The next word of the lanes in `lanes`, at any position; their positions
  // advance by one.
  [[gnu::always_inline]] void next_words(unsigned lanes, WordLanes word) {
    hold_next_blocks(lanes);
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) {
      const std::uint32_t high = 0u - ((position[l] >> 1) & 1u);
      const std::uint32_t odd = 0u - (position[l] & 1u);
      const std::uint32_t low_pair = (block[1][l] & odd) | (block[0][l] & ~odd);
      const std::uint32_t high_pair = (block[3][l] & odd) | (block[2][l] & ~odd);
      word[l] = (high_pair & high) | (low_pair & ~high);
      position[l] += (lanes >> l) & 1u;
    }
  }
};

// Student-t draws by Bailey's polar method (detail::student_t_raw) in lanes,
// each lane on its own stream, a window of days at a time: every try, each
// lane not yet holding the window's draws takes its next pair of words and,
// if accepted, keeps it as its next day's. A lane's words are its stream's
// in order, so the draws are the scalar reference's; but the tries run
// until the lanes' whole windows are drawn rather than until every lane has
// one day's (the max over 32 lanes of a sum of eight geometric try counts
// is ~1.5 tries a day; of one count, ~3.3).
struct StudentTDraws {
  static constexpr int kWindow = 8;
  LaneStreams& streams;
  const InnovationParams& innovations;
  int horizon;
  alignas(64) float window[kWindow][kPathLanes] = {};  // the window's standardised draws

  [[gnu::always_inline]] void state_pair(int, Lanes a, Lanes b) const {
    alignas(64) WordLanes first, second;
    streams.next_pairs(kAllLanes, first, second);
    normal_pairs(first, second, a, b);
  }
  [[gnu::always_inline]] void innovation(int h, Lanes z) {
    if (h % kWindow == 0) draw_window(std::min(kWindow, horizon - h));
    std::memcpy(z, window[h % kWindow], sizeof(Lanes));
  }
  [[gnu::always_inline]] void draw_window(int days) {
    alignas(64) float u_kept[kWindow][kPathLanes] = {}, w_kept[kWindow][kPathLanes] = {};
    alignas(64) std::uint32_t drawn[kPathLanes] = {};  // the lane's accepted tries so far
    unsigned waiting = kAllLanes;
    while (waiting) {
      alignas(64) WordLanes first, second;
      streams.next_pairs(waiting, first, second);
      unsigned full = 0;
      const unsigned open = waiting;
#pragma omp simd reduction(| : full)
      for (int l = 0; l < kPathLanes; ++l) {
        const float u = detail::signed_uniform(first[l]);
        const float v = detail::signed_uniform(second[l]);
        const float w = u * u + v * v;
        const std::uint32_t take = ((open >> l) & 1u) & (w < 1.0f ? 1u : 0u);
        for (int d = 0; d < kWindow; ++d) {
          const bool here = take & (drawn[l] == static_cast<std::uint32_t>(d));
          u_kept[d][l] = here ? u : u_kept[d][l];
          w_kept[d][l] = here ? w : w_kept[d][l];
        }
        drawn[l] += take;
        full |= (drawn[l] == static_cast<std::uint32_t>(days) ? 1u : 0u) << l;
      }
      waiting &= ~full;
    }
    const float nu = innovations.coef[0], minus_two_over_nu = innovations.coef[1];
    for (int d = 0; d < days; ++d) {
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) {
        const float w = w_kept[d][l];
        const float raw =
            u_kept[d][l] * sqrtf(nu * fmath::expm1_nonnegative(minus_two_over_nu * fmath::log_positive(w)) / w);
        window[d][l] = (raw - innovations.center) * innovations.inv_scale;
      }
    }
  }
};

// Skew-t draws (raw_innovation's skew_t case) in lanes: a normal pair for
// the skew-normal, then Marsaglia-Tsang gamma tries (a normal until
// 1 + c x > 0, then a uniform) until every lane has accepted. Word counts
// are odd here, so words are taken one at a time.
struct SkewTDraws {
  LaneStreams& streams;
  const InnovationParams& innovations;
  int horizon;  // not read: a day at a time (rejection_paths gives every sampler the same fields)

  // detail::normal_pair's first normal (and second) of the lanes in `lanes`.
  [[gnu::always_inline]] void normal_pairs_of(unsigned lanes, Lanes a, Lanes b) const {
    alignas(64) WordLanes u_word, angle_word;
    streams.next_words(lanes, u_word);
    streams.next_words(lanes, angle_word);
    normal_pairs(u_word, angle_word, a, b);
  }
  [[gnu::always_inline]] void state_pair(int, Lanes a, Lanes b) const { normal_pairs_of(kAllLanes, a, b); }
  [[gnu::always_inline]] void innovation(int, Lanes z) const {
    const float delta = innovations.coef[0], root = innovations.coef[1];
    const float d = innovations.coef[2], c = innovations.coef[3];
    alignas(64) Lanes a, b, skew_normal;
    normal_pairs_of(kAllLanes, a, b);
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) skew_normal[l] = delta * fabsf(a[l]) + root * b[l];
    alignas(64) Lanes x_kept = {}, v_kept = {}, gamma = {};
    unsigned waiting = kAllLanes;
    while (waiting) {
      for (unsigned need_x = waiting; need_x;) {  // x ~ N(0, 1) with 1 + c x > 0
        alignas(64) Lanes x, unused;
        normal_pairs_of(need_x, x, unused);
        unsigned found = 0;
        const unsigned open = need_x;
#pragma omp simd reduction(| : found)
        for (int l = 0; l < kPathLanes; ++l) {
          const float v = 1.0f + c * x[l];
          const unsigned take = ((open >> l) & 1u) & (v > 0.0f ? 1u : 0u);
          if (take) {
            x_kept[l] = x[l];
            v_kept[l] = v;
          }
          found |= take << l;
        }
        need_x &= ~found;
      }
      alignas(64) WordLanes u_word;
      streams.next_words(waiting, u_word);
      unsigned accepted = 0;
      const unsigned open = waiting;
#pragma omp simd reduction(| : accepted)
      for (int l = 0; l < kPathLanes; ++l) {
        const float v = v_kept[l] * v_kept[l] * v_kept[l];
        const float u = uniform_float(u_word[l]);
        const float x2 = x_kept[l] * x_kept[l];
        const bool squeeze = u < 1.0f - 0.0331f * x2 * x2;
        const bool full = fmath::log_positive(u) < 0.5f * x2 + d * (1.0f - v + fmath::log_positive(v));
        const unsigned take = ((open >> l) & 1u) & ((squeeze | full) ? 1u : 0u);
        if (take) gamma[l] = d * v;
        accepted |= take << l;
      }
      waiting &= ~accepted;
    }
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l)
      z[l] = (skew_normal[l] / sqrtf(gamma[l]) - innovations.center) * innovations.inv_scale;
  }
};

// Day h's shocks of the lanes from their innovations z (simulate_path's
// arithmetic): (sigma or, under GARCH, the lane's sqrt(variance)) times
// volatility[h] times z; GARCH then steps each lane's variance. `shock` may
// be `z`.
[[gnu::always_inline]] inline void shocks(const PathModel& model, int h, const float* z,
                                          float* variance, float* shock) {
  if (!model.garch) {
    const float scale = model.sigma * model.volatility[h];
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) shock[l] = scale * z[l];
    return;
  }
#pragma omp simd
  for (int l = 0; l < kPathLanes; ++l) {
    shock[l] = sqrtf(variance[l]) * model.volatility[h] * z[l];
    variance[l] = next_garch_variance(model, shock[l], variance[l]);
  }
}

// path_price() of the lanes' values, in place (its arithmetic, which
// Pipeline.TransformedPricesAndGarchEqualTheReference checks float for float), with
// the branch on the model taken once for the group rather than inside the
// lane loop: a model of prices computes no exp, whatever the compiler does
// with a per-lane select.
[[gnu::always_inline]] inline void to_prices(const PathModel& model, int h, float* values) {
  const float offset = model.price_offset[h];
  if (model.price_transform == kLogPrices) {
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) values[l] = fmath::exp_of(values[l]) + offset;
  } else if (model.price_transform == kBoxCoxPrices) {
    const float lambda = model.box_cox_lambda;
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) values[l] = fmath::box_cox_inverse(values[l], lambda) + offset;
  } else {
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) values[l] = values[l] + offset;
  }
}

// A group's values of one day into their row: a full group as one vector
// store (a copy of run-time length compiles to `rep movs`, whose start-up
// cost measured a sixth of the path loop), the last partial group value by
// value.
[[gnu::always_inline]] inline void store_lanes(const float* values, int active, float* row) {
  if (active == kPathLanes)
    std::memcpy(row, values, sizeof(Lanes));
  else
    std::copy(values, values + active, row);
}

// One group of lanes in state-space mode with K states known at compile
// time (the common SARIMAX sizes): the lanes' states stay in registers. The
// arithmetic is simulate_path()'s, operation for operation.
template <int K, class Draws>
[[gnu::always_inline]] inline void state_space_fixed(const PathModel& model, Draws& draws, int active,
                                                     std::int64_t n_paths, float* out) {
  alignas(64) Lanes xi[K + 1];
  alignas(64) Lanes z;
  for (int i = 0; i < K; i += 2) draws.state_pair(i, xi[i], xi[i + 1]);
  alignas(64) float state[K][kPathLanes];
#pragma omp simd
  for (int l = 0; l < kPathLanes; ++l)
    for (int i = 0; i < K; ++i) {
      float value = model.anchor[i];
      for (int j = 0; j < K; ++j) value += model.anchor_factor[i * kMaxPathStates + j] * xi[j][l];
      state[i][l] = value;
    }
  alignas(64) Lanes variance;  // GARCH only
  std::fill(variance, variance + kPathLanes, model.garch_variance);
  for (int h = 0; h < model.horizon; ++h) {
    draws.innovation(h, z);
    float trend[K];
    for (int i = 0; i < K; ++i) trend[i] = i == model.trend_state ? model.intercept[h] : 0.0f;
    alignas(64) float price[kPathLanes], shock[kPathLanes], next[K][kPathLanes];
    shocks(model, h, z, variance, shock);
    for (int i = 0; i < K; ++i) {
      const float* row = model.transition + i * kMaxPathStates;
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) {
        float value = model.selection[i] * shock[l];
        for (int j = 0; j < K; ++j) value += row[j] * state[j][l];
        // next[trend_state] += intercept, without indexing the lanes:
        // adding 0 elsewhere changes no float but the sign of a zero state,
        // which no price can show.
        next[i][l] = value + trend[i];
      }
    }
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) {
      float p = model.regression[h];
      for (int i = 0; i < K; ++i) p += model.design[i] * next[i][l];
      for (int i = 0; i < K; ++i) state[i][l] = next[i][l];
      price[l] = p;
    }
    to_prices(model, h, price);
    store_lanes(price, active, out + h * n_paths);
  }
}

// The same for any state dimension, the lanes' states in memory.
template <class Draws>
[[gnu::always_inline]] inline void state_space_any(const PathModel& model, Draws& draws, int active,
                                                   std::int64_t n_paths, float* out) {
  const int k = model.k_states;
  alignas(64) Lanes state_a[kMaxPathStates], state_b[kMaxPathStates], xi[kMaxPathStates + 1];
  alignas(64) Lanes z, price;
  for (int i = 0; i < k; i += 2) draws.state_pair(i, xi[i], xi[i + 1]);
  float (*state)[kPathLanes] = state_a;
  float (*next)[kPathLanes] = state_b;
  for (int i = 0; i < k; ++i) {
    const float* factor = model.anchor_factor + i * kMaxPathStates;
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) state[i][l] = model.anchor[i];
    for (int j = 0; j < k; ++j)
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) state[i][l] += factor[j] * xi[j][l];
  }
  alignas(64) Lanes variance;  // GARCH only
  std::fill(variance, variance + kPathLanes, model.garch_variance);
  for (int h = 0; h < model.horizon; ++h) {
    draws.innovation(h, z);
    shocks(model, h, z, variance, z);  // z becomes the shock
    for (int i = 0; i < k; ++i) {
      const float* row = model.transition + i * kMaxPathStates;
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) next[i][l] = model.selection[i] * z[l];
      for (int j = 0; j < k; ++j)
#pragma omp simd
        for (int l = 0; l < kPathLanes; ++l) next[i][l] += row[j] * state[j][l];
    }
    for (int i = 0; i < k; ++i) {  // simulate_path's trend term, 0 off the trend state
      const float trend = i == model.trend_state ? model.intercept[h] : 0.0f;
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) next[i][l] += trend;
    }
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) price[l] = model.regression[h];
    for (int i = 0; i < k; ++i)
#pragma omp simd
      for (int l = 0; l < kPathLanes; ++l) price[l] += model.design[i] * next[i][l];
    to_prices(model, h, price);
    std::swap(state, next);
    store_lanes(price, active, out + h * n_paths);
  }
}

template <class Draws>
[[gnu::always_inline]] inline void marginal_group(const PathModel& model, Draws& draws, int active,
                                                  std::int64_t n_paths, float* out) {
  alignas(64) Lanes z, price;
  for (int h = 0; h < model.horizon; ++h) {
    draws.innovation(h, z);
    const float scale = model.std_error[h] * model.volatility[h];
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) price[l] = model.mean[h] + scale * z[l];
    to_prices(model, h, price);
    store_lanes(price, active, out + h * n_paths);
  }
}

// One group of 16 paths from `draws`, in the request's mode.
template <class Draws>
[[gnu::always_inline]] inline void simulate_group(const PathModel& model, Draws& draws, int active,
                                                  std::int64_t n_paths, float* out) {
  if (model.mode == PathMode::marginal) return marginal_group(model, draws, active, n_paths, out);
  switch (model.k_states) {
    case 1: return state_space_fixed<1>(model, draws, active, n_paths, out);
    case 2: return state_space_fixed<2>(model, draws, active, n_paths, out);
    case 3: return state_space_fixed<3>(model, draws, active, n_paths, out);
    case 4: return state_space_fixed<4>(model, draws, active, n_paths, out);
    default: return state_space_any(model, draws, active, n_paths, out);
  }
}

struct GroupKeys {
  PhiloxKey key;
  alignas(64) WordLanes path_lo, path_hi;

  GroupKeys(std::uint64_t stream_seed, std::int64_t group)
      : key{static_cast<std::uint32_t>(stream_seed), static_cast<std::uint32_t>(stream_seed >> 32)} {
#pragma omp simd
    for (int l = 0; l < kPathLanes; ++l) {
      const std::uint64_t p = static_cast<std::uint64_t>(group + l);
      path_lo[l] = static_cast<std::uint32_t>(p);
      path_hi[l] = static_cast<std::uint32_t>(p >> 32);
    }
  }
};

template <InnovationKind Kind>
[[gnu::always_inline]] inline void lockstep_paths(const DeviceRequest& request, std::int64_t first,
                                                  std::int64_t end, float* out) {
  const PathModel& model = request.model;
  const int state_words = model.mode == PathMode::marginal ? 0 : 2 * ((model.k_states + 1) / 2);
  const int blocks = (state_words + LockstepWords<Kind>::day_words(model.horizon) + 3) / 4;
  alignas(64) WordLanes words[kMaxBlocks * 4];
  alignas(64) const WordLanes block_zero = {};
  for (std::int64_t group = first; group < end; group += kPathLanes) {
    const int active = static_cast<int>(std::min<std::int64_t>(kPathLanes, end - group));
    const GroupKeys keys(request.stream_seed, group);
    philox_blocks(blocks, block_zero, keys.path_lo, keys.path_hi, keys.key, words);
    LockstepWords<Kind> draws{words, state_words, request.innovations};
    simulate_group(model, draws, active, request.n_paths, out + group);
  }
}

// The lockstep families, one set of ISA clones for them all.
ARABICA_ISA_CLONES
void lockstep_family_paths(const DeviceRequest& request, std::int64_t first, std::int64_t end, float* out) {
  switch (request.innovations.kind) {
    case InnovationKind::skew_normal: return lockstep_paths<InnovationKind::skew_normal>(request, first, end, out);
    case InnovationKind::mixture: return lockstep_paths<InnovationKind::mixture>(request, first, end, out);
    case InnovationKind::nig: return lockstep_paths<InnovationKind::nig>(request, first, end, out);
    case InnovationKind::jumps: return lockstep_paths<InnovationKind::jumps>(request, first, end, out);
    case InnovationKind::bootstrap: return lockstep_paths<InnovationKind::bootstrap>(request, first, end, out);
    default: return lockstep_paths<InnovationKind::normal>(request, first, end, out);
  }
}

// The families whose lanes draw from their own stream positions
// (rejection samplers), one set of ISA clones for them all.
template <class Draws>
[[gnu::always_inline]] inline void rejection_paths(const DeviceRequest& request, std::int64_t first,
                                                   std::int64_t end, float* out) {
  for (std::int64_t group = first; group < end; group += kPathLanes) {
    const int active = static_cast<int>(std::min<std::int64_t>(kPathLanes, end - group));
    const GroupKeys keys(request.stream_seed, group);
    LaneStreams streams(keys.key, keys.path_lo, keys.path_hi);
    Draws draws{streams, request.innovations, request.model.horizon};
    simulate_group(request.model, draws, active, request.n_paths, out + group);
  }
}

ARABICA_ISA_CLONES
void rejection_family_paths(const DeviceRequest& request, std::int64_t first, std::int64_t end, float* out) {
  if (request.innovations.kind == InnovationKind::student_t)
    rejection_paths<StudentTDraws>(request, first, end, out);
  else
    rejection_paths<SkewTDraws>(request, first, end, out);
}

}  // namespace

ARABICA_ISA_CLONES
DayAccumulator accumulate_in_lanes(const float* values, std::int64_t n, double shift, double last_price) {
  alignas(64) double s1[kLanes] = {}, s2[kLanes] = {}, s3[kLanes] = {}, s4[kLanes] = {};
  alignas(64) std::int64_t up[kLanes] = {}, nonfinite[kLanes] = {};
  // The counts in 32-bit lanes (half the vectors of 64-bit ones), added to
  // the totals every kSpan values, fewer than 2^32 a lane.
  constexpr std::int64_t kSpan = std::int64_t{1} << 24;
  alignas(64) std::uint32_t up_span[kLanes], nonfinite_span[kLanes];
  alignas(64) float lo[kLanes], hi[kLanes];
  std::fill(lo, lo + kLanes, INFINITY);
  std::fill(hi, hi + kLanes, -INFINITY);
  // DayAccumulator::add per lane, with the non-finite test in bits and
  // selects for branches.
  auto add = [&](int l, float value) {
    const bool finite = (fmath::bits_of(value) & 0x7f800000u) != 0x7f800000u;
    const double d = finite ? static_cast<double>(value) - shift : 0.0, d2 = d * d;
    s1[l] += d, s2[l] += d2, s3[l] += d2 * d, s4[l] += d2 * d2;
    up_span[l] += finite & (static_cast<double>(value) > last_price);
    nonfinite_span[l] += !finite;
    lo[l] = finite & (value < lo[l]) ? value : lo[l];
    hi[l] = finite & (value > hi[l]) ? value : hi[l];
  };
  std::int64_t i = 0;
  for (std::int64_t span_end = 0; i < n;) {
    span_end = std::min(n, span_end + kSpan);
    std::fill(up_span, up_span + kLanes, 0u);
    std::fill(nonfinite_span, nonfinite_span + kLanes, 0u);
    for (; i + kLanes <= span_end; i += kLanes) {
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) add(l, values[i + l]);
    }
    if (span_end == n)
      for (int l = 0; i < n; ++i, ++l) add(l, values[i]);
    for (int l = 0; l < kLanes; ++l) up[l] += up_span[l], nonfinite[l] += nonfinite_span[l];
  }
  DayAccumulator total;
  for (int l = 0; l < kLanes; ++l) {
    DayAccumulator lane;
    lane.sums.s1 = s1[l], lane.sums.s2 = s2[l], lane.sums.s3 = s3[l], lane.sums.s4 = s4[l];
    lane.sums.up = up[l];
    lane.lo = lo[l], lane.hi = hi[l], lane.nonfinite = nonfinite[l];
    total.merge(lane);
  }
  return total;
}

ARABICA_ISA_CLONES
void histogram_in_lanes(const float* values, std::int64_t n, float lo, float scale, int bin_count,
                        std::uint32_t* hist) {
  // Four partial histograms: consecutive values often share a central bin,
  // and one counter would chain every increment through memory. 16-bit
  // counters, so that the four fit in L1 at 4,096 bins: a run is one value
  // item (at most kValuesPerItem values), so a partial counts at most a
  // quarter of it.
  static_assert(kValuesPerItem / 4 <= 65535, "a partial's count fits 16 bits");
  ARABICA_REQUIRE(n <= kValuesPerItem, "histogram_in_lanes: at most one value item");
  alignas(64) std::uint16_t partial[4][kMaxHistogramBins];
  for (auto& copy : partial) std::fill(copy, copy + bin_count, std::uint16_t{0});
  // Bins of a block of values in lanes, then one load and one add to
  // memory a value.
  constexpr int kBlock = 8 * kLanes;
  alignas(64) int bins[kBlock];
  std::int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
#pragma omp simd
    for (int l = 0; l < kBlock; ++l) bins[l] = bin_of(values[i + l], lo, scale, bin_count);
    // The bins through memory: otherwise the compiler extracts each from its
    // vector, which measured 40% slower.
    asm volatile("" : : "r"(bins) : "memory");
    for (int l = 0; l < kBlock; l += 4) {
      ++partial[0][bins[l]];
      ++partial[1][bins[l + 1]];
      ++partial[2][bins[l + 2]];
      ++partial[3][bins[l + 3]];
    }
  }
  for (; i < n; ++i) ++partial[i & 3][bin_of(values[i], lo, scale, bin_count)];
#pragma omp simd
  for (int b = 0; b < bin_count; ++b)
    hist[b] += std::uint32_t{partial[0][b]} + partial[1][b] + partial[2][b] + partial[3][b];
}

ARABICA_ISA_CLONES
void collect_in_lanes(const float* values, std::int64_t n, CollectPlan& plan, double* partial) {
  constexpr int kBlock = 8 * kLanes;
  alignas(64) double sums[kTails][kLanes] = {};
  alignas(64) int bins[kBlock];
  static_assert(kTails == 2, "two tails, written out so that the lanes vectorise");
  const int boundary0 = plan.boundary[0], boundary1 = plan.boundary[1];
  const std::int32_t* group_marks = plan.marks;
  const float lo = plan.lo, scale = plan.scale;
  const int bin_count = plan.bins;
  // The (rare) copy of a value whose bin is a target's; the plan's fields in
  // locals, which the stores cannot alias.
  float* const candidates = plan.candidates;
  int* const keys = plan.keys;
  std::int64_t* const position = plan.position;
  const int first_key = plan.first_group_key;
  auto copy = [=](int mark, float value) {
    if (mark) {
      candidates[position[mark - 1]] = value;
      keys[position[mark - 1]++] = first_key + mark - 1;
    }
  };
  // `count` values (a multiple of the lanes): their bins and tail sums in
  // lanes, then each value's mark read from memory and a branch per value,
  // taken for the ~1% of candidates (a branch per vector of 16 is taken for
  // a sixth of them, and mispredicted as often).
  auto run = [&](const float* v, int count) __attribute__((always_inline)) {
#pragma omp simd
    for (int l = 0; l < count; ++l) bins[l] = bin_of(v[l], lo, scale, bin_count);
    for (int j = 0; j < count; j += kLanes) {
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) {
        const double x = v[j + l];
        sums[0][l] += bins[j + l] < boundary0 ? x : 0.0;
        sums[1][l] += bins[j + l] < boundary1 ? x : 0.0;
      }
    }
    asm volatile("" : : "r"(bins) : "memory");  // see histogram_in_lanes
    for (int l = 0; l < count; ++l) copy(group_marks[bins[l]], v[l]);
  };
  std::int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) run(values + i, kBlock);
  for (; i + kLanes <= n; i += kLanes) run(values + i, kLanes);
  for (int l = 0; i < n; ++i, ++l) {
    const int b = bin_of(values[i], lo, scale, bin_count);
    sums[0][l] += b < boundary0 ? values[i] : 0.0;
    sums[1][l] += b < boundary1 ? values[i] : 0.0;
    copy(group_marks[b], values[i]);
  }
  for (int tail = 0; tail < kTails; ++tail)
    for (int l = 0; l < kLanes; ++l) partial[tail] += sums[tail][l];
}

bool simulate_paths_in_lanes(const DeviceRequest& request, std::int64_t first, std::int64_t end,
                             float* out) {
  switch (request.innovations.kind) {
    case InnovationKind::normal:
    case InnovationKind::skew_normal:
    case InnovationKind::mixture:
    case InnovationKind::nig:
    case InnovationKind::jumps:
    case InnovationKind::bootstrap: lockstep_family_paths(request, first, end, out); return true;
    case InnovationKind::student_t:
    case InnovationKind::skew_t: rejection_family_paths(request, first, end, out); return true;
    default: return false;
  }
}

}  // namespace arabica::pipeline
