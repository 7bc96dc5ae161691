// arabica: SARIMAX fits, forecasts and Monte Carlo backtests.
// Exit codes: 0 success, 1 I/O, resource or internal error, 2 bad input,
// 3 numerical failure.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "arabica/error.hpp"
#include "cli/commands.hpp"
#include "cli/distributed.hpp"

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
  arabica::cli::register_stress_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const arabica::InputError& e) {
    std::cerr << "arabica: error: " << e.what() << '\n';
    return 2;
  } catch (const arabica::NumericalError& e) {
    std::cerr << "arabica: numerical failure: " << e.what() << '\n';
    return 3;
  } catch (const arabica::ContractError& e) {
    std::cerr << "arabica: internal error: " << e.what() << '\n';
    return 1;
  } catch (const arabica::Error& e) {  // I/O and resource limits
    std::cerr << "arabica: error: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "arabica: internal error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
