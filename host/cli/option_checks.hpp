// Checks shared by every command, so that all options are refused before any
// work starts or any file is created (exit 2, one line naming the option).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace arabica::cli {

/// Accepts exactly one of `valid`; the message lists them (bounded).
CLI::Validator one_of(const std::vector<std::string>& valid);

/// The `--innovations` settings: every family name, and "regime".
const std::vector<std::string>& innovation_settings();

/// An unsigned 64-bit integer written in decimal digits: refuses -1, 2^64,
/// 1e23, 1.5 instead of letting them wrap or saturate.
CLI::Validator seed_check();

/// Why `units` cannot be a price's CF `units`, or "" when it can: not
/// blank (CF's dimensionless is "1", the default).
std::string units_problem(const std::string& units);

/// `--units`: units_problem's rule.
CLI::Validator units_check();

/// Why `name` cannot name a CSV column (`--date-column`, `--target`, a
/// universe file's `date_column`, `target`), or "" when it can: not blank
/// (an empty target read no prices: a crash; an empty date column a
/// contract error).
std::string column_name_problem(const std::string& name);

/// `--date-column`, `--target`: column_name_problem's rule.
CLI::Validator column_name_check();

/// `--threads`: 0 (all cores) to 4096.
CLI::Validator thread_count_check();

/// `--device`: auto, cpu or cuda.
CLI::Validator device_check();

/// --stored-paths cannot exceed --paths (InputError naming both).
void require_stored_paths_within(std::int64_t stored_paths, std::int64_t paths);

/// Throws InputError("--device") when `device` is cuda and this build has no
/// CUDA kernels or no device is visible.
void require_device_present(const std::string& device);

/// Every output of a run: its directory must exist and be writable and the
/// path must not be a directory, checked before any work so a run never
/// fails after replacing some of its outputs. Empty paths are skipped.
void require_writable_outputs(const std::vector<std::pair<std::string, std::string>>& option_paths);

}  // namespace arabica::cli
