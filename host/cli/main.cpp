// arabica: SARIMAX fits, forecasts and Monte Carlo backtests.
// Exit codes: 0 success, 1 I/O, resource or internal error, 2 bad input,
// 3 numerical failure.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "arabica/error.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/distributed.hpp"
#include "cli/interruption.hpp"

namespace {

// Prints an error as one bounded line on stderr and returns `exit_code`.
int report(const char* kind, const std::string& message, int exit_code) {
  constexpr std::size_t kMaxMessage = 1000;
  std::string line = message.substr(0, kMaxMessage);
  if (message.size() > kMaxMessage) line += "...";
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  std::cerr << "arabica: " << kind << ": " << line << '\n';
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // A write past RLIMIT_FSIZE then fails with EFBIG and is reported like a
  // full disk, instead of SIGXFSZ killing the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  arabica::cli::start_distributed(&argc, &argv);
  CLI::App app{"arabica: SARIMAX forecasts, Monte Carlo paths and walk-forward backtests"};
  app.set_version_flag("--version", std::string(ARABICA_VERSION));
  app.require_subcommand(1);
  arabica::cli::register_fit_command(app);
  arabica::cli::register_forecast_command(app);
  arabica::cli::register_simulate_command(app);
  arabica::cli::register_backfill_command(app);
  arabica::cli::register_daily_command(app);
  arabica::cli::register_models_command(app);
  arabica::cli::register_stress_command(app);
  arabica::cli::add_config_option(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ExtrasError& e) {
    // CLI11 2.3 lists unexpected arguments last first (detail::rjoin over
    // arguments it keeps in order): named here in the order given.
    const std::vector<std::string> extra = app.remaining(true);
    if (extra.empty()) return report("error", e.what(), 2);
    std::string names;
    for (const std::string& argument : extra) names += (names.empty() ? "" : " ") + argument;
    return report("error",
                  std::string(extra.size() > 1 ? "The following arguments were not expected: "
                                               : "The following argument was not expected: ") +
                      names,
                  2);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and exit 0; every other parse error is
    // bad input: one line, exit 2 (no "Run with --help" second line).
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    // CLI11 reports an unreadable --config FILE without naming the option.
    const bool config_file = dynamic_cast<const CLI::FileError*>(&e) != nullptr;
    return report("error", (config_file ? "--config: " : "") + std::string(e.what()), 2);
  } catch (const arabica::InputError& e) {
    return report("error", arabica::cli::located_option_error(app, e), 2);
  } catch (const arabica::NumericalError& e) {
    return report("numerical failure", e.what(), 3);
  } catch (const arabica::cli::Interrupted& e) {  // outputs closed: one line, 128 + signal
    std::cerr << e.what() << '\n';
    return e.exit_code();
  } catch (const arabica::ContractError& e) {
    return report("internal error", e.what(), 1);
  } catch (const arabica::Error& e) {  // I/O and resource limits
    return report("error", e.what(), 1);
  } catch (const std::exception& e) {
    return report("internal error", e.what(), 1);
  }
  return 0;
}
