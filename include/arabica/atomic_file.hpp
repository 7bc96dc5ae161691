// Crash-safe replacement of deliverable files.
#pragma once

#include <string>

namespace arabica {

/// Replaces `path` with `contents`: writes a temporary file in the same
/// directory, fsyncs it, renames it over `path` and fsyncs the directory.
/// Readers see the old file or the new one, never a partial write.
void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace arabica
