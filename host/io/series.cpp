#include "arabica/series.hpp"

#include <algorithm>
#include <set>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <numeric>
#include <sstream>

#include "arabica/bounded_list.hpp"
#include "arabica/error.hpp"
#include "io/csv_reader.hpp"

namespace arabica {

namespace {

constexpr std::size_t kListedLines = 5;  // line numbers quoted in one warning
constexpr std::size_t kListedIds = 10;   // series ids quoted in one message

constexpr double kLargestMagnitude = 1e150;  // |value| beyond it: infinite (number_cell)

enum class CellKind : std::uint8_t { number, blank, not_available, infinite, invalid };

struct Cell {
  CellKind kind;
  double value;
};

bool is_missing(CellKind kind) {
  return kind == CellKind::blank || kind == CellKind::not_available ||
         kind == CellKind::infinite;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

bool is_any_of(std::string_view s, std::initializer_list<std::string_view> tokens) {
  for (std::string_view token : tokens)
    if (equals_ignore_case(s, token)) return true;
  return false;
}

// File text as it may appear in a one-line message: quoted, no control
// characters, bounded.
std::string show_cell(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i)
    out += static_cast<unsigned char>(s[i]) < 0x20 ? '?' : s[i];
  if (s.size() > kMax) out += "...";
  return out + "'";
}

std::string list_lines(const std::vector<std::size_t>& lines) {
  std::vector<std::string> numbers;
  numbers.reserve(lines.size());
  for (std::size_t line : lines) numbers.push_back(std::to_string(line));
  return bounded_list(numbers, kListedLines);
}

// "9,099.66" -> "9099.66" when the commas group thousands exactly; an empty
// string otherwise (a lone "1,5" may be a decimal comma, so it is refused).
std::string strip_thousands(std::string_view s) {
  std::size_t pos = s[0] == '+' || s[0] == '-' ? 1 : 0;
  const auto digits_from = [&](std::size_t at) {
    std::size_t end = at;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    return end - at;
  };
  const std::size_t lead = digits_from(pos);
  if (lead < 1 || lead > 3) return {};
  pos += lead;
  while (pos < s.size() && s[pos] == ',') {
    if (digits_from(pos + 1) != 3) return {};
    pos += 4;
  }
  if (s.find(',', pos) != std::string_view::npos) return {};
  std::string out;
  for (char c : s)
    if (c != ',') out += c;
  return out;
}

// A number's cell, read from a file or handed over in a frame: NaN is
// missing, and so is an infinity or a value beyond kLargestMagnitude, whose
// squares and sums of squares overflow in every fit and score (a price of
// 1e308 failed every model of a daily run with "non-positive variance").
Cell number_cell(double value) {
  if (std::isnan(value)) return {CellKind::not_available, NAN};
  if (std::isinf(value) || std::fabs(value) > kLargestMagnitude) return {CellKind::infinite, NAN};
  return {CellKind::number, value};
}

Cell parse_number(std::string_view s) {
  if (s.empty()) return {CellKind::blank, NAN};
  if (is_any_of(s, {"na", "n/a", "nan", "-nan", "null", "none", "#n/a", "#na", "<na>", "."}))
    return {CellKind::not_available, NAN};
  if (is_any_of(s, {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}))
    return {CellKind::infinite, NAN};
  std::string grouped;
  if (s.find(',') != std::string_view::npos) {
    grouped = strip_thousands(s);
    if (grouped.empty()) return {CellKind::invalid, NAN};
    s = grouped;
  }
  // from_chars takes no leading '+'.
  if (s[0] == '+') {
    s.remove_prefix(1);
    if (s.empty() || s[0] == '+' || s[0] == '-') return {CellKind::invalid, NAN};
  }
  double value = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (end != s.data() + s.size()) return {CellKind::invalid, NAN};
  if (ec == std::errc::result_out_of_range) {
    // Overflow reads as infinite; underflow as the nearest double (strtod's answer).
    value = std::strtod(std::string(s).c_str(), nullptr);
  } else if (ec != std::errc()) {
    return {CellKind::invalid, NAN};
  }
  return number_cell(value);
}

// The whole file, bounded: a device, a binary file or an endless pipe is
// refused with a located message instead of filling memory. Pipes and
// process substitutions (FIFOs) are read like files.
std::string read_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_type type = fs::status(path, ec).type();
  if (type == fs::file_type::directory) throw InputError(path, "is a directory");
  if (type == fs::file_type::character || type == fs::file_type::block ||
      type == fs::file_type::socket)
    throw InputError(path, "is not a regular file (a device or socket); give a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  std::string text;
  const auto size = fs::file_size(path, ec);
  if (!ec && size <= kMaxCsvBytes) text.reserve(size);
  std::size_t line = 1, line_start = 0;  // current line and the offset it starts at
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    const std::size_t begin = text.size();
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    for (std::size_t i = begin; i < text.size(); ++i) {
      if (text[i] == '\n') {
        if (i - line_start > kMaxCsvLineBytes) break;  // refused below
        ++line;
        line_start = i + 1;
      } else if (text[i] == '\0') {
        throw InputError(path, line, i - line_start + 1, "NUL byte: a binary file, not CSV text");
      }
    }
    if (text.size() - line_start > kMaxCsvLineBytes)
      throw InputError(path, line, 0,
                       "line longer than " + std::to_string(kMaxCsvLineBytes) + " bytes");
    if (text.size() > kMaxCsvBytes)
      throw InputError(path, "larger than " + std::to_string(kMaxCsvBytes) + " bytes");
  }
  if (in.bad()) throw InputError(path, std::string("read failed: ") + std::strerror(errno));
  return text;
}

// Field index of `name` in the header; every problem names the file.
std::size_t find_column(const std::vector<std::string>& header, const std::string& name,
                        const std::string& path) {
  const auto first = std::find(header.begin(), header.end(), name);
  if (first == header.end()) {
    std::vector<std::string> available;
    for (const std::string& column : header) available.push_back(show_cell(column));
    throw InputError(path, "missing column " + show_cell(name) +
                               " (available columns: " + bounded_list(available) + ")");
  }
  const auto second = std::find(first + 1, header.end(), name);
  if (second != header.end())
    throw InputError(path, 1, static_cast<std::size_t>(second - header.begin()) + 1,
                     "column '" + name + "' appears twice in the header (also field " +
                         std::to_string(first - header.begin() + 1) + ")");
  return static_cast<std::size_t>(first - header.begin());
}

// The file as read: one entry per data row, values in spec order (target first).
struct RawTable {
  std::size_t date_column = 0;                // 1-based field index
  std::vector<Date> dates;
  std::vector<std::size_t> lines;
  std::vector<std::vector<double>> values;    // per value column; NaN where missing
  std::vector<std::vector<CellKind>> kinds;   // per value column
};

// Appends value column j's cell of one row, refusing what the spec's
// policies refuse (located at `line`, `column`).
void add_cell(const CsvSpec& spec, const std::vector<std::string>& value_names, std::size_t j,
              const Cell& cell, const std::string& shown, std::size_t line, std::size_t column,
              RawTable& table) {
  const auto fail = [&](const std::string& what) {
    throw InputError(spec.path, line, column, "column '" + value_names[j] + "': " + what);
  };
  if (cell.kind == CellKind::invalid) fail("cannot parse " + shown + " as a number");
  if (is_missing(cell.kind) && spec.missing == MissingPolicy::error)
    fail((cell.kind == CellKind::blank ? "blank cell" : "missing value " + shown) +
         " (missing policy is error)");
  const bool is_target = j == 0 && !spec.target_column.empty();
  if (is_target && spec.require_positive_target && cell.kind == CellKind::number && !(cell.value > 0.0))
    fail("target value " + shown +
         " is not positive (prices must be; fit and forecast take --allow-nonpositive "
         "for returns and spreads)");
  table.values[j].push_back(cell.value);
  table.kinds[j].push_back(cell.kind);
}

RawTable read_table(const CsvSpec& spec, const std::vector<std::string>& value_names) {
  CsvReader reader(read_file(spec.path), spec.path);
  CsvRecord record;
  if (!reader.next(record)) throw InputError(spec.path, "empty file (no header row)");

  if (record.fields.size() > kMaxCsvColumns)
    throw InputError(spec.path, record.line, 0,
                     std::to_string(record.fields.size()) + " columns in the header, more than " +
                         std::to_string(kMaxCsvColumns));
  std::vector<std::string> header;
  for (std::string_view field : record.fields) header.emplace_back(trim(field));
  const std::size_t date_index = find_column(header, spec.date_column, spec.path);
  std::vector<std::size_t> value_index;
  for (const std::string& name : value_names)
    value_index.push_back(find_column(header, name, spec.path));
  const bool long_file = !spec.series_column.empty();
  const std::size_t series_index = long_file ? find_column(header, spec.series_column, spec.path) : 0;
  std::vector<std::string> other_series;  // ids seen, for the message when series_id is not

  RawTable table;
  table.date_column = date_index + 1;
  table.values.resize(value_names.size());
  table.kinds.resize(value_names.size());
  while (reader.next(record)) {
    const std::size_t line = record.line;
    if (record.fields.size() != header.size())
      throw InputError(spec.path, line, 0,
                       "expected " + std::to_string(header.size()) +
                           " fields as in the header, found " +
                           std::to_string(record.fields.size()));
    if (long_file) {
      const std::string_view id = trim(record.fields[series_index]);
      if (id != spec.series_id) {  // another series: its cells are not ours to judge
        if (other_series.size() < 2 * kListedIds &&
            std::find(other_series.begin(), other_series.end(), id) == other_series.end())
          other_series.emplace_back(id);
        continue;
      }
    }
    const std::string_view date_text = trim(record.fields[date_index]);
    const std::optional<Date> date = parse_date(date_text);
    if (!date)
      throw InputError(spec.path, line, date_index + 1,
                       "column '" + spec.date_column + "': cannot parse " +
                           show_cell(date_text) + " as a date (expected yyyy-mm-dd or dd/mm/yyyy)");
    table.dates.push_back(*date);
    table.lines.push_back(line);

    for (std::size_t j = 0; j < value_names.size(); ++j) {
      const std::string_view text = trim(record.fields[value_index[j]]);
      add_cell(spec, value_names, j, parse_number(text), show_cell(text), line, value_index[j] + 1,
               table);
    }
  }
  if (table.dates.empty() && long_file) {
    std::vector<std::string> shown;
    for (const std::string& id : other_series) shown.push_back(show_cell(id));
    throw InputError(spec.path, "no rows of series " + show_cell(spec.series_id) + " in column '" +
                                    spec.series_column + "' (series in the file: " +
                                    bounded_list(shown, kListedIds) + ")");
  }
  if (table.dates.empty()) throw InputError(spec.path, "no data rows after the header");
  return table;
}

}  // namespace

