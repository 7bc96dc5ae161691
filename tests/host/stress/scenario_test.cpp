#include "arabica/scenario.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "arabica/backend.hpp"
#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "model/simulate_arima.hpp"

namespace arabica {
namespace {

namespace fs = std::filesystem;

constexpr int kHorizon = 7;
const std::vector<std::string> kExog{"temperature", "brl_usd"};

struct Fitted {
  SarimaxFit fit;
  Eigen::MatrixXd future;
  double last_price = 0.0;
};

const Fitted& fitted() {
  static const Fitted f = [] {
    const auto data = testing::simulate_arima(1200, 0.5, 0.3, 1.0, 1, Eigen::Vector2d(1.5, -2.0), 11);
    Fitted out;
    const Eigen::VectorXd prices = data.y.array() + 150.0;
    out.fit = fit_sarimax(SarimaxSpec::from_strings("1,1,1", "0,0,0,0", "n"), prices, data.exog,
                          FitOptions{}, kExog);
    out.future = future_exog(data.exog, FutureExogPolicy::repeat_last, kHorizon);
    out.last_price = prices[prices.size() - 1];
    return out;
  }();
  return f;
}

PathStats simulate(const Scenario& scenario, std::int64_t paths, std::int64_t stored) {
  const Fitted& f = fitted();
  const StressedPaths stressed =
      apply_scenario(scenario, f.fit, f.future, make_normal(), f.last_price, kHorizon);
  PathRequest request;
  request.model = stressed.model;
  request.innovations = stressed.innovations;
  request.keys = {7, 0, 0};
  request.n_paths = paths;
  request.last_price = f.last_price;
  request.stored_paths = stored;
  return make_backend("cpu")->simulate(request);
}

Shock shock(ShockKind kind) {
  Shock s;
  s.kind = kind;
  s.to_day = kHorizon;
  return s;
}

TEST(Scenario, DeterministicJumpShiftsEveryPathByExactlyTheJumpFromItsDay) {
  Scenario jump{"frost", "", {shock(ShockKind::jump)}};
  jump.shocks[0].day = 3;
  jump.shocks[0].size = 0.15;
  const std::int64_t n = 20000;
  const PathStats base = simulate(Scenario{"baseline", "", {}}, n, n);
  const PathStats shocked = simulate(jump, n, n);
  const double offset = 0.15 * fitted().last_price;
  for (std::int64_t p = 0; p < n; ++p)
    for (int h = 0; h < kHorizon; ++h) {
      const double diff = shocked.stored[p * kHorizon + h] - base.stored[p * kHorizon + h];
      // Float paths: the sum is rounded once to float (prices ~ 150).
      ASSERT_NEAR(diff, h >= 2 ? offset : 0.0, 3e-5) << "path " << p << " day " << h + 1;
    }
  for (int h = 0; h < kHorizon; ++h) {
    EXPECT_NEAR(shocked.std[h], base.std[h], 1e-4 * base.std[h]);  // spread unchanged
    EXPECT_NEAR(shocked.mean[h] - base.mean[h], h >= 2 ? offset : 0.0, 1e-4);
  }
}

TEST(Scenario, VolatilityMultiplierScalesTheSimulatedStd) {
  Scenario doubled{"volatile", "", {shock(ShockKind::volatility)}};
  doubled.shocks[0].multiplier = 2.0;
  const std::int64_t n = 400000;
  const PathStats base = simulate(Scenario{"baseline", "", {}}, n, 0);
  const PathStats shocked = simulate(doubled, n, 0);
  for (int h = 0; h < kHorizon; ++h) {
    // Same streams: the ratio's Monte Carlo error is far below that of two
    // independent std estimates (1/sqrt(2n) each); 5 of those still pass.
    EXPECT_NEAR(shocked.std[h] / base.std[h], 2.0, 2.0 * 5.0 / std::sqrt(2.0 * n)) << h;
    EXPECT_NEAR(shocked.mean[h], base.mean[h], 5.0 * shocked.std[h] / std::sqrt(double(n)));
  }
  // A day range leaves the days before it alone.
  doubled.shocks[0].from_day = 4;
  const PathStats late = simulate(doubled, n, 0);
  for (int h = 0; h < 3; ++h) EXPECT_EQ(late.std[h], base.std[h]);
  EXPECT_GT(late.std[3], 1.05 * base.std[3]);  // one of four days doubled
}

TEST(Scenario, CovariateShockMovesTheMeanByCoefficientTimesShock) {
  Scenario rally{"brl", "", {shock(ShockKind::covariate)}};
  rally.shocks[0].column = 1;
  rally.shocks[0].change = 0.25;  // absolute shift from day 2
  rally.shocks[0].from_day = 2;
  const double beta = fitted().fit.params[1];  // brl_usd coefficient
  const PathStats base = simulate(Scenario{"baseline", "", {}}, 50000, 0);
  const PathStats shocked = simulate(rally, 50000, 0);
  const StressedPaths point = apply_scenario(rally, fitted().fit, fitted().future, make_normal(),
                                             fitted().last_price, kHorizon);
  const Forecast plain = forecast_sarimax(fitted().fit, fitted().future, kHorizon);
  for (int h = 0; h < kHorizon; ++h) {
    const double expected = h >= 1 ? beta * 0.25 : 0.0;
    EXPECT_NEAR(point.forecast.mean[h] - plain.mean[h], expected, 1e-9) << h;
    // Every path moves by the same amount (float rounding aside).
    EXPECT_NEAR(shocked.mean[h] - base.mean[h], expected, 1e-4) << h;
    EXPECT_NEAR(shocked.std[h], base.std[h], 1e-4 * base.std[h]) << h;
  }
  // Relative: x (1 + 10%) on every day.
  rally.shocks[0] = shock(ShockKind::covariate);
  rally.shocks[0].column = 0;
  rally.shocks[0].relative = true;
  rally.shocks[0].change = 0.10;
  const StressedPaths scaled = apply_scenario(rally, fitted().fit, fitted().future, make_normal(),
                                              fitted().last_price, kHorizon);
  for (int h = 0; h < kHorizon; ++h)
    EXPECT_NEAR(scaled.forecast.mean[h] - plain.mean[h],
                fitted().fit.params[0] * 0.10 * fitted().future(h, 0), 1e-9);
}

TEST(Scenario, InnovationOverridesReplaceTheFamily) {
  Scenario crisis{"crisis", "", {shock(ShockKind::regime)}};
  crisis.shocks[0].innovations = regime_skew_params(Regime::crisis);
  const PathStats skewed = simulate(crisis, 200000, 0);
  EXPECT_LT(skewed.skewness[0], -0.01);  // crisis: left-skewed shocks
}

// --- files

class ScenarioFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("arabica_scenarios_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml"))
                .string();
  }
  void TearDown() override { fs::remove(path_); }

  std::vector<Scenario> read(const std::string& text) {
    std::ofstream(path_) << text;
    return read_scenarios(path_, kHorizon, kExog);
  }
  // The error for `text`, which must name the file and every fragment.
  void expect_error(const std::string& text, const std::vector<std::string>& fragments) {
    try {
      read(text);
      ADD_FAILURE() << "accepted:\n" << text;
    } catch (const InputError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(path_), std::string::npos) << message;
      for (const std::string& fragment : fragments)
        EXPECT_NE(message.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << message;
    }
  }

  std::string path_;
};

