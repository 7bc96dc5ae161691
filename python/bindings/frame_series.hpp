// Series handed over from Python (pandas frames, numpy arrays) and the
// error types Python sees, shared by the extension's binding files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <Eigen/Core>

#include "arabica/sarimax.hpp"
#include "arabica/series.hpp"

namespace arabica::python {

namespace nb = nanobind;

/// Days since 1970-01-01, one per row.
using DateArray = nb::ndarray<const std::int64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
/// Rows x (target, covariates ...), float64.
using ValueMatrix = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

/// The columns as a Series, cleaned by `spec` as a CSV would be
/// (series_from_columns): `positions` are the 1-based column numbers of the
/// dates and each value column in the caller's frame and `lines` each row's
/// line in the frame written as CSV (empty: 1, 2 ...), used in messages.
Series frame_series(const CsvSpec& spec, const DateArray& dates, const ValueMatrix& values,
                    const std::vector<std::size_t>& positions,
                    const std::vector<std::size_t>& lines = {});

/// A fit with the data it was made on (the simulation needs its residuals
/// and its last price; the forecast its covariates).
struct FitResult {
  Series series;
  SarimaxFit fit;
};

/// Covariates for `horizon` periods after the fit's data: by `policy`
/// ("repeat-last" or "hold-last") or, when it is empty, the rows `supplied`.
Eigen::MatrixXd horizon_exog(const FitResult& fit, int horizon, const std::string& policy,
                             const Eigen::MatrixXd& supplied);

/// Registers arabica's errors as Python exceptions: InputError and
/// ContractError (ValueError subclasses), NumericalError (ArithmeticError)
/// and an interrupted run as KeyboardInterrupt.
void register_errors(nb::module_& m);

void register_fit(nb::module_& m);
void register_simulate(nb::module_& m);
void register_backfill(nb::module_& m);

}  // namespace arabica::python
