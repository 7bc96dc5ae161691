#include "arabica/scenario.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include <toml++/toml.h>

#include "arabica/bounded_list.hpp"
#include "arabica/error.hpp"
#include "arabica/paths.hpp"

namespace arabica {

namespace {

// Documented ranges of the shock fields (README, table of shock kinds).
struct Range {
  double low, high;
  bool low_open = false, high_open = false;
};
const Range kMultiplier{0.0, 100.0, true};
const Range kJumpSize{-1.0, 10.0, true};
const Range kNu{2.0, 1000.0, true};
const Range kSlant{-100.0, 100.0};
const Range kMixtureWeight{0.0, 1.0, true, true};
const Range kMixtureScale{0.0, 100.0, true};
const Range kNigAlpha{0.0, 100.0, true};
const Range kNigBeta{-100.0, 100.0, true, true};
const Range kJumpRate{0.0, 10.0};
const Range kJumpMean{-100.0, 100.0};
const Range kJumpSd{0.0, 100.0};
const Range kRelative{-1.0, 100.0};
const Range kShift{-1e9, 1e9};

std::string compact(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// Reads one scenario file, keeping the file name and the node being read so
// every error can say where it is.
class ScenarioReader {
 public:
  ScenarioReader(std::string path, int horizon, const std::vector<std::string>& exog_names)
      : path_(std::move(path)), horizon_(horizon), exog_names_(exog_names) {}

  std::vector<Scenario> read(const toml::table& root);

 private:
  [[noreturn]] void fail(const toml::node& where, const std::string& message) const {
    const toml::source_position at = where.source().begin;
    throw InputError(path_, at.line, at.column, context_ + message);
  }
  const toml::node& require(const toml::table& table, const std::string& key) const {
    const toml::node* node = table.get(key);
    if (!node) fail(table, "missing field '" + key + "'");
    return *node;
  }
  double number(const toml::table& table, const std::string& key) const {
    const toml::node& node = require(table, key);
    const std::optional<double> value = node.value<double>();
    if (!value || !std::isfinite(*value)) fail(node, key + " must be a finite number");
    return *value;
  }
  // A number in the documented range (README, shock kinds): values far
  // outside it overflow the path statistics into NaN.
  double number_in(const toml::table& table, const std::string& key, const Range& range) const {
    const double value = number(table, key);
    const bool above_low = range.low_open ? value > range.low : value >= range.low;
    const bool below_high = range.high_open ? value < range.high : value <= range.high;
    if (!above_low || !below_high)
      fail(require(table, key), key + " must be in " + (range.low_open ? "(" : "[") +
                                    compact(range.low) + ", " + compact(range.high) +
                                    (range.high_open ? ")" : "]") + ", got " + compact(value));
    return value;
  }
  std::optional<double> optional_number_in(const toml::table& table, const std::string& key,
                                           const Range& range) const {
    return table.get(key) ? std::optional<double>(number_in(table, key, range)) : std::nullopt;
  }
  std::string text(const toml::table& table, const std::string& key) const {
    const toml::node& node = require(table, key);
    const std::optional<std::string> value = node.value<std::string>();
    if (!value) fail(node, key + " must be a string");
    return *value;
  }
  int day(const toml::table& table, const std::string& key, int fallback) const {
    if (!table.get(key)) return fallback;
    const toml::node& node = *table.get(key);
    const std::optional<std::int64_t> value = node.value<std::int64_t>();
    if (!value || *value < 1 || *value > horizon_)
      fail(node, key + " must be a day between 1 and the horizon " + std::to_string(horizon_));
    return static_cast<int>(*value);
  }
  void allow_only(const toml::table& table, std::initializer_list<const char*> keys) const {
    for (const auto& [key, node] : table) {
      const bool known = std::any_of(keys.begin(), keys.end(),
                                     [&](const char* k) { return key.str() == k; });
      if (!known)
        fail(node, "unknown field '" + std::string(key.str()) + "' (expected " +
                       bounded_list(std::vector<std::string>(keys.begin(), keys.end())) + ")");
    }
  }
  // Innovation constructors validate their own fields (ContractError).
  InnovationParams build(const toml::table& table, const std::function<InnovationParams()>& make) const {
    try {
      return make();
    } catch (const ContractError& error) {
      fail(table, error.what());
    }
  }
  Shock read_shock(const toml::table& table);

  std::string path_;
  int horizon_;
  const std::vector<std::string>& exog_names_;
  std::string context_;
};

Shock ScenarioReader::read_shock(const toml::table& table) {
  const std::string kind = text(table, "kind");
  Shock shock;
  if (kind == "volatility") {
    allow_only(table, {"kind", "multiplier", "from_day", "to_day"});
    shock.kind = ShockKind::volatility;
    shock.multiplier = number_in(table, "multiplier", kMultiplier);
  } else if (kind == "regime") {
    allow_only(table, {"kind", "regime"});
    shock.kind = ShockKind::regime;
    const std::string name = text(table, "regime");
    const std::map<std::string, Regime> regimes = {{"normal", Regime::normal},
                                                   {"volatile", Regime::volatile_},
                                                   {"crisis", Regime::crisis},
                                                   {"boom", Regime::boom}};
    const auto found = regimes.find(name);
    if (found == regimes.end())
      fail(require(table, "regime"),
           "regime must be normal, volatile, crisis or boom, got '" + name + "'");
    shock.innovations = regime_skew_params(found->second);
  } else if (kind == "innovations") {
    allow_only(table, {"kind", "family", "nu", "alpha", "beta", "weight", "scale"});
    shock.kind = ShockKind::innovations;
    const std::string family = text(table, "family");
    if (family == "normal") {
      shock.innovations = make_normal();
    } else if (family == "student_t") {
      shock.innovations = build(table, [&] { return make_student_t(number_in(table, "nu", kNu)); });
    } else if (family == "skew_normal") {
      shock.innovations =
          build(table, [&] { return make_skew_normal(number_in(table, "alpha", kSlant)); });
    } else if (family == "skew_t") {
      shock.innovations = build(
          table, [&] { return make_skew_t(number_in(table, "alpha", kSlant), number_in(table, "nu", kNu)); });
    } else if (family == "mixture") {
      shock.innovations = build(table, [&] {
        return make_mixture(optional_number_in(table, "weight", kMixtureWeight).value_or(0.10),
                            optional_number_in(table, "scale", kMixtureScale).value_or(3.0));
      });
    } else if (family == "nig") {
      shock.innovations =
          build(table, [&] {
            return make_nig(number_in(table, "alpha", kNigAlpha), number_in(table, "beta", kNigBeta));
          });
    } else {
      fail(require(table, "family"), "family must be normal, student_t, skew_normal, skew_t, "
                                     "mixture or nig, got '" + family + "'");
    }
  } else if (kind == "jump") {
    allow_only(table, {"kind", "day", "size"});
    shock.kind = ShockKind::jump;
    if (!table.get("day")) fail(table, "missing field 'day'");
    shock.day = day(table, "day", 1);
    shock.size = number_in(table, "size", kJumpSize);  // a fraction of the cutoff price
  } else if (kind == "jump_intensity") {
    allow_only(table, {"kind", "rate", "mean", "sd"});
    shock.kind = ShockKind::jump_intensity;
    shock.innovations = build(table, [&] {
      return make_jumps(number_in(table, "rate", kJumpRate), number_in(table, "mean", kJumpMean),
                        number_in(table, "sd", kJumpSd));
    });
  } else if (kind == "covariate") {
    allow_only(table, {"kind", "column", "relative", "shift", "from_day", "to_day"});
    shock.kind = ShockKind::covariate;
    const std::string column = text(table, "column");
    const auto found = std::find(exog_names_.begin(), exog_names_.end(), column);
    if (found == exog_names_.end()) {
      fail(require(table, "column"), "column '" + column + "' is not a covariate of the model (" +
                                         (exog_names_.empty() ? "it has none"
                                                              : bounded_list(exog_names_)) +
                                         ")");
    }
    shock.column = static_cast<int>(found - exog_names_.begin());
    const bool relative = table.get("relative") != nullptr, shift = table.get("shift") != nullptr;
    if (relative == shift) fail(table, "give exactly one of 'relative' (fraction) and 'shift'");
    shock.relative = relative;
    shock.change = relative ? number_in(table, "relative", kRelative) : number_in(table, "shift", kShift);
  } else {
    fail(require(table, "kind"), "unknown shock kind '" + kind +
                                     "' (volatility, regime, innovations, jump, jump_intensity, "
                                     "covariate)");
  }
  if (shock.kind == ShockKind::volatility || shock.kind == ShockKind::covariate) {
    shock.from_day = day(table, "from_day", 1);
    shock.to_day = day(table, "to_day", horizon_);
    if (shock.to_day < shock.from_day)
      fail(require(table, "to_day"), "to_day comes before from_day");
  }
  return shock;
}

std::vector<Scenario> ScenarioReader::read(const toml::table& root) {
  for (const auto& [key, node] : root)
    if (key.str() != "scenario") fail(node, "unknown top-level key '" + std::string(key.str()) +
                                                "' (expected [[scenario]] tables)");
  const toml::array* list = root["scenario"].as_array();
  if (!list || list->empty())
    throw InputError(path_, "no [[scenario]] tables");
  std::vector<Scenario> scenarios;
  std::set<std::string> names;
  for (const toml::node& entry : *list) {
    context_.clear();
    const toml::table* table = entry.as_table();
    if (!table) fail(entry, "each scenario must be a table ([[scenario]])");
    allow_only(*table, {"name", "description", "shock"});
    Scenario scenario;
    scenario.name = text(*table, "name");
    if (scenario.name.empty()) fail(require(*table, "name"), "name must not be empty");
    if (!names.insert(scenario.name).second)
      fail(require(*table, "name"), "scenario '" + scenario.name + "' is defined twice");
    if (table->get("description")) scenario.description = text(*table, "description");
    const toml::node* shocks = table->get("shock");
    if (shocks && !shocks->as_array())
      fail(*shocks, "scenario '" + scenario.name + "': shock must be [[scenario.shock]] tables");
    int index = 0, innovation_overrides = 0;
    if (shocks)
      for (const toml::node& node : *shocks->as_array()) {
        ++index;
        context_ = "scenario '" + scenario.name + "', shock " + std::to_string(index) + ": ";
        const toml::table* shock_table = node.as_table();
        if (!shock_table) fail(node, "a shock must be a table");
        if (const std::optional<std::string> kind = (*shock_table)["kind"].value<std::string>())
          context_ = "scenario '" + scenario.name + "', shock " + std::to_string(index) + " (" +
                     *kind + "): ";
        const Shock shock = read_shock(*shock_table);
        const bool overrides = shock.kind == ShockKind::regime ||
                               shock.kind == ShockKind::innovations ||
                               shock.kind == ShockKind::jump_intensity;
        if (overrides && ++innovation_overrides > 1)
          fail(*shock_table, "only one of regime, innovations and jump_intensity per scenario "
                             "(each replaces the innovation family)");
        scenario.shocks.push_back(shock);
      }
    scenarios.push_back(std::move(scenario));
  }
  return scenarios;
}

}  // namespace

const char* shock_kind_name(ShockKind kind) {
  switch (kind) {
    case ShockKind::volatility: return "volatility";
    case ShockKind::regime: return "regime";
    case ShockKind::innovations: return "innovations";
    case ShockKind::jump: return "jump";
    case ShockKind::jump_intensity: return "jump_intensity";
    case ShockKind::covariate: return "covariate";
  }
  return "?";
}

std::vector<Scenario> read_scenarios(const std::string& path, int horizon,
                                     const std::vector<std::string>& exog_names) {
  ARABICA_REQUIRE(horizon >= 1 && horizon <= kMaxPathHorizon, "read_scenarios: horizon outside 1..64");
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    const toml::source_position at = error.source().begin;
    if (at.line == 0) throw InputError(path, std::string(error.description()));
    throw InputError(path, at.line, at.column, std::string(error.description()));
  }
  return ScenarioReader(path, horizon, exog_names).read(root);
}

StressedPaths apply_scenario(const Scenario& scenario, const SarimaxFit& fit,
                             const Eigen::MatrixXd& future_exog,
                             const InnovationParams& innovations, double last_price, int horizon,
                             PathMode mode) {
  ARABICA_REQUIRE(future_exog.rows() == horizon && future_exog.cols() == fit.k_exog,
                  "apply_scenario: future exog must be horizon x k_exog");
  // Covariate shocks first: they move the point forecast and the paths'
  // regression term alike.
  Eigen::MatrixXd exog = future_exog;
  for (const Shock& shock : scenario.shocks) {
    if (shock.kind != ShockKind::covariate) continue;
    ARABICA_REQUIRE(shock.column >= 0 && shock.column < fit.k_exog, "apply_scenario: bad column");
    for (int h = shock.from_day - 1; h < shock.to_day; ++h) {
      double& x = exog(h, shock.column);
      x = shock.relative ? x * (1.0 + shock.change) : x + shock.change;
    }
  }
  StressedPaths out;
  out.model = make_path_model(fit, exog, horizon, mode);
  out.forecast = forecast_sarimax(fit, exog, horizon);
  out.innovations = innovations;
  for (const Shock& shock : scenario.shocks) {
    switch (shock.kind) {
      case ShockKind::volatility:
        for (int h = shock.from_day - 1; h < shock.to_day; ++h)
          out.model.volatility[h] *= static_cast<float>(shock.multiplier);
        break;
      case ShockKind::jump: {
        const double offset = shock.size * last_price;
        for (int h = shock.day - 1; h < horizon; ++h) {
          out.model.price_offset[h] += static_cast<float>(offset);
          out.forecast.mean[h] += offset;
          out.forecast.lower_95[h] += offset;
          out.forecast.upper_95[h] += offset;
        }
        break;
      }
      case ShockKind::regime:
      case ShockKind::innovations:
      case ShockKind::jump_intensity:
        out.innovations = shock.innovations;
        break;
      case ShockKind::covariate:
        break;  // applied above
    }
  }
  return out;
}

}  // namespace arabica
