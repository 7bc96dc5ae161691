#include "store/writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>
#include <utility>

#include "arabica/error.hpp"

namespace arabica {

namespace {

[[noreturn]] void lock_failure(const std::string& path, const std::string& what, int error) {
  throw Error(path + ": " + what + ": " + std::strerror(error));
}

// The pid the holder wrote: it writes "PID\n" just after locking, so a
// second writer that comes at that moment waits for it briefly.
std::string holder_pid(int fd) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    char text[32] = {};
    const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
    const std::string content(text, n > 0 ? static_cast<std::size_t>(n) : 0);
    const std::size_t digits = content.find_first_not_of("0123456789");
    if (digits > 0 && digits != std::string::npos && content[digits] == '\n')
      return content.substr(0, digits);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "unknown";
}

bool same_file(int fd, const std::string& path) {
  struct stat held {}, named {};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 &&
         held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

}  // namespace

WriterLock::WriterLock(const std::string& store_path) : path_(lock_path(store_path)) {
  // A holder removes the lock file before it lets go: whoever locked that
  // removed file meanwhile tries again on the one now at the path.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) lock_failure(path_, "cannot create the lock file", errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error == EWOULDBLOCK) {
        const std::string pid = holder_pid(fd);
        ::close(fd);
        throw Error(store_path + " is being written by another arabica process (pid " + pid + ")");
      }
      ::close(fd);
      if (error == EINTR) continue;
      if (error != ENOLCK && error != EOPNOTSUPP && error != ENOSYS)
        lock_failure(path_, "cannot lock", error);
      std::cerr << "arabica: warning: " << path_
                << ": the file system has no locks; nothing stops a second writer\n";
      return;
    }
    if (!same_file(fd, path_)) {
      ::close(fd);
      continue;
    }
    fd_ = fd;
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      const int error = errno;
      release();
      lock_failure(path_, "cannot write the lock file", error);
    }
    return;
  }
  throw Error(path_ + ": cannot lock: the lock file keeps being replaced");
}

WriterLock::WriterLock(WriterLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

WriterLock::~WriterLock() { release(); }

void WriterLock::release() noexcept {
  if (fd_ < 0) return;
  // Still the holder, so the file at the path is this one.
  if (same_file(fd_, path_)) ::unlink(path_.c_str());
  ::close(std::exchange(fd_, -1));
}

}  // namespace arabica
