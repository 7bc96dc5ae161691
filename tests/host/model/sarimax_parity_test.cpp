// Parity with statsmodels 0.14 SARIMAX on the real coffee series. The golden
// file (scripts/make_golden.py) holds statsmodels' numbers, never the data;
// cases skip when ../shared/data is absent. ARABICA_GOLDEN overrides the file
// (the live ctest entry points it at a freshly generated one).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "arabica/sarimax.hpp"
#include "arabica/series.hpp"
#include "golden_json.hpp"

namespace arabica {
namespace {

using nlohmann::json;
using golden::max_param_error;
using golden::param_error;
using golden::relative_error;
using golden::spec_from;
using golden::to_vector;

constexpr double kLoglikeTolerance = 1e-9;   // relative, at fixed parameters
constexpr double kFittedLlfTolerance = 1e-6; // relative
constexpr double kParamTolerance = 1e-4;     // absolute below 1, relative above
constexpr double kForecastTolerance = 1e-6;  // relative

std::string golden_path() {
  const char* path = std::getenv("ARABICA_GOLDEN");
  return path && *path ? path : ARABICA_TEST_DATA_DIR "/golden/sarimax_coffee.json";
}

struct GoldenCase {
  std::string name;
  json data;  // one element of the golden list
};

// Loaded once, when the parameterised suite is instantiated; a missing or
// unreadable file leaves no cases and GoldenFile.HasCases reports it.
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

std::vector<GoldenCase> load_golden() {
  std::ifstream in(golden_path());
  if (!in) return {};
  const json golden = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!golden.is_array()) return {};
  std::vector<GoldenCase> cases;
  for (const json& item : golden) cases.push_back({item.value("name", "unnamed"), item});
  return cases;
}

const std::vector<GoldenCase>& golden_cases() {
  static const std::vector<GoldenCase> cases = load_golden();
  return cases;
}

struct CaseData {
  Eigen::VectorXd y;
  Eigen::MatrixXd exog;
  std::vector<std::string> exog_names;
};

// Loads like the reference: whole file, ffill then bfill, then the last
// `tail_rows` rows.
CaseData load_case(const json& c, const std::string& csv_path) {
  CsvSpec csv;
  csv.path = csv_path;
  csv.date_column = c.at("date_column").get<std::string>();
  csv.target_column = c.at("target").get<std::string>();
  csv.exog_columns = c.at("exog").get<std::vector<std::string>>();
  csv.missing = MissingPolicy::ffill_bfill;
  const Series series = read_series_csv(csv);
  const Eigen::Index rows = static_cast<Eigen::Index>(series.rows());
  const Eigen::Index tail = c.value("tail_rows", 0);
  const Eigen::Index keep = tail > 0 ? std::min(tail, rows) : rows;
  return {series.target.tail(keep), series.exog.bottomRows(keep), series.exog_names};
}

std::string test_name(const testing::TestParamInfo<GoldenCase>& info) {
  return golden::test_name(info.param.name, info.index);
}

TEST(GoldenFile, HasCases) {
  EXPECT_FALSE(golden_cases().empty()) << "no cases read from " << golden_path();
}

class SarimaxParity : public testing::TestWithParam<GoldenCase> {
 protected:
  void SetUp() override {
    const json& c = GetParam().data;
    csv_path_ = ARABICA_SHARED_DATA_DIR "/" + c.at("csv").get<std::string>();
    if (!std::filesystem::exists(csv_path_)) GTEST_SKIP() << "shared data not found: " << csv_path_;
    ref_ = c.at("reference");
    spec_ = spec_from(ref_.at("spec"));
    data_ = load_case(c, csv_path_);
  }