SeriesIds read_series_ids(const CsvSpec& spec) {
  CsvReader reader(read_file(spec.path), spec.path);
  CsvRecord record;
  if (!reader.next(record)) throw InputError(spec.path, "empty file (no header row)");
  std::vector<std::string> header;
  for (std::string_view field : record.fields) header.emplace_back(trim(field));
  const std::size_t column = find_column(header, spec.series_column, spec.path);
  SeriesIds ids;
  ids.column = column + 1;
  std::set<std::string, std::less<>> seen;
  while (reader.next(record)) {
    if (record.fields.size() != header.size())
      throw InputError(spec.path, record.line, 0,
                       "expected " + std::to_string(header.size()) +
                           " fields as in the header, found " + std::to_string(record.fields.size()));
    const std::string_view id = trim(record.fields[column]);
    if (seen.find(id) != seen.end()) continue;
    if (id.empty())
      throw InputError(spec.path, record.line, column + 1,
                       "column '" + spec.series_column + "': blank series id");
    seen.emplace(id);
    ids.ids.emplace_back(id);
    ids.first_lines.push_back(record.line);
  }
  if (ids.ids.empty()) throw InputError(spec.path, "no data rows after the header");
  return ids;
}

namespace {

// Row order after a stable sort by date; records the lines that were out of order.
std::vector<std::size_t> ascending_order(const RawTable& table, DataQualityReport& quality) {
  std::vector<std::size_t> order(table.dates.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = 1; i < table.dates.size(); ++i)
    if (table.dates[i] < table.dates[i - 1]) quality.unsorted_lines.push_back(table.lines[i]);
  if (quality.unsorted_lines.empty()) return order;
  quality.reordered = true;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return table.dates[a] < table.dates[b]; });
  quality.warnings.push_back(
      "rows are not in ascending date order (" + std::to_string(quality.unsorted_lines.size()) +
      " lines dated before the line above them, first line " +
      std::to_string(quality.unsorted_lines.front()) + "); sorted ascending");
  return order;
}

