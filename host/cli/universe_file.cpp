#include "cli/universe_file.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "arabica/backfill_store.hpp"
#include "arabica/backtest_model.hpp"
#include "arabica/bounded_list.hpp"
#include "arabica/error.hpp"
#include "cli/option_checks.hpp"

namespace arabica::cli {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    const std::size_t first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    items.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
  }
  return items;
}

// A series made from the options; `where` is the option that named it
// (errors about the name name it).
UniverseSeries member(const std::string& name, const BackfillOptions& options,
                      const std::string& where) {
  require_valid_series_name(name, where);
  return UniverseSeries{name, options, where};
}

void require_unique(const std::vector<std::string>& names, const std::string& field) {
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (names[i] == names[j]) throw InputError(field, "series '" + names[i] + "' given twice");
}

void require_unique(const std::vector<UniverseSeries>& series, const std::string& field) {
  std::vector<std::string> names;
  for (const UniverseSeries& s : series) names.push_back(s.name);
  require_unique(names, field);
}

constexpr const char* kSeriesKeys[] = {
    "name",  "csv",   "date_column", "target",   "series_column", "series", "exog", "units",
    "missing", "min_rows", "order", "seasonal", "trend", "model", "min_train_rows"};

class SeriesTable {
 public:
  SeriesTable(const std::string& path, const toml::table& table) : path_(path), table_(table) {
    for (const auto& [key, node] : table) {
      const std::string name(key.str());
      if (std::find(std::begin(kSeriesKeys), std::end(kSeriesKeys), name) == std::end(kSeriesKeys))
        fail(key.source(), "unknown key '" + name + "' in [[series]] (known: " +
                               bounded_list(std::vector<std::string>(std::begin(kSeriesKeys),
                                                                     std::end(kSeriesKeys)),
                                            32) +
                               ")");
    }
  }

  [[noreturn]] void fail(const toml::source_region& at, const std::string& what) const {
    throw InputError(path_, at.begin.line, at.begin.column, what);
  }
  std::size_t line() const { return table_.source().begin.line; }

  // A text value; `out` unchanged when the key is absent.
  bool text(const char* key, std::string& out) const {
    const toml::node* node = table_.get(key);
    if (!node) return false;
    const auto* value = node->as_string();
    if (!value) fail(node->source(), std::string("'") + key + "' must be a string");
    out = value->get();
    return true;
  }
  // A list of text (a TOML array of strings, or one string, comma separated).
  bool list(const char* key, std::vector<std::string>& out) const {
    const toml::node* node = table_.get(key);
    if (!node) return false;
    out.clear();
    if (const auto* value = node->as_string()) {
      out = split_list(value->get());
      return true;
    }
    const auto* array = node->as_array();
    if (!array) fail(node->source(), std::string("'") + key + "' must be a list of strings");
    for (const toml::node& element : *array) {
      const auto* value = element.as_string();
      if (!value) fail(element.source(), std::string("'") + key + "' must be a list of strings");
      out.push_back(value->get());
    }
    return true;
  }
  template <class Integer>
  bool integer(const char* key, Integer& out) const {
    const toml::node* node = table_.get(key);
    if (!node) return false;
    const auto* value = node->as_integer();
    if (!value || value->get() < 0) fail(node->source(), std::string("'") + key + "' must be a non-negative integer");
    out = static_cast<Integer>(value->get());
    return true;
  }
  bool has(const char* key) const { return table_.get(key) != nullptr; }
  const toml::source_region& at(const char* key) const {
    const toml::node* node = table_.get(key);
    return node ? node->source() : table_.source();
  }

 private:
  const std::string& path_;
  const toml::table& table_;
};

toml::table parse_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    throw InputError(path, error.source().begin.line, error.source().begin.column,
                     std::string(error.description()));
  }
}

}  // namespace

bool asks_for_several_series(const BackfillOptions& options) {
  const CsvSpec& csv = options.model.csv;
  if (csv.target_column.find(',') != std::string::npos) return true;
  return !csv.series_column.empty() &&
         (csv.series_id.empty() || csv.series_id.find(',') != std::string::npos);
}

std::vector<UniverseSeries> universe_from_options(const BackfillOptions& options) {
  const CsvSpec& csv = options.model.csv;
  if (csv.path.empty()) throw InputError("--csv", "required: a CSV, or [[series]] tables in a --config file");
  std::vector<UniverseSeries> series;
  if (!csv.series_column.empty()) {
    if (csv.target_column.find(',') != std::string::npos)
      throw InputError("--target", "a long file (--series-column) has one target column");
    std::vector<std::string> ids = split_list(csv.series_id);
    if (csv.series_id.empty()) {
      // Every series of the file: an id that cannot name a series is the
      // file's fault, located at its first row.
      SeriesIds file = read_series_ids(csv);
      for (std::size_t i = 0; i < file.ids.size(); ++i)
        if (const std::string problem = series_name_problem(file.ids[i]); !problem.empty())
          throw InputError(csv.path, file.first_lines[i], file.column,
                           "column '" + csv.series_column + "': " + problem);
      ids = std::move(file.ids);
    }
    for (const std::string& id : ids) {
      UniverseSeries s = member(id, options, "--series");
      s.options.model.csv.series_id = id;
      series.push_back(std::move(s));
    }
    require_unique(series, "--series");
  } else {
    for (const std::string& target : split_list(csv.target_column)) {
      UniverseSeries s = member(target, options, "--target");
      s.options.model.csv.target_column = target;
      s.options.model.csv.series_id.clear();
      series.push_back(std::move(s));
    }
    require_unique(series, "--target");
  }
  if (series.empty()) throw InputError("--target", "no series given");
  return series;
}

