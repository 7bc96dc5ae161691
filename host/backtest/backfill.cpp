#include "arabica/backfill.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include <time.h>

#include <nlohmann/json.hpp>

#include "arabica/error.hpp"
#include "arabica/exog.hpp"
#include "arabica/fnv1a.hpp"
#include "arabica/innovation_estimation.hpp"
#include "arabica/model_variant.hpp"
#include "arabica/significance.hpp"

namespace arabica {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// How often the writer commits (see run_backfills): commit overhead at
// most about 1/kCommitSpacing of the writer's time.
constexpr int kCommitSpacing = 20;
constexpr auto kMaxCommitInterval = std::chrono::milliseconds(500);
constexpr int kCommitFolds = 256;

double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Covariates for the fold's horizon under the run's policy.
Eigen::MatrixXd fold_future_exog(const Series& series, const Fold& fold, BackfillExog policy,
                                 int horizon) {
  const Eigen::Index k = series.exog.cols();
  if (k == 0) return Eigen::MatrixXd(horizon, 0);
  const auto train_rows = static_cast<Eigen::Index>(fold.train_rows());
  const Eigen::MatrixXd history =
      series.exog.middleRows(static_cast<Eigen::Index>(fold.train_begin), train_rows);
  if (policy == BackfillExog::repeat_last) {
    // Too few rows fail the fold (recorded, the run goes on), as a fit on
    // too few rows does.
    require_future_exog_rows(history, FutureExogPolicy::repeat_last, horizon, "--future-exog");
    return future_exog(history, FutureExogPolicy::repeat_last, horizon);
  }
  if (policy == BackfillExog::hold_last)
    return future_exog(history, FutureExogPolicy::hold_last, horizon);
  // Realised covariates; past the data, the last row repeats.
  Eigen::MatrixXd out(horizon, k);
  const auto rows = static_cast<Eigen::Index>(series.rows());
  for (int h = 0; h < horizon; ++h) {
    const Eigen::Index row = std::min(static_cast<Eigen::Index>(fold.cutoff_row) + 1 + h, rows - 1);
    out.row(h) = series.exog.row(row);
  }
  return out;
}

// The parameters a later fold of the same chain needs: enough of a fit to
// re-filter from.
struct ChainFit {
  int fold = -1;            // fit fold
  std::string failure;      // non-empty: that fit failed
  SarimaxFit fit;           // spec, k_exog, param_names, params
};

// The fit for a cutoff is a function of the data and the spec only, never of
// the fold plan: no start from the chain's previous optimum (that made the
// reported optimum depend on which cutoffs came before). fit_sarimax itself
// searches a fixed, data-determined set of starts for the best optimum.
SarimaxFit fit_fold(const BacktestModel& model, const Eigen::VectorXd& y, const Eigen::MatrixXd& exog,
                    const std::vector<std::string>& exog_names, CovarianceType registry_covariance) {
  FitOptions options;
  // Only where the registry keeps them: they cost about one more fit.
  options.cov_type = registry_covariance;
  options.gradient_tolerance = 1e-9;
  options.function_tolerance = 1e-14;
  return fit_sarimax(model.spec, y, exog, options, exog_names);
}

// The family's shape parameters as numbers; NaN where it has none (normal,
// bootstrap: nothing estimated).
void record_family(const InnovationParams& p, FittedVariant& out) {
  switch (p.kind) {
    case InnovationKind::student_t: out.nu = p.nu; break;
    case InnovationKind::skew_normal: out.alpha = p.alpha; break;
    case InnovationKind::skew_t: out.nu = p.nu, out.alpha = p.alpha; break;
    case InnovationKind::mixture: out.weight = p.weight, out.wide_scale = p.wide_scale; break;
    case InnovationKind::nig: out.alpha = p.alpha, out.beta = p.beta; break;
    case InnovationKind::jumps:
      out.jump_rate = p.jump_rate, out.jump_mean = p.jump_mean, out.jump_sd = p.jump_sd;
      break;
    case InnovationKind::normal:
    case InnovationKind::bootstrap: break;
  }
}

struct FoldOutput {
  std::size_t job = 0;  // which series (run_backfills' jobs)
  int fold = 0;
  std::vector<ModelFoldResult> models;
};

// Writes `outputs` to their stores, one write_folds per run of consecutive
// folds of a series (a warm-start chain's arrive together): HDF5's cost
// per write call, not the bytes, is most of the writer's CPU, and on a
// machine with a core per worker it is what the workers wait for.
void write_runs(const std::vector<BackfillJob>& jobs, const std::deque<FoldOutput>& outputs) {
  std::vector<const FoldOutput*> sorted;
  for (const FoldOutput& output : outputs) sorted.push_back(&output);
  std::sort(sorted.begin(), sorted.end(), [](const FoldOutput* a, const FoldOutput* b) {
    return std::tie(a->job, a->fold) < std::tie(b->job, b->fold);
  });
  for (std::size_t first = 0; first < sorted.size();) {
    std::vector<const std::vector<ModelFoldResult>*> run{&sorted[first]->models};
    std::size_t end = first + 1;
    for (; end < sorted.size() && sorted[end]->job == sorted[first]->job &&
           sorted[end]->fold == sorted[end - 1]->fold + 1;
         ++end)
      run.push_back(&sorted[end]->models);
    jobs[sorted[first]->job].store->write_folds(sorted[first]->fold, run);
    first = end;
  }
}

// A (model, fold) waiting for its paths: simulated with the rest of its
// chain in one batch.
struct PendingResult {
  ModelFoldResult result;
  std::optional<PathRequest> request;
  Innovations innovations;  // owns bootstrap residuals the request points at
};

// Test hook (documented in backfill.hpp): ARABICA_FAULT_FAIL_FOLDS="3,7"
// makes every model fail at folds 3 and 7, "3:naive" only the model named.
// (fold, model) pairs; an empty model stands for every model.
std::set<std::pair<int, std::string>> injected_fold_failures() {
  std::set<std::pair<int, std::string>> failures;
  const char* text = std::getenv("ARABICA_FAULT_FAIL_FOLDS");
  if (!text) return failures;
  std::istringstream list(text);
  for (std::string item; std::getline(list, item, ',');) {
    if (item.empty()) continue;
    const std::size_t colon = item.find(':');
    failures.emplace(std::stoi(item.substr(0, colon)), colon == std::string::npos ? "" : item.substr(colon + 1));
  }
  return failures;
}

class FoldRunner {
 public:
  FoldRunner(const Series& series, const BackfillConfig& config, const FoldPlan& plan)
      : series_(series),
        config_(config),
        plan_(plan),
        injected_failures_(injected_fold_failures()) {}

