#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace arabica::cli {

namespace {

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

}  // namespace

ProgressReporter::ProgressReporter(std::string what, bool quiet)
    : what_(std::move(what)),
      quiet_(quiet),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressReporter::update(int done, int total) {
  if (quiet_ || total <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  const std::string eta = done > 0 ? clock_text((total - done) / rate) : "?";
  if (terminal_) {
    // At most ten redraws a second, and always the last one.
    if (done < total && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    drawn_ = true;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(static_cast<long>(kWidth) * done / total);
    std::fprintf(stderr, "\r%s [%s%s] %d/%d %3d%% %.1f/s ETA %s  ", what_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(), done,
                 total, 100 * done / total, rate, eta.c_str());
    std::fflush(stderr);
    return;
  }
  const int decile = 10 * done / total;
  const bool minute = now - last_draw_ >= std::chrono::minutes(1);
  if (decile == last_logged_decile_ && !minute) return;
  last_logged_decile_ = decile;
  last_draw_ = now;
  std::fprintf(stderr, "arabica: %s %d/%d (%d%%), elapsed %s, ETA %s\n", what_.c_str(), done, total,
               100 * done / total, clock_text(elapsed).c_str(), eta.c_str());
}

void ProgressReporter::finish() {
  if (terminal_ && drawn_ && !quiet_) std::fputc('\n', stderr);
}

}  // namespace arabica::cli