TEST_F(ScenarioFile, TheExampleCoversEveryShockKind) {
  const std::vector<Scenario> scenarios = read_scenarios(
      ARABICA_EXAMPLES_DIR "/stress_scenarios.toml", kHorizon,
      {"wx_temperature_2m_max_wavg", "wx_precipitation_sum_wavg", "wx_wind_speed_10m_max_wavg",
       "brl_usd", "inr_usd"});
  std::set<ShockKind> kinds;
  for (const Scenario& s : scenarios)
    for (const Shock& shock : s.shocks) kinds.insert(shock.kind);
  EXPECT_EQ(kinds.size(), 6u);
  EXPECT_EQ(scenarios.front().name, "baseline");
  EXPECT_TRUE(scenarios.front().shocks.empty());
}

TEST_F(ScenarioFile, ReadsShocksWithTheirFields) {
  const std::vector<Scenario> s = read(R"(
[[scenario]]
name = "frost"
[[scenario.shock]]
kind = "jump"
day = 3
size = 0.15
[[scenario.shock]]
kind = "covariate"
column = "brl_usd"
relative = 0.1
from_day = 2
to_day = 5
)");
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0].shocks.size(), 2u);
  EXPECT_EQ(s[0].shocks[0].day, 3);
  EXPECT_EQ(s[0].shocks[0].size, 0.15);
  EXPECT_EQ(s[0].shocks[1].column, 1);
  EXPECT_TRUE(s[0].shocks[1].relative);
  EXPECT_EQ(s[0].shocks[1].from_day, 2);
  EXPECT_EQ(s[0].shocks[1].to_day, 5);
}

