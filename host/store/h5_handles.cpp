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

Datatype text_type(const std::string& file, std::size_t size) {
  Datatype type(H5Tcopy(H5T_C_S1), file, "cannot create a string type");
  check(H5Tset_size(type.get(), size ? size : H5T_VARIABLE), file, "cannot create a string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), file, "cannot create a string type");
  if (size) check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), file, "cannot create a string type");
  return type;
}

void set_text_attribute(hid_t object, const std::string& name, const std::string& value,
                        const std::string& file) {
  const std::string what = "cannot write attribute '" + name + "'";
  if (check(H5Aexists(object, name.c_str()), file, what) > 0)
    check(H5Adelete(object, name.c_str()), file, what);
  const Datatype type = text_type(file);
  const Dataspace scalar(H5Screate(H5S_SCALAR), file, what);
  const Attribute attribute(
      H5Acreate2(object, name.c_str(), type.get(), scalar.get(), H5P_DEFAULT, H5P_DEFAULT), file, what);
  const char* text = value.c_str();
  check(H5Awrite(attribute.get(), type.get(), &text), file, what);
}

}  // namespace arabica::h5
