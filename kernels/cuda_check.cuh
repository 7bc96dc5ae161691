// Every CUDA runtime call goes through ARABICA_CUDA_CHECK: a failure becomes
// an arabica::Error naming the call, file and line.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "arabica/error.hpp"

namespace arabica::cuda {

inline void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess)
    throw Error(std::string("CUDA error ") + cudaGetErrorName(status) + " (" +
                cudaGetErrorString(status) + ") in " + call + " at " + file + ":" +
                std::to_string(line));
}

}  // namespace arabica::cuda

#define ARABICA_CUDA_CHECK(call) ::arabica::cuda::check((call), #call, __FILE__, __LINE__)
