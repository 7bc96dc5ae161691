// _core.fit and _core.Fit: one SARIMAX fit by exact maximum likelihood, as
// `arabica fit` makes it, and its forecast.
#include <nanobind/eigen/dense.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/sarimax.hpp"
#include "cli/model_options.hpp"
#include "frame_series.hpp"

namespace arabica::python {

namespace {

// The arguments are the CLI's model options (cli::ModelOptions, bound as
// _core.FitArguments): the same spec, covariance and missing-value rules.
FitResult fit_frame(const std::string& source, const DateArray& dates, const ValueMatrix& values,
                    const std::string& target_name, const std::vector<std::string>& exog_names,
                    const std::vector<std::size_t>& positions, const std::vector<std::size_t>& lines,
                    const cli::ModelOptions& arguments) {
  // The CLI's order of checks: the model before the data.
  const SarimaxSpec spec = cli::model_spec(arguments);
  FitOptions options;
  options.cov_type = parse_covariance_type(arguments.cov_type);
  cli::ModelOptions model = arguments;
  model.csv.path = source;
  model.csv.target_column = target_name;
  model.exog = exog_names;
  model.csv.duplicates = DuplicatePolicy::error;
  model.csv.min_rows = 1;
  FitResult result;
  result.series = frame_series(cli::csv_spec(model), dates, values, positions, lines);
  require_identifiable_model(result.series, spec);
  result.fit = fit_sarimax(spec, result.series.target, result.series.exog, options,
                           result.series.exog_names);
  return result;
}

}  // namespace

Eigen::MatrixXd horizon_exog(const FitResult& r, int horizon, const std::string& policy,
                             const Eigen::MatrixXd& supplied) {
  if (r.series.exog.cols() == 0) return Eigen::MatrixXd(horizon, 0);
  if (policy.empty()) {
    if (supplied.rows() < horizon || supplied.cols() != r.series.exog.cols())
      throw InputError("X_future", "needs " + std::to_string(horizon) + " rows x " +
                                       std::to_string(r.series.exog.cols()) + " covariates, got " +
                                       std::to_string(supplied.rows()) + " x " +
                                       std::to_string(supplied.cols()));
    if (!supplied.allFinite()) throw InputError("X_future", "holds a missing or infinite value");
    return future_exog(r.series.exog, FutureExogPolicy::supplied, horizon, supplied);
  }
  const FutureExogPolicy parsed = parse_future_exog_policy(policy);
  if (parsed == FutureExogPolicy::supplied)
    throw InputError("X_future", "'" + policy + "' is neither repeat-last nor hold-last");
  return future_exog(r.series.exog, parsed, horizon);
}

void register_fit(nb::module_& m) {
  nb::class_<cli::ModelOptions>(m, "FitArguments")
      .def("__init__",
           [](cli::ModelOptions* options) {
             new (options) cli::ModelOptions();
             options->allow_nonpositive = true;  // any real series, as statsmodels
             options->missing = "error";         // a frame's NaN refused unless asked otherwise
           })
      .def_rw("order", &cli::ModelOptions::order)
      .def_rw("seasonal", &cli::ModelOptions::seasonal)
      .def_rw("trend", &cli::ModelOptions::trend)
      .def_rw("enforce_stationarity", &cli::ModelOptions::enforce_stationarity)
      .def_rw("enforce_invertibility", &cli::ModelOptions::enforce_invertibility)
      .def_rw("init", &cli::ModelOptions::init)
      .def_rw("simple_differencing", &cli::ModelOptions::simple_differencing)
      .def_rw("cov_type", &cli::ModelOptions::cov_type)
      .def_rw("allow_nonpositive", &cli::ModelOptions::allow_nonpositive)
      .def_rw("missing", &cli::ModelOptions::missing);

  nb::class_<FitResult>(m, "Fit")
      .def_prop_ro("spec", [](const FitResult& r) { return r.fit.spec.describe(); })
      .def_prop_ro("param_names", [](const FitResult& r) { return r.fit.param_names; })
      .def_prop_ro("params", [](const FitResult& r) { return r.fit.params; })
      .def_prop_ro("standard_errors", [](const FitResult& r) { return r.fit.standard_errors; })
      .def_prop_ro("cov_type", [](const FitResult& r) { return to_string(r.fit.cov_type); })
      .def_prop_ro("llf", [](const FitResult& r) { return r.fit.llf; })
      .def_prop_ro("aic", [](const FitResult& r) { return r.fit.aic; })
      .def_prop_ro("bic", [](const FitResult& r) { return r.fit.bic; })
      .def_prop_ro("hqic", [](const FitResult& r) { return r.fit.hqic; })
      .def_prop_ro("nobs", [](const FitResult& r) { return r.fit.nobs; })
      .def_prop_ro("loglikelihood_burn", [](const FitResult& r) { return r.fit.loglikelihood_burn; })
      .def_prop_ro("converged", [](const FitResult& r) { return r.fit.converged; })
      .def_prop_ro("iterations", [](const FitResult& r) { return r.fit.iterations; })
      .def_prop_ro("message", [](const FitResult& r) { return r.fit.message; })
      .def_prop_ro("warnings", [](const FitResult& r) {
        std::vector<std::string> all = r.series.quality.warnings;
        all.insert(all.end(), r.fit.warnings.begin(), r.fit.warnings.end());
        return all;
      })
      .def_prop_ro("resid", [](const FitResult& r) { return r.fit.residuals; })
      .def_prop_ro("dates", [](const FitResult& r) {
        return std::vector<std::int64_t>(r.series.dates.begin(), r.series.dates.end());
      })
      .def_prop_ro("target", [](const FitResult& r) { return r.series.target; })
      .def_prop_ro("exog_names", [](const FitResult& r) { return r.series.exog_names; })
      .def(
          "forecast",
          [](const FitResult& r, int horizon, const std::string& policy, const Eigen::MatrixXd& supplied) {
            if (horizon < 1) throw InputError("h", "must be at least 1, got " + std::to_string(horizon));
            const Forecast f = forecast_sarimax(r.fit, horizon_exog(r, horizon, policy, supplied), horizon);
            return std::make_pair(Eigen::VectorXd(f.mean), Eigen::VectorXd(f.std_error));
          },
          nb::arg("h"), nb::arg("policy"), nb::arg("supplied"), nb::call_guard<nb::gil_scoped_release>(),
          "Mean and standard error of the h-step forecast");

  m.def("fit", &fit_frame, nb::arg("source"), nb::arg("dates"), nb::arg("values"),
        nb::arg("target_name"), nb::arg("exog_names"), nb::arg("positions"), nb::arg("lines"), nb::arg("arguments"),
        nb::call_guard<nb::gil_scoped_release>(),
        "SARIMAX by exact maximum likelihood on a target (values' first column) and covariates");
}

}  // namespace arabica::python
