#include "arabica/error.hpp"

namespace arabica {

namespace {
std::string located(const std::string& file, std::size_t line, std::size_t column,
                    const std::string& what) {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  return out + ": " + what;
}
}  // namespace

InputError::InputError(const std::string& file, std::size_t line, std::size_t column,
                       const std::string& what)
    : Error(located(file, line, column, what)), file_(file), line_(line), column_(column), problem_(what) {}

InputError::InputError(const std::string& file, const std::string& what)
    : Error(located(file, 0, 0, what)), file_(file), problem_(what) {}

namespace detail {
void contract_failed(const char* condition, const std::string& message, const char* file,
                     int line) {
  throw ContractError(std::string("contract violated (") + condition + ") at " + file + ":" +
                      std::to_string(line) + ": " + message);
}
}  // namespace detail

}  // namespace arabica
