// bench_fit: wall time of fit_sarimax on the first N rows of a CSV, repeated.
// Prints one JSON object; bench/run_fit_bench.py puts it beside statsmodels.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/series.hpp"
#include "bench_case.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Time SARIMAX fits (median seconds per fit, JSON on stdout)"};
  arabica::bench::BenchCase bench_case;
  arabica::CsvSpec& csv = bench_case.csv;
  std::size_t rows = 2500;
  int repeat = 5;
  app.add_option("--csv", csv.path, "Input CSV")->required();
  arabica::bench::add_case_options(app, bench_case);
  app.add_option("--rows", rows, "Fit on the first N rows (0: all)")->capture_default_str();
  arabica::bench::add_repeat_option(app, repeat, "Number of timed fits");
  CLI11_PARSE(app, argc, argv);

  try {
    // Loading is not timed: the benchmark is about estimation.
    arabica::Series series = arabica::read_series_csv(csv);
    if (rows > 0 && rows < series.rows()) series = series.head(rows);
    const arabica::SarimaxSpec spec = bench_case.spec();

    // statsmodels' fit() computes standard errors lazily (on first access to
    // bse), so the timed work on both sides is the point estimate.
    arabica::SarimaxFit fit;
    const std::vector<double> seconds = arabica::bench::time_fits(
        spec, series.target, series.exog, repeat, fit, series.exog_names);

    nlohmann::json out;
    out["implementation"] = "arabica";
    out["spec"] = spec.describe();
    out["csv"] = csv.path;
    out["rows"] = series.rows();
    out["repeat"] = repeat;
    out["seconds"] = seconds;
    out["median_seconds"] = arabica::bench::median(seconds);
    out["llf"] = fit.llf;
    out["converged"] = fit.converged;
    out["iterations"] = fit.iterations;
    out["param_names"] = fit.param_names;
    out["params"] = std::vector<double>(fit.params.data(), fit.params.data() + fit.params.size());
    std::cout << out.dump(1) << '\n';
  } catch (const arabica::Error& e) {
    std::cerr << "bench_fit: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