  /// One model at one pending fold up to its path request: fit or re-filter,
  /// point forecast, innovations. `chain` holds the model's latest fit in
  /// this chain and is updated at refit folds. A failed fold has no request.
  PendingResult prepare(const BacktestModel& model, const Fold& fold, ChainFit& chain) const;

 private:
  const Series& series_;
  const BackfillConfig& config_;
  const FoldPlan& plan_;
  std::set<std::pair<int, std::string>> injected_failures_;
};

PendingResult FoldRunner::prepare(const BacktestModel& model, const Fold& fold,
                                  ChainFit& chain) const {
  const int H = plan_.spec.horizon;
  // The model's own rolling window, inside the fold's.
  const std::size_t own_begin =
      model.window_rows > 0 && fold.train_end > static_cast<std::size_t>(model.window_rows)
          ? fold.train_end - static_cast<std::size_t>(model.window_rows)
          : 0;
  const auto begin = static_cast<Eigen::Index>(std::max(fold.train_begin, own_begin));
  const auto rows = static_cast<Eigen::Index>(fold.train_end) - begin;
  const Eigen::VectorXd prices = series_.target.segment(begin, rows);
  const Eigen::MatrixXd exog = model.uses_exog() ? Eigen::MatrixXd(series_.exog.middleRows(begin, rows))
                                                 : Eigen::MatrixXd(rows, 0);
  PendingResult pending;
  ModelFoldResult& result = pending.result;
  result.trained_on = plan_.folds[static_cast<std::size_t>(fold.fit_fold)].cutoff;
  result.train_start = series_.dates[static_cast<std::size_t>(begin)];
  result.train_rows = static_cast<int>(rows);
  const auto start = std::chrono::steady_clock::now();
  SarimaxFit fit;
  try {
    const Eigen::VectorXd y = transform_prices(model, prices);
    if (fold.refit) {
      chain = ChainFit{fold.index, {}, {}};
      fit = model.kind == ModelKind::sarimax
                ? fit_fold(model, y, exog, series_.exog_names, config_.registry_covariance)
                : fit_baseline(model, y);
      result.param_covariance = fit.covariance;
      chain.fit = fit;
      result.status = FoldStatus::trained;
      // The registry's record of what the refit was estimated on.
      result.train_data_hash = series_hash(series_.slice(static_cast<std::size_t>(begin), fold.train_end));
      result.converged = fit.converged;
      result.iterations = fit.iterations;
    } else {
      ARABICA_REQUIRE(chain.fold == fold.fit_fold, "backfill: fold ran before its fit fold");
      if (!chain.failure.empty())
        throw Error("the fit at " + format_date(result.trained_on) + " failed: " + chain.failure);
      fit = refilter_sarimax(chain.fit, y, exog);
      result.status = FoldStatus::refiltered;
      result.converged = true;  // nothing to converge: parameters are given
    }
    if (injected_failures_.count({fold.index, ""}) || injected_failures_.count({fold.index, model.name}))
      throw Error("injected failure (ARABICA_FAULT_FAIL_FOLDS)");
    result.params = fit.params;
    result.llf = fit.llf;
    result.aic = fit.aic;
    const Eigen::MatrixXd future =
        model.uses_exog() ? fold_future_exog(series_, fold, config_.future_exog, H)
                          : Eigen::MatrixXd(H, 0);
    Forecast forecast = forecast_sarimax(fit, future, H);
    PathRequest request;
    request.model = make_path_model(fit, future, H, config_.mode);
    // Volatility that adapts (EWMA, GARCH): the horizon's shock variances
    // widen the forecast and scale the paths' shocks, and the innovation
    // family is estimated on the residuals standardised by their filtered
    // volatility (with bootstrap: filtered historical simulation).
    Eigen::VectorXd residuals = fit.innovation_residuals();
    if (model.volatility != VolatilityModel::constant) {
      const double sigma2 = fit.params[fit.params.size() - 1];  // sigma2 is last
      const double sigma = std::sqrt(sigma2);
      FilteredVolatility filtered;
      Eigen::VectorXd shock_variance;
      PathModel& paths = request.model;
      char text[160];
      if (model.volatility == VolatilityModel::ewma) {
        filtered = ewma_volatility(residuals, model.ewma_lambda);
        std::snprintf(text, sizeof text, "ewma(lambda=%.6g, sigma_next=%.6g sigma)", model.ewma_lambda,
                      filtered.next / sigma);
        shock_variance = Eigen::VectorXd::Constant(H, filtered.next * filtered.next);  // flat
        result.fitted.ewma_lambda = model.ewma_lambda;
        for (int h = 0; h < H; ++h) paths.volatility[h] = static_cast<float>(filtered.next / sigma);
      } else {
        const Garch11 garch = fit_garch11(residuals);
        filtered = garch_filter(garch, residuals);
        shock_variance = garch_variance_forecast(garch, filtered.next * filtered.next, H);
        paths.garch = 1;  // path by path (state-space mode)
        paths.garch_variance = static_cast<float>(filtered.next * filtered.next);
        paths.garch_omega = static_cast<float>(garch.omega);
        paths.garch_alpha = static_cast<float>(garch.alpha);
        paths.garch_beta = static_cast<float>(garch.beta);
        std::snprintf(text, sizeof text, "garch(omega=%.6g, alpha=%.6g, beta=%.6g, sigma_next=%.6g sigma)",
                      garch.omega, garch.alpha, garch.beta, filtered.next / sigma);
        result.fitted.garch_alpha = garch.alpha;
        result.fitted.garch_beta = garch.beta;
      }
      result.volatility = text;
      result.fitted.volatility_ratio = filtered.next / sigma;
      add_shock_variance(forecast, paths, shock_variance, sigma2);
      if (config_.mode == PathMode::marginal) {  // one Gaussian per day: the widened forecast's
        paths.garch = 0;
        for (int h = 0; h < H; ++h) {
          paths.std_error[h] = static_cast<float>(forecast.std_error[h]);
          paths.volatility[h] = 1.0f;
        }
      }
      residuals = residuals.cwiseQuotient(filtered.sigma) * sigma;
    }
    result.forecast = forecast_in_prices(model, forecast);
    pending.innovations = choose_innovations(
        model.innovations.empty() ? config_.innovations : model.innovations, residuals, prices,
        model.innovations.empty() ? "--innovations" : "--model");
    result.innovations = pending.innovations.describe();
    record_family(pending.innovations.params(), result.fitted);
    if (result.volatility.empty()) {
      result.volatility = "constant";
      result.fitted.volatility_ratio = 1.0;
    }
    result.fit_seconds = seconds_since(start);
    paths_in_prices(model, result.forecast, request.model);
    request.innovations = pending.innovations.params();
    // Every model of a fold draws the same streams: common random numbers
    // make model comparisons sharper.
    request.keys = {config_.seed, config_.series_key, static_cast<std::uint64_t>(fold.index)};
    request.n_paths = config_.paths;
    request.last_price = series_.target[static_cast<Eigen::Index>(fold.cutoff_row)];
    request.stored_paths = config_.stored_paths;
    request.actual = Eigen::VectorXd::Constant(H, kNaN);
    for (int h = 0; h < H; ++h)
      if (fold.target_rows[h] != kNoRow)
        request.actual[h] = series_.target[static_cast<Eigen::Index>(fold.target_rows[h])];
    pending.request = std::move(request);
  } catch (const ContractError&) {
    throw;  // a bug, not a property of the fold
  } catch (const Error& error) {
    if (fold.refit) chain.failure = error.what();
    result = ModelFoldResult{};
    result.status = FoldStatus::failed;
    result.failure_reason = error.what();
    result.trained_on = plan_.folds[static_cast<std::size_t>(fold.fit_fold)].cutoff;
    result.fit_seconds = seconds_since(start);
  }
  return pending;
}

// Results travel from the workers to the one thread that writes the store.
class ResultQueue {
 public:
  void push(FoldOutput output) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(output));
    }
    ready_.notify_one();
  }
  void worker_done(std::exception_ptr error) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      --workers_;
      if (error && !error_) error_ = error;
    }
    ready_.notify_one();
  }
  void set_workers(int n) { workers_ = n; }
  /// Everything queued, waiting while workers run (until `deadline` at
  /// most); `finished` once every worker is done and nothing is left.
  struct Taken {
    std::deque<FoldOutput> outputs;
    bool finished = false;
  };
  Taken take(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait_until(lock, deadline, [&] { return !queue_.empty() || workers_ == 0; });
    Taken taken{std::exchange(queue_, {}), false};
    taken.finished = taken.outputs.empty() && workers_ == 0;
    return taken;
  }
  std::exception_ptr error() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return error_;
  }
  bool failed() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return error_ != nullptr;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<FoldOutput> queue_;
  int workers_ = 0;
  std::exception_ptr error_;
};

