// The backends' constructors (kernels/), for make_backend and the tests.
#pragma once

#include <memory>

#include "arabica/backend.hpp"

namespace arabica {

/// The pipeline on Thrust's OpenMP system. memory_budget: bytes a batch
/// part may use (0: 80% of physical memory); tests set it small to force
/// multi-part batches.
std::unique_ptr<Backend> make_cpu_backend(int threads, double memory_budget = 0.0);

#if defined(ARABICA_WITH_CUDA)
/// The pipeline on CUDA, on device `ordinal` (modulo the device count).
std::unique_ptr<Backend> make_cuda_backend(int ordinal, double memory_budget = 0.0);
bool cuda_device_present();
#endif

}  // namespace arabica
