#include "cli/option_checks.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "arabica/backend.hpp"
#include "arabica/bounded_list.hpp"
#include "arabica/error.hpp"
#include "arabica/innovations.hpp"

namespace arabica::cli {

CLI::Validator one_of(const std::vector<std::string>& valid) {
  return CLI::Validator(
      [valid](std::string& value) -> std::string {
        if (std::find(valid.begin(), valid.end(), value) != valid.end()) return {};
        return "'" + value + "' is not one of: " + bounded_list(valid);
      },
      "", "one_of");
}

const std::vector<std::string>& innovation_settings() {
  static const std::vector<std::string> settings = [] {
    std::vector<std::string> names;
    for (int k = 0; k <= static_cast<int>(InnovationKind::bootstrap); ++k)
      names.push_back(innovation_kind_name(static_cast<InnovationKind>(k)));
    names.push_back("regime");
    return names;
  }();
  return settings;
}

std::string units_problem(const std::string& units) {
  if (units.find_first_not_of(" \t\r\n") == std::string::npos)
    return "units must not be blank (CF's dimensionless units are 1, the default)";
  return {};
}

CLI::Validator units_check() {
  return CLI::Validator([](std::string& value) { return units_problem(value); }, "", "units");
}

std::string column_name_problem(const std::string& name) {
  if (name.find_first_not_of(" \t\r\n") == std::string::npos) return "must name a column, not be blank";
  return {};
}

CLI::Validator column_name_check() {
  return CLI::Validator([](std::string& value) { return column_name_problem(value); }, "", "column");
}

CLI::Validator seed_check() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        static const std::string kMax = "18446744073709551615";  // 2^64 - 1
        const bool digits = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
          return c >= '0' && c <= '9';
        });
        const std::string trimmed =
            digits ? value.substr(std::min(value.find_first_not_of('0'), value.size() - 1)) : "";
        if (digits && (trimmed.size() < kMax.size() ||
                       (trimmed.size() == kMax.size() && trimmed <= kMax)))
          return {};
        return "must be an integer in 0.." + kMax + ", got '" + value.substr(0, 40) + "'";
      },
      "", "seed");
}

CLI::Validator thread_count_check() { return CLI::Range(0, 4096); }

CLI::Validator device_check() { return one_of({"auto", "cpu", "cuda"}); }

void require_stored_paths_within(std::int64_t stored_paths, std::int64_t paths) {
  if (stored_paths > paths)
    throw InputError("--stored-paths", "cannot exceed --paths (" + std::to_string(paths) + ")");
}

void require_device_present(const std::string& device) {
  if (device == "cuda" && !cuda_available())
    throw InputError("--device", "cuda requested, but this build has no CUDA kernels or no CUDA "
                                 "device is visible (use --device cpu or auto)");
}

void require_writable_outputs(
    const std::vector<std::pair<std::string, std::string>>& option_paths) {
  namespace fs = std::filesystem;
  for (const auto& [option, path] : option_paths) {
    if (path.empty()) continue;
    std::error_code error;
    if (fs::is_directory(path, error))
      throw InputError(option, "'" + path + "' is a directory, not a file");
    const fs::path parent = fs::path(path).parent_path();
    const fs::path directory = parent.empty() ? fs::path(".") : parent;
    if (!fs::is_directory(directory, error))
      throw InputError(option, "directory '" + directory.string() + "' of '" + path +
                                   "' does not exist");
    if (::access(directory.c_str(), W_OK | X_OK) != 0)
      throw InputError(option, "directory '" + directory.string() + "' of '" + path +
                                   "' is not writable");
  }
}

}  // namespace arabica::cli
