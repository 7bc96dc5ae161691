// arabica against outside references (scripts/make_reference_set.py builds
// tests/data/golden/sarimax_reference_set.json): Stata's published fits
// shipped with statsmodels, R's stats::arima(method = "ML") on R's datasets
// and tight statsmodels fits in the matching likelihood convention. Each
// case holds its data, so nothing here needs the shared data folder.
#include <cmath>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "arabica/sarimax.hpp"
#include "golden_json.hpp"
#include "model/parameter_transform.hpp"

namespace arabica {
namespace {

using golden::json;
using golden::param_error;
using golden::to_vector;

// Own convention: the fit reaches the best optimum statsmodels found, to
// this relative tolerance, and its parameters to kParamTolerance.
constexpr double kOwnLlfTolerance = 1e-6;
constexpr double kParamTolerance = 1e-3;  // absolute below 1, relative above
constexpr double kFlatFraction = 0.05;    // of statsmodels' standard error

// Without enforced invertibility an MA polynomial and its root-reflected
// twins have the same autocovariances (and, under an exact prior, the same
// likelihood): two optimisers may stop on different twins. Parameters are
// compared in the invertible form of each.
Eigen::VectorXd invertible_form(const SarimaxSpec& spec, int k_exog, const Eigen::VectorXd& flat) {
  SarimaxParams params = SarimaxParams::unpack(spec, k_exog, flat);
  double factor = 1.0, seasonal_factor = 1.0;
  params.ma = reflect_to_invertible(params.ma, factor);
  params.sma = reflect_to_invertible(params.sma, seasonal_factor);
  params.sigma2 *= factor * seasonal_factor;
  return params.pack();
}

struct ReferenceCase {
  std::string name;
  json data;
};

void PrintTo(const ReferenceCase& c, std::ostream* os) { *os << c.name; }

std::vector<ReferenceCase> load_cases() {
  std::ifstream in(ARABICA_TEST_DATA_DIR "/golden/sarimax_reference_set.json");
  if (!in) return {};
  const json all = json::parse(in, nullptr, /*allow_exceptions=*/false);
  std::vector<ReferenceCase> cases;
  if (all.is_array())
    for (const json& item : all) cases.push_back({item.at("name").get<std::string>(), item});
  return cases;
}

const std::vector<ReferenceCase>& reference_cases() {
  static const std::vector<ReferenceCase> cases = load_cases();
  return cases;
}

TEST(ReferenceSet, HasTheOutsideReferences) {
  int published = 0, stata = 0, r = 0, seasonal_d1_s12 = 0, short_series = 0;
  for (const ReferenceCase& c : reference_cases()) {
    const json& p = c.data.at("published");
    if (p.is_object() && p.value("comparable", true)) ++published;
    stata += c.name.rfind("stata_", 0) == 0;
    r += c.name.rfind("r_", 0) == 0;
    const json& seasonal = c.data.at("spec").at("seasonal_order");
    seasonal_d1_s12 += seasonal.at(1).get<int>() == 1 && seasonal.at(3).get<int>() == 12;
    short_series += c.data.at("y").size() < 60;
  }
  EXPECT_GE(reference_cases().size(), 40u);
  EXPECT_GE(published, 40);
  EXPECT_GE(stata, 20);
  EXPECT_GE(r, 10);
  EXPECT_GE(seasonal_d1_s12, 5);
  EXPECT_GE(short_series, 2);
}

class SarimaxReferenceSet : public testing::TestWithParam<ReferenceCase> {
 protected:
  void SetUp() override {
    const json& c = GetParam().data;
    spec_ = golden::spec_from(c.at("spec"));
    y_ = to_vector(c.at("y"));
    exog_ = golden::to_columns(c.at("exog"), y_.size());
    exog_names_ = c.at("exog_names").get<std::vector<std::string>>();
    published_ = c.at("published");
    statsmodels_ = c.at("statsmodels");
  }

