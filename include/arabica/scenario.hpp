// Named what-if scenarios for stress runs: shocks applied on top of a fitted
// model's paths (volatility, forced regime, innovation overrides,
// deterministic jumps, jump intensity, covariate shocks), read from TOML.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "arabica/forecast_csv.hpp"
#include "arabica/innovation_estimation.hpp"
#include "arabica/innovations.hpp"
#include "arabica/path_model.hpp"
#include "arabica/sarimax.hpp"

namespace arabica {

enum class ShockKind {
  volatility,      // innovation sd times `multiplier` on days [from_day, to_day]
  regime,          // the legacy regime's skew-normal innovations (crisis, boom ...)
  innovations,     // another innovation family or shape (skew, tails)
  jump,            // +size x cutoff price on every path from `day` on
  jump_intensity,  // Merton jumps with the given rate, mean and sd
  covariate,       // a future covariate shifted or scaled on days [from_day, to_day]
};
const char* shock_kind_name(ShockKind kind);

struct Shock {
  ShockKind kind = ShockKind::volatility;
  int from_day = 1, to_day = 0;  // 1-based, inclusive; volatility and covariate
  double multiplier = 1.0;       // volatility
  InnovationParams innovations;  // regime, innovations, jump_intensity
  int day = 1;                   // jump
  double size = 0.0;             // jump: fraction of the cutoff price (+0.15: +15%)
  int column = -1;               // covariate: index among the model's covariates
  bool relative = false;         // covariate: x (1 + change) instead of x + change
  double change = 0.0;           // covariate
};

struct Scenario {
  std::string name;
  std::string description;
  std::vector<Shock> shocks;  // empty: the fitted model as is (a baseline)
};

/// Reads `[[scenario]]` tables (name, optional description, `[[scenario.shock]]`
/// tables with a `kind`) from a TOML file. Days must lie in 1..horizon and
/// covariates among `exog_names`. Every problem is an InputError naming the
/// file, line and column, the scenario and the field, e.g.
/// "s.toml:7:14: scenario 'frost', shock 2 (volatility): multiplier must be
/// positive, got -1".
std::vector<Scenario> read_scenarios(const std::string& path, int horizon,
                                     const std::vector<std::string>& exog_names);

/// One scenario applied to a fit's forecast from its cutoff.
struct StressedPaths {
  PathModel model;               // with the scenario's volatility and price offsets
  InnovationParams innovations;  // base, or the scenario's override
  Forecast forecast;             // Kalman point forecast under covariate shocks and jumps
};

/// `future_exog` and `innovations` are the unstressed inputs; a bootstrap
/// family's residuals must outlive the result.
StressedPaths apply_scenario(const Scenario& scenario, const SarimaxFit& fit,
                             const Eigen::MatrixXd& future_exog,
                             const InnovationParams& innovations, double last_price, int horizon,
                             PathMode mode = PathMode::state_space);

}  // namespace arabica
