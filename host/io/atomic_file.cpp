#include "arabica/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "arabica/error.hpp"

namespace arabica {

namespace {
[[noreturn]] void io_failure(const std::string& path, const std::string& what) {
  throw Error(path + ": " + what + ": " + std::strerror(errno));
}

std::filesystem::path parent_dir(const std::string& path) {
  const std::filesystem::path target(path);
  return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

// A fresh temporary file beside `path` (same file system, so rename is atomic).
int create_temp(const std::string& path, std::string& temp) {
  temp = (parent_dir(path) / ("." + std::filesystem::path(path).filename().string() +
                              ".tmpXXXXXX"))
             .string();
  const int fd = mkstemp(temp.data());
  if (fd < 0) io_failure(path, "cannot create a temporary file");
  return fd;
}

// Flushes the open temporary file `fd` and renames it over `path`; consumes fd.
void publish(int fd, const std::string& temp, const std::string& path) {
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
    ::close(fd), ::unlink(temp.c_str());
    io_failure(path, "cannot flush");
  }
  ::close(fd);
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    io_failure(path, "cannot rename the temporary file into place");
  }
  // Make the rename itself durable.
  const int dir_fd = ::open(parent_dir(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) ::fsync(dir_fd), ::close(dir_fd);
}

// Writes all of `contents` to the temporary `fd`; consumes fd on failure.
void write_all(int fd, const std::string& contents, const std::string& temp,
               const std::string& path) {
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd), ::unlink(temp.c_str());
      io_failure(path, "write failed");
    }
    written += static_cast<std::size_t>(n);
  }
}
}  // namespace

void write_file_atomically(const std::string& path, const std::string& contents) {
  std::string temp;
  const int fd = create_temp(path, temp);
  write_all(fd, contents, temp, path);
  publish(fd, temp, path);
}

void replace_file_atomically(const std::string& path,
                             const std::function<void(const std::string& temp_path)>& write) {
  std::string temp;
  ::close(create_temp(path, temp));
  try {
    write(temp);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  const int fd = ::open(temp.c_str(), O_RDWR);
  if (fd < 0) {
    ::unlink(temp.c_str());
    io_failure(path, "cannot reopen the temporary file");
  }
  publish(fd, temp, path);
}

OutputSet::~OutputSet() {
  for (const Staged& staged : staged_) ::unlink(staged.temp.c_str());
}

void OutputSet::add_text(const std::string& path, const std::string& contents) {
  add_file(path, [&](const std::string& temp) {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_TRUNC);
    if (fd < 0) io_failure(path, "cannot open the temporary file");
    write_all(fd, contents, temp, path);
    ::close(fd);
  });
}

void OutputSet::add_file(const std::string& path,
                         const std::function<void(const std::string& temp_path)>& write) {
  std::string temp;
  ::close(create_temp(path, temp));
  staged_.push_back({temp, path});  // removed by the destructor until committed
  write(temp);
  const int fd = ::open(temp.c_str(), O_RDWR);
  if (fd < 0) io_failure(path, "cannot reopen the temporary file");
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
    ::close(fd);
    io_failure(path, "cannot flush");
  }
  ::close(fd);
}

void OutputSet::commit() {
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    const Staged staged = staged_[i];
    if (std::rename(staged.temp.c_str(), staged.path.c_str()) != 0) {
      // Those renamed are in place; the rest are removed by the destructor.
      staged_.erase(staged_.begin(), staged_.begin() + static_cast<std::ptrdiff_t>(i));
      io_failure(staged.path, "cannot rename the temporary file into place");
    }
    const int dir_fd = ::open(parent_dir(staged.path).c_str(), O_RDONLY | O_DIRECTORY);
    if (dir_fd >= 0) ::fsync(dir_fd), ::close(dir_fd);
  }
  staged_.clear();
}

}  // namespace arabica