bool same_values(const RawTable& table, std::size_t a, std::size_t b) {
  for (std::size_t j = 0; j < table.values.size(); ++j) {
    if (table.kinds[j][a] != table.kinds[j][b]) return false;
    if (table.kinds[j][a] == CellKind::number && table.values[j][a] != table.values[j][b])
      return false;
  }
  return true;
}

// Drops repeated dates from `order` (ascending, stable), keeping the first row
// in file order: within one date the stable sort left rows in file order.
std::vector<std::size_t> drop_duplicates(const RawTable& table, const std::vector<std::size_t>& order,
                                         const CsvSpec& spec, DataQualityReport& quality) {
  std::vector<std::size_t> kept;
  kept.reserve(order.size());
  std::size_t conflicting = 0;
  std::size_t first_dropped = 0, first_kept = 0;  // rows of the earliest repeat in the file
  std::size_t first_conflict = 0, first_conflict_kept = 0;  // of the earliest-dated conflict
  for (std::size_t row : order) {
    if (kept.empty() || table.dates[row] != table.dates[kept.back()]) {
      kept.push_back(row);
      continue;
    }
    quality.duplicate_lines.push_back(table.lines[row]);
    if (!same_values(table, row, kept.back()) && conflicting++ == 0)
      first_conflict = row, first_conflict_kept = kept.back();
    if (quality.duplicate_lines.size() == 1 || row < first_dropped) {
      first_dropped = row;
      first_kept = kept.back();
    }
  }
  if (quality.duplicate_lines.empty()) return kept;
  // Most dates repeated with other values: a long file of several series,
  // which keeping the first row of each date would splice into one.
  if (spec.series_column.empty() && conflicting > kMaxConflictingRepeats &&
      static_cast<double>(conflicting) > kMaxConflictingRepeatShare * static_cast<double>(order.size()))
    throw InputError(spec.path, table.lines[first_conflict], table.date_column,
                     std::to_string(conflicting) + " of " + std::to_string(order.size()) +
                         " rows repeat a date with other values (date " +
                         format_date(table.dates[first_conflict]) + " first at line " +
                         std::to_string(table.lines[first_conflict_kept]) +
                         "): several series in one file? name the series column with "
                         "--series-column and pick one with --series");
  if (spec.duplicates == DuplicatePolicy::error)
    throw InputError(spec.path, table.lines[first_dropped], table.date_column,
                     "date " + format_date(table.dates[first_dropped]) + " repeats line " +
                         std::to_string(table.lines[first_kept]) + " (duplicate policy is error)");
  std::sort(quality.duplicate_lines.begin(), quality.duplicate_lines.end());
  quality.warnings.push_back(
      std::to_string(quality.duplicate_lines.size()) +
      " rows with a repeated date dropped, keeping the first in file order (lines " +
      list_lines(quality.duplicate_lines) + "); " + std::to_string(conflicting) +
      " of them had different values");
  return kept;
}

