#include "arabica/kalman_filter.hpp"

#include <gtest/gtest.h>

#include "arabica/error.hpp"

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
