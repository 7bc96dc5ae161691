// The options of every command that simulates paths (simulate, stress,
// backfill): one name, one check and one default-display rule each, so the
// three commands cannot drift apart.
#pragma once

#include <cstdint>

#include <CLI/CLI.hpp>

#include "arabica/paths.hpp"
#include "cli/option_checks.hpp"

namespace arabica::cli {

// Quantile columns the printed tables and the stress summary show.
inline constexpr int kP5 = quantile_index(0.05), kP50 = quantile_index(0.50), kP95 = quantile_index(0.95);
static_assert(kP5 >= 0 && kP50 >= 0 && kP95 >= 0);

/// What the options mean in one command (the help text).
struct PathOptionHelp {
  const char* paths;
  const char* stored_paths;
  const char* innovations;
  const char* threads;
};

/// --paths, --stored-paths, --innovations, --seed, --threads and --device
/// into the same-named members of `options`. A negative stored_paths default
/// means "decided later" (simulate: all paths up to the legacy file size)
/// and is not shown as a default.
template <class Options>
void add_path_options(CLI::App& command, Options& options, const PathOptionHelp& help) {
  command.add_option("--paths", options.paths, help.paths)
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{1} << 40))
      ->capture_default_str();
  CLI::Option* stored = command.add_option("--stored-paths", options.stored_paths, help.stored_paths)
                            ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  if (options.stored_paths >= 0) stored->capture_default_str();
  command.add_option("--innovations", options.innovations, help.innovations)
      ->check(one_of(innovation_settings()))
      ->capture_default_str();
  command.add_option("--seed", options.seed)->check(seed_check())->capture_default_str();
  command.add_option("--threads", options.threads, help.threads)
      ->check(thread_count_check())
      ->capture_default_str();
  command.add_option("--device", options.device, "auto, cpu or cuda")
      ->check(device_check())
      ->capture_default_str();
}

}  // namespace arabica::cli
