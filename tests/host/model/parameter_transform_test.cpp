#include "model/parameter_transform.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>

namespace arabica {
namespace {

TEST(ParameterTransform, ConstrainedPolynomialsAreStationaryAndRoundTrip) {
  for (const Eigen::VectorXd& u : {Eigen::VectorXd(Eigen::Vector3d(0.3, -2.0, 5.0)),
                                   Eigen::VectorXd(Eigen::Vector2d(-10.0, 0.1)),
                                   Eigen::VectorXd(Eigen::VectorXd::Constant(1, 0.7))}) {
    const Eigen::VectorXd c = constrain_stationary(u);
    EXPECT_TRUE(is_stationary(c)) << c.transpose();
    EXPECT_LT((unconstrain_stationary(c) - u).cwiseAbs().maxCoeff(), 1e-9);
  }
}

TEST(ParameterTransform, AR1MapsThroughPartialAutocorrelation) {
  // One lag: c = -u / sqrt(1 + u^2), statsmodels' convention.
  const Eigen::VectorXd c = constrain_stationary(Eigen::VectorXd::Constant(1, 1.0));
  EXPECT_NEAR(c[0], -1.0 / std::sqrt(2.0), 1e-15);
}

TEST(ParameterTransform, DetectsNonStationaryAndNonInvertible) {
  EXPECT_FALSE(is_stationary(Eigen::VectorXd::Constant(1, 1.01)));
  EXPECT_TRUE(is_stationary(Eigen::VectorXd::Constant(1, -0.99)));
  EXPECT_FALSE(is_invertible(Eigen::VectorXd::Constant(1, -1.5)));
  EXPECT_TRUE(is_invertible(Eigen::VectorXd::Constant(1, 0.5)));
}

TEST(ParameterTransform, ReflectionKeepsAutocovariances) {
  // MA(1): theta -> 1/theta with sigma2 scaled by theta^2.
  double factor = 0.0;
  const Eigen::VectorXd one = reflect_to_invertible(Eigen::VectorXd::Constant(1, 2.0), factor);
  EXPECT_NEAR(one[0], 0.5, 1e-14);
  EXPECT_NEAR(factor, 4.0, 1e-13);

  // MA(2) with one root inside the unit circle: compare gamma(0..2).
  const Eigen::Vector2d ma(-1.0754, -1.6539);
  const Eigen::VectorXd reflected = reflect_to_invertible(ma, factor);
  EXPECT_TRUE(is_invertible(reflected));
  auto autocov = [](const Eigen::VectorXd& theta, double sigma2) {
    Eigen::VectorXd psi(theta.size() + 1);
    psi << 1.0, theta;
    Eigen::Vector3d gamma;
    for (int lag = 0; lag < 3; ++lag)
      gamma[lag] = sigma2 * psi.head(psi.size() - lag).dot(psi.tail(psi.size() - lag));
    return gamma;
  };
  EXPECT_LT((autocov(ma, 1.0) - autocov(reflected, factor)).cwiseAbs().maxCoeff(), 1e-10);
}

}  // namespace
}  // namespace arabica
