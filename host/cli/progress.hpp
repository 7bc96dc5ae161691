// Progress of a long run on stderr: a bar with rate and ETA redrawn in place
// on a terminal, a quiet log line every 10% (or minute) otherwise.
#pragma once

#include <chrono>
#include <string>

namespace arabica::cli {

class ProgressReporter {
 public:
  ProgressReporter(std::string what, bool quiet);
  void update(int done, int total);
  /// Ends the bar's line (terminal) after the last update.
  void finish();

 private:
  std::string what_;
  bool quiet_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  int last_logged_decile_ = -1;
  bool drawn_ = false;
};

}  // namespace arabica::cli
