// bench_paths: Monte Carlo throughput of Backend::simulate (paths, per-day
// moments, exact quantiles) for a SARIMAX fitted once, untimed. Prints one
// JSON object; bench/run_paths_bench.py puts it beside numpy doing the same.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#if defined(ARABICA_WITH_CUDA)
#include <cuda_runtime.h>
#endif

#include "arabica/backend.hpp"
#include "arabica/date.hpp"
#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/innovation_estimation.hpp"
#include "arabica/paths.hpp"
#include "arabica/sarimax.hpp"
#include "arabica/series.hpp"
#include "bench_case.hpp"

namespace {

std::vector<double> to_vector(const Eigen::VectorXd& v) {
  return std::vector<double>(v.data(), v.data() + v.size());
}

#if defined(ARABICA_WITH_CUDA)
// The two roofs of bench/H200_MODEL.md from the device's attributes: DRAM
// (peak bandwidth, DDR: two transfers per clock over the bus width, over the
// pipeline's bytes per path-step) and instruction issue (4 warp schedulers
// per SM, one 32-thread instruction each per clock, over the instructions
// per path-step of the model's normal-innovation kernel).
nlohmann::json gpu_ceiling(double path_steps_per_second) {
  int device = 0, memory_khz = 0, bus_bits = 0, sm_khz = 0, sms = 0;
  cudaGetDevice(&device);
  cudaDeviceGetAttribute(&memory_khz, cudaDevAttrMemoryClockRate, device);
  cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, device);
  cudaDeviceGetAttribute(&sm_khz, cudaDevAttrClockRate, device);
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  const double bytes_per_second = 2.0 * memory_khz * 1e3 * bus_bits / 8.0;
  // Each value written once by the simulation and read by the histogram and
  // the candidate passes (the moments read it while it is still cached).
  constexpr double kBytesPerPathStep = 12.0;
  constexpr double kInstructionsPerPathStep = 190.0;
  const double instructions_per_second = 4.0 * 32.0 * sms * sm_khz * 1e3;
  const double dram_roof = bytes_per_second / kBytesPerPathStep;
  const double instruction_roof = instructions_per_second / kInstructionsPerPathStep;
  nlohmann::json out;
  out["peak_bandwidth_gb_per_s"] = bytes_per_second / 1e9;
  out["bytes_per_path_step"] = kBytesPerPathStep;
  out["dram_roof_path_steps_per_second"] = dram_roof;
  out["percent_of_dram_roof"] = 100.0 * path_steps_per_second / dram_roof;
  out["multiprocessors"] = sms;
  out["sm_clock_mhz"] = sm_khz / 1e3;
  out["instructions_per_path_step"] = kInstructionsPerPathStep;
  out["instruction_roof_path_steps_per_second"] = instruction_roof;
  out["percent_of_instruction_roof"] = 100.0 * path_steps_per_second / instruction_roof;
  return out;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Time Monte Carlo path simulation (median seconds, JSON on stdout)"};
  arabica::bench::BenchCase bench_case;
  arabica::CsvSpec& csv = bench_case.csv;
  csv.path = ARABICA_DEFAULT_CSV;
  std::string device = "cpu", innovations_name = "normal";
  std::vector<std::int64_t> path_counts = {1000000, 10000000};
  int horizon = 7, threads = 0, repeat = 3;
  std::uint64_t seed = 1;
  app.add_option("--csv", csv.path, "Input CSV (default: the shared coffee file)")
      ->capture_default_str();
  arabica::bench::add_case_options(app, bench_case);
  app.add_option("--horizon", horizon, "Days ahead")
      ->check(CLI::Range(1, arabica::kMaxPathHorizon))
      ->capture_default_str();
  app.add_option("--paths", path_counts, "Path counts to time, comma separated")
      ->delimiter(',')
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--device", device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  app.add_option("--threads", threads, "CPU threads (0: all cores)")->capture_default_str();
  app.add_option("--repeat", repeat, "Timed simulations per path count")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--innovations", innovations_name,
                 "normal, student_t, skew_t, ... (shape estimated from the residuals)")
      ->capture_default_str();
  app.add_option("--seed", seed)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    if (!std::ifstream(csv.path))
      throw arabica::InputError(csv.path, "not readable; pass a price CSV with --csv");
    // Fit, innovations and path model are set up once and not timed: the
    // benchmark is about simulation and its statistics.
    const arabica::Series series = arabica::read_series_csv(csv);
    const arabica::SarimaxSpec spec = bench_case.spec();
    const arabica::SarimaxFit fit = arabica::fit_sarimax(spec, series.target, series.exog, {},
                                                         series.exog_names);
    const std::optional<arabica::InnovationKind> kind =
        arabica::parse_innovation_kind(innovations_name);
    if (!kind)
      throw arabica::InputError("--innovations", "unknown family '" + innovations_name + "'");
    const Eigen::VectorXd residuals =
        fit.residuals.tail(fit.residuals.size() - fit.loglikelihood_burn);
    const arabica::Innovations innovations = arabica::estimate_innovations(*kind, residuals);

    const std::unique_ptr<arabica::Backend> backend = arabica::make_backend(device, threads);
    arabica::PathRequest request;
    request.model = arabica::make_path_model(
        fit, arabica::future_exog(series.exog, arabica::FutureExogPolicy::repeat_last, horizon),
        horizon);
    request.innovations = innovations.params();
    request.keys.seed = seed;
    request.last_price = series.target[series.target.size() - 1];

    // Untimed warm-up: CUDA context and module load, thread start-up.
    request.n_paths = std::min<std::int64_t>(path_counts.front(), 100000);
    backend->simulate(request);

    nlohmann::json runs = nlohmann::json::array();
    for (const std::int64_t n : path_counts) {
      request.n_paths = n;
      std::vector<double> seconds;
      arabica::PathStats stats;
      for (int i = 0; i < repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        stats = backend->simulate(request);
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
      const double typical = arabica::bench::median(seconds);
      const double rate = static_cast<double>(n) * horizon / typical;
      nlohmann::json run;
      run["paths"] = n;
      run["horizon"] = horizon;
      run["seconds"] = typical;
      run["seconds_each"] = seconds;
      run["path_steps_per_second"] = rate;
      run["day_mean"] = to_vector(stats.mean);
      run["day_std"] = to_vector(stats.std);
      run["day_skewness"] = to_vector(stats.skewness);
      run["day_kurtosis"] = to_vector(stats.kurtosis);
      run["day_p_up"] = to_vector(stats.p_up);
      run["last_day_quantiles"] = to_vector(stats.quantiles.row(horizon - 1).transpose());
#if defined(ARABICA_WITH_CUDA)
      if (backend->name().rfind("cuda", 0) == 0) run["gpu"] = gpu_ceiling(rate);
#endif
      runs.push_back(run);
    }

    nlohmann::json out;
    out["implementation"] = "arabica";
    out["backend"] = backend->name();
    out["device"] = backend->name().rfind("cuda", 0) == 0 ? "cuda" : "cpu";
    out["cuda_available"] = arabica::cuda_available();
    out["spec"] = spec.describe();
    out["csv"] = csv.path;
    out["rows"] = series.rows();
    out["data_cutoff_date"] = arabica::format_date(series.dates.back());
    out["param_names"] = fit.param_names;
    out["params"] = to_vector(fit.params);
    out["llf"] = fit.llf;
    out["last_price"] = request.last_price;
    out["innovations"] = innovations.describe();
    out["seed"] = seed;
    out["repeat"] = repeat;
    out["runs"] = runs;
    std::cout << out.dump(1) << '\n';
  } catch (const arabica::Error& e) {
    std::cerr << "bench_paths: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