// Counts the missing cells of one kept column, then fills them forward and the
// leading gap backward. Throws when nothing is left to fill from.
void fill_column(const CsvSpec& spec, const std::string& name, std::vector<double>& values,
                 const std::vector<CellKind>& kinds, ColumnQuality& quality) {
  quality.column = name;
  for (CellKind kind : kinds) {
    quality.blank += kind == CellKind::blank;
    quality.not_available += kind == CellKind::not_available;
    quality.infinite += kind == CellKind::infinite;
  }
  const auto first = std::find(kinds.begin(), kinds.end(), CellKind::number);
  if (first == kinds.end())
    throw InputError(spec.path, "column '" + name + "' has no values (all " +
                                    std::to_string(kinds.size()) + " cells are missing)");
  const std::size_t lead = static_cast<std::size_t>(first - kinds.begin());
  for (std::size_t i = lead + 1; i < values.size(); ++i)
    if (kinds[i] != CellKind::number) {
      values[i] = values[i - 1];
      ++quality.forward_filled;
    }
  std::fill(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lead), values[lead]);
  quality.back_filled = lead;
}

// Median spacing of one day: daily data, where a weekend row is unusual.
bool is_daily(const std::vector<Date>& dates) {
  if (dates.size() < 2) return false;
  std::vector<Date> gaps(dates.size() - 1);
  for (std::size_t i = 1; i < dates.size(); ++i) gaps[i - 1] = dates[i] - dates[i - 1];
  const auto middle = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
  std::nth_element(gaps.begin(), middle, gaps.end());
  return *middle <= 1;
}

}  // namespace

MissingPolicy parse_missing_policy(const std::string& text) {
  if (text == "ffill-bfill") return MissingPolicy::ffill_bfill;
  if (text == "error") return MissingPolicy::error;
  if (text == "drop") return MissingPolicy::drop;
  throw InputError("--missing", "unknown policy " + show_cell(text) + " (expected ffill-bfill, error or drop)");
}

