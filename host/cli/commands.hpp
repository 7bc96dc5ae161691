// Subcommands of the `arabica` executable.
#pragma once

#include <CLI/CLI.hpp>

namespace arabica::cli {

void register_fit_command(CLI::App& app);
void register_forecast_command(CLI::App& app);
void register_simulate_command(CLI::App& app);
void register_backfill_command(CLI::App& app);
void register_daily_command(CLI::App& app);
void register_models_command(CLI::App& app);
void register_stress_command(CLI::App& app);

}  // namespace arabica::cli
