#include "store/h5_handles.hpp"

#include "arabica/error.hpp"

namespace arabica::h5 {

namespace {
// The deepest entry says what actually went wrong (e.g. the errno text);
// the outer ones only name the API calls on the way up.
herr_t keep_innermost(unsigned depth, const H5E_error2_t* error, void* out) {
  if (depth == 0 && error->desc) *static_cast<std::string*>(out) = error->desc;
  return 0;
}
}  // namespace

std::string innermost_error() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &detail);
  return detail;
}

void fail(const std::string& file, const std::string& what) {
  const std::string detail = innermost_error();
  throw Error(file + ": " + what + (detail.empty() ? "" : ": " + detail));
}

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace arabica::h5