bool has_series_tables(const std::string& path) {
  for (const char* suffix : {".ini", ".cfg", ".conf"}) {
    const std::string s(suffix);
    if (path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0)
      return false;
  }
  const toml::table root = parse_file(path);
  const toml::node* node = root.get("series");
  return node && node->is_array_of_tables();
}

std::vector<UniverseSeries> read_universe_file(const std::string& path,
                                               const BackfillOptions& defaults) {
  const toml::table root = parse_file(path);
  const toml::array* tables = root.get("series") ? root.get("series")->as_array() : nullptr;
  if (!tables || tables->empty() || !tables->is_array_of_tables())
    throw InputError(path, "no [[series]] tables: a universe file lists its series");
  std::vector<UniverseSeries> series;
  std::map<std::string, std::size_t> lines;  // name -> line of its table
  for (const toml::node& node : *tables) {
    const SeriesTable table(path, *node.as_table());
    UniverseSeries s;
    s.options = defaults;
    s.where = path + ":" + std::to_string(table.line());
    if (!table.text("name", s.name))
      table.fail(node.source(), "[[series]] without a name");
    try {
      require_valid_series_name(s.name, "name");
    } catch (const InputError& error) {
      table.fail(table.at("name"), error.what());
    }
    const auto [previous, fresh] = lines.emplace(s.name, table.line());
    if (!fresh)
      table.fail(table.at("name"), "series '" + s.name + "' listed twice (also line " +
                                       std::to_string(previous->second) + ")");
    ModelOptions& model = s.options.model;
    CsvSpec& csv = model.csv;
    table.text("csv", csv.path);
    for (const auto& [key, column] : {std::pair<const char*, std::string*>{"date_column", &csv.date_column},
                                      {"target", &csv.target_column}})
      if (table.text(key, *column))
        if (const std::string problem = column_name_problem(*column); !problem.empty())
          table.fail(table.at(key), std::string("'") + key + "' " + problem);
    if (table.text("units", csv.units))
      if (const std::string problem = units_problem(csv.units); !problem.empty())
        table.fail(table.at("units"), problem);
    table.text("missing", model.missing);
    table.integer("min_rows", csv.min_rows);
    table.list("exog", model.exog);
    // A long file's rows of this series: its id defaults to the name.
    table.text("series_column", csv.series_column);
    csv.series_id.clear();
    if (!table.text("series", csv.series_id)) {
      if (!csv.series_column.empty()) csv.series_id = s.name;
    } else if (csv.series_column.empty()) {
      table.fail(table.at("series"), "'series' picks a series' rows of a long file: it needs 'series_column'");
    }
    if (csv.path.empty())
      table.fail(node.source(), "series '" + s.name + "' has no csv (and no top-level csv)");
    if (csv.target_column.find(',') != std::string::npos)
      table.fail(table.at("target"), "one target column per [[series]]");
    try {
      parse_missing_policy(model.missing);
    } catch (const InputError& error) {
      table.fail(table.at("missing"), error.what());
    }
    table.text("order", model.order);
    table.text("seasonal", model.seasonal);
    table.text("trend", model.trend);
    table.list("model", s.options.models);
    table.integer("min_train_rows", s.options.min_train_rows);
    // Bad orders and models are this table's errors, located at the key.
    SarimaxSpec spec;
    try {
      spec = model_spec(model);
    } catch (const InputError& error) {
      for (const char* key : {"order", "seasonal", "trend"})
        if (table.has(key)) table.fail(table.at(key), error.what());
      throw;
    }
    try {
      make_config(s.options, spec);
    } catch (const InputError& error) {
      if (table.has("model")) table.fail(table.at("model"), error.what());
      throw;
    }
    series.push_back(std::move(s));
  }
  if (defaults.model.csv.series_id.empty()) return series;
  // --series: the file's series to run, by name, in the file's order.
  const std::vector<std::string> wanted = split_list(defaults.model.csv.series_id);
  std::vector<std::string> names;
  for (const UniverseSeries& s : series) names.push_back(s.name);
  for (const std::string& name : wanted)
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw InputError("--series", "no series '" + name + "' in " + path + " (its series: " +
                                       bounded_list(names) + ")");
  require_unique(wanted, "--series");  // as for a long file's --series
  series.erase(std::remove_if(series.begin(), series.end(),
                              [&](const UniverseSeries& s) {
                                return std::find(wanted.begin(), wanted.end(), s.name) == wanted.end();
                              }),
               series.end());
  return series;
}

}  // namespace arabica::cli
