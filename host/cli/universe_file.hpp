// The series of a universe backfill: from a wide file's target columns, a
// long file's series ids, or the [[series]] tables of a TOML --config file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/backfill_options.hpp"

namespace arabica::cli {

/// One series of a universe and how to read and model it: `options` are the
/// run's backfill options with this series' file, columns, units and model
/// overrides applied.
struct UniverseSeries {
  std::string name;   // the store's group; keys the series' random streams
  BackfillOptions options;
  std::string where;  // "FILE:LINE" of its [[series]] table, or the option that made it
};

/// True when `options` ask for several series without a universe file: a
/// comma-separated --target, or --series-column without a single --series.
bool asks_for_several_series(const BackfillOptions& options);

/// The series of a wide file (one per --target column, sharing the
/// covariates) or of a long file (every id in --series-column, in order of
/// first appearance, or those --series lists).
std::vector<UniverseSeries> universe_from_options(const BackfillOptions& options);

/// True when the TOML file at `path` has [[series]] tables (INI never does).
bool has_series_tables(const std::string& path);

/// The [[series]] tables of the TOML file at `path`, each over `defaults`
/// (the command line and the file's other keys). Keys: name (required),
/// csv, date_column, target, series_column, series (the id in a long file;
/// default the name), exog, units, missing, min_rows, order, seasonal,
/// trend, model, min_train_rows. Unknown keys, values of the wrong type,
/// bad orders or models and names given twice are InputErrors located
/// file:line:column. `defaults`' series id (--series) selects the series
/// to run by name (an unknown name is an InputError naming --series).
std::vector<UniverseSeries> read_universe_file(const std::string& path,
                                               const BackfillOptions& defaults);

}  // namespace arabica::cli
