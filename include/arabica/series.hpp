// A dated target series with exogenous covariates, loaded from CSV with an
// explicit missing-value policy and a data-quality report.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "arabica/date.hpp"

namespace arabica {

enum class MissingPolicy {
  ffill_bfill,  // forward fill, then back fill the leading gap (legacy behaviour)
  error,        // any blank/NA/inf cell is an InputError
  drop,         // rows whose target is missing are dropped (not filled); covariates filled
};

/// "ffill-bfill", "error" or "drop"; InputError naming --missing otherwise.
MissingPolicy parse_missing_policy(const std::string& text);

enum class DuplicatePolicy {
  keep_first,  // keep the first row of a repeated date, report the others
  error,
};

struct CsvSpec {
  std::string path;
  std::string date_column = "date";
  std::string target_column = "close";  // empty: covariates only (no target)
  std::vector<std::string> exog_columns;
  // A long file (statsforecast's unique_id, ds, y) holds several series: the
  // rows whose series_column cell is series_id are read, the others skipped
  // unparsed. Empty: the file is one series, and repeated dates with
  // different values in more than kMaxConflictingRepeatShare of its rows
  // (and more than kMaxConflictingRepeats) are refused as several series.
  std::string series_column;
  std::string series_id;
  std::string units = "1";  // CF units of the target (Series::units)
  MissingPolicy missing = MissingPolicy::ffill_bfill;
  DuplicatePolicy duplicates = DuplicatePolicy::keep_first;
  std::size_t min_rows = 30;
  bool require_positive_target = true;  // prices: every target value > 0
};

/// What the loader changed or noticed, so nothing happens silently. Cell
/// counts cover the rows kept (after dropping repeated dates and, under the
/// drop policy, rows without a target), so
/// blank + not_available + infinite == forward_filled + back_filled.
struct ColumnQuality {
  std::string column;
  std::size_t blank = 0;         // empty cells
  std::size_t not_available = 0; // NA, NaN, null, #N/A ...
  std::size_t infinite = 0;      // inf / -inf, overflow, |value| > 1e150
  std::size_t forward_filled = 0;
  std::size_t back_filled = 0;
};

struct DataQualityReport {
  std::size_t rows_read = 0;             // data rows in the file
  std::size_t rows_kept = 0;             // rows in the Series
  bool reordered = false;                // file was not in ascending date order
  std::vector<std::size_t> unsorted_lines;   // lines whose date is earlier than the previous line's
  std::vector<std::size_t> duplicate_lines;  // lines dropped as repeated dates
  std::vector<std::size_t> missing_target_lines;  // lines dropped for a missing target (policy drop)
  std::vector<ColumnQuality> columns;    // target first, then exog in order
  std::vector<std::string> warnings;     // one line each, human readable

  /// Multi-line human summary (counts per column, reorder/duplicates).
  std::string summary() const;
};

struct Series {
  std::string source;                  // file path
  std::vector<Date> dates;             // ascending, unique
  std::string target_name;
  std::string units = "1";             // CF units of the target ("1": not given)
  Eigen::VectorXd target;              // rows
  std::vector<std::string> exog_names;
  Eigen::MatrixXd exog;                // rows x k_exog
  DataQualityReport quality;

  std::size_t rows() const { return dates.size(); }
  /// Rows [0, end) as a new Series (training data up to a cutoff).
  Series head(std::size_t end) const { return slice(0, end); }
  /// Rows [begin, end) as a new Series (a rolling training window).
  Series slice(std::size_t begin, std::size_t end) const;
};

/// A single series file whose rows repeat a date with different values
/// (data-entry errors: 2 of cocoa's 7,812 ICCO rows) keeps the first row of
/// each; beyond this share of its rows, and this many, it is several series
/// in one file.
inline constexpr double kMaxConflictingRepeatShare = 0.01;
inline constexpr std::size_t kMaxConflictingRepeats = 2;

/// Input bounds: a file, a line and a header beyond these are refused (a
/// device, a binary file or an endless pipe must not fill memory).
inline constexpr std::size_t kMaxCsvBytes = std::size_t{1} << 30;      // 1 GiB
inline constexpr std::size_t kMaxCsvLineBytes = std::size_t{4} << 20;  // 4 MiB
inline constexpr std::size_t kMaxCsvColumns = 65536;

/// The series of a long file: the ids in `spec.series_column`, in order of
/// first appearance, with the line of that appearance and the column's
/// number (1-based), so that a caller refusing an id can locate it.
struct SeriesIds {
  std::vector<std::string> ids;
  std::vector<std::size_t> first_lines;
  std::size_t column = 0;
};

/// The series of a long file (InputError naming file and line for a
/// malformed row or a blank id).
SeriesIds read_series_ids(const CsvSpec& spec);

/// Loads and validates a CSV. Throws InputError naming file, line and column
/// (or the column name) for anything it cannot interpret.
Series read_series_csv(const CsvSpec& spec);

/// A series given as columns instead of a file (a pandas frame): `values`
/// holds the spec's target, then its exog_columns, one value per date, NaN
/// where missing. Cleaned, checked and reported as read_series_csv cleans a
/// file; errors are located "spec.path:LINE:COLUMN" with the row's entry
/// in `lines` (empty: its 1-based number) and the column's 1-based position
/// in `positions` (the date column's, then each value column's).
Series series_from_columns(const CsvSpec& spec, const std::vector<Date>& dates,
                           const std::vector<std::vector<double>>& values,
                           const std::vector<std::size_t>& positions,
                           const std::vector<std::size_t>& lines = {});

}  // namespace arabica