  bool published_comparable() const {
    return published_.is_object() && published_.value("comparable", true);
  }

  SarimaxSpec spec_;
  Eigen::VectorXd y_;
  Eigen::MatrixXd exog_;
  std::vector<std::string> exog_names_;
  json published_, statsmodels_;
};

// The likelihood convention, independent of any optimiser: arabica's
// log-likelihood at the published parameters is the published value.
TEST_P(SarimaxReferenceSet, LikelihoodAtThePublishedParameters) {
  if (!published_comparable()) GTEST_SKIP() << "no published value in arabica's convention";
  const double expected = published_.at("llf").get<double>();
  const double tolerance = published_.at("llf_tolerance").get<double>();
  const double actual = sarimax_loglike(spec_, y_, exog_, to_vector(published_.at("params")));
  EXPECT_NEAR(actual, expected, tolerance) << published_.at("convention");
  // statsmodels' value in the same convention (it differences the data
  // first; arabica filters levels with an exact diffuse prior).
  const double statsmodels = statsmodels_.at("llf_at_published_params").get<double>();
  EXPECT_NEAR(actual, statsmodels, 1e-8 * std::max(1.0, std::abs(statsmodels)));
}

TEST_P(SarimaxReferenceSet, FitReachesTheBestKnownOptimum) {
  const SarimaxFit fit = fit_sarimax(spec_, y_, exog_, FitOptions{}, exog_names_);
  EXPECT_TRUE(fit.converged) << fit.message;
  const double best = statsmodels_.at("llf").get<double>();
  const double tolerance = kOwnLlfTolerance * std::max(1.0, std::abs(best));
  if (published_comparable()) {
    // Never below the published fit (Stata and R stop at worse optima at times).
    EXPECT_GE(fit.llf, published_.at("llf").get<double>() - published_.at("llf_tolerance").get<double>());
  }
  EXPECT_NEAR(fit.llf, best, tolerance)
      << "statsmodels' best optimum (from " << statsmodels_.at("start") << " start)";
  Eigen::VectorXd expected = to_vector(statsmodels_.at("params"));
  Eigen::VectorXd actual = fit.params;
  const std::vector<std::string> names = statsmodels_.at("param_names").get<std::vector<std::string>>();
  ASSERT_EQ(actual.size(), expected.size());
  if (!spec_.enforce_invertibility && golden::max_param_error(actual, expected) > kParamTolerance) {
    const int k_exog = static_cast<int>(exog_.cols());
    actual = invertible_form(spec_, k_exog, actual);
    expected = invertible_form(spec_, k_exog, expected);
  }
  // Where the likelihood is flat a parameter may move by a small fraction of
  // its standard error without changing the llf at 1e-6.
  const Eigen::VectorXd bse = to_vector(statsmodels_.at("bse_opg"));
  for (Eigen::Index i = 0; i < expected.size(); ++i) {
    const double flat = std::isfinite(bse[i]) ? kFlatFraction * bse[i] : 0.0;
    EXPECT_TRUE(param_error(actual[i], expected[i]) <= kParamTolerance ||
                std::abs(actual[i] - expected[i]) <= flat)
        << names[static_cast<std::size_t>(i)] << ": " << actual[i] << " vs statsmodels " << expected[i]
        << " (standard error " << bse[i] << ")";
  }
  // Standard errors, or a warning that says why there are none.
  if (!fit.standard_errors.allFinite()) {
    ASSERT_FALSE(fit.warnings.empty());
    std::cout << "[ info ] " << fit.warnings.front() << '\n';
  }
}

std::string case_name(const testing::TestParamInfo<ReferenceCase>& info) {
  return golden::test_name(info.param.name, info.index);
}

INSTANTIATE_TEST_SUITE_P(Outside, SarimaxReferenceSet, testing::ValuesIn(reference_cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SarimaxReferenceSet);

}  // namespace
}  // namespace arabica
