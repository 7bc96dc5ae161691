#include "cli/config_file.hpp"

#include <algorithm>
#include <cstdio>
#include <istream>
#include <map>
#include <optional>

#include <toml++/toml.h>

#include "arabica/bounded_list.hpp"
#include "arabica/error.hpp"

namespace arabica::cli {

namespace {

// A config file is a few hundred bytes; anything far larger is not one
// (e.g. --config /dev/zero must not read until memory runs out).
constexpr std::size_t kMaxConfigBytes = 1 << 20;

enum class ValueType { text, integer, floating, boolean, date, other };

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::text: return "a string";
    case ValueType::integer: return "an integer";
    case ValueType::floating: return "a number";
    case ValueType::boolean: return "a boolean";
    case ValueType::date: return "a date";
    case ValueType::other: break;
  }
  return "a table or time";
}

// One `key = value` of the file, with where it was written.
struct Setting {
  std::string key;
  std::vector<std::string> values;
  std::vector<ValueType> types;
  bool array = false;
  bool untyped = false;    // INI: text the option converts itself
  bool top_level = false;  // not in the command's own table
  std::size_t line = 0, column = 0;              // of the key
  std::size_t value_line = 0, value_column = 0;  // of the value
};

struct Located {
  std::size_t line, column;
};

// Where the --config file gave an option its value (the key as written).
struct Origin {
  std::string file, key;
  std::size_t line = 0, column = 0;
};

// The options the --config file set, by option (one app per process).
std::map<const CLI::Option*, Origin>& config_origins() {
  static std::map<const CLI::Option*, Origin> origins;
  return origins;
}

