// Crash-safe replacement of deliverable files.
#pragma once

#include <functional>
#include <string>

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

/// Removes the temporary files that replacements of `path` killed before
/// their rename left beside it. Only for a caller that knows no replacement
/// of `path` is running (the backfill store's writer lock).
void remove_stale_temporaries(const std::string& path);

}  // namespace arabica
