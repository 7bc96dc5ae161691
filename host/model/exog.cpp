#include "arabica/exog.hpp"

#include <algorithm>

#include <Eigen/Dense>

#include "arabica/error.hpp"
#include "arabica/state_space.hpp"

namespace arabica {

namespace {
Eigen::MatrixXd difference(Eigen::MatrixXd x, const SarimaxSpec& spec) {
  for (int i = 0; i < spec.D; ++i)
    x = (x.bottomRows(x.rows() - spec.s) - x.topRows(x.rows() - spec.s)).eval();
  for (int i = 0; i < spec.d; ++i) x = (x.bottomRows(x.rows() - 1) - x.topRows(x.rows() - 1)).eval();
  return x;
}
}  // namespace

void require_identifiable_exog(const Series& series, const SarimaxSpec& spec) {
  const Eigen::Index k_exog = series.exog.cols(), n = series.exog.rows();
  if (k_exog == 0) return;
  // Differencing removes level shifts that the diffuse initial state absorbs:
  // a regressor is identified only by its differenced variation.
  std::vector<std::string> names;
  Eigen::MatrixXd columns(n, spec.k_trend() + k_exog);
  for (int j = 0; j < spec.k_trend(); ++j) {
    names.push_back(spec.param_names({})[j]);
    for (Eigen::Index t = 0; t < n; ++t) columns(t, j) = trend_regressor(spec, j, t);
  }
  columns.rightCols(k_exog) = series.exog;
  names.insert(names.end(), series.exog_names.begin(), series.exog_names.end());
  const Eigen::MatrixXd differenced = difference(columns, spec);
  if (differenced.rows() <= differenced.cols())
    throw InputError(series.source, "too few rows to identify " + std::to_string(k_exog) +
                                        " exogenous regressors");

  Eigen::MatrixXd kept(differenced.rows(), 0);
  std::string kept_names;
  for (Eigen::Index j = 0; j < differenced.cols(); ++j) {
    const double norm = differenced.col(j).norm();
    const bool is_exog = j >= spec.k_trend();
    if (!(norm > 0.0)) {
      if (!is_exog) continue;  // a trend term the differencing removed
      throw InputError(series.source, "column '" + names[j] + "' has no variation" +
                                          (spec.d + spec.D > 0 ? " after differencing" : "") +
                                          "; drop it from the exogenous columns");
    }
    Eigen::MatrixXd candidate(kept.rows(), kept.cols() + 1);
    candidate << kept, differenced.col(j) / norm;
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(candidate);
    qr.setThreshold(1e-10);
    if (qr.rank() < candidate.cols())
      throw InputError(series.source, "column '" + names[j] +
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
