// `arabica models STORE`: the model registry a backfill store holds. Every
// refit (a fold whose model was trained, not re-filtered) with its training
// window, the data hash of that window, llf, convergence, fit time and
// parameters; re-filter folds name the refit they use in `trained_on`.
#include <cstdio>
#include <memory>
#include <sstream>

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

void run_models(const ModelsOptions& options) {
  if (BackfillStore::is_universe(options.store))
    throw InputError(options.store, "is a universe store; its series' registries are read with "
                                    "scripts/arabica_store.py (registry)");
  require_writable_outputs({{"--csv", options.csv}});
  const BackfillStore store = BackfillStore::open_read_only(options.store);
  const std::vector<std::string> models = store.model_names();
  const std::vector<Date> cutoffs = store.cutoffs();
  const std::vector<std::int8_t> complete = store.fold_complete();
  std::ostringstream csv;
  csv.precision(17);
  csv << "model,trained_on,train_start,train_rows,llf,aic,converged,n_iter,fit_seconds,train_data_hash,"
         "params\n";
  std::printf("%-24s %10s %23s %6s %14s %4s %5s %8s %16s  %s\n", "model", "trained_on", "training window",
              "rows", "llf", "conv", "iters", "fit s", "data hash", "parameters");
  int refits = 0;
  for (int m = 0; m < store.models(); ++m) {
    const std::vector<std::string> names = store.param_names(m);
    for (int f = 0; f < store.folds(); ++f) {
      if (!complete[static_cast<std::size_t>(f)] || store.status(m, f) != FoldStatus::trained) continue;
      const ModelFoldResult r = store.read(m, f);
      const Eigen::VectorXd params = store.params(m, f);
      // name=value pairs: 6 digits to read, 17 (round-trip) in the CSV.
      std::string listed, exact;
      for (Eigen::Index p = 0; p < params.size(); ++p) {
        const std::string name = static_cast<std::size_t>(p) < names.size() ? names[static_cast<std::size_t>(p)] : "?";
        char value[64];
        std::snprintf(value, sizeof value, "%.6g", params[p]);
        listed += (p ? " " : "") + name + "=" + value;
        std::snprintf(value, sizeof value, "%.17g", params[p]);
        exact += (p ? " " : "") + name + "=" + value;
      }
      const std::string window = format_date(r.train_start) + ".." + format_date(cutoffs[static_cast<std::size_t>(f)]);
      std::printf("%-24s %10s %23s %6d %14.6f %4s %5d %8.3f %16s  %s\n", models[static_cast<std::size_t>(m)].c_str(),
                  format_date(r.trained_on).c_str(), window.c_str(), r.train_rows, r.llf,
                  r.converged ? "yes" : "no", r.iterations, r.fit_seconds, r.train_data_hash.c_str(),
                  listed.c_str());
      csv << csv_field(models[static_cast<std::size_t>(m)]) << ',' << format_date(r.trained_on) << ','
          << format_date(r.train_start) << ',' << r.train_rows << ',' << r.llf << ',' << r.aic << ','
          << (r.converged ? 1 : 0) << ',' << r.iterations << ',' << r.fit_seconds << ',' << r.train_data_hash
          << ',' << csv_field(exact) << '\n';
      ++refits;
    }
  }
  std::printf("%d refits of %zu models in %s\n", refits, models.size(), options.store.c_str());
  if (!options.csv.empty()) {
    write_file_atomically(options.csv, csv.str());
    std::printf("wrote %s\n", options.csv.c_str());
  }
}

}  // namespace

void register_models_command(CLI::App& app) {
  auto options = std::make_shared<ModelsOptions>();
  CLI::App* command = app.add_subcommand(
      "models", "List a backfill store's model registry: every refit, its training window and data hash, "
                "llf, convergence and parameters");
  command->add_option("store", options->store, "Backfill store (HDF5)")->required()->check(CLI::ExistingFile);
  command->add_option("--csv", options->csv, "Also write the registry as CSV");
  command->callback([options] { run_models(*options); });
}

}  // namespace arabica::cli
