// bench_reference_fits: wall time of fit_sarimax on every case of the
// outside reference set (tests/data/golden/sarimax_reference_set.json).
// Prints one JSON list; bench/run_reference_fit_bench.py puts it beside
// statsmodels' default and tight fits of the same cases.
#include <chrono>
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
      Eigen::MatrixXd exog(y.size(), static_cast<Eigen::Index>(c.at("exog").size()));
      for (std::size_t j = 0; j < c.at("exog").size(); ++j)
        exog.col(static_cast<Eigen::Index>(j)) = arabica::golden::to_vector(c.at("exog")[j]);
      // As on the statsmodels side, the timed work is the point estimate.
      arabica::FitOptions options;
      options.cov_type = arabica::CovarianceType::none;
      std::vector<double> seconds;
      arabica::SarimaxFit fit;
      for (int i = 0; i < repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        fit = arabica::fit_sarimax(spec, y, exog, options);
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
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
