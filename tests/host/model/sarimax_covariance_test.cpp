// Standard errors by cov_type against statsmodels at its own optimum, over
// the outside reference set (tests/data/golden/sarimax_cov_types.json, from
// scripts/make_cov_type_reference.py).
#include <fstream>
#include <iostream>
#include <map>

#include <gtest/gtest.h>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/state_space.hpp"
#include "golden_json.hpp"
#include "model/parameter_transform.hpp"

namespace arabica {
namespace {

using golden::json;
using golden::to_vector;

struct CovarianceCase {
  std::string name;
  json data;       // the reference set's case: spec, y, exog
  json expected;   // params and statsmodels' bse by cov_type
};

void PrintTo(const CovarianceCase& c, std::ostream* os) { *os << c.name; }

std::vector<CovarianceCase> load_cases() {
  std::ifstream set_file(ARABICA_TEST_DATA_DIR "/golden/sarimax_reference_set.json");
  std::ifstream cov_file(ARABICA_TEST_DATA_DIR "/golden/sarimax_cov_types.json");
  if (!set_file || !cov_file) return {};
  std::map<std::string, json> by_name;
  for (const json& item : json::parse(set_file)) by_name[item.at("name").get<std::string>()] = item;
  std::vector<CovarianceCase> cases;
  for (const json& item : json::parse(cov_file)) {
    const std::string name = item.at("name").get<std::string>();
    cases.push_back({name, by_name.at(name), item});
  }
  return cases;
}

const std::vector<CovarianceCase>& covariance_cases() {
  static const std::vector<CovarianceCase> cases = load_cases();
  return cases;
}

TEST(CovarianceReference, CoversTheReferenceSet) {
  int checked = 0;
  for (const CovarianceCase& c : covariance_cases()) checked += c.expected.at("hessian_checked").get<bool>();
  EXPECT_GE(covariance_cases().size(), 70u);
  EXPECT_GE(checked, 50);
  int opg_checked = 0;
  for (const CovarianceCase& c : covariance_cases()) opg_checked += c.expected.at("opg_checked").get<bool>();
  EXPECT_GE(opg_checked, 50);
}

// statsmodels' derivatives (complex and finite-difference steps of
// EPS^(1/3) * max(|x|, 0.1), absolute below 0.1) are reliable where every
// parameter is large beside its step and the optimum is interior. Elsewhere
// (a sigma2 of 5e-9, coefficients of 1e-6 on regressors of 1e6, AR or MA
// roots within 3% of the unit circle) they differ from arabica's
// relative-step ones, which sarimax_scale_test checks by scale equivariance
// and whose Hessian checks its own step dependence.
bool statsmodels_reliable(const SarimaxSpec& spec, const Eigen::VectorXd& flat, int k_exog,
                          double root_bound = 0.97) {
  for (Eigen::Index i = 0; i < flat.size(); ++i)
    if (flat[i] != 0.0 && std::abs(flat[i]) < 1e-3) return false;
  const SarimaxParams params = SarimaxParams::unpack(spec, k_exog, flat);
  return largest_inverse_root(-reduced_ar(spec, params)) < root_bound &&
         largest_inverse_root(reduced_ma(spec, params)) < root_bound;
}

class SarimaxCovariance : public testing::TestWithParam<CovarianceCase> {};

TEST_P(SarimaxCovariance, MatchesStatsmodels) {
  const json& c = GetParam().data;
  const SarimaxSpec spec = golden::spec_from(c.at("spec"));
  const Eigen::VectorXd y = to_vector(c.at("y"));
  const Eigen::MatrixXd exog = golden::to_columns(c.at("exog"), y.size());
  const Eigen::VectorXd params = to_vector(GetParam().expected.at("params"));
  const bool reliable = statsmodels_reliable(spec, params, static_cast<int>(exog.cols()));
  // Scores are first derivatives: statsmodels' complex steps and arabica's
  // extrapolated central differences agree up to a root 1e-3 inside the unit
  // circle (the Stata grid's AR(3) rows); on it (an MA root at 1, where a
  // boundary optimum leaves the information singular) no standard error is
  // defined.
  const bool opg_reliable =
      statsmodels_reliable(spec, params, static_cast<int>(exog.cols()), 1.0 - 1e-4);
  // statsmodels' own Hessian is not converged on every case
  // (scripts/make_cov_type_reference.py checks it independently).
  const bool hessian_checked = GetParam().expected.at("hessian_checked").get<bool>();
  // statsmodels' complex-step scores are not exact where its gain settles
  // slowly (a root 3% inside the unit circle): where they disagree with the
  // OPG from Richardson-extrapolated differences of statsmodels' own
  // per-period log-likelihood, and those are stable across steps (the
  // script checks both), the differences are the reference.
  const json& expected_case = GetParam().expected;
  const bool opg_checked = expected_case.at("opg_checked").get<bool>();
  const bool has_independent = expected_case.at("opg_independent").is_array();
  for (const char* name : {"opg", "approx", "robust_approx"}) {
    const bool opg = std::string(name) == "opg";
    const bool independent = opg && !opg_checked && has_independent;
    const bool comparable = opg ? opg_reliable : reliable && hessian_checked;
    const Eigen::VectorXd expected = to_vector(independent ? expected_case.at("opg_independent")
                                                           : expected_case.at("bse").at(name));
    const char* reference = independent ? "the extrapolated differences of statsmodels' likelihood"
                                        : "statsmodels";
    Eigen::VectorXd actual;
    std::vector<std::string> warnings;
    try {
      actual = sarimax_standard_errors(spec, y, exog, params, parse_covariance_type(name), &warnings);
    } catch (const NumericalError& e) {
      // Only beside a boundary may the information matrix be singular.
      EXPECT_FALSE(reliable) << name << ": " << e.what();
      std::cout << "[ " << name << " ] not available: " << e.what() << '\n';
      continue;
    }
    ASSERT_EQ(actual.size(), expected.size());
    EXPECT_TRUE(actual.allFinite()) << name;
    double worst = 0.0;
    for (Eigen::Index i = 0; i < expected.size(); ++i)
      worst = std::max(worst, golden::relative_error(actual[i], expected[i]));
    std::cout << "[ " << name << " ] " << (comparable ? "" : "(not compared) ")
              << "largest relative difference from " << reference << ' ' << worst
              << (warnings.empty() ? "" : "; warning: " + warnings.front()) << '\n';
    if (!comparable) continue;
    // Central differences (arabica's scores; its Hessian extrapolated from
    // second differences) against statsmodels' complex steps.
    EXPECT_LT(worst, 5e-3) << name << "\n  arabica   " << actual.transpose() << "\n  reference "
                           << expected.transpose() << " (" << reference << ')';
    EXPECT_TRUE(warnings.empty()) << name << ": " << warnings.front();
  }
}

INSTANTIATE_TEST_SUITE_P(Outside, SarimaxCovariance, testing::ValuesIn(covariance_cases()),
                         [](const testing::TestParamInfo<CovarianceCase>& info) {
                           return golden::test_name(info.param.name, info.index);
                         });

}  // namespace
}  // namespace arabica
