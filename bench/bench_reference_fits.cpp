// bench_reference_fits: wall time of fit_sarimax on every case of the
// outside reference set (tests/data/golden/sarimax_reference_set.json).
// Prints one JSON list; bench/run_reference_fit_bench.py puts it beside
// statsmodels' default and tight fits of the same cases.
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "arabica/error.hpp"
#include "arabica/sarimax.hpp"
#include "bench_case.hpp"
#include "model/golden_json.hpp"  // the tests' reading of the reference set


int main(int argc, char** argv) {
  CLI::App app{"Time fit_sarimax on the outside reference set (JSON on stdout)"};
  std::string path = ARABICA_REFERENCE_SET;
  int repeat = 3;
  app.add_option("--reference-set", path, "Reference set JSON")->capture_default_str();
  arabica::bench::add_repeat_option(app, repeat, "Timed fits per case (median)");
  CLI11_PARSE(app, argc, argv);
  try {
    std::ifstream in(path);
    if (!in) throw arabica::InputError("--reference-set", "cannot open " + path);
    const nlohmann::json cases = nlohmann::json::parse(in);
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& c : cases) {
      const arabica::SarimaxSpec spec = arabica::golden::spec_from(c.at("spec"));
      const Eigen::VectorXd y = arabica::golden::to_vector(c.at("y"));
      const Eigen::MatrixXd exog = arabica::golden::to_columns(c.at("exog"), y.size());
      // As on the statsmodels side, the timed work is the point estimate.
      arabica::SarimaxFit fit;
      const std::vector<double> seconds = arabica::bench::time_fits(spec, y, exog, repeat, fit);
      out.push_back({{"name", c.at("name")}, {"spec", spec.describe()}, {"rows", y.size()},
                     {"states", spec.k_states()}, {"median_seconds", arabica::bench::median(seconds)},
                     {"llf", fit.llf}, {"converged", fit.converged},
                     {"message", fit.message}, {"iterations", fit.iterations}});
    }
    std::cout << out.dump(1) << '\n';
  } catch (const arabica::InputError& e) {
    std::cerr << "bench_reference_fits: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
