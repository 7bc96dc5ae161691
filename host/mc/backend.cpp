#include "arabica/backend.hpp"

#include "arabica/error.hpp"

namespace arabica {

std::unique_ptr<Backend> make_cpu_backend(int threads);
#if defined(ARABICA_WITH_CUDA)
std::unique_ptr<Backend> make_cuda_backend();
bool cuda_device_present();
#endif

bool cuda_available() {
#if defined(ARABICA_WITH_CUDA)
  return cuda_device_present();
#else
  return false;
#endif
}

std::unique_ptr<Backend> make_backend(const std::string& which, int threads) {
  if (which == "cpu") return make_cpu_backend(threads);
  if (which == "cuda" || which == "auto") {
#if defined(ARABICA_WITH_CUDA)
    if (cuda_device_present()) return make_cuda_backend();
#endif
    if (which == "auto") return make_cpu_backend(threads);
    throw InputError("--device", "cuda requested, but this build has no CUDA kernels or no device is visible");
  }
  throw InputError("--device", "unknown device '" + which + "' (expected auto, cpu or cuda)");
}

}  // namespace arabica