// A fit recorded by an earlier run, rebuilt for re-filters.
ChainFit stored_fit(const BackfillStore& store, const BacktestModel& model, int m, const Fold& fold,
                    const Series& series) {
  ChainFit chain;
  chain.fold = fold.index;
  const FoldStatus status = store.status(m, fold.index);
  if (status != FoldStatus::trained) {
    chain.failure = "failed in an earlier run";
    return chain;
  }
  chain.fit.spec = model.spec;
  chain.fit.k_exog = model.uses_exog() ? static_cast<int>(series.exog.cols()) : 0;
  chain.fit.param_names = model.spec.param_names(model.uses_exog() ? series.exog_names
                                                                   : std::vector<std::string>{});
  chain.fit.params = store.params(m, fold.index);
  return chain;
}

}  // namespace

BackfillExog parse_backfill_exog(const std::string& text, const std::string& field) {
  if (text == "repeat-last" || text == "repeat_last") return BackfillExog::repeat_last;
  if (text == "hold-last" || text == "hold_last") return BackfillExog::hold_last;
  if (text == "realized" || text == "realised") return BackfillExog::realized;
  throw InputError(field, "unknown future-exog policy '" + text +
                              "' (expected repeat-last, hold-last or realized)");
}

const char* backfill_exog_name(BackfillExog policy) {
  switch (policy) {
    case BackfillExog::repeat_last: return "repeat-last";
    case BackfillExog::hold_last: return "hold-last";
    case BackfillExog::realized: return "realized";
  }
  return "?";
}

std::string series_hash(const Series& series) {
  Fnv1a hash;
  hash.text(series.target_name);
  for (const std::string& name : series.exog_names) hash.text(name);
  hash.integer(static_cast<std::int64_t>(series.rows()));
  for (std::size_t i = 0; i < series.rows(); ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    hash.integer(series.dates[i]);
    hash.real(series.target[row]);
    for (Eigen::Index j = 0; j < series.exog.cols(); ++j) hash.real(series.exog(row, j));
  }
  return hash.hex();
}

std::uint64_t series_key_of(const std::string& series_name) {
  Fnv1a hash;
  hash.text(series_name);
  return hash.value();
}

std::string backfill_config_json(const BackfillConfig& config, const Series& series,
                                 const FoldPlan& plan) {
  nlohmann::json models = nlohmann::json::array();
  for (const BacktestModel& m : config.models) {
    nlohmann::json model = {{"name", m.name},
                            {"spec", m.spec.describe()},
                            {"enforce_stationarity", m.spec.enforce_stationarity},
                            {"enforce_invertibility", m.spec.enforce_invertibility},
                            {"exog", m.uses_exog() ? series.exog_names : std::vector<std::string>{}}};
    // Variant options, where set (the name carries them too).
    if (m.transform == PriceTransform::log) model["transform"] = "log";
    if (m.transform == PriceTransform::box_cox) {
      model["transform"] = "box_cox";
      model["box_cox_lambda"] = m.box_cox_lambda;
    }
    if (m.volatility == VolatilityModel::ewma) {
      model["volatility"] = "ewma";
      model["ewma_lambda"] = m.ewma_lambda;
    }
    if (m.volatility == VolatilityModel::garch) model["volatility"] = "garch";
    if (!m.innovations.empty()) model["innovations"] = m.innovations;
    if (m.window_rows > 0) model["window_rows"] = m.window_rows;
    models.push_back(std::move(model));
  }
  nlohmann::json json = {
      {"models", models},
      {"plan", describe(plan.spec)},
      {"plan_hash", hex64(plan_hash(plan))},
      {"target", series.target_name},
      {"data_hash", series_hash(series)},
      {"data_rows", series.rows()},
      {"future_exog", backfill_exog_name(config.future_exog)},
      {"paths", config.paths},
      {"stored_paths", config.stored_paths},
      {"innovations", config.innovations},
      {"mode", config.mode == PathMode::marginal ? "marginal" : "state-space"},
      {"seed", config.seed},
      {"series", config.series_name},
      {"series_key", config.series_key},
      {"calendar", config.calendar == ForecastCalendar::business ? "business" : "calendar"},
      {"rng", "philox4x32-10"},
      // Normal days draw Box-Muller pairs (InnovationDraws): a store written
      // before, one normal per pair, holds other paths; resuming it would mix
      // them.
      {"normal_draws", "box_muller_pairs"},
      // A store of another schema lacks variables this one writes (pit).
      {"store_schema", kStoreSchemaVersion}};
  // Only where asked for: the configurations of earlier stores stay as they were.
  if (config.registry_covariance != CovarianceType::none)
    json["registry_cov"] = to_string(config.registry_covariance);
  return json.dump();
}

