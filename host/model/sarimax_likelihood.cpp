#include "model/sarimax_likelihood.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include <Eigen/Dense>

#include "arabica/error.hpp"

namespace arabica {

namespace {
constexpr double kLog2Pi = 1.8378770664093454836;
// Smallest pivot of the regressors' filtered Gram matrix in correlation form
// (1 - R^2 of a column on the others) that still identifies a coefficient.
constexpr double kCollinearPivot = 1e-12;
}  // namespace

std::string SarimaxLikelihood::regressor_name(Eigen::Index j) const {
  if (j < static_cast<Eigen::Index>(regressor_names_.size()))
    return regressor_names_[static_cast<std::size_t>(j)];
  return "regressor " + std::to_string(j + 1);
}

void SarimaxLikelihood::throw_collinear(const Eigen::MatrixXd& gram) const {
  // The first column that adds nothing to those before it, in the model's
  // parameter order: constant after filtering, or collinear with earlier ones.
  for (Eigen::Index j = 0; j < gram.rows(); ++j) {
    const double diagonal = gram(j, j);
    if (!(diagonal > 0.0))
      throw InputError("exog", "column '" + regressor_name(j) +
                                   "' is constant (no variation after the model's differencing)");
    const Eigen::VectorXd unit = gram.diagonal().head(j + 1).cwiseMax(0.0).cwiseSqrt().cwiseInverse();
    const Eigen::MatrixXd correlation =
        unit.asDiagonal() * gram.topLeftCorner(j + 1, j + 1) * unit.asDiagonal();
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(correlation);
    if (ldlt.info() == Eigen::Success && ldlt.vectorD().minCoeff() > kCollinearPivot) continue;
    std::string earlier;
    for (Eigen::Index i = 0; i < j; ++i)
      earlier += (i ? ", '" : "'") + regressor_name(i) + "'";
    throw InputError("exog", "column '" + regressor_name(j) + "' is collinear with " + earlier +
                                 "; the regression coefficients are not identified");
  }
  throw NumericalError("the regressors' filtered Gram matrix is not finite");
}

SarimaxLikelihood::SarimaxLikelihood(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                     const Eigen::MatrixXd& exog,
                                     std::vector<std::string> regressor_names)
    : spec_(spec),
      y_(y),
      exog_(exog),
      burn_(loglikelihood_burn(spec)),
      regressor_names_(std::move(regressor_names)) {
  const Eigen::Index n = y.size();
  const int k_trend = spec.k_trend(), k_exog = static_cast<int>(exog.cols());
  ARABICA_REQUIRE(k_exog == 0 || exog.rows() == n, "exog rows differ from y");
  ARABICA_REQUIRE(n > burn_, "fewer observations than the likelihood burn-in");
  trend_.resize(n, k_trend);
  for (int j = 0; j < k_trend; ++j)
    for (Eigen::Index t = 0; t < n; ++t) trend_(t, j) = trend_regressor(spec, j, t);

  const Eigen::Index m = 1 + k_trend + k_exog;
  regressors_.observations = ColumnsMatrix::Zero(n, m);
  regressors_.observations.col(0) = y;
  if (k_exog > 0) regressors_.observations.rightCols(k_exog) = exog;
  if (k_trend > 0) {
    // A trend regressor is filtered as a state intercept with no data; the
    // sign makes every regressor column enter as y - column * coefficient.
    regressors_.intercepts = ColumnsMatrix::Zero(n, m);
    regressors_.intercepts.middleCols(1, k_trend) = -trend_;
  }
}

KalmanResult SarimaxLikelihood::filter(const StateSpace& system,
                                       const KalmanColumns& columns) const {
  const int k = system.k_states();
  const Eigen::Index m = columns.observations.cols();
  const InitialState init = initial_state(spec_, system, Eigen::VectorXd::Zero(k));
  Eigen::MatrixXd initial_means = Eigen::MatrixXd::Zero(k, m);
  if (spec_.stationary_ar() && columns.intercepts.size() > 0) {
    // The stationary law is centred on the mean the state intercept implies.
    for (Eigen::Index j = 0; j < m; ++j) {
      Eigen::VectorXd intercept0 = Eigen::VectorXd::Zero(k);
      intercept0[system.trend_state] = columns.intercepts(0, j);
      initial_means.col(j) = initial_state(spec_, system, intercept0).mean;
    }
  }
  return kalman_filter(system, initial_means, init.cov, columns, init.diffuse);
}

Eigen::VectorXd SarimaxLikelihood::sse_mask(const Eigen::VectorXd& diffuse_variance) const {
  Eigen::VectorXd mask = Eigen::VectorXd::Ones(y_.size());
  mask.head(burn_).setZero();
  for (Eigen::Index t = 0; t < diffuse_variance.size(); ++t)
    if (diffuse_variance[t] > 0.0) mask[t] = 0.0;
  return mask;
}

void SarimaxLikelihood::loglike(Evaluation& e) const {
  const Eigen::VectorXd& diffuse_variance = e.diffuse_variance;
  // F_t is constant once the filter is steady: take each distinct log once.
  double log_det = 0.0, last_F = 0.0, last_log = 0.0, weighted_sse = 0.0;
  long used = 0;
  for (Eigen::Index t = burn_; t < e.innovations.size(); ++t) {
    const bool informative_diffuse = t < diffuse_variance.size() && diffuse_variance[t] > 0.0;
    if (informative_diffuse && spec_.simple_differencing) continue;  // the differenced series' convention
    const double F = e.forecast_variance[t];
    if (F != last_F) last_F = F, last_log = std::log(F);
    log_det += last_log;
    // A diffuse period's innovation has infinite variance: only log F_inf counts.
    if (!informative_diffuse) weighted_sse += e.innovations[t] * e.innovations[t] / F;
    ++used;
  }
  e.excluded_periods = static_cast<int>(e.innovations.size() - used);
  e.llf = -0.5 * (static_cast<double>(used) * kLog2Pi + log_det + weighted_sse);
}

SarimaxLikelihood::Evaluation SarimaxLikelihood::evaluate(const SarimaxParams& params) const {
  const StateSpace system = make_state_space(spec_, params);
  KalmanColumns combined;
  combined.observations = y_;
  if (exog_.cols() > 0) combined.observations.col(0) -= exog_ * params.beta;
  if (trend_.cols() > 0) combined.intercepts = trend_ * params.trend;
  const KalmanResult kf = filter(system, combined);

  Evaluation out;
  out.regression.resize(params.trend.size() + params.beta.size());
  out.regression << params.trend, params.beta;
  out.innovations = kf.innovations.col(0);
  out.forecast_variance = kf.forecast_variance;
  out.diffuse_variance = kf.diffuse_variance;
  loglike(out);
  out.end_state = {kf.end_means.col(0), kf.end_cov, kf.filtered_means.col(0), kf.filtered_cov};
  return out;
}

SarimaxLikelihood::Evaluation SarimaxLikelihood::profile(const SarimaxParams& params) const {
  const StateSpace system = make_state_space(spec_, params);
  const KalmanResult kf = filter(system, regressors_);
  const Eigen::Index m = regressors_.observations.cols();

  Evaluation out;
  out.regression = Eigen::VectorXd::Zero(m - 1);
  if (m > 1) {
    // GLS normal equations V' W V as a symmetric rank update of the
    // square-root-weighted innovations (half a general product's work).
    // Periods left out of the likelihood, and diffuse ones (whose
    // innovations carry no information on the coefficients), weigh nothing.
    const Eigen::VectorXd root_weight =
        kf.forecast_variance.cwiseSqrt().cwiseInverse().cwiseProduct(sse_mask(kf.diffuse_variance));
    const ColumnsMatrix weighted = kf.innovations.array().colwise() * root_weight.array();
    Eigen::MatrixXd normal = Eigen::MatrixXd::Zero(m, m);
    normal.selfadjointView<Eigen::Lower>().rankUpdate(weighted.transpose());
    normal.triangularView<Eigen::StrictlyUpper>() = normal.transpose();
    const Eigen::MatrixXd gram = normal.bottomRightCorner(m - 1, m - 1);
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(gram);
    // Each pivot over its column's own diagonal is 1 - R^2 of that column on
    // the columns eliminated before it: a rank test that does not depend on
    // the regressors' units (Cholesky's accuracy does not either).
    const Eigen::VectorXd pivot_diagonal = ldlt.transpositionsP() * gram.diagonal();
    if (ldlt.info() != Eigen::Success || !(pivot_diagonal.minCoeff() > 0.0) ||
        !(ldlt.vectorD().cwiseQuotient(pivot_diagonal).minCoeff() > kCollinearPivot))
      throw_collinear(gram);
    out.regression = ldlt.solve(normal.col(0).tail(m - 1));
  }
  const auto regressors = kf.innovations.rightCols(m - 1);
  out.innovations = kf.innovations.col(0) - regressors * out.regression;
  out.forecast_variance = kf.forecast_variance;
  out.diffuse_variance = kf.diffuse_variance;
  loglike(out);
  out.end_state = {kf.end_means.col(0) - kf.end_means.rightCols(m - 1) * out.regression, kf.end_cov,
                   kf.filtered_means.col(0) - kf.filtered_means.rightCols(m - 1) * out.regression,
                   kf.filtered_cov};
  return out;
}

std::vector<double> SarimaxLikelihood::loglike_many(const std::vector<SarimaxParams>& points) const {
  std::vector<double> out(points.size(), std::numeric_limits<double>::quiet_NaN());
  if (points.empty()) return out;
  const SarimaxParams& first = points.front();
  for (const SarimaxParams& p : points)
    ARABICA_REQUIRE(p.beta == first.beta && p.trend == first.trend,
                    "loglike_many: the points must share their regression coefficients");
  Eigen::VectorXd column = y_;
  if (exog_.cols() > 0) column -= exog_ * first.beta;
  Eigen::VectorXd intercepts;
  if (trend_.cols() > 0) intercepts = trend_ * first.trend;

  std::vector<KalmanLane> lanes;
  std::vector<std::size_t> lane_point;
  for (std::size_t i = 0; i < points.size(); ++i) {
    try {
      KalmanLane lane{make_state_space(spec_, points[i]), {}, {}, {}};
      const int k = lane.system.k_states();
      const InitialState init = initial_state(spec_, lane.system, Eigen::VectorXd::Zero(k));
      lane.initial_cov = init.cov;
      lane.initial_diffuse = init.diffuse;
      lane.initial_mean = Eigen::VectorXd::Zero(k);
      if (spec_.stationary_ar() && intercepts.size() > 0) {
        // As filter(): the stationary law centred on the implied mean.
        Eigen::VectorXd intercept0 = Eigen::VectorXd::Zero(k);
        intercept0[lane.system.trend_state] = intercepts[0];
        lane.initial_mean = initial_state(spec_, lane.system, intercept0).mean;
      }
      lanes.push_back(std::move(lane));
      lane_point.push_back(i);
    } catch (const NumericalError&) {
      // stays NaN
    }
  }
  const std::vector<double> values = kalman_loglike_lanes(lanes, column, intercepts, burn_, spec_.simple_differencing);
  for (std::size_t l = 0; l < lanes.size(); ++l) out[lane_point[l]] = values[l];
  return out;
}

Eigen::VectorXd SarimaxLikelihood::loglike_obs(const SarimaxParams& params) const {
  const Evaluation e = evaluate(params);
  const Eigen::ArrayXd F = e.forecast_variance.array();
  const Eigen::ArrayXd mask = sse_mask(e.diffuse_variance).array();
  Eigen::VectorXd out =
      (-0.5 * (kLog2Pi + F.log() + mask * e.innovations.array().square() / F)).matrix();
  out.head(burn_).setZero();
  if (spec_.simple_differencing)
    for (Eigen::Index t = 0; t < e.diffuse_variance.size(); ++t)
      if (e.diffuse_variance[t] > 0.0) out[t] = 0.0;
  return out;
}

}  // namespace arabica
