#include "arabica/innovations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "arabica/error.hpp"
#include "goodness_of_fit.hpp"
#include "mc/standardised.hpp"
#include "mc/special_functions.hpp"

namespace arabica {
namespace {

using testing::draw_paths;
using testing::ks_test;
using testing::sample_moments;

constexpr std::size_t kDraws = 1000000;
constexpr double kPi = 3.14159265358979323846;

struct Family {
  const char* label;
  InnovationParams params;
  bool finite_sixth_moment;  // sample skewness has a standard error
};

std::vector<Family> families() {
  return {
      {"normal", make_normal(), true},
      {"student_t_7", make_student_t(7.0), true},
      {"student_t_2.5", make_student_t(2.5), false},
      {"skew_normal_4", make_skew_normal(4.0), true},
      {"skew_normal_-0.5", make_skew_normal(-0.5), true},
      {"skew_t_3_8", make_skew_t(3.0, 8.0), true},
      {"skew_t_-2_3", make_skew_t(-2.0, 3.0), false},
      {"mixture_legacy", make_mixture(), true},
      {"nig_1.5_-0.6", make_nig(1.5, -0.6), true},
      {"nig_0.4_0.3", make_nig(0.4, 0.3), true},
      {"jumps", make_jumps(0.1, -1.5, 2.0), true},
      {"jumps_frequent_small", make_jumps(3.0, 0.2, 0.3), true},
  };
}

// E[x^k] of the standardised density by quadrature over the real line.
double density_moment(const InnovationParams& p, int k) {
  const auto integrand = [&p, k](double x) { return std::pow(x, k) * innovation_pdf(p, x); };
  return detail::integrate_below(integrand, 0.0, 1e-12) +
         detail::integrate_above(integrand, 0.0, 1e-12);
}

// The density is the family's textbook one moved by the standardising
// constants, so unit mass, zero mean and unit variance here check those
// constants independently of the samplers.
TEST(InnovationDensity, IsStandardised) {
  for (const Family& f : families()) {
    SCOPED_TRACE(f.label);
    EXPECT_NEAR(density_moment(f.params, 0), 1.0, 1e-9);
    EXPECT_NEAR(density_moment(f.params, 1), 0.0, 1e-9);
    // x^2 f decays slowly for the heaviest tails, which limits the quadrature.
    EXPECT_NEAR(density_moment(f.params, 2), 1.0, f.finite_sixth_moment ? 1e-7 : 1e-3);
  }
}

TEST(InnovationDensity, CdfIsTheIntegralOfThePdf) {
  for (const Family& f : families()) {
    SCOPED_TRACE(f.label);
    const auto pdf = [&f](double x) { return innovation_pdf(f.params, x); };
    for (double a : {-3.0, -0.7, 0.1, 1.9}) {
      const double b = a + 0.8;
      EXPECT_NEAR(innovation_cdf(f.params, b) - innovation_cdf(f.params, a),
                  detail::integrate(pdf, a, b, 1e-14), 1e-11);
    }
    EXPECT_NEAR(innovation_cdf(f.params, -60.0), 0.0, 1e-5);  // t(2.5) keeps 3e-6 out there
    EXPECT_NEAR(innovation_cdf(f.params, 60.0), 1.0, 1e-5);
  }
}

// Reference values from scipy.stats 1.17 at textbook points x, mapped to the
// standardised scale with the analytic moments.
TEST(InnovationDensity, MatchesReferenceValues) {
  {
    const InnovationParams p = make_skew_normal(4.0);
    const double delta = 4.0 / std::sqrt(17.0), mean = delta * std::sqrt(2.0 / kPi);
    const double sd = std::sqrt(1.0 - mean * mean);
    EXPECT_NEAR(innovation_cdf(p, (0.3 - mean) / sd), 0.24609057814013352, 1e-13);  // skewnorm
    EXPECT_NEAR(innovation_cdf(p, (1.7 - mean) / sd), 0.91086907448294674, 1e-13);
  }
  {
    // scipy norminvgauss(a=1.5, b=-0.6); its CDF is itself a quadrature (~1e-10).
    const InnovationParams p = make_nig(1.5, -0.6);
    const double mean = -0.4364357804719847, sd = std::sqrt(0.8659440088729855);
    EXPECT_NEAR(innovation_cdf(p, (-1.0 - mean) / sd), 0.2157154874006009, 1e-9);
    EXPECT_NEAR(innovation_cdf(p, (0.5 - mean) / sd), 0.88279255592777883, 1e-9);
    EXPECT_NEAR(innovation_pdf(p, (0.5 - mean) / sd) / sd, 0.27034840807488308, 1e-13);
  }
  {
    const InnovationParams p = make_student_t(7.0);
    EXPECT_NEAR(innovation_cdf(p, -2.2 / std::sqrt(7.0 / 5.0)), 0.031865507651318389, 1e-14);
  }
  // Skew-normal with alpha = 1 has CDF Phi(x)^2.
  {
    const InnovationParams p = make_skew_normal(1.0);
    const double mean = std::sqrt(0.5) * std::sqrt(2.0 / kPi), sd = std::sqrt(1.0 - mean * mean);
    for (double x : {-2.0, -0.3, 0.0, 0.8, 2.5}) {
      const double phi = detail::normal_cdf(x);
      EXPECT_NEAR(innovation_cdf(p, (x - mean) / sd), phi * phi, 1e-14);
    }
  }
  // Skew-t: P(X <= 0) = P(skew-normal <= 0) = 1/2 - atan(alpha) / pi.
  for (double alpha : {-2.0, 0.5, 3.0}) {
    const InnovationParams p = make_skew_t(alpha, 5.0);
    const double b = std::sqrt(5.0 / kPi) * std::exp(std::lgamma(2.0) - std::lgamma(2.5));
    const double mean = alpha / std::sqrt(1.0 + alpha * alpha) * b;
    const double sd = std::sqrt(5.0 / 3.0 - mean * mean);
    EXPECT_NEAR(innovation_cdf(p, -mean / sd), 0.5 - std::atan(alpha) / kPi, 1e-11);
  }
}

// 10^6 draws (1000 paths x 1000 steps) against the analytic CDF. Skew-t and
// NIG CDFs are quadratures, tabulated once over the sample range.
TEST(InnovationDraws, PassKolmogorovSmirnov) {
  for (const Family& f : families()) {
    std::vector<double> draws = draw_paths(f.params, kDraws, 20240611);
    const auto [lo, hi] = std::minmax_element(draws.begin(), draws.end());
    const auto exact = [&f](double x) { return innovation_cdf(f.params, x); };
    testing::KsResult ks{};
    if (f.params.kind == InnovationKind::skew_t || f.params.kind == InnovationKind::nig) {
      const auto pdf = [&f](double x) { return innovation_pdf(f.params, x); };
      const testing::TabulatedCdf table(pdf, exact, *lo, *hi, 4000);
      EXPECT_NEAR(table.last_value(), exact(*hi), 1e-9) << f.label;
      ks = ks_test(draws, table);
    } else {
      ks = ks_test(draws, exact);
    }
    RecordProperty(std::string("ks_p_") + f.label, std::to_string(ks.p_value));
    std::printf("  %-22s KS D = %.3e  p = %.3f\n", f.label, ks.statistic, ks.p_value);
    EXPECT_GT(ks.p_value, 1e-3) << f.label << " D = " << ks.statistic;
  }
}

// The test has power: skew-normal draws are not normal, and a t with the
// wrong degrees of freedom is rejected.
TEST(InnovationDraws, KolmogorovSmirnovRejectsWrongFamily) {
  std::vector<double> skewed = draw_paths(make_skew_normal(4.0), kDraws, 1);
  EXPECT_LT(ks_test(skewed, [](double x) { return detail::normal_cdf(x); }).p_value, 1e-12);
  std::vector<double> heavy = draw_paths(make_student_t(5.0), kDraws, 2);
  const InnovationParams lighter = make_student_t(6.0);
  EXPECT_LT(ks_test(heavy, [&](double x) { return innovation_cdf(lighter, x); }).p_value, 1e-3);
}

// Mean 0 and variance 1 within 5 batch standard errors; skewness within 5
// standard errors of the density's where the sixth moment is finite.
TEST(InnovationDraws, HaveZeroMeanUnitVarianceAndTheDensitySkewness) {
  for (const Family& f : families()) {
    SCOPED_TRACE(f.label);
    const std::vector<double> draws = draw_paths(f.params, kDraws, 777);
    const testing::SampleMoments m = sample_moments(draws);
    EXPECT_LT(std::abs(m.mean.value), 5.0 * m.mean.standard_error);
    EXPECT_LT(std::abs(m.variance.value - 1.0), 5.0 * m.variance.standard_error);
    if (!f.finite_sixth_moment) continue;
    const double skewness = density_moment(f.params, 3);
    EXPECT_LT(std::abs(m.skewness.value - skewness), 5.0 * m.skewness.standard_error)
        << "sample " << m.skewness.value << " density " << skewness;
    // Slant sign reaches the draws (the legacy crisis regime relies on it).
    if (std::abs(skewness) > 0.1) {
      EXPECT_EQ(m.skewness.value > 0, skewness > 0);
    }
  }
}

TEST(InnovationDraws, SkewnessMatchesClosedForms) {
  // Skew-normal(4): scipy skewnorm.stats(4, 's'); NIG(1.5, -0.6): 3 beta / (alpha sqrt(gamma)).
  EXPECT_NEAR(density_moment(make_skew_normal(4.0), 3), 0.7844267553823128, 1e-8);
  EXPECT_NEAR(density_moment(make_nig(1.5, -0.6), 3),
              3.0 * -0.6 / (1.5 * std::sqrt(std::sqrt(1.5 * 1.5 - 0.36))), 1e-8);
}

// Bootstrap draws are the residuals themselves, each equally likely: a
// chi-square test over the residuals as categories.
TEST(InnovationDraws, BootstrapResamplesUniformly) {
  std::vector<float> residuals(97);
  for (std::size_t i = 0; i < residuals.size(); ++i)
    residuals[i] = static_cast<float>(std::pow(1.03, static_cast<double>(i)));  // distinct, skewed
  residuals = testing::standardised(residuals);
  const InnovationParams p = make_bootstrap(residuals.data(), residuals.size());

  std::vector<double> draws = draw_paths(p, kDraws, 5);
  std::vector<double> counts(residuals.size(), 0.0);
  for (double d : draws) {
    const auto it = std::find(residuals.begin(), residuals.end(), static_cast<float>(d));
    ASSERT_NE(it, residuals.end()) << d << " is not a residual";
    counts[static_cast<std::size_t>(it - residuals.begin())] += 1.0;
  }
  const double expected = static_cast<double>(kDraws) / residuals.size();
  double chi2 = 0.0;
  for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
  const double p_value = testing::chi_square_p_value(chi2, residuals.size() - 1.0);
  std::printf("  bootstrap chi2 = %.1f on %zu dof, p = %.3f\n", chi2, residuals.size() - 1,
              p_value);
  EXPECT_GT(p_value, 1e-3);
  EXPECT_NEAR(innovation_cdf(p, residuals[10]), 11.0 / 97.0, 1e-15);  // residuals increase
}

TEST(InnovationDraws, DeterministicPerStream) {
  for (const Family& f : families()) {
    PhiloxStream a(derive_stream_seed(1, 2, 3), 4, 0), b = a;
    for (int i = 0; i < 100; ++i) ASSERT_EQ(draw_innovation(f.params, a), draw_innovation(f.params, b));
  }
}

TEST(InnovationParams, ConstructorsValidateAndNameTheField) {
  const auto message_of = [](auto&& make) -> std::string {
    try {
      make();
    } catch (const ContractError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message_of([] { make_student_t(2.0); }).find("nu must be"), std::string::npos);
  EXPECT_NE(message_of([] { make_skew_t(1.0, 1.5); }).find("skew_t: nu"), std::string::npos);
  EXPECT_NE(message_of([] { make_skew_normal(NAN); }).find("alpha"), std::string::npos);
  EXPECT_NE(message_of([] { make_mixture(1.0, 3.0); }).find("weight"), std::string::npos);
  EXPECT_NE(message_of([] { make_mixture(0.1, 0.0); }).find("wide_scale"), std::string::npos);
  EXPECT_NE(message_of([] { make_nig(1.0, -1.0); }).find("|beta| < alpha"), std::string::npos);
  EXPECT_NE(message_of([] { make_nig(0.0, 0.0); }).find("nig: alpha"), std::string::npos);
  EXPECT_NE(message_of([] { make_jumps(11.0, 0.0, 1.0); }).find("jump_rate"), std::string::npos);
  EXPECT_NE(message_of([] { make_jumps(0.1, 0.0, -1.0); }).find("jump_sd"), std::string::npos);
  const std::vector<float> raw = {1.0f, 2.0f, 3.0f};
  EXPECT_NE(message_of([&] { make_bootstrap(raw.data(), raw.size()); }).find("standardise"),
            std::string::npos);
  EXPECT_NE(message_of([&] { make_bootstrap(raw.data(), 1); }).find("count"), std::string::npos);
  EXPECT_NO_THROW(make_jumps(0.0, 0.0, 0.0));
}

TEST(InnovationParams, DefaultIsStandardNormal) {
  const InnovationParams p;
  EXPECT_EQ(p.kind, InnovationKind::normal);
  EXPECT_EQ(p.center, 0.0f);
  EXPECT_EQ(p.inv_scale, 1.0f);
  EXPECT_EQ(describe(p), "normal");
}

TEST(InnovationParams, DescribeAndNames) {
  EXPECT_EQ(describe(make_skew_t(2.0, 6.0)), "skew_t(alpha=2, nu=6)");
  EXPECT_EQ(describe(make_mixture()), "mixture(weight=0.1, wide_scale=3)");
  EXPECT_EQ(describe(make_jumps(0.05, -2.0, 1.0)), "jumps(rate=0.05, mean=-2, sd=1)");
  EXPECT_EQ(describe(make_nig(1.5, -0.5)), "nig(alpha=1.5, beta=-0.5)");
  for (InnovationKind kind :
       {InnovationKind::normal, InnovationKind::student_t, InnovationKind::skew_normal,
        InnovationKind::skew_t, InnovationKind::mixture, InnovationKind::nig,
        InnovationKind::jumps, InnovationKind::bootstrap})
    EXPECT_EQ(parse_innovation_kind(innovation_kind_name(kind)), kind);
  EXPECT_FALSE(parse_innovation_kind("gaussian").has_value());
}

TEST(Innovations, OwnsBootstrapResidualsAcrossCopies) {
  Innovations copy;
  {
    std::vector<float> residuals = {-1.0f, 1.0f};
    const Innovations owner(make_bootstrap(residuals.data(), residuals.size()));
    copy = owner;
    residuals.assign({9.0f, 9.0f});  // the owner took its own copy
  }
  EXPECT_EQ(copy.describe(), "bootstrap(n=2)");
  PhiloxStream stream(1, 0, 0);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(std::abs(draw_innovation(copy.params(), stream)), 1.0f);
}

}  // namespace
}  // namespace arabica
