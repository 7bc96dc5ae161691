#include "model/lbfgs.hpp"

#include <gtest/gtest.h>

namespace arabica {
namespace {

double rosenbrock(const Eigen::VectorXd& x) {
  double f = 0.0;
  for (Eigen::Index i = 0; i + 1 < x.size(); ++i)
    f += 100.0 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1.0 - x[i], 2);
  return f;
}

TEST(Lbfgs, MinimisesRosenbrockWithAnalyticGradient) {
  const Objective objective = [](const Eigen::VectorXd& x, Eigen::VectorXd* g) {
    if (g != nullptr) {
      *g = Eigen::VectorXd::Zero(x.size());
      for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
        (*g)[i] += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
        (*g)[i + 1] += 200.0 * (x[i + 1] - x[i] * x[i]);
      }
    }
    return rosenbrock(x);
  };
  const LbfgsResult result = minimize_lbfgs(objective, Eigen::VectorXd::Constant(4, -1.2));
  EXPECT_TRUE(result.converged) << result.message;
  EXPECT_LT((result.x - Eigen::VectorXd::Ones(4)).cwiseAbs().maxCoeff(), 1e-6);
}

// The line search asks for the value alone first: a trial point that fails
// sufficient decrease never costs a gradient (for SARIMAX, the central
// difference's 2k likelihood lanes), and the minimiser still converges.
TEST(Lbfgs, RejectedTrialPointsCostNoGradient) {
  int values = 0, gradients = 0;
  const Objective objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd* g) {
    ++values;
    if (g != nullptr) {
      ++gradients;
      *g = central_gradient(rosenbrock, x);
    }
    return rosenbrock(x);
  };
  const LbfgsResult result = minimize_lbfgs(objective, Eigen::VectorXd::Constant(4, -1.2));
  EXPECT_TRUE(result.converged) << result.message;
  EXPECT_LT((result.x - Eigen::VectorXd::Ones(4)).cwiseAbs().maxCoeff(), 1e-5);
  // The start and every point past sufficient decrease get a gradient (a
  // second call at the same x); the points the search rejected do not.
  EXPECT_EQ(values, result.evaluations + gradients - 1);
  EXPECT_LT(gradients, result.evaluations);
}

TEST(Lbfgs, CentralGradientIsAccurate) {
  const Eigen::Vector3d x(0.3, -0.7, 2.0);
  const Eigen::VectorXd g = central_gradient(rosenbrock, x);
  const Eigen::Vector3d exact(-400 * 0.3 * (-0.7 - 0.09) - 2 * 0.7,
                              200 * (-0.7 - 0.09) - 400 * -0.7 * (2.0 - 0.49) - 2 * 1.7,
                              200 * (2.0 - 0.49));
  EXPECT_LT((g - exact).cwiseAbs().maxCoeff(), 1e-7);
}

// A smooth bowl plus rounding-like noise: jumps of 1e-8 on a 1e-6 grid, as
// the 1e6 approximate-diffuse prior leaves in a SARIMAX likelihood. At the
// bowl's bottom the usual central difference (steps ~6e-6) sees gradients of
// ~1e-3 that are noise, and no step decreases f; the stall check's wider,
// Richardson-extrapolated gradient sees the flat bottom and says so.
TEST(Lbfgs, StallAtTheNoiseFloorIsConvergedWhenTheWideGradientVanishes) {
  const Eigen::Vector2d centre(0.3, -0.2);
  const auto noisy_bowl = [&](const Eigen::VectorXd& x) {
    const double jumps = std::floor(x[0] * 1e6) + std::floor(x[1] * 1.3e6);
    return 0.5 * (x - centre).squaredNorm() + 1e-8 * std::abs(std::fmod(jumps, 2.0));
  };
  const Objective objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd* g) {
    if (g != nullptr) *g = central_gradient(noisy_bowl, x);
    return noisy_bowl(x);
  };
  const Eigen::VectorXd start = centre;
  ASSERT_GT(central_gradient(noisy_bowl, start).lpNorm<Eigen::Infinity>(), 1e-4);  // noise
  const LbfgsResult result = minimize_lbfgs(objective, start);
  EXPECT_TRUE(result.converged) << result.message;
  EXPECT_NE(result.message.find("times wider"), std::string::npos) << result.message;
  EXPECT_LT((result.x - centre).cwiseAbs().maxCoeff(), 1e-4);
}

// ... but a stall whose values show a real slope stays unconverged: here
// the gradient callback has the wrong sign, so no step along it decreases f,
// and the values alone (the stall check's probes) see a slope of 1.
TEST(Lbfgs, StallWithARealSlopeIsNotConverged) {
  const Objective objective = [](const Eigen::VectorXd& x, Eigen::VectorXd* g) {
    if (g != nullptr) *g = -Eigen::VectorXd::Ones(x.size());
    return x.sum();
  };
  const LbfgsResult result = minimize_lbfgs(objective, Eigen::VectorXd::Zero(2));
  EXPECT_FALSE(result.converged);
  EXPECT_NE(result.message.find("no further decrease possible"), std::string::npos) << result.message;
}

TEST(Lbfgs, ReportsNonFiniteStart) {
  const Objective objective = [](const Eigen::VectorXd&, Eigen::VectorXd* g) {
    if (g != nullptr) *g = Eigen::VectorXd::Zero(1);
    return std::numeric_limits<double>::infinity();
  };
  const LbfgsResult result = minimize_lbfgs(objective, Eigen::VectorXd::Zero(1));
  EXPECT_FALSE(result.converged);
}

}  // namespace
}  // namespace arabica
