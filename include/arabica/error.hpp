// Error types and contract checks used at every API edge.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace arabica {

/// Base of every error arabica throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad user input (CSV, config, flags). The message is one line that names
/// where the problem is: "file:line:column: what is wrong".
class InputError : public Error {
 public:
  InputError(const std::string& file, std::size_t line, std::size_t column,
             const std::string& what);
  /// Error about a whole file or a named column rather than one cell.
  InputError(const std::string& file, const std::string& what);

  const std::string& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }
  /// What is wrong, without where (what() is "file:line:column: problem").
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string file_;
  std::size_t line_ = 0;
  std::size_t column_ = 0;
  std::string problem_;
};

/// Bad input in a setting rather than a file: `setting` is its name in the
/// API and in config files ("window_rows"). The message reads
/// "window_rows: what is wrong"; the command line names the setting as the
/// user gave it instead (--window-rows, or the config file's line).
class SettingError : public InputError {
 public:
  SettingError(const std::string& setting, const std::string& problem) : InputError(setting, problem) {}

  const std::string& setting() const noexcept { return file(); }
};

/// A broken internal contract (a caller passed arguments the API forbids).
class ContractError : public Error {
 public:
  using Error::Error;
};

/// Numerical failure: a fit that cannot proceed (singular design, non-finite
/// likelihood). Callers such as the backfill record it and move on.
class NumericalError : public Error {
 public:
  using Error::Error;
};

namespace detail {
[[noreturn]] void contract_failed(const char* condition, const std::string& message,
                                  const char* file, int line);
}  // namespace detail

}  // namespace arabica

/// Checks a precondition at an API edge; throws arabica::ContractError.
#define ARABICA_REQUIRE(condition, message)                                          \
  do {                                                                               \
    if (!(condition))                                                                \
      ::arabica::detail::contract_failed(#condition, (message), __FILE__, __LINE__); \
  } while (0)