namespace {

// The target (when the spec has one), then the covariates; a column asked
// for twice is refused.
std::vector<std::string> value_names_of(const CsvSpec& spec) {
  ARABICA_REQUIRE(!spec.path.empty(), "CsvSpec.path is empty");
  ARABICA_REQUIRE(!spec.date_column.empty(), "CsvSpec needs a date column name");
  std::vector<std::string> value_names;
  // An empty target reads covariates only (e.g. supplied future exog).
  if (!spec.target_column.empty()) value_names.push_back(spec.target_column);
  value_names.insert(value_names.end(), spec.exog_columns.begin(), spec.exog_columns.end());
  for (std::size_t j = 0; j < value_names.size(); ++j)
    if (value_names[j] == spec.date_column ||
        std::find(value_names.begin(), value_names.begin() + static_cast<std::ptrdiff_t>(j),
                  value_names[j]) != value_names.begin() + static_cast<std::ptrdiff_t>(j))
      throw InputError(spec.path, "column '" + value_names[j] + "' is requested twice");
  return value_names;
}

// The rows as read, sorted, without repeated dates, filled or dropped by
// the missing-value policy, checked and reported.
Series clean_table(const CsvSpec& spec, const RawTable& table, const std::vector<std::string>& value_names) {
  const bool has_target = !spec.target_column.empty();
  Series series;
  series.source = spec.path;
  series.target_name = spec.target_column;
  series.units = spec.units;
  series.exog_names = spec.exog_columns;
  DataQualityReport& quality = series.quality;
  quality.rows_read = table.dates.size();

  const std::vector<std::size_t> order = ascending_order(table, quality);
  std::vector<std::size_t> kept = drop_duplicates(table, order, spec, quality);
  if (spec.missing == MissingPolicy::drop && has_target) {
    // A row without a price is no observation: dropped, as a holiday is
    // absent, rather than filled with the day before's.
    const auto missing_target = [&](std::size_t row) { return table.kinds[0][row] != CellKind::number; };
    for (std::size_t row : kept)
      if (missing_target(row)) quality.missing_target_lines.push_back(table.lines[row]);
    kept.erase(std::remove_if(kept.begin(), kept.end(), missing_target), kept.end());
    if (!quality.missing_target_lines.empty()) {
      std::sort(quality.missing_target_lines.begin(), quality.missing_target_lines.end());
      quality.warnings.push_back(std::to_string(quality.missing_target_lines.size()) +
                                 " rows with a missing target dropped (lines " +
                                 list_lines(quality.missing_target_lines) + ")");
    }
  }
  const std::size_t rows = kept.size();

  std::vector<std::vector<double>> columns(value_names.size(), std::vector<double>(rows));
  quality.columns.resize(value_names.size());
  for (std::size_t j = 0; j < value_names.size(); ++j) {
    std::vector<CellKind> kinds(rows);
    for (std::size_t i = 0; i < rows; ++i) {
      columns[j][i] = table.values[j][kept[i]];
      kinds[i] = table.kinds[j][kept[i]];
    }
    fill_column(spec, value_names[j], columns[j], kinds, quality.columns[j]);
    const ColumnQuality& q = quality.columns[j];
    if (q.forward_filled + q.back_filled > 0)
      quality.warnings.push_back("column '" + q.column + "': " +
                                 std::to_string(q.forward_filled + q.back_filled) +
                                 " missing cells filled (" + std::to_string(q.forward_filled) +
                                 " forward, " + std::to_string(q.back_filled) + " back)");
  }
  if (rows < spec.min_rows)
    throw InputError(spec.path, std::to_string(rows) + " rows after cleaning, need at least " +
                                    std::to_string(spec.min_rows));

  std::vector<std::size_t> weekend_lines;
  series.dates.resize(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    series.dates[i] = table.dates[kept[i]];
    if (weekday(series.dates[i]) >= 5) weekend_lines.push_back(table.lines[kept[i]]);
  }
  // Weekly, monthly or quarterly dates fall on weekends by the calendar.
  if (!weekend_lines.empty() && is_daily(series.dates)) {
    std::sort(weekend_lines.begin(), weekend_lines.end());
    quality.warnings.push_back(std::to_string(weekend_lines.size()) +
                               " weekend-dated rows kept (lines " + list_lines(weekend_lines) + ")");
  }

  const auto n = static_cast<Eigen::Index>(rows);
  const std::size_t first_exog = has_target ? 1 : 0;
  if (has_target) series.target = Eigen::Map<const Eigen::VectorXd>(columns[0].data(), n);
  series.exog.resize(n, static_cast<Eigen::Index>(spec.exog_columns.size()));
  for (std::size_t k = 0; k < spec.exog_columns.size(); ++k)
    series.exog.col(static_cast<Eigen::Index>(k)) =
        Eigen::Map<const Eigen::VectorXd>(columns[k + first_exog].data(), n);
  quality.rows_kept = rows;
  return series;
}

}  // namespace

