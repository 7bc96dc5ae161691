// Crash-safe replacement of deliverable files.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace arabica {

/// Replaces `path` with `contents`: writes a temporary file in the same
/// directory, fsyncs it, renames it over `path` and fsyncs the directory.
/// Readers see the old file or the new one, never a partial write.
void write_file_atomically(const std::string& path, const std::string& contents);

/// The same discipline for files written by a library that opens them by
/// name (HDF5): `write` creates the complete file at the temporary path it is
/// given, which is then fsynced and renamed over `path`. If `write` throws,
/// the temporary file is removed and `path` is left untouched.
void replace_file_atomically(const std::string& path,
                             const std::function<void(const std::string& temp_path)>& write);

/// The outputs of one run, all or nothing: each is written in full to a
/// temporary beside its path (and fsynced) as it is added; commit() renames
/// them all into place only after every one was written. Without commit()
/// (an error on the way) the temporaries are removed and no existing output
/// is touched.
class OutputSet {
 public:
  OutputSet() = default;
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;
  ~OutputSet();

  void add_text(const std::string& path, const std::string& contents);
  /// `write` creates the complete file at the temporary path it is given.
  void add_file(const std::string& path,
                const std::function<void(const std::string& temp_path)>& write);
  void commit();

 private:
  struct Staged {
    std::string temp, path;
  };
  std::vector<Staged> staged_;
};

}  // namespace arabica