StoreLayout backfill_layout(const BackfillConfig& config, const Series& series,
                            const FoldPlan& plan) {
  ARABICA_REQUIRE(!config.models.empty(), "backfill: no models");
  StoreLayout layout;
  for (const BacktestModel& m : config.models) {
    layout.models.push_back(m.name);
    layout.param_names.push_back(
        m.spec.param_names(m.uses_exog() ? series.exog_names : std::vector<std::string>{}));
  }
  const int H = plan.spec.horizon;
  const auto F = static_cast<Eigen::Index>(plan.folds.size());
  layout.horizon = H;
  layout.calendar = config.calendar;
  layout.stored_paths = config.stored_paths;
  layout.param_covariance = config.registry_covariance != CovarianceType::none;
  layout.units = series.units;
  layout.actual = Eigen::MatrixXd::Constant(F, H, kNaN);
  layout.last_price.resize(F);
  for (const Fold& fold : plan.folds) {
    layout.cutoffs.push_back(fold.cutoff);
    const std::vector<Date> dates = trading_dates_ahead(series.dates, fold.cutoff_row, H);
    layout.forecast_dates.insert(layout.forecast_dates.end(), dates.begin(), dates.end());
    layout.last_price[fold.index] = series.target[static_cast<Eigen::Index>(fold.cutoff_row)];
    for (int h = 0; h < H; ++h)
      if (fold.target_rows[h] != kNoRow)
        layout.actual(fold.index, h) = series.target[static_cast<Eigen::Index>(fold.target_rows[h])];
  }
  const std::string config_json = backfill_config_json(config, series, plan);
  Fnv1a config_hash;
  config_hash.text(config_json);
  layout.text_attributes = {
      {"title", "arabica walk-forward backfill"},
      {"source", series.source},
      {"config", config_json},
      {"config_hash", config_hash.hex()},
      {"data_hash", series_hash(series)},
      {"rng", "philox4x32-10"},
      {"generation_timestamp", utc_timestamp_now()},
      {"data_leakage_warning", config.future_exog == BackfillExog::realized ? "true" : "false"}};
  layout.unsigned_attributes = {{"seed", config.seed},
                                {"n_paths", static_cast<std::uint64_t>(config.paths)},
                                {"shard", static_cast<std::uint64_t>(config.shard)},
                                {"num_shards", static_cast<std::uint64_t>(config.num_shards)}};
  return layout;
}

BackfillSummary run_backfill(const Series& series, const BackfillConfig& config,
                             const FoldPlan& plan, BackfillStore& store,
                             const std::function<void(const BackfillProgress&)>& progress) {
  return run_backfills({BackfillJob{&series, config, &plan, &store}}, progress).front();
}

std::vector<std::vector<std::vector<int>>> partition_jobs(const std::vector<BackfillJob>& jobs, int num_shards) {
  std::vector<const std::vector<Fold>*> plans;
  std::vector<std::uint64_t> weights;
  for (const BackfillJob& job : jobs) {
    plans.push_back(&job.plan->folds);
    weights.push_back(static_cast<std::uint64_t>(job.config.models.size()));
  }
  return partition_plans(plans, weights, num_shards);
}

