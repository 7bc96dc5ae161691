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

// HDF5 closes every file still open when the process exits. After a failed
// write (a full disk) that close would write once more, over the last
// commit, and a failed close leaves HDF5 1.10 to crash (SIGSEGV) there: the
// store abandons such a file instead (see BackfillStore), and nothing is
// left to close at exit. Must run before the library's first use.
const herr_t no_close_at_exit = H5dont_atexit();
}  // namespace

std::string innermost_error() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &detail);
  // A failed read or write of the file: its several-line report of buffers
  // and offsets says no more than its errno text ("No space left on device").
  const std::string marker = "error message = '";
  const std::size_t at = detail.find(marker);
  if (at != std::string::npos) {
    const std::size_t end = detail.find('\'', at + marker.size());
    detail = detail.substr(at + marker.size(), end - at - marker.size());
  }
  for (char& c : detail)
    if (c == '\n' || c == '\r') c = ' ';
  return detail;
}

void fail(const std::string& file, const std::string& what) {
  const std::string detail = innermost_error();
  throw Error(file + ": " + what + (detail.empty() ? "" : ": " + detail));
}

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace arabica::h5
