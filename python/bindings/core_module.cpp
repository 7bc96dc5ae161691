// arabica._core: the engine for the Python package (python/arabica), built
// from the same host library as the command line.
#include <cstring>

#include "arabica/error.hpp"
#include "cli/interruption.hpp"
#include "frame_series.hpp"

namespace arabica::python {

Series frame_series(const CsvSpec& spec, const DateArray& dates, const ValueMatrix& values,
                    const std::vector<std::size_t>& positions, const std::vector<std::size_t>& lines) {
  const std::size_t rows = dates.shape(0);
  if (values.shape(0) != rows)
    throw ContractError("frame_series: " + std::to_string(values.shape(0)) + " value rows for " +
                        std::to_string(rows) + " dates");
  std::vector<Date> days(rows);
  for (std::size_t i = 0; i < rows; ++i) days[i] = static_cast<Date>(dates(i));
  std::vector<std::vector<double>> columns(values.shape(1), std::vector<double>(rows));
  for (std::size_t j = 0; j < values.shape(1); ++j)
    for (std::size_t i = 0; i < rows; ++i) columns[j][i] = values(i, j);
  return series_from_columns(spec, days, columns, positions, lines);
}

void register_errors(nb::module_& m) {
  static nb::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  static nb::exception<ContractError> contract_error(m, "ContractError", PyExc_ValueError);
  static nb::exception<NumericalError> numerical_error(m, "NumericalError", PyExc_ArithmeticError);
  // Registered last, so tried first: a run stopped by Ctrl-C has committed
  // what it finished and says so.
  nb::register_exception_translator([](const std::exception_ptr& error, void*) {
    try {
      std::rethrow_exception(error);
    } catch (const cli::Interrupted& interrupted) {
      PyErr_SetString(PyExc_KeyboardInterrupt, interrupted.what());
    }
  });
}

}  // namespace arabica::python

NB_MODULE(_core, m) {
  m.doc() = "arabica's engine: SARIMAX fits, Monte Carlo paths and walk-forward backfills";
  m.attr("__version__") = ARABICA_VERSION;
  arabica::python::register_errors(m);
  arabica::python::register_fit(m);
  arabica::python::register_simulate(m);
  arabica::python::register_backfill(m);
}