std::vector<BackfillSummary> run_backfills(
    const std::vector<BackfillJob>& jobs,
    const std::function<void(const BackfillProgress&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  ARABICA_REQUIRE(!jobs.empty(), "backfill: no series");
  const BackfillConfig& run = jobs.front().config;  // threads, device, shard, stop
  const std::size_t J = jobs.size();
  for (const BackfillJob& job : jobs) {
    const BackfillConfig& config = job.config;
    const int M = static_cast<int>(config.models.size());
    ARABICA_REQUIRE(M >= 1, "backfill: no models");
    ARABICA_REQUIRE(job.store->models() == M &&
                        job.store->folds() == static_cast<int>(job.plan->folds.size()) &&
                        job.store->horizon() == job.plan->spec.horizon,
                    "backfill: the store was laid out for another plan");
    ARABICA_REQUIRE(config.num_shards >= 1 && config.shard >= 0 && config.shard < config.num_shards,
                    "backfill: shard outside 0..num_shards-1");
    ARABICA_REQUIRE(config.shard == run.shard && config.num_shards == run.num_shards,
                    "backfill: every series of a run is in the same shard");
    ARABICA_REQUIRE(config.paths >= 2 && config.stored_paths >= 0 && config.stored_paths <= config.paths,
                    "backfill: need at least two paths and at most that many stored");
  }

  std::vector<BackfillSummary> summaries(J);
  // This shard's (series, chain) units, and what earlier runs left of them.
  const std::vector<std::vector<int>> mine = partition_jobs(jobs, run.num_shards)[static_cast<std::size_t>(run.shard)];
  std::vector<std::vector<bool>> complete(J);
  struct Work {
    std::size_t job = 0;
    std::vector<int> folds;
    std::uint64_t cost = 0;
    std::vector<std::map<int, ChainFit>> stored;  // per model: complete refit folds
  };
  std::vector<Work> work;
  int pending = 0;
  for (std::size_t j = 0; j < J; ++j) {
    const BackfillJob& job = jobs[j];
    const FoldPlan& plan = *job.plan;
    const int M = static_cast<int>(job.config.models.size());
    BackfillSummary& summary = summaries[j];
    summary.counts.resize(static_cast<std::size_t>(M));
    summary.folds_in_shard = static_cast<int>(mine[j].size());
    complete[j] = folds_done(*job.store);
    std::map<int, std::vector<int>> chains;
    for (const int f : mine[j]) chains[plan.folds[static_cast<std::size_t>(f)].chain].push_back(f);
    for (auto& [chain, folds] : chains) {
      Work w;
      w.job = j;
      w.folds = folds;
      w.stored.resize(static_cast<std::size_t>(M));
      bool any_pending = false;
      for (const int f : folds) {
        const Fold& fold = plan.folds[static_cast<std::size_t>(f)];
        // A fold whose fit or warm start is recomputed (a retried failure)
        // runs again too: the store ends as an uninterrupted run would.
        const int source = fold.refit ? fold.warm_start_fold : fold.fit_fold;
        if (source >= 0 && source != f && !complete[j][static_cast<std::size_t>(source)])
          complete[j][static_cast<std::size_t>(f)] = false;
        if (!complete[j][static_cast<std::size_t>(f)]) {
          any_pending = true;
          ++pending;
          w.cost += fold_cost(fold) * static_cast<std::uint64_t>(M);
          continue;
        }
        for (int m = 0; m < M; ++m) ++summary.counts[static_cast<std::size_t>(m)].already_complete;
        if (fold.refit)
          for (int m = 0; m < M; ++m)
            w.stored[static_cast<std::size_t>(m)][f] = stored_fit(
                *job.store, job.config.models[static_cast<std::size_t>(m)], m, fold, *job.series);
      }
      if (any_pending) work.push_back(std::move(w));
    }
  }
  // Longest chains first, over every series, so the last ones to finish are short.
  std::stable_sort(work.begin(), work.end(),
                   [](const Work& a, const Work& b) { return a.cost > b.cost; });

  std::vector<FoldRunner> runners;
  for (const BackfillJob& job : jobs) runners.emplace_back(*job.series, job.config, *job.plan);
  ResultQueue queue;
  std::atomic<std::size_t> next_work{0};
  const auto stopping = [&] { return run.stop_requested && run.stop_requested(); };
  auto worker = [&] {
    std::exception_ptr error;
    try {
      const std::unique_ptr<Backend> backend = make_backend(run.device, 1, run.device_ordinal);
      // A batch: this worker's next units (series, warm-start chain), each
      // fitted in fold order, until their paths reach batch_path_steps
      // (one unit when 0), then simulated together - across series, so a
      // GPU gets launches large enough to fill it.
      struct Unit {
        std::size_t job = 0;
        std::vector<int> folds;
        std::vector<PendingResult> pending;  // fold-major, then model
      };
      while (!stopping() && !queue.failed()) {
        std::vector<Unit> units;
        std::vector<PathRequest> requests;
        double path_steps = 0.0;
        for (std::size_t w; (units.empty() || path_steps < static_cast<double>(run.batch_path_steps)) &&
                            !stopping() && !queue.failed() &&
                            (w = next_work.fetch_add(1)) < work.size();) {
          Unit unit;
          unit.job = work[w].job;
          const std::size_t j = unit.job;
          const BackfillJob& job = jobs[j];
          const int M = static_cast<int>(job.config.models.size());
          std::vector<ChainFit> fits(static_cast<std::size_t>(M));
          for (const int f : work[w].folds) {
            const Fold& fold = job.plan->folds[static_cast<std::size_t>(f)];
            if (complete[j][static_cast<std::size_t>(f)]) {
              for (int m = 0; m < M; ++m)
                if (fold.refit) fits[static_cast<std::size_t>(m)] = work[w].stored[static_cast<std::size_t>(m)].at(f);
              continue;
            }
            // A stop takes no new fold; the ones prepared are still committed
            // (a later run resumes the chain from the store).
            if (stopping()) break;
            unit.folds.push_back(f);
            for (int m = 0; m < M; ++m)
              unit.pending.push_back(runners[j].prepare(job.config.models[static_cast<std::size_t>(m)],
                                                        fold, fits[static_cast<std::size_t>(m)]));
          }
          for (const PendingResult& p : unit.pending)
            if (p.request) {
              requests.push_back(*p.request);
              path_steps += static_cast<double>(p.request->n_paths) * p.request->model.horizon;
            }
          if (!unit.folds.empty()) units.push_back(std::move(unit));
        }
        if (units.empty()) break;
        std::vector<PathStats> stats = backend->simulate_batch(requests);
        std::size_t next_stats = 0;
        for (Unit& unit : units) {
          const std::size_t M = jobs[unit.job].config.models.size();
          for (std::size_t i = 0; i < unit.folds.size(); ++i) {
            FoldOutput output;
            output.job = unit.job;
            output.fold = unit.folds[i];
            for (std::size_t m = 0; m < M; ++m) {
              PendingResult& p = unit.pending[i * M + m];
              if (p.request) {
                p.result.stats = std::move(stats[next_stats++]);
                p.result.risk = horizon_risk(p.result.stats, p.request->last_price);
              }
              output.models.push_back(std::move(p.result));
            }
            queue.push(std::move(output));
          }
        }
      }
    } catch (...) {
      error = std::current_exception();
    }
    queue.worker_done(error);
  };
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::max(
      1, std::min<int>(run.threads > 0 ? run.threads : hardware, static_cast<int>(work.size())));
  queue.set_workers(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);

  // This thread is the stores' only writer: it writes what arrives at once
  // and commits what it has written, spacing commits kCommitSpacing times
  // the CPU time of the last one apart (at most kMaxCommitInterval, or at
  // once past kCommitFolds folds): a commit flushes the whole file, and
  // that work grows with the datasets open in it (a universe's series); one
  // commit per warm-start chain was a fifth of a 14-series run's CPU. A
  // single store's commits cost about a millisecond and follow closely;
  // the fsync's wait is not CPU and does not space them.
  BackfillProgress state{0, pending};
  if (progress) progress(state);
  try {
    using Clock = std::chrono::steady_clock;
    std::vector<std::vector<int>> uncommitted(J);
    int n_uncommitted = 0;
    Clock::time_point next_commit = Clock::now();
    for (bool finished = false; !finished;) {
      const auto deadline = n_uncommitted > 0 ? next_commit : Clock::now() + std::chrono::hours(1);
      ResultQueue::Taken taken = queue.take(deadline);
      finished = taken.finished;
      write_runs(jobs, taken.outputs);
      for (const FoldOutput& output : taken.outputs) {
        const BackfillJob& job = jobs[output.job];
        BackfillSummary& summary = summaries[output.job];
        for (std::size_t m = 0; m < output.models.size(); ++m) {
          const ModelFoldResult& r = output.models[m];
          ModelCounts& counts = summary.counts[m];
          if (r.status == FoldStatus::trained) ++counts.trained;
          if (r.status == FoldStatus::refiltered) ++counts.refiltered;
          if (r.status == FoldStatus::failed) {
            ++counts.failed;
            summary.failures.push_back(
                job.config.models[m].name + " " +
                format_date(job.plan->folds[static_cast<std::size_t>(output.fold)].cutoff) + ": " +
                r.failure_reason);
          }
        }
        uncommitted[output.job].push_back(output.fold);
        ++n_uncommitted;
      }
      if (n_uncommitted == 0 ||
          !(finished || Clock::now() >= next_commit || n_uncommitted >= kCommitFolds))
        continue;
      const double cpu_start = thread_cpu_seconds();
      std::vector<std::pair<BackfillStore*, std::vector<int>>> commits;
      for (std::size_t j = 0; j < J; ++j) {
        if (uncommitted[j].empty()) continue;
        summaries[j].folds_run += static_cast<int>(uncommitted[j].size());
        commits.emplace_back(jobs[j].store, std::exchange(uncommitted[j], {}));
      }
      BackfillStore::commit_all(commits);
      state.done += n_uncommitted;
      n_uncommitted = 0;
      const auto cpu = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(thread_cpu_seconds() - cpu_start));
      next_commit = Clock::now() + std::min<Clock::duration>(kCommitSpacing * cpu, kMaxCommitInterval);
      if (progress) progress(state);
    }
  } catch (...) {
    queue.worker_done(std::current_exception());  // stops the workers
    for (std::thread& t : pool) t.join();
    throw;
  }
  for (std::thread& t : pool) t.join();
  if (const std::exception_ptr error = queue.error()) std::rethrow_exception(error);
  // Without an error, only a stop leaves folds undone.
  const bool stopped = state.done < pending;
  const double seconds = seconds_since(start);
  for (BackfillSummary& summary : summaries) {
    summary.stopped = stopped;
    summary.seconds = seconds;
  }
  return summaries;
}

