// `arabica models STORE`: the model registry a backfill store holds, every
// series of a universe. Every refit (a fold whose model was trained, not
// re-filtered) with its training window, the data hash of that window, llf,
// convergence, fit time, parameters and, where the run recorded it
// (--registry-cov), their covariance; re-filter folds name the refit they
// use in `trained_on`.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "arabica/atomic_file.hpp"
#include "arabica/backfill_store.hpp"
#include "arabica/error.hpp"
#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "io/csv_field.hpp"

namespace arabica::cli {

namespace {

struct ModelsOptions {
  std::string store;
  std::string csv;  // also write the registry as CSV
};

// A number as the registry shows it: 6 digits to read, 17 (round-trip) in the CSV.
std::string number(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

// The refits of one series' store: printed, and appended to `csv`.
int list_refits(const std::string& series, const BackfillStore& store, std::ostringstream& csv) {
  const std::vector<std::string> models = store.model_names();
  const std::vector<Date> cutoffs = store.cutoffs();
  const std::vector<std::int8_t> complete = store.fold_complete();
  int refits = 0;
  for (int m = 0; m < store.models(); ++m) {
    const std::vector<std::string> names = store.param_names(m);
    for (int f = 0; f < store.folds(); ++f) {
      if (!complete[static_cast<std::size_t>(f)] || store.status(m, f) != FoldStatus::trained) continue;
      const ModelFoldResult r = store.read(m, f);
      const Eigen::VectorXd& params = r.params;
      const Eigen::MatrixXd& cov = r.param_covariance;  // empty: not recorded
      // name=value pairs, with the standard error in brackets where the
      // covariance is recorded.
      std::string listed, exact, covariance;
      for (Eigen::Index p = 0; p < params.size(); ++p) {
        const std::string name = static_cast<std::size_t>(p) < names.size() ? names[static_cast<std::size_t>(p)] : "?";
        listed += (p ? " " : "") + name + "=" + number(params[p], 6);
        if (cov.size() > 0) listed += "(" + number(std::sqrt(std::max(cov(p, p), 0.0)), 3) + ")";
        exact += (p ? " " : "") + name + "=" + number(params[p], 17);
      }
      for (Eigen::Index i = 0; i < cov.rows(); ++i)
        for (Eigen::Index j = 0; j < cov.cols(); ++j)
          covariance += (i || j ? " " : "") + number(cov(i, j), 17);
      const std::string window = format_date(r.train_start) + ".." + format_date(cutoffs[static_cast<std::size_t>(f)]);
      const std::string& model = models[static_cast<std::size_t>(m)];
      std::printf("%-12s %-24s %10s %23s %6d %14.6f %4s %5d %8.3f %16s  %s\n", series.c_str(), model.c_str(),
                  format_date(r.trained_on).c_str(), window.c_str(), r.train_rows, r.llf,
                  r.converged ? "yes" : "no", r.iterations, r.fit_seconds, r.train_data_hash.c_str(),
                  listed.c_str());
      csv << csv_field(series) << ',' << csv_field(model) << ',' << format_date(r.trained_on) << ','
          << format_date(r.train_start) << ',' << r.train_rows << ',' << number(r.llf, 17) << ','
          << number(r.aic, 17) << ',' << (r.converged ? 1 : 0) << ',' << r.iterations << ','
          << number(r.fit_seconds, 17) << ',' << r.train_data_hash << ',' << csv_field(exact) << ','
          << csv_field(covariance) << '\n';
      ++refits;
    }
  }
  return refits;
}

// The series name a single-series store was written for (its config's).
std::string series_of(const BackfillStore& store) {
  const std::optional<std::string> config = store.root_text("config");
  if (!config) return "series";
  const nlohmann::json json = nlohmann::json::parse(*config, nullptr, false);
  return json.is_object() && json.contains("series") && json["series"].is_string() ? json["series"].get<std::string>()
                                                                                  : "series";
}

void run_models(const ModelsOptions& options) {
  require_writable_outputs({{"--csv", options.csv}});
  std::vector<std::pair<std::string, BackfillStore>> stores;
  if (BackfillStore::is_universe(options.store)) {
    stores = BackfillStore::open_universe_read_only(options.store);
  } else {
    BackfillStore store = BackfillStore::open_read_only(options.store);
    std::string name = series_of(store);
    stores.emplace_back(std::move(name), std::move(store));
  }
  std::ostringstream csv;
  csv << "series,model,trained_on,train_start,train_rows,llf,aic,converged,n_iter,fit_seconds,"
         "train_data_hash,params,param_cov\n";
  std::printf("%-12s %-24s %10s %23s %6s %14s %4s %5s %8s %16s  %s\n", "series", "model", "trained_on",
              "training window", "rows", "llf", "conv", "iters", "fit s", "data hash",
              "parameters (standard error, where the covariance is recorded)");
  int refits = 0;
  std::size_t models = 0;
  for (const auto& [series, store] : stores) {
    refits += list_refits(series, store, csv);
    models += static_cast<std::size_t>(store.models());
  }
  std::printf("%d refits of %zu models of %zu series in %s\n", refits, models, stores.size(),
              options.store.c_str());
  if (!options.csv.empty()) {
    write_file_atomically(options.csv, csv.str());
    std::printf("wrote %s\n", options.csv.c_str());
  }
}

}  // namespace

void register_models_command(CLI::App& app) {
  auto options = std::make_shared<ModelsOptions>();
  CLI::App* command = app.add_subcommand(
      "models", "List a backfill store's model registry (every series of a universe): every refit, its "
                "training window and data hash, llf, convergence, parameters and their covariance");
  command->add_option("store", options->store, "Backfill store (HDF5)")->required()->check(CLI::ExistingFile);
  command->add_option("--csv", options->csv, "Also write the registry as CSV");
  command->callback([options] { run_models(*options); });
}

}  // namespace arabica::cli
