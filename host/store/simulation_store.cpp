#include "arabica/simulation_store.hpp"

#include <limits>

#include "arabica/atomic_file.hpp"
#include "arabica/backfill_store.hpp"
#include "arabica/error.hpp"

namespace arabica {

namespace {

void validate(const SimulationRecord& record) {
  const Eigen::Index h = record.horizon;
  ARABICA_REQUIRE(h >= 1, "the horizon must be at least one day");
  ARABICA_REQUIRE(!record.model_name.empty(), "the model needs a name");
  ARABICA_REQUIRE(!record.generation_timestamp.empty(), "the generation timestamp is missing");
  const Forecast& f = record.forecast;
  ARABICA_REQUIRE(f.mean.size() == h && f.std_error.size() == h && f.lower_95.size() == h &&
                      f.upper_95.size() == h,
                  "the point forecast must cover the horizon");
  const PathStats& s = record.stats;
  ARABICA_REQUIRE(s.mean.size() == h && s.std.size() == h && s.skewness.size() == h &&
                      s.kurtosis.size() == h && s.p_up.size() == h,
                  "the path statistics must cover the horizon");
  ARABICA_REQUIRE(s.crps.size() == 0 || s.crps.size() == h, "the CRPS must cover the horizon");
  ARABICA_REQUIRE(s.pit.size() == 0 || s.pit.size() == h, "the PIT must cover the horizon");
  ARABICA_REQUIRE(s.quantiles.rows() == h &&
                      s.quantiles.cols() == static_cast<Eigen::Index>(kQuantileLevels.size()),
                  "quantiles must be horizon x kQuantileLevels");
  ARABICA_REQUIRE(s.stored.size() % static_cast<std::size_t>(h) == 0,
                  "stored paths must be whole paths");
  ARABICA_REQUIRE(static_cast<std::int64_t>(s.stored.size() / h) <= s.n_paths,
                  "more stored paths than simulated ones");
}

}  // namespace

void write_simulation_h5(const std::string& path, const SimulationRecord& record) {
  validate(record);
  const int horizon = record.horizon;
  StoreLayout layout;
  layout.models = {record.model_name};
  layout.param_names = {record.param_names};
  layout.cutoffs = {record.cutoff};
  layout.horizon = horizon;
  layout.calendar = record.calendar;
  layout.units = record.units;
  layout.stored_paths = static_cast<std::int64_t>(record.stats.stored.size()) / horizon;
  // The realised prices are not known yet when simulating from the latest data.
  layout.actual = Eigen::MatrixXd::Constant(1, horizon, std::numeric_limits<double>::quiet_NaN());
  layout.last_price = Eigen::VectorXd::Constant(1, record.last_price);
  layout.text_attributes = {{"generation_timestamp", record.generation_timestamp},
                            {"rng", record.rng}};
  layout.text_attributes.insert(layout.text_attributes.end(), record.attributes.begin(),
                                record.attributes.end());
  layout.unsigned_attributes = {{"seed", record.seed},
                                {"n_paths", static_cast<std::uint64_t>(record.stats.n_paths)}};

  ModelFoldResult result;
  result.status = FoldStatus::trained;
  result.forecast = record.forecast;
  result.stats = record.stats;
  if (result.stats.crps.size() == 0)
    result.stats.crps = Eigen::VectorXd::Constant(horizon, std::numeric_limits<double>::quiet_NaN());
  if (result.stats.pit.size() == 0)
    result.stats.pit = Eigen::VectorXd::Constant(horizon, std::numeric_limits<double>::quiet_NaN());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  result.risk = record.stats.tail_mean.rows() == horizon
                    ? horizon_risk(record.stats, record.last_price)
                    : HorizonRisk{nan, nan, nan, nan};
  result.params = record.params;
  result.llf = record.llf;
  result.aic = record.aic;
  result.converged = record.converged;
  result.iterations = record.iterations;
  result.trained_on = record.cutoff;
  replace_file_atomically(path, [&](const std::string& temp) {
    BackfillStore store = BackfillStore::create_in_temporary(temp, path, layout);
    store.write(0, 0, result);
    store.commit({0});
    store.close();
  });
}

}  // namespace arabica