TEST_F(ScenarioFile, InvalidFilesNameTheScenarioAndField) {
  const std::string head = "[[scenario]]\nname = \"s1\"\n[[scenario.shock]]\n";
  expect_error(head + "kind = \"earthquake\"\n", {":4:8:", "scenario 's1'", "unknown shock kind 'earthquake'"});
  expect_error(head + "kind = \"jump\"\nday = 9\nsize = 0.1\n",
               {":5:7:", "scenario 's1', shock 1", "day must be a day between 1 and the horizon 7"});
  expect_error(head + "kind = \"volatility\"\nmultiplier = -2.0\n",
               {":5:14:", "scenario 's1', shock 1", "multiplier must be in (0, 100], got -2"});
  expect_error(head + "kind = \"volatility\"\nmultiplier = 2.0\nfrom_day = 5\nto_day = 3\n",
               {"to_day comes before from_day"});
  expect_error(head + "kind = \"volatility\"\nmultipler = 2.0\n",
               {":5:13:", "unknown field 'multipler'"});
  expect_error(head + "kind = \"covariate\"\ncolumn = \"rain\"\nshift = 1.0\n",
               {"scenario 's1'", "column 'rain' is not a covariate", "temperature, brl_usd"});
  expect_error(head + "kind = \"covariate\"\ncolumn = \"brl_usd\"\n",
               {"exactly one of 'relative'"});
  expect_error(head + "kind = \"innovations\"\nfamily = \"student_t\"\nnu = 1.5\n",
               {"scenario 's1'", "nu"});
  expect_error(head + "kind = \"regime\"\nregime = \"crisis\"\n[[scenario.shock]]\nkind = \"jump_intensity\"\n"
                      "rate = 0.1\nmean = 0.0\nsd = 1.0\n",
               {"shock 2 (jump_intensity)", "only one of regime, innovations and jump_intensity"});
  expect_error(head + "kind = \"jump\"\nsize = 0.1\n", {"missing field 'day'"});
  expect_error("[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"a\"\n",
               {":4:8:", "scenario 'a' is defined twice"});
  expect_error("[[scenario]]\ndescription = \"no name\"\n", {"missing field 'name'"});
  expect_error("[[scenario]]\nname = \"x\"\nkind = [\n", {":"});  // TOML syntax
  expect_error("title = \"t\"\n", {"unknown top-level key 'title'"});
}

// Values outside the documented finite ranges gave NaN statistics with exit
// 0; each is refused at its line with the range.
TEST_F(ScenarioFile, HugeValuesAreRefusedWithTheirRange) {
  const std::string head = "[[scenario]]\nname = \"x\"\n[[scenario.shock]]\n";
  const struct {
    std::string fields, message;
  } cases[] = {
      {"kind = \"volatility\"\nmultiplier = 1e300\n", "multiplier must be in (0, 100], got 1e+300"},
      {"kind = \"jump\"\nday = 1\nsize = 1e300\n", "size must be in (-1, 10], got 1e+300"},
      {"kind = \"jump\"\nday = 1\nsize = -1.0\n", "size must be in (-1, 10], got -1"},
      {"kind = \"innovations\"\nfamily = \"student_t\"\nnu = 1e300\n", "nu must be in (2, 1000]"},
      {"kind = \"innovations\"\nfamily = \"skew_t\"\nalpha = 1.0\nnu = 1e300\n", "nu must be in (2, 1000]"},
      {"kind = \"innovations\"\nfamily = \"skew_normal\"\nalpha = -1e300\n", "alpha must be in [-100, 100]"},
      {"kind = \"innovations\"\nfamily = \"nig\"\nalpha = 1e300\nbeta = 0.0\n", "alpha must be in (0, 100]"},
      {"kind = \"innovations\"\nfamily = \"mixture\"\nscale = 1e300\n", "scale must be in (0, 100]"},
      {"kind = \"jump_intensity\"\nrate = 0.1\nmean = 1e300\nsd = 1.0\n", "mean must be in [-100, 100]"},
      {"kind = \"jump_intensity\"\nrate = 0.1\nmean = 0.0\nsd = 1e300\n", "sd must be in [0, 100]"},
      {"kind = \"covariate\"\ncolumn = \"brl_usd\"\nshift = 1e300\n", "shift must be in [-1e+09, 1e+09]"},
      {"kind = \"covariate\"\ncolumn = \"brl_usd\"\nrelative = 1e300\n", "relative must be in [-1, 100]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fields);
    expect_error(head + c.fields, {"scenario 'x', shock 1 (", c.message});
  }
  // The line and column of the value.
  expect_error(head + "kind = \"volatility\"\nmultiplier = 1e300\n", {":5:14:"});
}

}  // namespace
}  // namespace arabica