std::string shard_store_path(const std::string& out, int shard, int num_shards) {
  return out + ".shard-" + std::to_string(shard) + "-of-" + std::to_string(num_shards);
}

bool no_fold_committed(const BackfillStore& store) {
  const std::vector<std::int8_t> flags = store.fold_complete();
  return std::find(flags.begin(), flags.end(), std::int8_t{1}) == flags.end();
}

std::vector<bool> folds_done(const BackfillStore& store) {
  const std::vector<std::int8_t> committed = store.fold_complete();
  std::vector<bool> done(committed.size());
  for (int f = 0; f < store.folds(); ++f) {
    done[static_cast<std::size_t>(f)] = committed[static_cast<std::size_t>(f)] != 0;
    for (int m = 0; m < store.models() && done[static_cast<std::size_t>(f)]; ++m)
      if (store.status(m, f) == FoldStatus::failed) done[static_cast<std::size_t>(f)] = false;
  }
  return done;
}

int merge_shard_stores(BackfillStore& target, const std::vector<std::string>& shard_paths,
                       const std::string& config_hash,
                       const std::function<bool()>& stop_requested,
                       const std::vector<std::vector<CommittedValues>>& in_memory) {
  int copied = 0;
  if (no_fold_committed(target) && !(stop_requested && stop_requested())) {
    // Written once, in its chunks for reading (merge_for_reading).
    std::vector<std::vector<BackfillStore>> shards;
    for (const std::string& path : shard_paths) {
      shards.emplace_back();
      shards.back().push_back(BackfillStore::resume(path, config_hash));
    }
    std::vector<BackfillStore> merged_into;
    merged_into.push_back(std::move(target));
    copied = BackfillStore::merge_for_reading(merged_into, shards, in_memory).front();
    target = std::move(merged_into.front());
    for (std::vector<BackfillStore>& shard : shards) shard.front().close();
    return copied;
  }
  std::vector<bool> merged = folds_done(target);  // a failed fold is taken again
  for (const std::string& path : shard_paths) {
    if (stop_requested && stop_requested()) break;
    BackfillStore shard = BackfillStore::resume(path, config_hash);
    copied += merge_committed_folds(target, shard, merged);
    shard.close();
  }
  return copied;
}

int merge_committed_folds(BackfillStore& target, const BackfillStore& shard,
                          std::vector<bool>& merged) {
  const std::vector<int> folds = copy_committed_folds(target, shard, merged);
  target.commit(folds);
  return static_cast<int>(folds.size());
}

std::vector<int> copy_committed_folds(BackfillStore& target, const BackfillStore& shard,
                                      std::vector<bool>& merged) {
  ARABICA_REQUIRE(shard.models() == target.models() && shard.folds() == target.folds() &&
                      shard.horizon() == target.horizon() &&
                      merged.size() == static_cast<std::size_t>(target.folds()),
                  "merge: a shard store has another layout");
  const std::vector<std::int8_t> done = shard.fold_complete();
  std::vector<int> folds;
  for (int f = 0; f < shard.folds(); ++f) {
    if (!done[static_cast<std::size_t>(f)] || merged[static_cast<std::size_t>(f)]) continue;
    folds.push_back(f);
    merged[static_cast<std::size_t>(f)] = true;
  }
  target.copy_folds(shard, folds);
  return folds;
}

