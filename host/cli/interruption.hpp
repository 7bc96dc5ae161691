// SIGINT and SIGTERM as a request to stop: the handler only records the
// signal; long commands poll it between units of work (folds), finish and
// commit what is in flight, close their outputs and throw Interrupted, which
// main() prints as one line before exiting 128 + signal (130, 143). A second
// signal ends the process at once (the default action is restored).
#pragma once

#include <csignal>
#include <string>

#include "arabica/error.hpp"

namespace arabica::cli {

/// Installs the SIGINT/SIGTERM handlers (idempotent); a signal the process
/// inherited as ignored stays ignored.
void install_interrupt_handlers();

/// For a call inside a host process (the Python package): installs the
/// handlers for its lifetime with the flag cleared, a second signal only
/// recorded (the host is not ended), and restores the host's handlers.
class ScopedInterruptHandlers {
 public:
  ScopedInterruptHandlers();
  ~ScopedInterruptHandlers();
  ScopedInterruptHandlers(const ScopedInterruptHandlers&) = delete;
  ScopedInterruptHandlers& operator=(const ScopedInterruptHandlers&) = delete;

 private:
  struct sigaction saved_[2];  // SIGINT's, then SIGTERM's
};

/// The signal that asked this process to stop, or 0.
int interrupt_signal() noexcept;
inline bool interrupt_requested() noexcept { return interrupt_signal() != 0; }

/// A run stopped for a signal after committing `folds` folds; what() is the
/// line to print.
class Interrupted : public Error {
 public:
  explicit Interrupted(int folds);
  /// 128 + the signal (130 for SIGINT, 143 for SIGTERM).
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace arabica::cli
