// Checked HDF5 C API calls and owning identifiers: every failure becomes an
// arabica::Error naming the file, and every identifier is closed.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <string>
#include <utility>

namespace arabica::h5 {

/// HDF5's innermost message on this thread's error stack: what actually went
/// wrong (the outer entries only name the calls on the way up).
std::string innermost_error();

/// Throws arabica::Error "FILE: WHAT: <HDF5's innermost error message>".
[[noreturn]] void fail(const std::string& file, const std::string& what);

/// HDF5 signals failure with a negative herr_t, hid_t or htri_t.
template <class Result>
Result check(Result result, const std::string& file, const std::string& what) {
  if (result < 0) fail(file, what);
  return result;
}

/// Owns one identifier and releases it with `Close`.
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  /// Takes the result of an H5*create/open call; a failed call throws.
  Handle(hid_t id, const std::string& file, const std::string& what) : id_(check(id, file, what)) {}
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    std::swap(id_, other.id_);
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  // Unwinding after an earlier failure: nothing more to report.
  ~Handle() {
    if (id_ >= 0) Close(id_);
  }

  hid_t get() const noexcept { return id_; }

  /// Releases now and reports a failure (closing a file writes it out).
  void close(const std::string& file, const std::string& what) {
    check(Close(std::exchange(id_, H5I_INVALID_HID)), file, what);
  }

  /// Gives the identifier up without closing it: closing would write.
  void abandon() noexcept { id_ = H5I_INVALID_HID; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using Datatype = Handle<H5Tclose>;
using Attribute = Handle<H5Aclose>;
using PropertyList = Handle<H5Pclose>;

/// Turns off HDF5's automatic error-stack printing on the calling thread
/// (the library keeps one setting per thread): arabica reports each failure
/// once, through the exception that h5::check throws. Called by every store
/// entry point.
void silence_errors();

/// A UTF-8 text type: variable-length (`size` 0, what netCDF and xarray
/// read as str) or `size` bytes, null-padded.
Datatype text_type(const std::string& file, std::size_t size = 0);

/// Sets a scalar variable-length text attribute of `object`, replacing one
/// of that name. Errors name `file`.
void set_text_attribute(hid_t object, const std::string& name, const std::string& value,
                        const std::string& file);

}  // namespace arabica::h5