namespace {

// The folds of model `m` that are scored: committed and not failed.
std::vector<int> scored_folds(const StoredForecasts& stored, int m) {
  std::vector<int> scored;
  for (int f = 0; f < stored.folds; ++f) {
    const auto status =
        static_cast<FoldStatus>(stored.status[static_cast<std::size_t>(m) * stored.folds + f]);
    if (stored.fold_complete[static_cast<std::size_t>(f)] && status != FoldStatus::failed)
      scored.push_back(f);
  }
  return scored;
}

// Scoring records, column by column: append() adds one model of one series
// over days [first_day, first_day + days), day-major; `relative`: CRPS,
// pinball and Winkler scores as fractions of the cutoff price (pooling
// series of different price levels).
struct RecordColumns {
  std::vector<double> forecast_mean, forecast_median, lower_95, upper_95, actual, cutoff_price, p_up,
      crps, pit;
  std::vector<double> quantiles;  // row-major, kQuantileLevels per record
  std::vector<double> score_scale;  // relative: the cutoff price
  void append(const StoredForecasts& stored, const StoreLayout& layout, int m,
              const std::vector<int>& folds, int first_day, int days, bool relative) {
    for (int h = first_day; h < first_day + days; ++h)
      for (const int f : folds) {
        const double price = layout.last_price[f];
        forecast_mean.push_back(stored.at(stored.forecast_mean, m, f, h));
        forecast_median.push_back(stored.at(stored.forecast_median, m, f, h));
        lower_95.push_back(stored.at(stored.lower_95, m, f, h));
        upper_95.push_back(stored.at(stored.upper_95, m, f, h));
        p_up.push_back(stored.at(stored.p_up, m, f, h));
        crps.push_back(stored.at(stored.crps, m, f, h) / (relative ? price : 1.0));
        if (relative) score_scale.push_back(price);
        for (int q = 0; q < static_cast<int>(kQuantileLevels.size()); ++q)
          quantiles.push_back(stored.quantile(m, f, h, q));
        pit.push_back(stored.at(stored.pit, m, f, h));
        actual.push_back(layout.actual(f, h));
        cutoff_price.push_back(price);
      }
  }
  FoldRecords records() const {
    const auto vector = [](const std::vector<double>& v) {
      return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())));
    };
    FoldRecords r;
    r.forecast_mean = vector(forecast_mean);
    r.forecast_median = vector(forecast_median);
    r.lower_95 = vector(lower_95);
    r.upper_95 = vector(upper_95);
    r.actual = vector(actual);
    r.cutoff_price = vector(cutoff_price);
    r.p_up = vector(p_up);
    r.crps = vector(crps);
    r.pit = vector(pit);
    r.score_scale = vector(score_scale);
    r.quantiles = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        quantiles.data(), static_cast<Eigen::Index>(actual.size()), static_cast<Eigen::Index>(kQuantileLevels.size()));
    return r;
  }
};

// Later folds whose cutoff falls before fold f's day-h target date (their
// horizons share realised shocks with f's), at most over every fold.
int overlap_lags(const StoreLayout& layout, int h) {
  const int F = static_cast<int>(layout.cutoffs.size()), H = layout.horizon;
  if (layout.forecast_dates.empty()) return h;  // one row per cutoff at most
  int lags = 0;
  for (int f = 0; f < F; ++f) {
    const Date target = layout.forecast_dates[static_cast<std::size_t>(f) * H + h];
    int j = 1;
    while (f + j < F && layout.cutoffs[static_cast<std::size_t>(f + j)] < target) ++j;
    lags = std::max(lags, j - 1);
  }
  return lags;
}

// The VaR backtests of all days pooled are the last day's: the day of the
// stored var_95 and var_99, and one exceedance per fold in time order (the
// pooled records run day by day, and a fold's days share its shocks).
void use_last_days_var_backtests(ModelScores& model) {
  model.overall.var_95 = model.by_day.back().var_95;
  model.overall.var_99 = model.by_day.back().var_99;
}

// The run's naive model, the reference of the Diebold-Mariano tests.
struct NaiveReference {
  int model = -1;         // -1: the run has none
  std::vector<int> folds;  // its scored folds
};

// The overlap-aware tests of model m over days [first_day, first_day + days)
// (one value per fold in time order: the mean over its days), with `lags`
// later folds sharing a fold's horizon, against the naive model's losses
// where the run has one.
void add_significance(MetricSummary& out, const StoredForecasts& stored, const StoreLayout& layout,
                      int m, const NaiveReference& naive, const std::vector<int>& folds, int first_day,
                      int days, int lags) {
  out.lags = lags;
  std::vector<double> hits, mse_difference, crps_difference;
  double rises = 0.0, moves = 0.0;
  // Sums over the records both models scored, for the skill scores.
  double own_crps = 0.0, naive_crps = 0.0, own_squares = 0.0, naive_squares = 0.0;
  for (const int f : folds) {
    double hit_sum = 0.0, mse_sum = 0.0, crps_sum = 0.0;
    int directions = 0, known = 0;
    const bool paired = naive.model >= 0 && naive.model != m &&
                        std::binary_search(naive.folds.begin(), naive.folds.end(), f);
    for (int h = first_day; h < first_day + days; ++h) {
      const double actual = layout.actual(f, h);
      if (std::isnan(actual)) continue;
      const int outcome = direction_outcome(stored.at(stored.forecast_median, m, f, h), actual,
                                            layout.last_price[f]);
      if (outcome >= 0) {  // scored for direction: its hit, and its actual for always-up
        hit_sum += outcome;
        ++directions;
        rises += actual > layout.last_price[f] ? 1.0 : 0.0;
        moves += 1.0;
      }
      if (paired) {
        const double own = stored.at(stored.forecast_mean, m, f, h) - actual;
        const double reference = stored.at(stored.forecast_mean, naive.model, f, h) - actual;
        const double crps = stored.at(stored.crps, m, f, h);
        const double reference_crps = stored.at(stored.crps, naive.model, f, h);
        mse_sum += own * own - reference * reference;
        crps_sum += crps - reference_crps;
        own_squares += own * own;
        naive_squares += reference * reference;
        own_crps += crps;
        naive_crps += reference_crps;
        ++known;
      }
    }
    if (directions > 0) hits.push_back(hit_sum / directions);
    if (known > 0) {
      mse_difference.push_back(mse_sum / known);
      crps_difference.push_back(crps_sum / known);
    }
  }
  const auto vector = [](const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  };
  if (moves > 0) out.always_up = rises / moves;
  if (hits.size() >= 2) {
    const int block = std::min(out.lags + 1, static_cast<int>(hits.size()));
    // A fixed seed per model: the interval does not depend on threads or reruns.
    const BootstrapInterval ci = moving_block_bootstrap(vector(hits), block, 2000, 0x5eedu + m);
    out.direction_ci_low = ci.low;
    out.direction_ci_high = ci.high;
    out.direction_hac_p = hac_direction_test(vector(hits), out.lags).p_value;
  }
  if (!mse_difference.empty()) {
    if (naive_crps > 0.0) out.crps_skill = 1.0 - own_crps / naive_crps;
    if (naive_squares > 0.0) out.rmse_skill = 1.0 - std::sqrt(own_squares / naive_squares);
  }
  if (mse_difference.size() >= 2) {
    out.dm_mse_p = diebold_mariano(vector(mse_difference), out.lags).p_value;
    out.dm_crps_p = diebold_mariano(vector(crps_difference), out.lags).p_value;
  }
}

}  // namespace

