// What the C++ harnesses share: the canonical coffee case (series columns and
// SARIMAX orders, overridable on the command line) and the median of repeated
// timings.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "arabica/sarimax.hpp"
#include "arabica/series.hpp"

namespace arabica::bench {

/// SARIMAX(1,1,1) + the 5 exogenous covariates of REFERENCE_CASES.md.
struct BenchCase {
  CsvSpec csv = coffee_columns();
  std::string order = "1,1,1", seasonal = "0,0,0,0", trend = "n";

  static CsvSpec coffee_columns() {
    CsvSpec csv;
    csv.exog_columns = {"wx_temperature_2m_max_wavg", "wx_precipitation_sum_wavg",
                        "wx_wind_speed_10m_max_wavg", "brl_usd", "inr_usd"};
    return csv;
  }
  SarimaxSpec spec() const { return SarimaxSpec::from_strings(order, seasonal, trend); }
};

/// The case's column and model options (--csv is each harness's own).
inline void add_case_options(CLI::App& app, BenchCase& bench_case) {
  app.add_option("--date-column", bench_case.csv.date_column)->capture_default_str();
  app.add_option("--target", bench_case.csv.target_column)->capture_default_str();
  app.add_option("--exog", bench_case.csv.exog_columns, "Exog columns, comma separated")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--order", bench_case.order)->capture_default_str();
  app.add_option("--seasonal", bench_case.seasonal)->capture_default_str();
  app.add_option("--trend", bench_case.trend)->capture_default_str();
}

/// --repeat: how many timed runs the median is taken over.
inline void add_repeat_option(CLI::App& app, int& repeat, const std::string& description) {
  app.add_option("--repeat", repeat, description)->check(CLI::PositiveNumber)->capture_default_str();
}

/// Wall seconds of `repeat` point-estimate fits (no standard errors: the
/// statsmodels side computes them lazily); the last fit in `fit`.
inline std::vector<double> time_fits(const SarimaxSpec& spec, const Eigen::VectorXd& y,
                                     const Eigen::MatrixXd& exog, int repeat, SarimaxFit& fit,
                                     const std::vector<std::string>& exog_names = {}) {
  FitOptions options;
  options.cov_type = CovarianceType::none;
  std::vector<double> seconds;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fit = fit_sarimax(spec, y, exog, options, exog_names);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return seconds;
}

inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace arabica::bench
