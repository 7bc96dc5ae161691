// `--config FILE` for every command: the same options as the command line,
// from a TOML or INI file.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "arabica/error.hpp"

namespace arabica::cli {

/// Adds --config to the arabica app `app` for all its commands (call after
/// registering them). TOML (or INI when the name ends in .ini, .cfg
/// or .conf): keys named like the long flags (`min_train_rows` or
/// `min-train-rows`), at the top level or in a table named after the command
/// (which wins over the top level); tables named after other commands, and
/// top-level keys that only other commands take, are ignored, so one file
/// can serve several commands. Options given on the
/// command line win over the file. Unknown keys, values of the wrong type and
/// values an option refuses are errors located file:line:column; a missing,
/// unreadable, binary or malformed file is refused.
void add_config_option(CLI::App& app);

/// The message of an error about an option's value, located where the user
/// gave it: a SettingError ("window_rows") or an InputError naming an
/// option ("--order") of the command run by `app`, whose value came from
/// the --config file, reads "FILE:line:column: key: problem" (the value's
/// place); a SettingError from the command line or a default names the
/// flag ("--window-rows: problem"). Any other error: its own message.
std::string located_option_error(const CLI::App& app, const InputError& error);

}  // namespace arabica::cli