class ConfigFile : public CLI::Config {
 public:
  explicit ConfigFile(CLI::App* root) : root_(root) {}

  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return {}; }

  // Applies the file to the command's options itself (so each error can
  // name its line) and hands CLI11 nothing more to do.
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    const std::vector<std::string> files = root_->get_config_ptr()->results();
    if (files.size() != 1) throw InputError("--config", "give one config file");
    const std::vector<CLI::App*> parsed = root_->get_subcommands();
    if (parsed.empty()) throw InputError("--config", "goes after a command, e.g. arabica backfill --config FILE");
    command_ = parsed.front();
    path_ = files.front();
    const std::string text = read_text(input);
    const std::vector<Setting> settings = is_ini(path_) ? parse_ini(text) : parse_toml(text);
    std::vector<std::string> applied;
    for (const Setting& setting : settings) apply(setting, applied);
    return {};
  }

 private:
  [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string& message) const {
    if (line == 0) throw InputError(path_, message);
    throw InputError(path_, line, column, message);
  }

  static bool is_ini(const std::string& path) {
    for (const char* suffix : {".ini", ".cfg", ".conf"}) {
      const std::string s(suffix);
      if (path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0)
        return true;
    }
    return false;
  }

  std::string read_text(std::istream& input) const {
    std::string text(kMaxConfigBytes + 1, '\0');
    input.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (input.bad()) fail(0, 0, "cannot read the config file");
    text.resize(static_cast<std::size_t>(input.gcount()));
    if (text.size() > kMaxConfigBytes)
      fail(0, 0, "larger than 1 MiB: not a config file");
    const std::size_t nul = text.find('\0');
    if (nul != std::string::npos) {
      const Located at = locate(text, nul);
      fail(at.line, at.column, "binary data (a NUL byte): not a TOML or INI text file");
    }
    return text;
  }

  static Located locate(const std::string& text, std::size_t offset) {
    const std::size_t line = 1 + static_cast<std::size_t>(
                                     std::count(text.begin(), text.begin() + offset, '\n'));
    const std::size_t start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    const std::size_t column = start == std::string::npos || offset == 0 ? offset + 1 : offset - start;
    return {line, column};
  }

  // The names of arabica's commands: their tables belong to them.
  bool is_command_name(const std::string& name) const {
    const CLI::App* root = root_;
    for (const CLI::App* sub : root->get_subcommands([](const CLI::App*) { return true; }))
      if (sub->get_name() == name) return true;
    return false;
  }

  std::vector<Setting> parse_toml(const std::string& text) const {
    toml::table root;
    try {
      root = toml::parse(text, path_);
    } catch (const toml::parse_error& error) {
      fail(error.source().begin.line, error.source().begin.column,
           std::string(error.description()));
    }
    std::vector<Setting> own, top;
    for (const auto& [key, node] : root) {
      const std::string name(key.str());
      // [[series]]: a universe, read by `arabica backfill` and `arabica
      // daily` themselves (cli/universe_file.hpp).
      if (name == "series" && node.is_array_of_tables()) {
        const std::string& command = command_->get_name();
        if (command != "backfill" && command != "daily")
          fail(key.source().begin.line, key.source().begin.column,
               "[[series]] tables (a universe) are read by 'arabica backfill' and 'arabica daily' only");
        continue;
      }
      if (const toml::table* table = node.as_table(); table && is_command_name(name)) {
        if (name != command_->get_name()) continue;
        for (const auto& [inner_key, inner] : *table) {
          if (inner.is_table())
            fail(inner_key.source().begin.line, inner_key.source().begin.column,
                 "unknown table '" + name + "." + std::string(inner_key.str()) + "'");
          own.push_back(toml_setting(inner_key, inner));
        }
        continue;
      }
      top.push_back(toml_setting(key, node));
      top.back().top_level = true;
    }
    // The command's own table wins over the top level.
    own.insert(own.end(), top.begin(), top.end());
    return own;
  }

  Setting toml_setting(const toml::key& key, const toml::node& node) const {
    Setting setting;
    setting.key = std::string(key.str());
    setting.line = key.source().begin.line;
    setting.column = key.source().begin.column;
    setting.value_line = node.source().begin.line;
    setting.value_column = node.source().begin.column;
    if (const toml::table* table = node.as_table()) {
      (void)table;
      fail(setting.line, setting.column,
           "unknown key '" + setting.key + "' (a table; tables are named after a command: " +
               command_->get_name() + ")");
    }
    if (const toml::array* array = node.as_array()) {
      setting.array = true;
      for (const toml::node& element : *array) add_scalar(setting, element);
    } else {
      add_scalar(setting, node);
    }
    return setting;
  }

  void add_scalar(Setting& setting, const toml::node& node) const {
    std::string value;
    ValueType type = ValueType::other;
    if (const auto* s = node.as_string()) {
      value = s->get(), type = ValueType::text;
    } else if (const auto* i = node.as_integer()) {
      value = std::to_string(i->get()), type = ValueType::integer;
    } else if (const auto* f = node.as_floating_point()) {
      char buffer[40];
      std::snprintf(buffer, sizeof buffer, "%.17g", f->get());
      value = buffer, type = ValueType::floating;
    } else if (const auto* b = node.as_boolean()) {
      value = b->get() ? "true" : "false", type = ValueType::boolean;
    } else if (const auto* d = node.as_date()) {
      char buffer[16];
      const toml::date date = d->get();
      std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", static_cast<int>(date.year),
                    static_cast<int>(date.month), static_cast<int>(date.day));
      value = buffer, type = ValueType::date;
    } else {
      fail(node.source().begin.line, node.source().begin.column,
           "'" + setting.key + "': nested arrays, tables and times are not option values");
    }
    setting.values.push_back(value);
    setting.types.push_back(type);
  }

  // INI: [section] headers, key = value lines, ; and # comments; values
  // are text (quotes optional), lists comma separated.
  std::vector<Setting> parse_ini(const std::string& text) const {
    std::vector<Setting> own, top;
    std::string section;
    std::size_t line_number = 0, start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line[first] == ';' || line[first] == '#') continue;
      if (line[first] == '[') {
        const std::size_t close = line.find(']', first);
        if (close == std::string::npos) fail(line_number, first + 1, "section header without ']'");
        section = trim(line.substr(first + 1, close - first - 1));
        if (!is_command_name(section))
          fail(line_number, first + 1, "unknown section '" + section +
                                           "' (sections are named after a command, e.g. [" +
                                           command_->get_name() + "])");
        continue;
      }
      const std::size_t equals = line.find('=');
      if (equals == std::string::npos) fail(line_number, first + 1, "expected key = value");
      Setting setting;
      setting.key = trim(line.substr(first, equals - first));
      setting.line = line_number;
      setting.column = first + 1;
      const std::size_t value_start = line.find_first_not_of(" \t", equals + 1);
      setting.value_line = line_number;
      setting.value_column = value_start == std::string::npos ? equals + 2 : value_start + 1;
      std::string value = trim(line.substr(equals + 1));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
          value.back() == value.front())
        value = value.substr(1, value.size() - 2);
      setting.values = {value};
      setting.types = {value == "true" || value == "false" ? ValueType::boolean : ValueType::text};
      setting.untyped = true;
      if (section.empty()) {
        setting.top_level = true;
        top.push_back(setting);
      } else if (section == command_->get_name()) {
        own.push_back(setting);
      }
    }
    own.insert(own.end(), top.begin(), top.end());
    return own;
  }

  static std::string trim(const std::string& s) {
    const std::size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
  }

 public:
  // The command's option a key names (`min_train_rows` or `min-train-rows`).
  static CLI::Option* find_option(const CLI::App& command, const std::string& key) {
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    if (key.empty() || key == "config" || key == "help" || key == "version") return nullptr;
    CLI::Option* option = const_cast<CLI::App&>(command).get_option_no_throw(flag);
    return option && option->get_configurable() ? option : nullptr;
  }

 private:
  // A top-level key of another command's (e.g. `scenarios` in a file that
  // also serves stress) is not this command's business.
  bool belongs_to_another_command(const std::string& key) const {
    for (CLI::App* other : root_->get_subcommands([](CLI::App*) { return true; }))
      if (other != command_ && find_option(*other, key)) return true;
    return false;
  }

  std::vector<std::string> known_keys() const {
    std::vector<std::string> keys;
    for (const CLI::Option* option : command_->get_options()) {
      const std::string name = option->get_lnames().empty() ? "" : option->get_lnames().front();
      if (!name.empty() && name != "config" && name != "help" && option->get_configurable())
        keys.push_back(name);
    }
    return keys;
  }

  // The value types an option takes from a TOML file (INI values are text,
  // converted by the option itself).
  static bool accepts(const CLI::Option& option, ValueType type) {
    if (option.get_expected_min() == 0) return type == ValueType::boolean;
    const std::string kind = option.get_type_name();
    const auto starts = [&](const char* prefix) { return kind.rfind(prefix, 0) == 0; };
    if (starts("INT") || starts("UINT")) return type == ValueType::integer || type == ValueType::text;
    if (starts("FLOAT"))
      return type == ValueType::integer || type == ValueType::floating || type == ValueType::text;
    return type == ValueType::text || type == ValueType::date;
  }

  static const char* expected(const CLI::Option& option) {
    if (option.get_expected_min() == 0) return "true or false";
    const std::string kind = option.get_type_name();
    if (kind.rfind("INT", 0) == 0 || kind.rfind("UINT", 0) == 0) return "an integer";
    if (kind.rfind("FLOAT", 0) == 0) return "a number";
    return "a string";
  }

  void apply(const Setting& setting, std::vector<std::string>& applied) const {
    CLI::Option* option = find_option(*command_, setting.key);
    if (!option && setting.top_level && belongs_to_another_command(setting.key)) return;
    if (!option)
      fail(setting.line, setting.column,
           "unknown key '" + setting.key + "' for 'arabica " + command_->get_name() +
               "' (known: " + bounded_list(known_keys()) + ")");
    const std::string name = option->get_lnames().front();
    const bool list = option->get_items_expected_max() > 1;
    if (setting.array && !list)
      fail(setting.value_line, setting.value_column,
           "'" + setting.key + "' takes one value, got a list");
    if (setting.values.empty())
      fail(setting.value_line, setting.value_column, "'" + setting.key + "' is an empty list");
    const bool is_flag = option->get_expected_min() == 0;
    for (const ValueType type : setting.types)
      if ((!setting.untyped || is_flag) && !accepts(*option, type))
        fail(setting.value_line, setting.value_column,
             "'" + setting.key + "' must be " + expected(*option) + ", got " + type_name(type));
    // The command's table came first; a key it set wins over the top level.
    if (std::find(applied.begin(), applied.end(), name) != applied.end()) return;
    applied.push_back(name);
    if (!option->empty()) return;  // given on the command line
    try {
      if (is_flag)
        option->add_result(option->get_flag_value(name, setting.values.front()));
      else
        option->add_result(setting.values);
      option->run_callback();
    } catch (const CLI::Error& error) {
      fail(setting.value_line, setting.value_column, error.what());
    }
    config_origins()[option] = {path_, setting.key, setting.value_line, setting.value_column};
  }

  CLI::App* root_;
  mutable CLI::App* command_ = nullptr;  // the command being run
  mutable std::string path_;
};

}  // namespace

