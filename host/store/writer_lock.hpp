// One writer per store: an advisory lock on a file beside the store.
#pragma once

#include <string>

namespace arabica {

/// Exclusive flock(2) on `STORE.lock`, which holds the writer's pid while it
/// runs. The kernel drops the lock when the process dies, however it dies, so
/// a killed writer never blocks the next one. Independent of HDF5's own file
/// locking, which the SWMR writer gives up once it has started (and which
/// HDF5_USE_FILE_LOCKING=FALSE turns off).
class WriterLock {
 public:
  WriterLock() = default;
  /// Takes the lock of the store at `store_path` at once, or throws Error
  /// "STORE is being written by another arabica process (pid N)". On a file
  /// system without flock the store is written unlocked, with a warning.
  explicit WriterLock(const std::string& store_path);
  WriterLock(WriterLock&& other) noexcept;
  WriterLock& operator=(WriterLock&& other) noexcept;
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  ~WriterLock();

  /// Removes the lock file and releases the lock (also done on destruction).
  void release() noexcept;

  static std::string lock_path(const std::string& store_path) { return store_path + ".lock"; }

 private:
  std::string path_;  // the lock file
  int fd_ = -1;
};

}  // namespace arabica
