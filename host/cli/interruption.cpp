#include "cli/interruption.hpp"

#include <atomic>
#include <csignal>

namespace arabica::cli {

namespace {

// Lock-free, hence safe to store from a signal handler.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "signal flag must be lock-free");

extern "C" void record_signal(int signal) { g_signal.store(signal, std::memory_order_relaxed); }

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action = {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the first signal restores the default action, so a second
  // one terminates at once. SA_RESTART: I/O in flight is not cut short.
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  for (const int signal : {SIGINT, SIGTERM}) {
    struct sigaction inherited = {};
    sigaction(signal, nullptr, &inherited);
    // An ignored signal stays ignored (a shell's background job ignores SIGINT).
    if (inherited.sa_handler != SIG_IGN) sigaction(signal, &action, nullptr);
  }
}

int interrupt_signal() noexcept { return g_signal.load(std::memory_order_relaxed); }

Interrupted::Interrupted(int folds)
    : Error("interrupted: " + std::to_string(folds) +
            " folds committed; rerun the same command to resume"),
      exit_code_(128 + interrupt_signal()) {}

}  // namespace arabica::cli
