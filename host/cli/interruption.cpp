#include "cli/interruption.hpp"

#include <atomic>
#include <csignal>

namespace arabica::cli {

namespace {

// Lock-free, hence safe to store from a signal handler.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "signal flag must be lock-free");

extern "C" void record_signal(int signal) { g_signal.store(signal, std::memory_order_relaxed); }

constexpr int kStopSignals[] = {SIGINT, SIGTERM};

// SA_RESTART: I/O in flight is not cut short. `flags` adds SA_RESETHAND
// where a second signal should end the process at once.
void install_recorders(int flags) {
  struct sigaction action = {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | flags;
  for (const int signal : kStopSignals) {
    struct sigaction inherited = {};
    sigaction(signal, nullptr, &inherited);
    // An ignored signal stays ignored (a shell's background job ignores SIGINT).
    if (inherited.sa_handler != SIG_IGN) sigaction(signal, &action, nullptr);
  }
}

}  // namespace

void install_interrupt_handlers() { install_recorders(SA_RESETHAND); }

ScopedInterruptHandlers::ScopedInterruptHandlers() : saved_{} {
  for (int k = 0; k < 2; ++k) sigaction(kStopSignals[k], nullptr, &saved_[k]);
  g_signal.store(0, std::memory_order_relaxed);
  install_recorders(0);
}

ScopedInterruptHandlers::~ScopedInterruptHandlers() {
  for (int k = 0; k < 2; ++k) sigaction(kStopSignals[k], &saved_[k], nullptr);
}

int interrupt_signal() noexcept { return g_signal.load(std::memory_order_relaxed); }

Interrupted::Interrupted(int folds)
    : Error("interrupted: " + std::to_string(folds) +
            " folds committed; rerun the same command to resume"),
      exit_code_(128 + interrupt_signal()) {}

}  // namespace arabica::cli
