// Qualifiers for code shared by the CPU backend and CUDA kernels: one source
// of truth for per-path math, compiled by g++ on the host and nvcc for both.
#pragma once

#if defined(__CUDACC__)
#define ARABICA_HD __host__ __device__
#define ARABICA_INLINE __forceinline__
#else
#define ARABICA_HD
#define ARABICA_INLINE inline
#endif