Series read_series_csv(const CsvSpec& spec) {
  const std::vector<std::string> value_names = value_names_of(spec);
  return clean_table(spec, read_table(spec, value_names), value_names);
}

namespace {

// A value as the columns' writer shows it (pandas' to_csv, Python's repr):
// the shortest text that reads back as the same double, "-1.0" not "-1".
std::string shortest_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[32];
  const std::to_chars_result end = std::to_chars(text, text + sizeof text, value);
  std::string shown(text, end.ptr);
  if (shown.find_first_of(".e") == std::string::npos) shown += ".0";
  return shown;
}

}  // namespace

Series series_from_columns(const CsvSpec& spec, const std::vector<Date>& dates,
                           const std::vector<std::vector<double>>& values,
                           const std::vector<std::size_t>& positions,
                           const std::vector<std::size_t>& lines) {
  const std::vector<std::string> value_names = value_names_of(spec);
  ARABICA_REQUIRE(lines.empty() || lines.size() == dates.size(), "a line number per date, or none");
  ARABICA_REQUIRE(values.size() == value_names.size(), "one value column per column of the spec");
  ARABICA_REQUIRE(positions.size() == value_names.size() + 1, "a position for dates and each value");
  for (const std::vector<double>& column : values)
    ARABICA_REQUIRE(column.size() == dates.size(), "every column has a value per date");
  if (dates.empty()) throw InputError(spec.path, "no rows");
  RawTable table;
  table.date_column = positions[0];
  table.dates = dates;
  table.values.resize(value_names.size());
  table.kinds.resize(value_names.size());
  for (std::size_t row = 0; row < dates.size(); ++row) {
    const std::size_t line = lines.empty() ? row + 1 : lines[row];
    table.lines.push_back(line);
    for (std::size_t j = 0; j < value_names.size(); ++j) {
      const double value = values[j][row];
      add_cell(spec, value_names, j, number_cell(value), "'" + shortest_text(value) + "'", line,
               positions[j + 1], table);
    }
  }
  return clean_table(spec, table, value_names);
}

Series Series::slice(std::size_t begin, std::size_t end) const {
  ARABICA_REQUIRE(begin <= end && end <= rows(), "Series::slice outside the rows");
  const auto first = static_cast<Eigen::Index>(begin), n = static_cast<Eigen::Index>(end - begin);
  Series out;
  out.source = source;
  out.dates.assign(dates.begin() + static_cast<std::ptrdiff_t>(begin),
                   dates.begin() + static_cast<std::ptrdiff_t>(end));
  out.target_name = target_name;
  out.units = units;
  out.target = target.segment(first, n);
  out.exog_names = exog_names;
  out.exog = exog.middleRows(first, n);
  out.quality = quality;  // describes the load, not the cut
  return out;
}

std::string DataQualityReport::summary() const {
  std::ostringstream out;
  out << "rows: " << rows_read << " read, " << rows_kept << " kept\n";
  out << "order: "
      << (reordered ? "sorted ascending (" + std::to_string(unsorted_lines.size()) +
                          " lines out of order)"
                    : std::string("ascending"))
      << '\n';
  if (!missing_target_lines.empty())
    out << "missing target: " << missing_target_lines.size() << " rows dropped (lines "
        << list_lines(missing_target_lines) << ")\n";
  out << "duplicates: "
      << (duplicate_lines.empty() ? std::string("none")
                                  : std::to_string(duplicate_lines.size()) + " dropped (lines " +
                                        list_lines(duplicate_lines) + ")")
      << '\n';
  for (const ColumnQuality& c : columns)
    out << "column '" << c.column << "': " << c.blank << " blank, " << c.not_available << " NA, "
        << c.infinite << " infinite; " << c.forward_filled << " forward-filled, " << c.back_filled
        << " back-filled\n";
  for (const std::string& warning : warnings) out << "warning: " << warning << '\n';
  return out.str();
}

}  // namespace arabica
