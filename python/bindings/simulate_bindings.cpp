// _core.simulate: Monte Carlo paths of a fit, as `arabica simulate` draws
// them (same innovations, streams and statistics for the same seed).
#include <nanobind/eigen/dense.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "arabica/backend.hpp"
#include "arabica/error.hpp"
#include "arabica/innovation_estimation.hpp"
#include "arabica/paths.hpp"
#include "frame_series.hpp"

namespace arabica::python {

namespace {

struct SimulateArguments {
  int horizon = 7;
  std::int64_t paths = 2000;
  std::int64_t stored_paths = 0;
  std::uint64_t seed = 1;
  std::string innovations = "normal";
  std::string mode = "state-space";
  std::string device = "auto";
  int threads = 0;
  std::string exog_policy = "repeat-last";  // empty: exog_rows
  Eigen::MatrixXd exog_rows;
};

struct Simulation {
  PathStats stats;
  std::string backend, innovations;
  double last_price = 0.0;
  Eigen::MatrixXf stored;  // stored_paths x horizon
};

Simulation simulate(const FitResult& r, const SimulateArguments& a) {
  if (a.horizon < 1 || a.horizon > kMaxPathHorizon)
    throw InputError("h", "must be in 1.." + std::to_string(kMaxPathHorizon) + ", got " +
                              std::to_string(a.horizon));
  if (a.paths < 2) throw InputError("n_paths", "must be at least 2, got " + std::to_string(a.paths));
  if (a.stored_paths < 0 || a.stored_paths > a.paths)
    throw InputError("stored_paths", "must be in 0..n_paths, got " + std::to_string(a.stored_paths));
  if (a.mode != "state-space" && a.mode != "marginal")
    throw InputError("mode", "'" + a.mode + "' is neither state-space nor marginal");
  const std::unique_ptr<Backend> backend = make_backend(a.device, a.threads);
  const Eigen::MatrixXd future = horizon_exog(r, a.horizon, a.exog_policy, a.exog_rows);
  const Innovations innovations =
      choose_innovations(a.innovations, r.fit.innovation_residuals(), r.series.target, "innovations");
  PathRequest request;
  request.model = make_path_model(r.fit, future, a.horizon,
                                  a.mode == "marginal" ? PathMode::marginal : PathMode::state_space);
  request.innovations = innovations.params();
  request.keys.seed = a.seed;
  request.n_paths = a.paths;
  request.last_price = r.series.target[r.series.target.size() - 1];
  request.stored_paths = a.stored_paths;
  Simulation out;
  out.stats = backend->simulate(request);
  out.backend = backend->name();
  out.innovations = innovations.describe();
  out.last_price = request.last_price;
  out.stored = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      out.stats.stored.data(), a.stored_paths, a.horizon);
  return out;
}

}  // namespace

void register_simulate(nb::module_& m) {
  nb::class_<SimulateArguments>(m, "SimulateArguments")
      .def(nb::init<>())
      .def_rw("horizon", &SimulateArguments::horizon)
      .def_rw("paths", &SimulateArguments::paths)
      .def_rw("stored_paths", &SimulateArguments::stored_paths)
      .def_rw("seed", &SimulateArguments::seed)
      .def_rw("innovations", &SimulateArguments::innovations)
      .def_rw("mode", &SimulateArguments::mode)
      .def_rw("device", &SimulateArguments::device)
      .def_rw("threads", &SimulateArguments::threads)
      .def_rw("exog_policy", &SimulateArguments::exog_policy)
      .def_rw("exog_rows", &SimulateArguments::exog_rows);

  nb::class_<Simulation>(m, "Simulation")
      .def_prop_ro("n_paths", [](const Simulation& s) { return s.stats.n_paths; })
      .def_prop_ro("mean", [](const Simulation& s) { return s.stats.mean; })
      .def_prop_ro("std", [](const Simulation& s) { return s.stats.std; })
      .def_prop_ro("skewness", [](const Simulation& s) { return s.stats.skewness; })
      .def_prop_ro("kurtosis", [](const Simulation& s) { return s.stats.kurtosis; })
      .def_prop_ro("p_up", [](const Simulation& s) { return s.stats.p_up; })
      .def_prop_ro("quantiles", [](const Simulation& s) { return s.stats.quantiles; })
      .def_prop_ro("tail_mean", [](const Simulation& s) { return s.stats.tail_mean; })
      .def_prop_ro("paths", [](const Simulation& s) { return s.stored; })
      .def_prop_ro("backend", [](const Simulation& s) { return s.backend; })
      .def_prop_ro("innovations", [](const Simulation& s) { return s.innovations; })
      .def_prop_ro("last_price", [](const Simulation& s) { return s.last_price; });

  m.def("simulate", &simulate, nb::arg("fit"), nb::arg("arguments"),
        nb::call_guard<nb::gil_scoped_release>(), "Monte Carlo paths of a fit and their statistics");
  m.attr("quantile_levels") = std::vector<double>(kQuantileLevels.begin(), kQuantileLevels.end());
  m.attr("tail_levels") = std::vector<double>(kTailLevels.begin(), kTailLevels.end());
}

}  // namespace arabica::python
