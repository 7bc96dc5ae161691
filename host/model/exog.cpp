#include "arabica/exog.hpp"

#include <algorithm>

#include <Eigen/Dense>

#include "arabica/error.hpp"
#include "arabica/state_space.hpp"

namespace arabica {

void require_identifiable_model(const Series& series, const SarimaxSpec& spec) {
  require_varying_target(series.source, series.target_name, spec, series.target);
  require_identifiable_regressors(series.source, spec, series.exog, series.exog_names);
}

void require_varying_target(const std::string& where, const std::string& target_name,
                            const SarimaxSpec& spec, const Eigen::VectorXd& y) {
  const Eigen::VectorXd differenced = apply_differencing(y, spec);
  if (differenced.size() == 0) return;  // too short: the fit's row check says so
  const double range = differenced.maxCoeff() - differenced.minCoeff();
  // Relative to the level, so that rounding of a straight line still counts.
  if (range > 1e-12 * y.cwiseAbs().maxCoeff()) return;
  const std::string what = target_name.empty() ? "the target" : "column '" + target_name + "'";
  throw InputError(where, what + " has no variation" +
                              (spec.d + spec.D > 0 ? " after differencing" : "") +
                              "; a SARIMAX model needs a target that varies");
}

void require_identifiable_regressors(const std::string& where, const SarimaxSpec& spec,
                                     const Eigen::MatrixXd& exog,
                                     const std::vector<std::string>& exog_names) {
  const Eigen::Index k_exog = exog.cols(), n = exog.rows();
  if (k_exog == 0) return;
  ARABICA_REQUIRE(static_cast<Eigen::Index>(exog_names.size()) == k_exog,
                  "one name per exogenous column");
  // Differencing removes level shifts that the diffuse initial state absorbs:
  // a regressor is identified only by its differenced variation.
  std::vector<std::string> names;
  Eigen::MatrixXd columns(n, spec.k_trend() + k_exog);
  for (int j = 0; j < spec.k_trend(); ++j) {
    names.push_back(spec.param_names({})[j]);
    for (Eigen::Index t = 0; t < n; ++t) columns(t, j) = trend_regressor(spec, j, t);
  }
  columns.rightCols(k_exog) = exog;
  names.insert(names.end(), exog_names.begin(), exog_names.end());
  const Eigen::MatrixXd differenced = apply_differencing(columns, spec);
  if (differenced.rows() <= differenced.cols())
    throw InputError(where, "too few rows to identify " + std::to_string(k_exog) +
                                        " exogenous regressors");

  Eigen::MatrixXd kept(differenced.rows(), 0);
  std::string kept_names;
  for (Eigen::Index j = 0; j < differenced.cols(); ++j) {
    const double norm = differenced.col(j).norm();
    const bool is_exog = j >= spec.k_trend();
    if (!(norm > 0.0)) {
      if (!is_exog) continue;  // a trend term the differencing removed
      throw InputError(where, "column '" + names[j] + "' has no variation" +
                                          (spec.d + spec.D > 0 ? " after differencing" : "") +
                                          "; drop it from the exogenous columns");
    }
    Eigen::MatrixXd candidate(kept.rows(), kept.cols() + 1);
    candidate << kept, differenced.col(j) / norm;
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(candidate);
    qr.setThreshold(1e-10);
    if (qr.rank() < candidate.cols())
      throw InputError(where, "column '" + names[j] +
                                          "' is collinear with " + kept_names +
                                          "; the regression coefficients are not identified");
    kept = std::move(candidate);
    kept_names += (kept_names.empty() ? "'" : ", '") + names[j] + "'";
  }
}

Eigen::MatrixXd exog_on_dates(const Series& supplied, const std::vector<Date>& dates) {
  ARABICA_REQUIRE(!dates.empty(), "exog_on_dates: no dates");
  Eigen::MatrixXd out(static_cast<Eigen::Index>(dates.size()), supplied.exog.cols());
  for (std::size_t h = 0; h < dates.size(); ++h) {
    const auto found = std::lower_bound(supplied.dates.begin(), supplied.dates.end(), dates[h]);
    if (found == supplied.dates.end() || *found != dates[h]) {
      const std::string covered =
          supplied.dates.empty() ? std::string("no rows")
                                 : "rows dated " + format_date(supplied.dates.front()) + " .. " +
                                       format_date(supplied.dates.back());
      throw InputError(supplied.source,
                       "no row dated " + format_date(dates[h]) + " (day_ahead " +
                           std::to_string(h + 1) + "): future covariates must cover the forecast "
                           "dates " + format_date(dates.front()) + " .. " +
                           format_date(dates.back()) + "; the file has " + covered);
    }
    out.row(static_cast<Eigen::Index>(h)) =
        supplied.exog.row(static_cast<Eigen::Index>(found - supplied.dates.begin()));
  }
  return out;
}

FutureExogPolicy parse_future_exog_policy(const std::string& text) {
  if (text == "repeat-last") return FutureExogPolicy::repeat_last;
  if (text == "hold-last") return FutureExogPolicy::hold_last;
  return FutureExogPolicy::supplied;
}

void require_future_exog_rows(const Eigen::MatrixXd& history, FutureExogPolicy policy, int horizon,
                              const std::string& field) {
  if (history.cols() > 0 && policy == FutureExogPolicy::repeat_last && history.rows() < horizon)
    throw InputError(field, "repeat-last repeats the covariates' last " + std::to_string(horizon) +
                                " rows, and the training window has " + std::to_string(history.rows()) +
                                " (a shorter --horizon, a longer window, or --future-exog hold-last)");
}

Eigen::MatrixXd future_exog(const Eigen::MatrixXd& history, FutureExogPolicy policy,
                            int horizon, const Eigen::MatrixXd& supplied) {
  ARABICA_REQUIRE(horizon > 0, "horizon must be positive");
  const Eigen::Index k = history.cols();
  if (k == 0) return Eigen::MatrixXd(horizon, 0);
  switch (policy) {
    case FutureExogPolicy::repeat_last:
      ARABICA_REQUIRE(history.rows() >= horizon, "fewer observed rows than the horizon");
      return history.bottomRows(horizon);
    case FutureExogPolicy::hold_last:
      ARABICA_REQUIRE(history.rows() >= 1, "no observed rows");
      return history.bottomRows(1).replicate(horizon, 1);
    case FutureExogPolicy::supplied:
      ARABICA_REQUIRE(supplied.cols() == k, "supplied exog has the wrong column count");
      ARABICA_REQUIRE(supplied.rows() >= horizon, "supplied exog has fewer rows than the horizon");
      return supplied.topRows(horizon);
  }
  return {};
}

}  // namespace arabica