std::string located_option_error(const CLI::App& app, const InputError& error) {
  const auto* setting = dynamic_cast<const SettingError*>(&error);
  const std::string& name = error.file();
  const bool flag = name.rfind("--", 0) == 0;
  const std::vector<CLI::App*> run = app.get_subcommands();
  if (error.line() != 0 || (!setting && !flag) || run.empty()) return error.what();
  const CLI::Option* option = ConfigFile::find_option(*run.front(), flag ? name.substr(2) : name);
  if (!option) return error.what();
  const auto origin = config_origins().find(option);
  if (origin != config_origins().end())
    return InputError(origin->second.file, origin->second.line, origin->second.column,
                      origin->second.key + ": " + error.problem())
        .what();
  return "--" + option->get_lnames().front() + ": " + error.problem();
}

void add_config_option(CLI::App& app) {
  // CLI11 reads config files for the top-level app only: --config lives
  // there, and every command passes it up (fallthrough).
  app.set_config("--config", "",
                 "Read the command's options from a TOML file (top level or a table named after "
                 "the command) or an INI file; the command line wins");
  app.config_formatter(std::make_shared<ConfigFile>(&app));
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    command->fallthrough();
    command->footer("--config FILE: read these options from a TOML or INI file ([" +
                    command->get_name() + "] table or top level); the command line wins");
  }
}

}  // namespace arabica::cli
