#include "arabica/kalman_filter.hpp"

#include <gtest/gtest.h>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/state_space.hpp"

namespace arabica {
namespace {

// Local level model written out by hand: a_{t+1} = a_t + K v_t.
TEST(KalmanFilter, MatchesHandWrittenLocalLevelRecursion) {
  StateSpace ss;
  ss.design = Eigen::RowVectorXd::Ones(1);
  ss.transition = Eigen::MatrixXd::Ones(1, 1);
  ss.selection = Eigen::VectorXd::Ones(1);
  ss.sigma2 = 0.5;
  KalmanColumns columns;
  columns.observations.resize(5, 1);
  columns.observations << 1.0, 2.0, 1.5, 3.0, 2.5;
  const KalmanResult kf = kalman_filter(ss, Eigen::MatrixXd::Zero(1, 1),
                                        Eigen::MatrixXd::Constant(1, 1, 10.0), columns);
  double a = 0.0, P = 10.0;
  for (int t = 0; t < 5; ++t) {
    const double v = columns.observations(t, 0) - a, F = P;
    EXPECT_NEAR(kf.innovations(t, 0), v, 1e-13);
    EXPECT_NEAR(kf.forecast_variance[t], F, 1e-13);
    a += P / F * v;
    P = P - P * P / F + ss.sigma2;
  }
  EXPECT_NEAR(kf.end_means(0, 0), a, 1e-13);
  EXPECT_NEAR(kf.end_cov(0, 0), P, 1e-13);
}

// Large (seasonal) states go through the sparse transition: the textbook
// dense recursion, written out here, must give the same innovations,
// variances, end state and likelihood lanes.
TEST(KalmanFilter, SeasonalStateMatchesTheDenseRecursion) {
  const SarimaxSpec spec = SarimaxSpec::from_strings("2,1,1", "1,1,1,12", "n");
  std::vector<double> flat{0.4, -0.2, 0.3, 0.5, -0.6, 1.7};
  const SarimaxParams params = SarimaxParams::unpack(
      spec, 0, Eigen::Map<Eigen::VectorXd>(flat.data(), static_cast<Eigen::Index>(flat.size())));
  const StateSpace ss = make_state_space(spec, params);
  ASSERT_GT(ss.k_states(), 20);
  const Eigen::Index k = ss.k_states(), n = 60;
  KalmanColumns columns;
  columns.observations = ColumnsMatrix::Random(n, 1);
  for (Eigen::Index t = 1; t < n; ++t) columns.observations(t, 0) += columns.observations(t - 1, 0);
  const Eigen::MatrixXd P0 = Eigen::MatrixXd::Identity(k, k) * 3.0 + Eigen::MatrixXd::Constant(k, k, 0.5);
  const KalmanResult kf = kalman_filter(ss, Eigen::MatrixXd::Zero(k, 1), P0, columns);

  const Eigen::MatrixXd& T = ss.transition;
  const Eigen::RowVectorXd& Z = ss.design;
  Eigen::VectorXd a = Eigen::VectorXd::Zero(k);
  Eigen::MatrixXd P = P0;
  double loglike = 0.0;
  for (Eigen::Index t = 0; t < n; ++t) {
    const double F = Z * P * Z.transpose();
    const double v = columns.observations(t, 0) - Z.dot(a);
    EXPECT_NEAR(kf.forecast_variance[t], F, 1e-10 * F) << "t=" << t;
    EXPECT_NEAR(kf.innovations(t, 0), v, 1e-10 * (1.0 + std::abs(v))) << "t=" << t;
    const Eigen::VectorXd K = T * P * Z.transpose() / F;
    a = T * a + K * v;
    P = T * P * T.transpose() - F * K * K.transpose() +
        ss.sigma2 * ss.selection * ss.selection.transpose();
    loglike += -0.5 * (std::log(2.0 * M_PI) + std::log(F) + v * v / F);
  }
  EXPECT_LT((kf.end_means.col(0) - a).cwiseAbs().maxCoeff(), 1e-9 * (1.0 + a.cwiseAbs().maxCoeff()));
  EXPECT_LT((kf.end_cov - P).cwiseAbs().maxCoeff(), 1e-9 * P.cwiseAbs().maxCoeff());

  KalmanLane lane{ss, Eigen::VectorXd::Zero(k), P0, {}};
  const std::vector<double> lanes = kalman_loglike_lanes({lane, lane}, columns.observations.col(0),
                                                         Eigen::VectorXd(), 0);
  ASSERT_EQ(lanes.size(), 2u);
  EXPECT_NEAR(lanes[0], loglike, 1e-10 * std::abs(loglike));
  EXPECT_EQ(lanes[0], lanes[1]);
}

// The filter is linear in the data: filtering columns separately equals
// filtering their combination, which the SARIMAX profile likelihood relies on.
TEST(KalmanFilter, IsLinearAcrossColumns) {
  StateSpace ss;
  ss.design = Eigen::RowVector2d(1.0, 0.0);
  ss.transition.resize(2, 2);
  ss.transition << 0.7, 1.0, 0.0, 0.0;
  ss.selection = Eigen::Vector2d(1.0, 0.4);
  ss.sigma2 = 2.0;
  const int n = 200;
  KalmanColumns columns;
  columns.observations = ColumnsMatrix::Random(n, 3);
  columns.observations.col(2) = 2.0 * columns.observations.col(0) - 3.0 * columns.observations.col(1);
  columns.intercepts = ColumnsMatrix::Zero(n, 3);
  columns.intercepts.col(1).setConstant(0.25);
  columns.intercepts.col(2) = -3.0 * columns.intercepts.col(1);
  const Eigen::MatrixXd P0 = 1e6 * Eigen::MatrixXd::Identity(2, 2);
  const KalmanResult kf = kalman_filter(ss, Eigen::MatrixXd::Zero(2, 3), P0, columns);
  const Eigen::VectorXd combined = 2.0 * kf.innovations.col(0) - 3.0 * kf.innovations.col(1);
  EXPECT_LT((combined - kf.innovations.col(2)).cwiseAbs().maxCoeff(), 1e-8);

  // The filtered end state predicts the reported next state.
  Eigen::MatrixXd predicted = ss.transition * kf.filtered_means;
  predicted.row(ss.trend_state) += columns.intercepts.row(n - 1);
  EXPECT_LT((predicted - kf.end_means).cwiseAbs().maxCoeff(), 1e-10);
  const Eigen::MatrixXd next_cov = ss.transition * kf.filtered_cov * ss.transition.transpose() +
                                   ss.sigma2 * ss.selection * ss.selection.transpose();
  EXPECT_LT((next_cov - kf.end_cov).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(KalmanFilter, RejectsMismatchedShapes) {
  StateSpace ss;
  ss.design = Eigen::RowVectorXd::Ones(1);
  ss.transition = Eigen::MatrixXd::Ones(1, 1);
  ss.selection = Eigen::VectorXd::Ones(1);
  KalmanColumns columns;
  columns.observations = ColumnsMatrix::Zero(3, 2);
  EXPECT_THROW(kalman_filter(ss, Eigen::MatrixXd::Zero(1, 1), Eigen::MatrixXd::Ones(1, 1), columns),
               ContractError);
}

}  // namespace
}  // namespace arabica