  std::string csv_path_;
  json ref_;
  SarimaxSpec spec_;
  CaseData data_;
};

TEST_P(SarimaxParity, LayoutMatchesStatsmodels) {
  EXPECT_EQ(data_.y.size(), ref_.at("data").at("rows").get<Eigen::Index>());
  EXPECT_EQ(spec_.param_names(data_.exog_names),
            ref_.at("param_names").get<std::vector<std::string>>());
}

// The likelihood itself, independent of any optimiser.
TEST_P(SarimaxParity, LoglikeAtFixedParams) {
  for (const json& check : ref_.at("loglike_checks")) {
    const double expected = check.at("llf").get<double>();
    const double actual = sarimax_loglike(spec_, data_.y, data_.exog, to_vector(check.at("params")));
    EXPECT_LE(relative_error(actual, expected), kLoglikeTolerance)
        << "loglike " << actual << " vs statsmodels " << expected << " at " << check.at("params");
  }
}

TEST_P(SarimaxParity, FitAndForecast) {
  const SarimaxFit fit = fit_sarimax(spec_, data_.y, data_.exog, FitOptions{}, data_.exog_names);
  const double llf = ref_.at("llf").get<double>();
  EXPECT_TRUE(fit.converged) << fit.message;
  EXPECT_LE(relative_error(fit.llf, llf), kFittedLlfTolerance)
      << "llf " << fit.llf << " vs statsmodels " << llf;
  EXPECT_EQ(fit.nobs, ref_.at("nobs").get<int>());
  EXPECT_EQ(fit.loglikelihood_burn, ref_.at("loglikelihood_burn").get<int>());
  const std::pair<const char*, double> criteria[] = {
      {"aic", fit.aic}, {"bic", fit.bic}, {"hqic", fit.hqic}};
  for (const auto& [criterion, actual] : criteria)
    EXPECT_LE(relative_error(actual, ref_.at(criterion).get<double>()), kFittedLlfTolerance)
        << criterion << " " << actual;

  // A non-invertible MA optimum (invertibility not enforced) has an invertible
  // twin with the same likelihood; the golden file records it, and a fit that
  // lands on it is compared with the twin's parameters and forecast instead.
  const json* target = &ref_;
  const Eigen::VectorXd reference = to_vector(ref_.at("params"));
  ASSERT_EQ(fit.params.size(), reference.size());
  const json& twin = ref_.value("equivalent_optimum", json());
  if (!twin.is_null() && twin.at("converged").get<bool>() &&
      relative_error(twin.at("llf").get<double>(), llf) <= kLoglikeTolerance &&
      max_param_error(fit.params, to_vector(twin.at("params"))) <
          max_param_error(fit.params, reference)) {
    target = &twin;
    std::cout << "[ info ] matched the invertible twin of statsmodels' optimum\n";
  }
  const Eigen::VectorXd expected = to_vector(target->at("params"));
  const std::vector<std::string> names = ref_.at("param_names").get<std::vector<std::string>>();
  for (Eigen::Index i = 0; i < expected.size(); ++i)
    EXPECT_LE(param_error(fit.params[i], expected[i]), kParamTolerance)
        << names[static_cast<std::size_t>(i)] << ": " << fit.params[i] << " vs statsmodels "
        << expected[i];

  const json& forecast = target->at("forecast");
  const int horizon = forecast.at("horizon").get<int>();
  const Eigen::MatrixXd future = data_.exog.bottomRows(data_.exog.cols() > 0 ? horizon : 0);
  const Forecast ours = forecast_sarimax(fit, future, horizon);
  const Eigen::VectorXd mean = to_vector(forecast.at("mean"));
  const Eigen::VectorXd se = to_vector(forecast.at("se"));
  ASSERT_EQ(ours.mean.size(), horizon);
  ASSERT_EQ(ours.std_error.size(), horizon);
  for (int h = 0; h < horizon; ++h) {
    EXPECT_LE(relative_error(ours.mean[h], mean[h]), kForecastTolerance)
        << "mean at step " << h + 1 << ": " << ours.mean[h] << " vs statsmodels " << mean[h];
    EXPECT_LE(relative_error(ours.std_error[h], se[h]), kForecastTolerance)
        << "se at step " << h + 1 << ": " << ours.std_error[h] << " vs statsmodels " << se[h];
  }
}

INSTANTIATE_TEST_SUITE_P(Coffee, SarimaxParity, testing::ValuesIn(golden_cases()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SarimaxParity);

}  // namespace
}  // namespace arabica