std::vector<ModelScores> score_backfill(const StoredForecasts& stored, const StoreLayout& layout) {
  const int M = stored.models, F = stored.folds, H = stored.horizon;
  ARABICA_REQUIRE(layout.actual.rows() == F && layout.actual.cols() == H &&
                      static_cast<int>(layout.models.size()) == M,
                  "score_backfill: the layout does not match the store");
  // What every model's tests share: the naive reference, and each day's
  // folds sharing a horizon (all days pooled take the last day's).
  NaiveReference naive;
  const auto naive_at = std::find(layout.models.begin(), layout.models.end(), "naive");
  if (naive_at != layout.models.end()) {
    naive.model = static_cast<int>(naive_at - layout.models.begin());
    naive.folds = scored_folds(stored, naive.model);
  }
  std::vector<int> lags;
  for (int h = 0; h < H; ++h) lags.push_back(overlap_lags(layout, h));
  std::vector<ModelScores> scores;
  for (int m = 0; m < M; ++m) {
    ModelScores model;
    model.model = layout.models[static_cast<std::size_t>(m)];
    const std::vector<int> scored = scored_folds(stored, m);
    const auto summary = [&](int first_day, int days) {
      RecordColumns columns;
      columns.append(stored, layout, m, scored, first_day, days, false);
      MetricSummary s = summarize(columns.records());
      add_significance(s, stored, layout, m, naive, scored, first_day, days,
                       lags[static_cast<std::size_t>(first_day + days - 1)]);
      return s;
    };
    for (int h = 0; h < H; ++h) model.by_day.push_back(summary(h, 1));
    model.overall = summary(0, H);
    use_last_days_var_backtests(model);
    scores.push_back(std::move(model));
  }
  return scores;
}

std::vector<PhaseScores> score_phases(const StoredForecasts& stored, const StoreLayout& layout,
                                      const FoldPlan& plan) {
  ARABICA_REQUIRE(plan.spec.schedule == CutoffSchedule::every_n_rows &&
                      static_cast<int>(plan.folds.size()) == stored.folds,
                  "score_phases: an every_n_rows plan of the store's folds");
  std::vector<PhaseScores> scores;
  for (int m = 0; m < stored.models; ++m) {
    PhaseScores model;
    model.model = layout.models[static_cast<std::size_t>(m)];
    const std::vector<int> scored = scored_folds(stored, m);
    for (int phase = 0; phase < plan.spec.step_rows; ++phase) {
      std::vector<int> folds;
      for (const int f : scored)
        if (plan.folds[static_cast<std::size_t>(f)].phase == phase) folds.push_back(f);
      RecordColumns columns;
      columns.append(stored, layout, m, folds, 0, stored.horizon, false);
      model.by_phase.push_back(summarize(columns.records()).direction);
    }
    scores.push_back(std::move(model));
  }
  return scores;
}

namespace {

// Whether fold f of model m pools as a fraction of its cutoff price: none
// of its CRPS, quantiles and actuals over the price overflows (NaN: not
// scored yet, no actual).
bool pools_relative(const StoredForecasts& stored, const StoreLayout& layout, int m, int f) {
  const double price = layout.last_price[f];
  for (int h = 0; h < stored.horizon; ++h) {
    if (std::isinf(stored.at(stored.crps, m, f, h) / price) || std::isinf(layout.actual(f, h) / price))
      return false;
    for (int q = 0; q < static_cast<int>(kQuantileLevels.size()); ++q)
      if (std::isinf(stored.quantile(m, f, h, q) / price)) return false;
  }
  return true;
}

}  // namespace

std::vector<ModelScores> pooled_scores(const std::vector<const StoredForecasts*>& stored,
                                       const std::vector<const StoreLayout*>& layouts,
                                       std::vector<PooledLeftOut>* left_out) {
  ARABICA_REQUIRE(!stored.empty() && stored.size() == layouts.size(),
                  "pooled_scores: one layout per series");
  const int H = stored.front()->horizon;
  for (const StoreLayout* layout : layouts)
    ARABICA_REQUIRE(layout->horizon == H, "pooled_scores: series with different horizons");
  std::vector<ModelScores> scores;
  for (const std::string& name : pooled_model_names(layouts)) {
    ModelScores model;
    model.model = name;
    // The series that run this model: (series, model index, scored folds).
    struct Part {
      std::size_t series;
      int m;
      std::vector<int> folds;
    };
    std::vector<Part> parts;
    for (std::size_t j = 0; j < stored.size(); ++j) {
      const auto& models = layouts[j]->models;
      const auto found = std::find(models.begin(), models.end(), name);
      if (found == models.end()) continue;
      const int m = static_cast<int>(found - models.begin());
      Part part{j, m, {}};
      PooledLeftOut out{j, name, {}};
      for (const int f : scored_folds(*stored[j], m))
        (pools_relative(*stored[j], *layouts[j], m, f) ? part.folds : out.folds).push_back(f);
      parts.push_back(std::move(part));
      if (left_out && !out.folds.empty()) left_out->push_back(std::move(out));
    }
    const auto summary = [&](int first_day, int days) {
      RecordColumns columns;
      for (const Part& p : parts)
        columns.append(*stored[p.series], *layouts[p.series], p.m, p.folds, first_day, days, true);
      MetricSummary s = summarize(columns.records());
      s.rmse = s.mae = kNoMetric;  // in each series' own units: no pooled meaning
      return s;
    };
    for (int h = 0; h < H; ++h) model.by_day.push_back(summary(h, 1));
    model.overall = summary(0, H);
    use_last_days_var_backtests(model);
    scores.push_back(std::move(model));
  }
  return scores;
}

StoredMetrics to_stored_metrics(const std::vector<ModelScores>& scores, int horizon) {
  StoredMetrics out;
  const auto M = static_cast<Eigen::Index>(scores.size());
  for (std::size_t v = 0; v < kMetricCount; ++v) {
    Eigen::MatrixXd& values = out.values[v];
    values.resize(M, horizon + 1);
    for (Eigen::Index m = 0; m < M; ++m)
      for (int h = 0; h <= horizon; ++h)
        values(m, h) = kMetricVariables[v].of(h < horizon ? scores[m].by_day[h] : scores[m].overall);
  }
  return out;
}

}  // namespace arabica
