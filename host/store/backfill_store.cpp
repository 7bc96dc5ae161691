#include "arabica/backfill_store.hpp"

#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "arabica/atomic_file.hpp"
#include "arabica/error.hpp"
#include "store/h5_handles.hpp"
#include "store/store_chunks.hpp"
#include "store/writer_lock.hpp"

namespace arabica {

namespace {

using h5::check;
using h5::set_text_attribute;
using h5::text_type;

// netCDF-4's scale NAME for a dimension without coordinate values; netCDF-C
// appends the length in ten columns.
constexpr char kDimensionWithoutVariable[] =
    "This is a netCDF dimension but not a netCDF variable.";
constexpr char kDateUnits[] = "days since 1970-01-01";
constexpr char kDateCalendar[] = "proleptic_gregorian";
constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Every laid-out store is larger (dozens of datasets, each with attributes).
constexpr std::uintmax_t kLargestStub = 4096;
constexpr hsize_t kRecoveryMarginBytes = hsize_t{1} << 20;
// Root attribute of a universe file: its series, a JSON list of group names.
constexpr char kUniverseSeriesAttribute[] = "series";
// A universe's group of scores pooled across its series (not a series name);
// its `series` attribute lists the series pooled.
constexpr char kPooledGroup[] = "pooled";

// Calls run(first fold, count) for each run of consecutive folds in `folds`
// (ascending): one HDF5 call a run rather than one a fold.
template <class Run>
void for_each_run(const std::vector<int>& folds, Run run) {
  for (std::size_t first = 0; first < folds.size();) {
    std::size_t end = first + 1;
    while (end < folds.size() && folds[end] == folds[end - 1] + 1) ++end;
    run(folds[first], end - first);
    first = end;
  }
}

// Per-day variables of every (model, fold): point forecast, then path stats.
// `price`: in the series' price units (CF `units` from StoreLayout::units),
// else a dimensionless ratio ("1").
struct DayVariable {
  const char* name;
  const char* long_name;
  bool price;
};
constexpr DayVariable kDayVariables[] = {
    {"forecast_mean", "Kalman point forecast", true},
    {"forecast_std", "Kalman forecast standard error", true},
    {"lower_95", "lower bound of the 95% prediction interval", true},
    {"upper_95", "upper bound of the 95% prediction interval", true},
    {"forecast_median", "median of the point forecast: forecast_mean for a Gaussian forecast, "
                        "exp(mu) for a model of log prices (whose forecast_mean is exp(mu + s^2/2))",
     true},
    // Not `mean`/`std`: ds.mean and ds.std are xarray methods.
    {"path_mean", "mean of the simulated prices", true},
    {"path_std", "standard deviation of the simulated prices (ddof=0)", true},
    {"skewness", "biased skewness of the simulated prices", false},
    {"kurtosis", "biased excess (Fisher) kurtosis of the simulated prices", false},
    {"p_up", "share of simulated prices above last_price", false},
    {"crps", "sample CRPS of the simulated prices at the actual price", true},
    {"pit", "probability integral transform of the actual price: share of simulated prices "
            "below it (ties counted half)", false},
};
constexpr int kDayVariableCount = sizeof kDayVariables / sizeof kDayVariables[0];

// The fields of a result (ModelFoldResult, const or not) that the
// kDayVariables hold, in their order: one list for reading and writing.
template <class Result>
std::array<decltype(&std::declval<Result&>().forecast.mean), kDayVariableCount> day_fields(Result& r) {
  return {&r.forecast.mean, &r.forecast.std_error, &r.forecast.lower_95, &r.forecast.upper_95,
          &r.forecast.median, &r.stats.mean,    &r.stats.std,          &r.stats.skewness,
          &r.stats.kurtosis, &r.stats.p_up,      &r.stats.crps,         &r.stats.pit};
}
constexpr int kMedianDay = 4;  // forecast_median: forecast_mean where a result has none
static_assert(std::string_view(kDayVariables[kMedianDay].name) == "forecast_median");

// Risk of the horizon return per (model, fold).
struct RiskVariable {
  const char* name;
  const char* long_name;
  double HorizonRisk::*value;
};
constexpr RiskVariable kRiskVariables[] = {
    {"var_95", "95% value at risk of the horizon return (loss fraction of last_price)",
     &HorizonRisk::var_95},
    {"var_99", "99% value at risk of the horizon return (loss fraction of last_price)",
     &HorizonRisk::var_99},
    {"es_95", "95% expected shortfall of the horizon return (loss fraction of last_price)",
     &HorizonRisk::es_95},
    {"es_99", "99% expected shortfall of the horizon return (loss fraction of last_price)",
     &HorizonRisk::es_99},
};

// The fitted family's and volatility model's parameters per (model, fold).
struct FittedVariable {
  const char* name;
  const char* long_name;
  double FittedVariant::*value;
};
constexpr FittedVariable kFittedVariables[] = {
    {"innovation_nu", "degrees of freedom of the fitted student_t or skew_t innovations", &FittedVariant::nu},
    {"innovation_alpha", "slant of the fitted skew_normal or skew_t innovations; tail heaviness of nig",
     &FittedVariant::alpha},
    {"innovation_beta", "asymmetry of the fitted nig innovations", &FittedVariant::beta},
    {"innovation_weight", "weight of the wide component of the fitted mixture", &FittedVariant::weight},
    {"innovation_wide_scale", "sd multiplier of the mixture's wide component", &FittedVariant::wide_scale},
    {"innovation_jump_rate", "expected jumps per step of the fitted jump innovations", &FittedVariant::jump_rate},
    {"innovation_jump_mean", "mean jump in diffusion sds", &FittedVariant::jump_mean},
    {"innovation_jump_sd", "jump sd in diffusion sds", &FittedVariant::jump_sd},
    {"ewma_lambda", "decay of the EWMA volatility", &FittedVariant::ewma_lambda},
    {"garch_alpha", "GARCH(1,1) alpha (weight of the last squared residual)", &FittedVariant::garch_alpha},
    {"garch_beta", "GARCH(1,1) beta (weight of the last variance)", &FittedVariant::garch_beta},
    {"volatility_ratio", "volatility at the cutoff over the fitted sigma (day 1's shock scale)",
     &FittedVariant::volatility_ratio},
};

// Text per (model, fold), null-padded to kFailureReasonBytes.
struct TextVariable {
  const char* name;
  const char* long_name;
  std::string ModelFoldResult::*value;
};
constexpr TextVariable kTextVariables[] = {
    {"failure_reason", "why the fold failed (empty otherwise)", &ModelFoldResult::failure_reason},
    {"innovations", "innovation family fitted at the fold, with its parameters",
     &ModelFoldResult::innovations},
    {"train_data_hash", "FNV-1a of the training window's dates, prices and covariates",
     &ModelFoldResult::train_data_hash},
    {"volatility", "volatility model over the horizon, with its fitted parameters",
     &ModelFoldResult::volatility},
};

struct Dimension {
  std::string name;
  hsize_t size = 0;
  bool unlimited = false;
  h5::Dataset scale;
};

enum class Access {
  write,   // a file this process made, or holds the writer lock of
  resume,  // the same, after a writer that may have been killed
  read,    // SWMR reader beside a running, finished or killed writer
};

// A SWMR reader retries a metadata read whose checksum fails, since the
// writer may be rewriting that block; HDF5's default of 100 attempts with
// doubling sleeps (about 2^attempts ns in all) turns a damaged file into a
// hang of hours. 30 attempts give up after about a second. A writer has the
// file to itself: one attempt.
constexpr unsigned kReaderMetadataReadAttempts = 30;
constexpr unsigned kWriterMetadataReadAttempts = 1;

h5::PropertyList file_access(const std::string& name, Access access = Access::write) {
  const std::string what = "cannot open the file";
  h5::PropertyList fapl(H5Pcreate(H5P_FILE_ACCESS), name, what);
  // Closing then fails instead of silently waiting for a forgotten object.
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), name, what);
  // SWMR needs the 1.10 file format (also readable by netCDF-C and h5py).
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), name, what);
  check(H5Pset_metadata_read_attempts(fapl.get(), access == Access::read
                                                      ? kReaderMetadataReadAttempts
                                                      : kWriterMetadataReadAttempts),
        name, what);
  if (access == Access::resume) {
    // What `h5clear -s` does: a writer killed in SWMR mode leaves the
    // superblock marked open, which would refuse every later open. Only
    // done under the writer lock, so the writer it clears is gone.
    hbool_t clear = 1;
    check(H5Pset(fapl.get(), "clear_status_flags", &clear), name, what);
    // A writer stopped by a full disk may have written the superblock with
    // the end of its allocations but not what lies there (h5clear's
    // --increment skips the same check).
    hbool_t skip_eof_check = 1;
    check(H5Pset(fapl.get(), "skip_eof_check", &skip_eof_check), name, what);
  }
  return fapl;
}

// Builds the whole layout in a new file.
class LayoutWriter {
 public:
  // `loc`: the file (its root group) or a universe series' group.
  LayoutWriter(const std::string& name, hid_t loc)
      : name_(name), file_(loc), text_(text_type(name, 0)) {}

  void write(const StoreLayout& layout);
  // A universe file's root: what it is and its series (JSON list, the
  // groups' names in order).
  void write_universe_root(const std::vector<std::string>& series);
  // A universe's pooled scores (in `file_`, its group): per model name, in
  // order of first appearance over `series`, and day ahead.
  void write_pooled(const std::vector<SeriesLayout>& series);

 private:
  void attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                 const void* value) {
    const std::string what = "cannot write attribute '" + name + "'";
    const h5::Dataspace scalar(H5Screate(H5S_SCALAR), name_, what);
    const h5::Attribute attr(
        H5Acreate2(object, name.c_str(), file_type, scalar.get(), H5P_DEFAULT, H5P_DEFAULT),
        name_, what);
    check(H5Awrite(attr.get(), memory_type, value), name_, what);
  }
  void attribute(hid_t object, const std::string& name, const std::string& value) {
    const char* text = value.c_str();
    attribute(object, name, text_.get(), text_.get(), &text);
  }
  void attribute(hid_t object, const std::string& name, std::int64_t value) {
    attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
  }
  void date_attributes(hid_t object) {
    attribute(object, "units", std::string(kDateUnits));
    attribute(object, "calendar", std::string(kDateCalendar));
  }

  h5::Dataset create(const std::string& name, hid_t file_type,
                     const std::vector<const Dimension*>& dims, bool compress);
  void make_dimension(Dimension& dim, hid_t file_type, const std::string& scale_name) {
    dim.scale = create(dim.name, file_type, {&dim}, false);
    check(H5DSset_scale(dim.scale.get(), scale_name.c_str()), name_,
          "cannot make '" + dim.name + "' a dimension scale");
  }
  void make_anonymous_dimension(Dimension& dim) {
    char scale_name[sizeof kDimensionWithoutVariable + 24];
    std::snprintf(scale_name, sizeof scale_name, "%s%10llu", kDimensionWithoutVariable,
                  static_cast<unsigned long long>(dim.size));
    make_dimension(dim, H5T_IEEE_F32LE, scale_name);
  }
  // A variable with every dimension's scale attached, named long_name, and
  // forecast_date as auxiliary coordinate where it runs over day_ahead.
  // `units`: CF units ("" for none: text, flags, dates that set their own).
  h5::Dataset variable(const std::string& name, const std::string& long_name, hid_t file_type,
                       const std::vector<const Dimension*>& dims, const std::string& units = "",
                       bool compress = false) {
    h5::Dataset dataset = create(name, file_type, dims, compress);
    unsigned index = 0;
    bool by_day = false;
    for (const Dimension* dim : dims) {
      check(H5DSattach_scale(dataset.get(), dim->scale.get(), index++), name_,
            "cannot attach dimension '" + dim->name + "' to '" + name + "'");
      by_day = by_day || dim->name == "day_ahead";
    }
    attribute(dataset.get(), "long_name", long_name);
    if (!units.empty()) attribute(dataset.get(), "units", units);
    if (by_day && name != "forecast_date")
      attribute(dataset.get(), "coordinates", std::string("forecast_date"));
    return dataset;
  }
  // Every metric, (model, day_ahead) and (model) all days pooled.
  void metric_variables(const Dimension& model, const Dimension& day_ahead,
                        const std::string& price_units) {
    for (const MetricVariable& v : kMetricVariables) {
      const std::string units = v.units ? v.units : price_units;
      variable(v.name, v.long_name, H5T_IEEE_F64LE, {&model, &day_ahead}, units);
      variable(std::string(v.name) + "_overall", std::string(v.long_name) + ", all days pooled",
               H5T_IEEE_F64LE, {&model}, units);
    }
  }
  void model_dimension(Dimension& model, const std::vector<std::string>& names) {
    make_dimension(model, text_.get(), model.name);
    std::vector<const char*> text;
    for (const std::string& m : names) text.push_back(m.c_str());
    write_values(model.scale, model.name, text_.get(), text.data());
  }
  void day_ahead_dimension(Dimension& day_ahead) {
    // No time units: xarray would turn day_ahead into timedeltas.
    make_dimension(day_ahead, H5T_STD_I32LE, day_ahead.name);
    attribute(day_ahead.scale.get(), "long_name",
              std::string("forecast step after the cutoff, counted in forecast_calendar days "
                          "(trading: data rows)"));
    std::vector<std::int32_t> steps(day_ahead.size);
    for (hsize_t h = 0; h < day_ahead.size; ++h) steps[h] = static_cast<std::int32_t>(h + 1);
    write_values(day_ahead.scale, "day_ahead", H5T_NATIVE_INT32, steps.data());
  }
  void write_values(const h5::Dataset& dataset, const std::string& name, hid_t memory_type,
                    const void* values) {
    check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), name_,
          "cannot write variable '" + name + "'");
  }

  const std::string& name_;
  hid_t file_;  // where the layout goes: a file's root or a group
  h5::Datatype text_;
};

void LayoutWriter::write_universe_root(const std::vector<std::string>& series) {
  // A new file's root; an existing universe only gets its new series list.
  if (check(H5Aexists(file_, kUniverseSeriesAttribute), name_, "cannot read the root attributes") <= 0) {
    attribute(file_, "Conventions", std::string("CF-1.8"));
    attribute(file_, "schema_version", std::int64_t{kStoreSchemaVersion});
    attribute(file_, "arabica_version", std::string(ARABICA_VERSION));
    attribute(file_, "title", std::string("arabica universe backfill: one group per series"));
  }
  set_text_attribute(file_, kUniverseSeriesAttribute, nlohmann::json(series).dump(), name_);
}

std::string pooled_series_list(const std::vector<SeriesLayout>& series) {
  std::vector<std::string> names;
  for (const SeriesLayout& s : series) names.push_back(s.name);
  return nlohmann::json(names).dump();
}

void LayoutWriter::write_pooled(const std::vector<SeriesLayout>& series) {
  std::vector<const StoreLayout*> layouts;
  for (const SeriesLayout& s : series) layouts.push_back(&s.layout);
  const std::vector<std::string> models = pooled_model_names(layouts);
  attribute(file_, "title", std::string("scores pooled across the series listed in 'series', per "
                                        "model name (crps as a fraction of the cutoff price; "
                                        "rmse and mae have no pooled meaning)"));
  attribute(file_, kUniverseSeriesAttribute, pooled_series_list(series));
  Dimension model{"model", models.size(), false, {}};
  const hsize_t H = static_cast<hsize_t>(series.front().layout.horizon);
  Dimension day_ahead{"day_ahead", H, false, {}};
  model_dimension(model, models);
  day_ahead_dimension(day_ahead);
  metric_variables(model, day_ahead, "1");
}

h5::Dataset LayoutWriter::create(const std::string& name, hid_t file_type,
                                 const std::vector<const Dimension*>& dims, bool compress) {
  const std::string what = "cannot create variable '" + name + "'";
  std::vector<hsize_t> shape, max_shape;
  std::size_t fold_axis = dims.size();
  for (const Dimension* dim : dims) {
    if (dim->unlimited) fold_axis = shape.size();
    shape.push_back(dim->size);
    max_shape.push_back(dim->unlimited ? H5S_UNLIMITED : dim->size);
  }
  const bool chunked = fold_axis < dims.size();
  const int rank = static_cast<int>(shape.size());
  const h5::Dataspace space(H5Screate_simple(rank, shape.data(), max_shape.data()), name_, what);
  const h5::PropertyList dcpl(H5Pcreate(H5P_DATASET_CREATE), name_, what);
  check(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), name_, what);
  // Everything along cutoff is chunked one fold per chunk (StoreChunks::
  // per_fold, as chunk_shape gives it): committing a fold never rewrites a
  // chunk that holds another.
  if (chunked)
    set_chunk_filters(dcpl.get(),
                      chunk_shape(shape, fold_axis, H5Tget_size(file_type), StoreChunks::per_fold),
                      compress, name_, what);
  // A fold not written yet reads as missing, not as a price of 0.
  if (H5Tget_class(file_type) == H5T_FLOAT && rank > 1)
    check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &kNaN), name_, what);
  return h5::Dataset(
      H5Dcreate2(file_, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      name_, what);
}

void LayoutWriter::write(const StoreLayout& layout) {
  const hsize_t M = layout.models.size(), F = layout.cutoffs.size();
  const hsize_t H = static_cast<hsize_t>(layout.horizon);
  const hsize_t S = static_cast<hsize_t>(layout.stored_paths);
  hsize_t P = 1;
  for (const auto& names : layout.param_names) P = std::max<hsize_t>(P, names.size());
  const std::string& price = layout.units;

  attribute(file_, "Conventions", std::string("CF-1.8"));
  attribute(file_, "schema_version", std::int64_t{kStoreSchemaVersion});
  attribute(file_, "arabica_version", std::string(ARABICA_VERSION));
  // "trading": forecast_date is the date of the row each actual comes from.
  attribute(file_, "forecast_calendar",
            std::string(!layout.forecast_dates.empty()                  ? "trading"
                        : layout.calendar == ForecastCalendar::business ? "business"
                                                                        : "calendar"));
  for (const auto& [key, value] : layout.text_attributes) attribute(file_, key, value);
  for (const auto& [key, value] : layout.unsigned_attributes)
    attribute(file_, key, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);

  // Dimensions, in netCDF dimension-id order; one fold per chunk.
  Dimension model{layout.entry_dimension, M, false, {}};
  Dimension cutoff{"cutoff", F, true, {}};
  Dimension day_ahead{"day_ahead", H, false, {}};
  // Not `quantile`: ds.quantile is an xarray method.
  Dimension quantile{"q", kQuantileLevels.size(), false, {}};
  Dimension param{"param", P, false, {}};
  Dimension path{"path", S, false, {}};

  model_dimension(model, layout.models);

  make_dimension(cutoff, H5T_STD_I32LE, cutoff.name);
  attribute(cutoff.scale.get(), "long_name", std::string("forecast origin (data cutoff date)"));
  date_attributes(cutoff.scale.get());
  write_values(cutoff.scale, "cutoff", H5T_NATIVE_INT32, layout.cutoffs.data());

  day_ahead_dimension(day_ahead);

  make_dimension(quantile, H5T_IEEE_F64LE, quantile.name);
  attribute(quantile.scale.get(), "long_name", std::string("quantile level"));
  attribute(quantile.scale.get(), "units", std::string("1"));
  write_values(quantile.scale, quantile.name, H5T_NATIVE_DOUBLE, kQuantileLevels.data());

  make_anonymous_dimension(param);
  // param_cov's second parameter dimension (xarray wants distinct names).
  Dimension param2{"param2", P, false, {}};
  if (layout.param_covariance) make_anonymous_dimension(param2);
  if (S > 0) make_anonymous_dimension(path);

  // Calendar and realised prices: known for the whole plan up front.
  const h5::Dataset dates =
      variable("forecast_date", "date being forecast", H5T_STD_I32LE, {&cutoff, &day_ahead});
  date_attributes(dates.get());
  std::vector<Date> targets = layout.forecast_dates;
  if (targets.empty())
    for (const Date c : layout.cutoffs)
      for (hsize_t h = 1; h <= H; ++h)
        targets.push_back(forecast_date(c, static_cast<int>(h), layout.calendar));
  write_values(dates, "forecast_date", H5T_NATIVE_INT32, targets.data());

  const h5::Dataset last_price =
      variable("last_price", "price at the cutoff", H5T_IEEE_F64LE, {&cutoff}, price);
  write_values(last_price, "last_price", H5T_NATIVE_DOUBLE, layout.last_price.data());
  const h5::Dataset actual = variable("actual", "realised price on forecast_date (NaN: not yet)",
                                      H5T_IEEE_F64LE, {&cutoff, &day_ahead}, price);
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> actual_rows =
      layout.actual;
  write_values(actual, "actual", H5T_NATIVE_DOUBLE, actual_rows.data());

  const h5::Dataset names =
      variable("param_name", "parameter names (statsmodels' order)", text_.get(), {&model, &param});
  std::vector<const char*> name_table;
  for (hsize_t m = 0; m < M; ++m)
    for (hsize_t p = 0; p < P; ++p)
      name_table.push_back(p < layout.param_names[m].size() ? layout.param_names[m][p].c_str() : "");
  write_values(names, "param_name", text_.get(), name_table.data());

  // Per (model, fold) results, NaN (or 0: pending) until written.
  for (const DayVariable& v : kDayVariables)
    variable(v.name, v.long_name, H5T_IEEE_F64LE, {&model, &cutoff, &day_ahead},
             v.price ? price : std::string("1"));
  variable("quantiles", "quantiles of the simulated prices (linear interpolation)", H5T_IEEE_F64LE,
           {&model, &cutoff, &day_ahead, &quantile}, price);
  if (S > 0) {
    const h5::Dataset paths = variable("paths", "leading simulated price paths", H5T_IEEE_F32LE,
                                       {&model, &cutoff, &path, &day_ahead}, price, true);
  }
  for (const RiskVariable& v : kRiskVariables)
    variable(v.name, v.long_name, H5T_IEEE_F64LE, {&model, &cutoff}, "1");
  for (const FittedVariable& v : kFittedVariables)
    variable(v.name, v.long_name, H5T_IEEE_F64LE, {&model, &cutoff}, "1");
  variable("params", "parameters used (constrained, statsmodels' order)", H5T_IEEE_F64LE,
           {&model, &cutoff, &param});
  if (layout.param_covariance)
    variable("param_cov", "covariance of a refit's parameters (registry_cov; NaN: a re-filter)",
             H5T_IEEE_F64LE, {&model, &cutoff, &param, &param2});
  variable("llf", "log-likelihood of the fold's training rows", H5T_IEEE_F64LE, {&model, &cutoff});
  variable("aic", "Akaike information criterion", H5T_IEEE_F64LE, {&model, &cutoff});
  variable("fit_seconds", "wall time of the fit or re-filter", H5T_IEEE_F64LE, {&model, &cutoff},
           "s");
  variable("converged", "1 when the optimiser converged", H5T_STD_I8LE, {&model, &cutoff});
  variable("n_iter", "optimiser iterations", H5T_STD_I32LE, {&model, &cutoff});
  const h5::Dataset trained_on = variable(
      "trained_on", "cutoff of the fit whose parameters are used", H5T_STD_I32LE, {&model, &cutoff});
  date_attributes(trained_on.get());
  const h5::Dataset train_start = variable(
      "train_start", "first date of the training window", H5T_STD_I32LE, {&model, &cutoff});
  date_attributes(train_start.get());
  variable("train_rows", "rows of the training window", H5T_STD_I32LE, {&model, &cutoff}, "1");
  const h5::Dataset status =
      variable("status", "fold status", H5T_STD_I8LE, {&model, &cutoff});
  const std::int8_t flag_values[] = {0, 1, 2, 3};
  {
    const hsize_t four = 4;
    const h5::Dataspace space(H5Screate_simple(1, &four, nullptr), name_, "flag_values");
    const h5::Attribute attr(H5Acreate2(status.get(), "flag_values", H5T_STD_I8LE, space.get(),
                                        H5P_DEFAULT, H5P_DEFAULT),
                             name_, "cannot write attribute 'flag_values'");
    check(H5Awrite(attr.get(), H5T_NATIVE_INT8, flag_values), name_,
          "cannot write attribute 'flag_values'");
  }
  attribute(status.get(), "flag_meanings", std::string("pending trained refiltered failed"));
  const h5::Datatype reason_type = text_type(name_, kFailureReasonBytes);
  for (const TextVariable& v : kTextVariables)
    variable(v.name, v.long_name, reason_type.get(), {&model, &cutoff});

  metric_variables(model, day_ahead, price);

  // No _FillValue, which would make xarray decode it as float; 0 until set.
  variable("fold_complete", "1 once the fold is fully written", H5T_STD_I8LE, {&cutoff});
}

std::vector<hsize_t> dataset_shape(hid_t dataset, const std::string& file, const std::string& name) {
  const h5::Dataspace space(H5Dget_space(dataset), file, "cannot read the shape of '" + name + "'");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> shape(static_cast<std::size_t>(std::max(rank, 0)));
  check(H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr), file,
        "cannot read the shape of '" + name + "'");
  return shape;
}

}  // namespace

// A variable-length text attribute of `loc`; none when absent.
std::optional<std::string> text_attribute(hid_t loc, const char* attribute, const std::string& file) {
  const std::string what = std::string("cannot read attribute '") + attribute + "'";
  if (check(H5Aexists(loc, attribute), file, what) <= 0) return std::nullopt;
  const h5::Attribute attr(H5Aopen(loc, attribute, H5P_DEFAULT), file, what);
  const h5::Datatype type = text_type(file, 0);
  char* text = nullptr;
  check(H5Aread(attr.get(), type.get(), &text), file, what);
  std::string value = text ? text : "";
  H5free_memory(text);
  return value;
}

// The CF units of the prices a store holds (its last_price's), none in a
// store laid out before prices had units. `loc`: a single-series store's
// root or a universe's group.
std::optional<std::string> stored_price_units(hid_t loc, const std::string& path) {
  const std::string what = "cannot read the units of 'last_price'";
  if (check(H5Lexists(loc, "last_price", H5P_DEFAULT), path, what) <= 0) return std::nullopt;
  const h5::Dataset last_price(H5Dopen2(loc, "last_price", H5P_DEFAULT), path, what);
  return text_attribute(last_price.get(), "units", path);
}

// Units are not in the configuration (they label the prices; the fits do
// not see them), so a resumed store checks them by themselves: a run that
// names other units would leave the store's prices labelled with the old.
// `series` names a universe's group in the error ("" a single-series store).
void require_same_units(const std::optional<std::string>& stored, const std::string& path,
                        const std::string& units, const std::string& series = {}) {
  if (!stored || *stored == units) return;
  throw InputError(path, (series.empty() ? std::string("holds") : "series '" + series + "' holds") +
                             " prices in units '" + *stored + "', not '" + units +
                             "': units are set when a store is laid out; use a new --out or the "
                             "store's units");
}

// A killed SWMR writer's superblock keeps the end of allocated space
// (EOA) of its last flush, while chunks it allocated and wrote after that
// may already be in the chunk indexes on disk: new allocations would then
// overlap them ("addr overflow" when an uncommitted fold is rewritten).
// What `h5clear -s -i` does: move the EOA past the end of the file, plus
// h5clear's default 1 MiB for writes the kill cut short.
void recover_allocation_end(hid_t file, const std::string& name, std::uintmax_t file_size) {
  const std::string what = "cannot recover the end of a killed writer's file";
  haddr_t eoa = 0;
  check(H5Fget_eoa(file, &eoa), name, what);
  if (file_size > eoa) check(H5Fincrement_filesize(file, kRecoveryMarginBytes), name, what);
}

// The HDF5 file a store lives in: one store's, or shared by the stores of
// a universe's series (one group each). The writer lock is released, and the
// file closed, when the last store in it lets go.
struct StoreFile {
  WriterLock lock;  // declared first: released after the file is closed
  std::string name;
  h5::File file;
  // A write failed (a full disk): closing would flush again, over the last
  // commit, so the file is abandoned instead (HDF5 does not close it at
  // exit either, see h5_handles.cpp); the writer lock is still released.
  bool broken = false;
  // Opened by a writer (under `lock`) with a store in one-fold chunks: a
  // close for reading rewrites it.
  bool writer = false, per_fold = false;
  // Root text attributes that rewrite sets (record_at_close).
  TextAttributes attributes_at_close;

  ~StoreFile() {
    if (broken) file.abandon();
  }
};

struct BackfillStore::Impl {
  std::shared_ptr<StoreFile> shared;
  std::string name;  // in errors: the file, and the series of a universe
  std::string series;  // a universe series' name; empty: the file's root
  h5::Group group;     // a universe series' group; none: the file's root
  std::string entry = "model";  // first dimension's name
  int models = 0, folds = 0, horizon = 0;
  hsize_t params = 0, stored_paths = 0;
  bool param_cov = false;  // param_cov laid out
  std::map<std::string, h5::Dataset> datasets;

  ~Impl() {
    if (!shared || !shared->broken) return;
    for (auto& entry : datasets) entry.second.abandon();
    group.abandon();
  }

  hid_t file() const { return shared->file.get(); }
  // Where the store's variables and attributes are.
  hid_t root() const { return group.get() >= 0 ? group.get() : file(); }

  // Checks the result of a call that writes to the file.
  template <class Result>
  void check_write(Result result, const std::string& what) {
    if (result >= 0) return;
    shared->broken = true;
    h5::fail(name, what);
  }

  // Opens `file_name`; errors name `path`, the store it is or becomes.
  static std::shared_ptr<StoreFile> open_file(const std::string& file_name, const std::string& path,
                                              unsigned flags, Access access) {
    auto shared = std::make_shared<StoreFile>();
    shared->name = path;
    shared->file = h5::File(H5Fopen(file_name.c_str(), flags, file_access(path, access).get()), path,
                            flags & H5F_ACC_RDWR ? "cannot open the store for writing"
                                                 : "cannot open the store");
    return shared;
  }
  static std::unique_ptr<Impl> open(const std::string& file_name, const std::string& path,
                                    unsigned flags, Access access) {
    auto impl = std::make_unique<Impl>();
    impl->name = path;
    impl->shared = open_file(file_name, path, flags, access);
    return impl;
  }
  // The store of series `series` (its group) in an open universe file.
  static std::unique_ptr<Impl> in_group(std::shared_ptr<StoreFile> shared,
                                        const std::string& series) {
    auto impl = std::make_unique<Impl>();
    impl->name = shared->name + " (series " + series + ")";
    impl->series = series;
    impl->group = h5::Group(H5Gopen2(shared->file.get(), series.c_str(), H5P_DEFAULT), shared->name,
                            "cannot open the group of series '" + series + "'");
    impl->shared = std::move(shared);
    impl->read_shape();
    return impl;
  }

  // Reopens the store at `path` to resume it, under the writer lock:
  // nullptr, with `not_a_store` saying what the file is, when it holds no
  // store and no committed fold, so that it may be replaced. Throws when it
  // cannot be read, holds another configuration or holds folds, or, given
  // `units`, holds prices in other units.
  static std::unique_ptr<Impl> reopen(const std::string& path, const std::string& hash,
                                      std::string& not_a_store, const std::string& units = {});
  // reopen() for a writer: a store in chunks of several folds with folds
  // still to write is first rewritten in one-fold chunks.
  static std::unique_ptr<Impl> reopen_to_write(const std::string& path, const std::string& hash,
                                               std::string& not_a_store, const std::string& units = {});

  // The root config_hash attribute; none in a file that is not a backfill store.
  std::optional<std::string> config_hash() { return text_attribute(root(), "config_hash", name); }

  const h5::Dataset& dataset(const std::string& variable) {
    h5::silence_errors();  // this thread may not have opened the store
    auto found = datasets.find(variable);
    if (found == datasets.end()) {
      const std::string what = "cannot open variable '" + variable + "'";
      // A writer of one-fold chunks writes each chunk whole, once: HDF5's
      // chunk cache (1 MiB a variable) only kept them, and every commit's
      // flush walked every cached chunk of every variable in the file
      // (fold_complete's above all, a few bytes a fold). Without it a
      // chunk goes to the file as it is written.
      const h5::PropertyList access(H5Pcreate(H5P_DATASET_ACCESS), name, what);
      if (shared->writer && shared->per_fold)
        check(H5Pset_chunk_cache(access.get(), 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT), name, what);
      found = datasets
                  .emplace(variable, h5::Dataset(H5Dopen2(root(), variable.c_str(), access.get()), name, what))
                  .first;
    }
    return found->second;
  }

  // Marks the file as open for a writer, with one-fold chunks or not.
  // Variables opened before (with HDF5's chunk cache) are closed, to be
  // opened again as dataset() opens a writer's.
  void mark_writer(bool per_fold) {
    shared->writer = true;
    shared->per_fold = per_fold;
    datasets.clear();
  }

  // The file and memory dataspaces of the block at `start` with extent `count`.
  struct Block {
    hid_t dataset;
    h5::Dataspace file_space, memory;
  };
  Block block(const std::string& variable, const std::vector<hsize_t>& start,
              const std::vector<hsize_t>& count, const std::string& what) {
    const h5::Dataset& d = dataset(variable);
    h5::Dataspace file_space(H5Dget_space(d.get()), name, what);
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                              count.data(), nullptr),
          name, what);
    h5::Dataspace memory(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                         name, what);
    return {d.get(), std::move(file_space), std::move(memory)};
  }
  void write_block(const std::string& variable, hid_t memory_type, const std::vector<hsize_t>& start,
                   const std::vector<hsize_t>& count, const void* values) {
    const std::string what = "cannot write variable '" + variable + "'";
    const Block b = block(variable, start, count, what);
    check_write(
        H5Dwrite(b.dataset, memory_type, b.memory.get(), b.file_space.get(), H5P_DEFAULT, values),
        what);
  }
  // Sets fold_complete for `folds` (any order): one write per run of
  // consecutive folds.
  void flag_complete(std::vector<int> folds) {
    std::sort(folds.begin(), folds.end());
    folds.erase(std::unique(folds.begin(), folds.end()), folds.end());
    ARABICA_REQUIRE(folds.empty() || (folds.front() >= 0 && folds.back() < this->folds),
                    "store commit: fold out of range");
    for_each_run(folds, [&](int first, std::size_t count) {
      const std::vector<std::int8_t> done(count, 1);
      write_block("fold_complete", H5T_NATIVE_INT8, {hsize_t(first)}, {hsize_t(count)}, done.data());
    });
  }
  // Reads the block of a (model, cutoff, ...) variable at `start`.
  void read_block(const std::string& variable, hid_t memory_type, const std::vector<hsize_t>& start,
                  const std::vector<hsize_t>& count, void* values) {
    const std::string what = "cannot read variable '" + variable + "'";
    const Block b = block(variable, start, count, what);
    if (H5Dread(b.dataset, memory_type, b.memory.get(), b.file_space.get(), H5P_DEFAULT, values) < 0)
      read_failed(variable, start[1]);
  }
  // Reads a whole (model, cutoff, ...) or (cutoff) variable.
  template <class T>
  std::vector<T> read_all(const std::string& variable, hid_t memory_type) {
    const h5::Dataset& d = dataset(variable);
    const std::vector<hsize_t> shape = dataset_shape(d.get(), name, variable);
    std::size_t count = 1;
    for (const hsize_t extent : shape) count *= extent;
    std::vector<T> values(count);
    if (H5Dread(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
      // Name the first fold that fails alone (a damaged chunk is one fold's).
      const std::string detail = h5::innermost_error();
      const std::size_t axis = shape.size() > 1 ? 1 : 0;
      std::vector<hsize_t> start(shape.size(), 0), one = shape;
      one[axis] = 1;
      std::vector<T> part(count / std::max<hsize_t>(shape[axis], 1));
      for (hsize_t f = 0; f < shape[axis]; ++f) {
        start[axis] = f;
        const Block b = block(variable, start, one, "cannot read variable '" + variable + "'");
        if (H5Dread(b.dataset, memory_type, b.memory.get(), b.file_space.get(), H5P_DEFAULT,
                    part.data()) < 0)
          read_failed(variable, f);
      }
      throw Error(name + ": cannot read variable '" + variable + "': " + detail);
    }
    return values;
  }
  // A failed read of `variable` at `fold` (HDF5's error, e.g. a Fletcher32
  // checksum mismatch, still on the stack).
  [[noreturn]] void read_failed(const std::string& variable, hsize_t fold) {
    const std::string detail = h5::innermost_error();
    throw Error(name + ": cannot read variable '" + variable + "' at " + describe_fold(fold) +
                describe_chunk(variable, fold) + (detail.empty() ? "" : ": " + detail));
  }
  // The chunk shape of a chunked (model, cutoff, ...) or (cutoff) variable.
  std::vector<hsize_t> chunk_of(const std::string& variable) {
    const std::string what = "cannot read the chunks of '" + variable + "'";
    const h5::Dataset& d = dataset(variable);
    const h5::PropertyList dcpl(H5Dget_create_plist(d.get()), name, what);
    std::vector<hsize_t> chunk(dataset_shape(d.get(), name, variable).size(), 1);
    check(H5Pget_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), name, what);
    return chunk;
  }
  // ", whose chunk holds folds A-B" where `variable` is chunked for reading:
  // a damaged chunk takes its other folds with it.
  std::string describe_chunk(const std::string& variable, hsize_t fold) {
    try {
      const std::vector<hsize_t> shape = dataset_shape(dataset(variable).get(), name, variable);
      const std::vector<hsize_t> chunk = chunk_of(variable);
      if (shape.empty()) return "";
      const std::size_t axis = shape.size() > 1 ? 1 : 0;
      if (chunk[axis] <= 1) return "";
      const hsize_t first = fold / chunk[axis] * chunk[axis];
      const hsize_t last = std::min(first + chunk[axis], shape[axis]) - 1;
      return ", whose chunk holds folds " + std::to_string(first) + "-" + std::to_string(last);
    } catch (const Error&) {
      return "";
    }
  }
  // "fold F (cutoff YYYY-MM-DD)", without the date where even that is unreadable.
  std::string describe_fold(hsize_t fold) {
    std::string text = "fold " + std::to_string(fold);
    std::int32_t cutoff = 0;
    const std::string what = "cannot read variable 'cutoff'";
    try {
      const Block b = block("cutoff", {fold}, {1}, what);
      if (H5Dread(b.dataset, H5T_NATIVE_INT32, b.memory.get(), b.file_space.get(), H5P_DEFAULT,
                  &cutoff) >= 0)
        text += " (cutoff " + format_date(cutoff) + ")";
    } catch (const Error&) {
    }
    return text;
  }

  void recover_allocation_end(std::uintmax_t file_size) {
    arabica::recover_allocation_end(file(), name, file_size);
  }

  // fold_complete, each flag strictly 0 or 1: anything else is damage,
  // not a commit.
  std::vector<std::int8_t> complete_flags() {
    std::vector<std::int8_t> flags = read_all<std::int8_t>("fold_complete", H5T_NATIVE_INT8);
    for (std::size_t f = 0; f < flags.size(); ++f)
      if (flags[f] != 0 && flags[f] != 1)
        throw Error(name + ": fold_complete of " + describe_fold(f) + " is " +
                    std::to_string(flags[f]) + ", not 0 or 1: the store is damaged");
    return flags;
  }

  void flush() { check_write(H5Fflush(file(), H5F_SCOPE_GLOBAL), "cannot flush the file"); }

  // Every metric variable: model x (horizon + 1) values, the last column
  // all days pooled.
  void write_metric_variables(const StoredMetrics& metrics) {
    const hsize_t M = static_cast<hsize_t>(models), H = static_cast<hsize_t>(horizon);
    for (const MetricVariable& v : kMetricVariables) {
      const Eigen::MatrixXd& values = metrics[v.name];
      ARABICA_REQUIRE(values.rows() == models && values.cols() == horizon + 1,
                      "store metrics: model x (horizon + 1) values expected");
      const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> by_day =
          values.leftCols(horizon);
      const Eigen::VectorXd overall = values.col(horizon);
      write_block(v.name, H5T_NATIVE_DOUBLE, {0, 0}, {M, H}, by_day.data());
      write_block(std::string(v.name) + "_overall", H5T_NATIVE_DOUBLE, {0}, {M}, overall.data());
    }
  }
  // H5Fflush hands data to the OS; only fsync makes it durable.
  void sync() {
    flush();
    const h5::PropertyList fapl(H5Fget_access_plist(file()), name, "cannot sync the file");
    int* fd = nullptr;
    check(H5Fget_vfd_handle(file(), fapl.get(), reinterpret_cast<void**>(&fd)), name,
          "cannot sync the file");
    if (fd && ::fsync(*fd) != 0) {
      shared->broken = true;
      throw Error(name + ": cannot sync the file: " + std::strerror(errno));
    }
  }

  void read_shape() {
    if (check(H5Lexists(root(), "scenario", H5P_DEFAULT), name, "scenario") > 0)
      entry = "scenario";
    models = static_cast<int>(dataset_shape(dataset(entry).get(), name, entry)[0]);
    folds = static_cast<int>(dataset_shape(dataset("cutoff").get(), name, "cutoff")[0]);
    horizon = static_cast<int>(dataset_shape(dataset("day_ahead").get(), name, "day_ahead")[0]);
    params = dataset_shape(dataset("params").get(), name, "params")[2];
    const htri_t has_paths = check(H5Lexists(root(), "paths", H5P_DEFAULT), name, "paths");
    stored_paths = has_paths > 0 ? dataset_shape(dataset("paths").get(), name, "paths")[2] : 0;
    param_cov = check(H5Lexists(root(), "param_cov", H5P_DEFAULT), name, "param_cov") > 0;
  }

  // The parameter covariance written for (model, fold), its `used` x `used`
  // corner (the model's parameters); empty where none is laid out or written.
  Eigen::MatrixXd param_covariance(int model, int fold, Eigen::Index used) {
    if (!param_cov || used == 0) return {};
    const auto P = static_cast<Eigen::Index>(params);
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> padded(P, P);
    read_block("param_cov", H5T_NATIVE_DOUBLE, {hsize_t(model), hsize_t(fold), 0, 0}, {1, 1, params, params},
               padded.data());
    if (std::isnan(padded(0, 0))) return {};  // none written (a re-filter, a failure)
    return padded.topLeftCorner(used, used);
  }

  // The (model, fold) variables: what write() writes, copy_folds copies.
  std::vector<std::string> fold_variables() const {
    std::vector<std::string> variables;
    for (const DayVariable& v : kDayVariables) variables.push_back(v.name);
    for (const RiskVariable& v : kRiskVariables) variables.push_back(v.name);
    for (const FittedVariable& v : kFittedVariables) variables.push_back(v.name);
    for (const TextVariable& v : kTextVariables) variables.push_back(v.name);
    for (const char* name : {"quantiles", "params", "llf", "aic", "fit_seconds", "converged", "n_iter",
                             "trained_on", "train_start", "train_rows", "status"})
      variables.push_back(name);
    if (stored_paths > 0) variables.push_back("paths");
    if (param_cov) variables.push_back("param_cov");
    return variables;
  }
  // What a merge takes from the shard that committed a fold: its values,
  // and the commit itself.
  std::vector<std::string> merged_variables() const {
    std::vector<std::string> variables = fold_variables();
    variables.push_back("fold_complete");
    return variables;
  }

  // One fold per chunk (fold_complete's; every variable along cutoff is
  // chunked alike).
  bool chunked_per_fold() { return chunk_of("fold_complete")[0] == 1; }
  // Chunks of several folds of which some are to be written: the store must
  // go back to one-fold chunks first.
  bool must_rechunk_for_writing() {
    if (chunked_per_fold()) return false;
    const std::vector<std::int8_t> flags = complete_flags();
    return std::find(flags.begin(), flags.end(), std::int8_t{0}) != flags.end();
  }
};

BackfillStore::BackfillStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BackfillStore::BackfillStore(BackfillStore&&) noexcept = default;
BackfillStore& BackfillStore::operator=(BackfillStore&&) noexcept = default;
BackfillStore::~BackfillStore() = default;

namespace {

void require_valid_layout(const StoreLayout& layout) {
  const auto F = static_cast<Eigen::Index>(layout.cutoffs.size());
  ARABICA_REQUIRE(!layout.models.empty() && layout.param_names.size() == layout.models.size(),
                  "store layout: one parameter name list per model");
  ARABICA_REQUIRE(layout.horizon >= 1, "store layout: horizon must be at least 1");
  ARABICA_REQUIRE(!layout.units.empty(), "store layout: units must not be empty (\"1\": unknown)");
  ARABICA_REQUIRE(layout.stored_paths >= 0, "store layout: stored paths must not be negative");
  ARABICA_REQUIRE(layout.actual.rows() == F && layout.actual.cols() == layout.horizon &&
                      layout.last_price.size() == F,
                  "store layout: actual and last_price must cover every fold");
  ARABICA_REQUIRE(std::is_sorted(layout.cutoffs.begin(), layout.cutoffs.end()),
                  "store layout: cutoffs must ascend");
  ARABICA_REQUIRE(layout.forecast_dates.empty() ||
                      layout.forecast_dates.size() == layout.cutoffs.size() * layout.horizon,
                  "store layout: forecast_dates must cover every (fold, day)");
}

// A new, empty file at `file_name` whose root tracks creation order (netCDF-4).
h5::File create_file(const std::string& file_name, const std::string& path) {
  const std::string what = "cannot create the file";
  const h5::PropertyList fcpl(H5Pcreate(H5P_FILE_CREATE), path, what);
  check(H5Pset_link_creation_order(fcpl.get(), kCreationOrder), path, what);
  check(H5Pset_attr_creation_order(fcpl.get(), kCreationOrder), path, what);
  return h5::File(
      H5Fcreate(file_name.c_str(), H5F_ACC_TRUNC, fcpl.get(), file_access(path).get()), path,
      what);
}

// Lays out the whole store in `file_name`, a new or empty file; errors name
// `path`, the store it becomes.
void write_layout(const std::string& file_name, const std::string& path,
                  const StoreLayout& layout) {
  h5::File file = create_file(file_name, path);
  LayoutWriter(path, file.get()).write(layout);
  file.close(path, "cannot finish laying out the file");
}

// A new group of the universe file, tracking creation order (netCDF-4).
h5::Group create_group(hid_t file, const std::string& path, const std::string& name,
                       const std::string& what) {
  const h5::PropertyList gcpl(H5Pcreate(H5P_GROUP_CREATE), path, what);
  check(H5Pset_link_creation_order(gcpl.get(), kCreationOrder), path, what);
  check(H5Pset_attr_creation_order(gcpl.get(), kCreationOrder), path, what);
  return h5::Group(H5Gcreate2(file, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), path, what);
}

// A universe series' group, laid out as a whole store.
void lay_out_series(hid_t file, const std::string& path, const SeriesLayout& series) {
  const h5::Group group =
      create_group(file, path, series.name, "cannot create the group of series '" + series.name + "'");
  LayoutWriter(path, group.get()).write(series.layout);
}

// Adds `added` to the universe in `file_name`, a new file or a copy of the
// store at `path`, lists `all` as its series and lays out the scores pooled
// across `pooled` (replacing those of another set of series).
void write_universe(const std::string& file_name, const std::string& path, bool copy,
                    const std::vector<SeriesLayout>& added, const std::vector<std::string>& all,
                    const std::vector<SeriesLayout>& pooled) {
  // An added series whose group is there (an extension's) is laid out anew.
  const auto lay_out_anew = [&](hid_t file, const SeriesLayout& series) {
    const std::string what = "cannot replace the group of series '" + series.name + "'";
    if (check(H5Lexists(file, series.name.c_str(), H5P_DEFAULT), path, what) > 0)
      check(H5Ldelete(file, series.name.c_str(), H5P_DEFAULT), path, what);
    lay_out_series(file, path, series);
  };
  h5::File file;
  if (copy) {
    // The copy of a killed writer's file carries its open-for-write marks
    // and, maybe, allocations past its recorded end.
    file = h5::File(H5Fopen(file_name.c_str(), H5F_ACC_RDWR, file_access(path, Access::resume).get()),
                    path, "cannot open a copy of the store");
    recover_allocation_end(file.get(), path, std::filesystem::file_size(file_name));
  } else {
    file = create_file(file_name, path);
  }
  LayoutWriter(path, file.get()).write_universe_root(all);
  for (const SeriesLayout& series : added) lay_out_anew(file.get(), series);
  const std::string what = "cannot lay out the pooled scores";
  if (check(H5Lexists(file.get(), kPooledGroup, H5P_DEFAULT), path, what) > 0)
    check(H5Ldelete(file.get(), kPooledGroup, H5P_DEFAULT), path, what);
  LayoutWriter(path, create_group(file.get(), path, kPooledGroup, what).get()).write_pooled(pooled);
  file.close(path, "cannot finish laying out the file");
}

// Rewrites the store file at `path` with `chunks` (copy_rechunked): a copy
// beside it, fsynced and renamed onto it. The caller holds the writer lock
// and has just closed the file (a writer killed before would have left it
// marked open for writing: the writer's reopen cleared that).
void rechunk_atomically(const std::string& path, StoreChunks chunks, const TextAttributes& root_attributes = {},
                        const FoldOverlay* overlay = nullptr) {
  remove_stale_temporaries(path);
  const std::string what = chunks == StoreChunks::for_reading ? "cannot rewrite it for reading"
                                                              : "cannot rewrite it for writing";
  replace_file_atomically(path, [&](const std::string& temp) {
    const h5::File source(H5Fopen(path.c_str(), H5F_ACC_RDONLY, file_access(path).get()), path,
                          what);
    h5::File target = create_file(temp, path);
    copy_rechunked(source.get(), target.get(), path, chunks, overlay, root_attributes);
    target.close(path, what);
    // Test hook (store_fault_kill_during_rewrite): ARABICA_FAULT_KILL_IN_REWRITE
    // set kills the process with the copy for reading written, not renamed.
    if (chunks == StoreChunks::for_reading && std::getenv("ARABICA_FAULT_KILL_IN_REWRITE"))
      std::raise(SIGKILL);
  });
}

// A new store appears whole or not at all: laid out under a temporary name
// beside `path`, fsynced, renamed onto it. Temporaries of creations that
// were killed are removed first (the caller holds the writer lock, so no
// live creation owns them).
void lay_out_atomically(const std::string& path, const StoreLayout& layout) {
  remove_stale_temporaries(path);
  replace_file_atomically(path, [&](const std::string& temp) { write_layout(temp, path, layout); });
}

bool has_hdf5_signature(const std::string& path) {
  constexpr char kSignature[] = "\x89HDF\r\n\x1a\n";
  char head[sizeof kSignature - 1] = {};
  std::ifstream in(path, std::ios::binary);
  return in.read(head, sizeof head) && std::memcmp(head, kSignature, sizeof head) == 0;
}


}  // namespace

std::unique_ptr<BackfillStore::Impl> BackfillStore::Impl::reopen(const std::string& path,
                                                                 const std::string& hash,
                                                                 std::string& not_a_store,
                                                                 const std::string& units) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw Error(path + ": " + error.message());
  if (size == 0) {
    not_a_store = "an empty file";
    return nullptr;
  }
  if (!has_hdf5_signature(path))
    throw InputError(path, "exists and is not an HDF5 file; not overwriting it");
  // Smaller than any laid-out store: the superblock alone, left by an
  // earlier arabica's creation killed early. Anything larger may hold folds:
  // what keeps it from opening is reported, it is not replaced.
  if (size < kLargestStub) {
    not_a_store = "a " + std::to_string(size) + "-byte HDF5 stub";
    return nullptr;
  }
  std::unique_ptr<Impl> impl = open(path, path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, Access::resume);
  const std::string what = "cannot read the store's root group";
  if (check(H5Aexists(impl->root(), kUniverseSeriesAttribute), path, what) > 0)
    throw InputError(path, "is a universe store (one group per series), not a single-series "
                           "store; not replacing it");
  // fold_complete is laid out last: without it no fold was ever committed.
  if (check(H5Lexists(impl->root(), "fold_complete", H5P_DEFAULT), path, what) <= 0) {
    not_a_store = "an HDF5 file laid out in part (no fold_complete)";
    return nullptr;
  }
  const std::optional<std::string> stored = impl->config_hash();
  if (!stored) {
    const std::vector<std::int8_t> flags = impl->complete_flags();
    const auto committed = std::count(flags.begin(), flags.end(), std::int8_t{1});
    if (committed > 0)
      throw InputError(path, "has no config_hash attribute but " + std::to_string(committed) +
                                 " committed folds; not replacing it");
    not_a_store = "an HDF5 file without config_hash or committed folds";
    return nullptr;
  }
  if (*stored != hash)
    throw InputError(path, "was written with another configuration (config_hash " + *stored +
                               ", this run " + hash +
                               "); use a new --out or the original settings");
  if (!units.empty()) require_same_units(stored_price_units(impl->root(), path), path, units);
  impl->recover_allocation_end(size);
  impl->read_shape();
  return impl;
}

std::unique_ptr<BackfillStore::Impl> BackfillStore::Impl::reopen_to_write(
    const std::string& path, const std::string& hash, std::string& not_a_store, const std::string& units) {
  std::unique_ptr<Impl> impl = reopen(path, hash, not_a_store, units);
  if (impl && impl->must_rechunk_for_writing()) {
    impl.reset();  // closed: nothing was written
    rechunk_atomically(path, StoreChunks::per_fold);
    impl = reopen(path, hash, not_a_store, units);
  }
  if (impl) impl->mark_writer(impl->chunked_per_fold());
  return impl;
}

BackfillStore BackfillStore::create(const std::string& path, const StoreLayout& layout) {
  require_valid_layout(layout);
  h5::silence_errors();
  WriterLock lock(path);
  if (std::filesystem::exists(path)) throw Error(path + ": already exists; not overwriting it");
  return lay_out_and_open(path, layout, std::move(lock));
}

BackfillStore BackfillStore::lay_out_and_open(const std::string& path, const StoreLayout& layout,
                                              WriterLock lock) {
  lay_out_atomically(path, layout);
  // Every dataset and scale exists now: reopen for SWMR writing.
  auto impl = Impl::open(path, path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, Access::write);
  impl->shared->lock = std::move(lock);
  impl->mark_writer(true);
  impl->read_shape();
  return BackfillStore(std::move(impl));
}

BackfillStore BackfillStore::open_for_writing(const std::string& path, const StoreLayout& layout) {
  require_valid_layout(layout);
  h5::silence_errors();
  WriterLock lock(path);
  if (std::filesystem::exists(path)) {
    std::string not_a_store;
    std::unique_ptr<Impl> impl =
        Impl::reopen_to_write(path, layout.text_attribute("config_hash"), not_a_store, layout.units);
    if (impl) {
      impl->shared->lock = std::move(lock);
      return BackfillStore(std::move(impl));
    }
    std::cerr << "arabica: warning: " << path << " is " << not_a_store
              << ", not a store with committed folds; replacing it\n";
  }
  return lay_out_and_open(path, layout, std::move(lock));
}

const std::string& StoreLayout::text_attribute(const std::string& key) const {
  for (const auto& [name, value] : text_attributes)
    if (name == key) return value;
  throw ContractError("store layout without the '" + key + "' attribute");
}

std::optional<std::string> BackfillStore::stored_config(const std::string& path) {
  h5::silence_errors();
  auto impl = Impl::open(path, path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, Access::read);
  return text_attribute(impl->root(), "config", path);
}

BackfillStore BackfillStore::extend(const std::string& path, const StoreLayout& layout,
                                    const std::vector<int>& keep, const std::string& expected_config,
                                    const std::string& source) {
  require_valid_layout(layout);
  h5::silence_errors();
  WriterLock lock(path);
  remove_stale_temporaries(path);
  const std::string& from = source.empty() ? path : source;
  {
    // The old store as a reader would see it (a killed writer's too); the
    // new one written whole beside it, then renamed over it.
    auto old_impl = Impl::open(from, from, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, Access::read);
    if (text_attribute(old_impl->root(), "config", from) != expected_config)
      throw Error(from + ": was changed by another writer while being extended; run again");
    require_same_units(stored_price_units(old_impl->root(), from), from, layout.units);
    old_impl->read_shape();
    const std::optional<std::string> run_log = text_attribute(old_impl->root(), kRunLogAttribute, from);
    const BackfillStore old(std::move(old_impl));
    replace_file_atomically(path, [&](const std::string& temp) {
      write_layout(temp, path, layout);
      auto impl = Impl::open(temp, path, H5F_ACC_RDWR, Access::write);
      if (run_log) set_text_attribute(impl->root(), kRunLogAttribute, *run_log, path);  // the store's history
      impl->read_shape();
      BackfillStore extended(std::move(impl));
      extended.copy_folds(old, keep);
      const std::int8_t done = 1;
      for (const int fold : keep)
        extended.impl_->write_block("fold_complete", H5T_NATIVE_INT8, {hsize_t(fold)}, {1}, &done);
      extended.close();
      // Test hook (store_fault_kill_during_extension): ARABICA_FAULT_KILL_IN_EXTEND
      // set kills the process with the extended copy written, not renamed.
      if (std::getenv("ARABICA_FAULT_KILL_IN_EXTEND")) std::raise(SIGKILL);
    });
  }
  auto impl = Impl::open(path, path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, Access::write);
  impl->shared->lock = std::move(lock);
  impl->mark_writer(true);
  impl->read_shape();
  return BackfillStore(std::move(impl));
}

BackfillStore BackfillStore::create_in_temporary(const std::string& temp, const std::string& path,
                                                 const StoreLayout& layout) {
  require_valid_layout(layout);
  h5::silence_errors();
  write_layout(temp, path, layout);
  auto impl = Impl::open(temp, path, H5F_ACC_RDWR, Access::write);
  impl->read_shape();
  return BackfillStore(std::move(impl));
}

BackfillStore BackfillStore::resume(const std::string& path, const std::string& config_hash) {
  h5::silence_errors();
  WriterLock lock(path);
  std::string not_a_store;
  std::unique_ptr<Impl> impl = Impl::reopen_to_write(path, config_hash, not_a_store);
  if (!impl) throw InputError(path, "is " + not_a_store + ", not a backfill store");
  impl->shared->lock = std::move(lock);
  return BackfillStore(std::move(impl));
}

BackfillStore BackfillStore::open_read_only(const std::string& path) {
  h5::silence_errors();
  // SWMR reading also opens a store whose writer is running or was killed
  // (its superblock still marked open for SWMR writing).
  auto impl = Impl::open(path, path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, Access::read);
  impl->read_shape();
  return BackfillStore(std::move(impl));
}

namespace {

// The values of a variable-length UTF-8 text variable, row-major.
std::vector<std::string> read_texts(hid_t dataset, const std::string& file, const std::string& variable) {
  const std::string what = "cannot read variable '" + variable + "'";
  const h5::Dataspace space(H5Dget_space(dataset), file, what);
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0) throw Error(file + ": " + what);
  std::vector<char*> pointers(static_cast<std::size_t>(count), nullptr);
  const h5::Datatype type = text_type(file, 0);
  if (count > 0 && H5Dread(dataset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
    throw Error(file + ": " + what);
  std::vector<std::string> out;
  for (char* text : pointers) out.emplace_back(text ? text : "");
  if (count > 0) H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, pointers.data());
  return out;
}

}  // namespace

std::vector<std::string> BackfillStore::model_names() const {
  return read_texts(impl_->dataset(impl_->entry).get(), impl_->name, impl_->entry);
}

std::vector<Date> BackfillStore::cutoffs() const {
  const std::vector<std::int32_t> days = impl_->read_all<std::int32_t>("cutoff", H5T_NATIVE_INT32);
  return std::vector<Date>(days.begin(), days.end());
}

std::vector<std::string> BackfillStore::param_names(int model) const {
  ARABICA_REQUIRE(model >= 0 && model < impl_->models, "param_names: model out of range");
  const std::vector<std::string> all = read_texts(impl_->dataset("param_name").get(), impl_->name, "param_name");
  const auto P = static_cast<std::ptrdiff_t>(impl_->params);
  std::vector<std::string> names(all.begin() + model * P, all.begin() + (model + 1) * P);
  while (!names.empty() && names.back().empty()) names.pop_back();
  return names;
}

std::optional<std::string> BackfillStore::root_text(const std::string& attribute) const {
  return text_attribute(impl_->root(), attribute.c_str(), impl_->name);
}

std::optional<std::string> BackfillStore::file_text(const std::string& attribute) const {
  return text_attribute(impl_->file(), attribute.c_str(), impl_->name);
}

void BackfillStore::record_at_close(const std::string& attribute, const std::string& value) {
  ARABICA_REQUIRE(impl_->shared && impl_->shared->writer, "record_at_close: a store open for writing");
  auto& pending = impl_->shared->attributes_at_close;
  pending.erase(std::remove_if(pending.begin(), pending.end(), [&](const auto& p) { return p.first == attribute; }),
                pending.end());
  pending.emplace_back(attribute, value);
}

int BackfillStore::models() const { return impl_->models; }
int BackfillStore::folds() const { return impl_->folds; }
int BackfillStore::horizon() const { return impl_->horizon; }

std::vector<std::int8_t> BackfillStore::fold_complete() const { return impl_->complete_flags(); }

FoldStatus BackfillStore::status(int model, int fold) const {
  std::int8_t value = 0;
  impl_->read_block("status", H5T_NATIVE_INT8, {hsize_t(model), hsize_t(fold)}, {1, 1}, &value);
  return static_cast<FoldStatus>(value);
}

Eigen::VectorXd BackfillStore::params(int model, int fold) const {
  Eigen::VectorXd values(static_cast<Eigen::Index>(impl_->params));
  impl_->read_block("params", H5T_NATIVE_DOUBLE, {hsize_t(model), hsize_t(fold), 0},
                    {1, 1, impl_->params}, values.data());
  // Models with fewer parameters than the widest leave NaN padding.
  Eigen::Index used = values.size();
  while (used > 0 && std::isnan(values[used - 1])) --used;
  return values.head(used);
}

bool BackfillStore::has_param_covariance() const { return impl_->param_cov; }

Eigen::MatrixXd BackfillStore::param_covariance(int model, int fold) const {
  ARABICA_REQUIRE(model >= 0 && model < impl_->models && fold >= 0 && fold < impl_->folds,
                  "param_covariance: model or fold out of range");
  return impl_->param_covariance(model, fold, params(model, fold).size());
}

ModelFoldResult BackfillStore::read(int model, int fold) const {
  Impl& s = *impl_;
  ARABICA_REQUIRE(model >= 0 && model < s.models && fold >= 0 && fold < s.folds,
                  "store read: model or fold out of range");
  const hsize_t m = static_cast<hsize_t>(model), f = static_cast<hsize_t>(fold);
  const hsize_t H = static_cast<hsize_t>(s.horizon);
  ModelFoldResult r;
  std::int8_t status = 0, converged = 0;
  s.read_block("status", H5T_NATIVE_INT8, {m, f}, {1, 1}, &status);
  r.status = static_cast<FoldStatus>(status);
  s.read_block("fit_seconds", H5T_NATIVE_DOUBLE, {m, f}, {1, 1}, &r.fit_seconds);
  s.read_block("trained_on", H5T_NATIVE_INT32, {m, f}, {1, 1}, &r.trained_on);
  s.read_block("train_start", H5T_NATIVE_INT32, {m, f}, {1, 1}, &r.train_start);
  std::int32_t train_rows = 0;
  s.read_block("train_rows", H5T_NATIVE_INT32, {m, f}, {1, 1}, &train_rows);
  r.train_rows = train_rows;
  const h5::Datatype text = text_type(s.name, kFailureReasonBytes);
  for (const TextVariable& v : kTextVariables) {
    char value[kFailureReasonBytes + 1] = {};
    s.read_block(v.name, text.get(), {m, f}, {1, 1}, value);
    r.*(v.value) = value;
  }
  if (r.status == FoldStatus::failed || r.status == FoldStatus::pending) return r;

  const auto day_values = day_fields(r);
  for (int i = 0; i < kDayVariableCount; ++i) {
    day_values[i]->resize(s.horizon);
    s.read_block(kDayVariables[i].name, H5T_NATIVE_DOUBLE, {m, f, 0}, {1, 1, H},
                 day_values[i]->data());
  }
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> by_level(
      s.horizon, static_cast<Eigen::Index>(kQuantileLevels.size()));
  s.read_block("quantiles", H5T_NATIVE_DOUBLE, {m, f, 0, 0},
               {1, 1, H, static_cast<hsize_t>(kQuantileLevels.size())}, by_level.data());
  r.stats.quantiles = by_level;
  r.stats.stored.resize(static_cast<std::size_t>(s.stored_paths * H));
  if (s.stored_paths > 0)
    s.read_block("paths", H5T_NATIVE_FLOAT, {m, f, 0, 0}, {1, 1, s.stored_paths, H},
                 r.stats.stored.data());
  std::uint64_t n_paths = 0;
  {
    const std::string what = "cannot read attribute 'n_paths'";
    const h5::Attribute attr(H5Aopen(s.root(), "n_paths", H5P_DEFAULT), s.name, what);
    check(H5Aread(attr.get(), H5T_NATIVE_UINT64, &n_paths), s.name, what);
  }
  r.stats.n_paths = static_cast<std::int64_t>(n_paths);
  r.params = params(model, fold);
  r.param_covariance = s.param_covariance(model, fold, r.params.size());
  for (const RiskVariable& v : kRiskVariables)
    s.read_block(v.name, H5T_NATIVE_DOUBLE, {m, f}, {1, 1}, &(r.risk.*(v.value)));
  for (const FittedVariable& v : kFittedVariables)
    s.read_block(v.name, H5T_NATIVE_DOUBLE, {m, f}, {1, 1}, &(r.fitted.*(v.value)));
  s.read_block("llf", H5T_NATIVE_DOUBLE, {m, f}, {1, 1}, &r.llf);
  s.read_block("aic", H5T_NATIVE_DOUBLE, {m, f}, {1, 1}, &r.aic);
  s.read_block("converged", H5T_NATIVE_INT8, {m, f}, {1, 1}, &converged);
  r.converged = converged != 0;
  std::int32_t iterations = 0;
  s.read_block("n_iter", H5T_NATIVE_INT32, {m, f}, {1, 1}, &iterations);
  r.iterations = iterations;
  return r;
}

void BackfillStore::write(int model, int fold, const ModelFoldResult& result) {
  write_models(model, 1, fold, 1, [&](std::size_t, std::size_t) -> const ModelFoldResult& { return result; });
}

void BackfillStore::write_fold(int fold, const std::vector<ModelFoldResult>& results) {
  write_folds(fold, {&results});
}

void BackfillStore::write_folds(int first_fold, const std::vector<const std::vector<ModelFoldResult>*>& folds) {
  ARABICA_REQUIRE(!folds.empty(), "store write: no fold");
  for (const std::vector<ModelFoldResult>* results : folds)
    ARABICA_REQUIRE(results && static_cast<int>(results->size()) == models(),
                    "store write: one result per model of the store");
  write_models(0, static_cast<std::size_t>(models()), first_fold, folds.size(),
               [&](std::size_t model, std::size_t fold) -> const ModelFoldResult& { return (*folds[fold])[model]; });
}

// Models first .. first + n - 1 of folds fold .. fold + k - 1, each variable
// in one write: a one-fold chunk holds every model, so writing them
// together fills each chunk at once, and HDF5's cost per call is paid once
// a run of folds (a warm-start chain's arrive together), not once a fold.
// What a model does not have (a failed fit's values, a re-filter's
// covariance) is written as the layout's fill, as if left unwritten; a fold
// where no model has values is left unwritten but for its fit seconds,
// status and texts.
void BackfillStore::write_models(int first, std::size_t n, int fold, std::size_t k,
                                 const std::function<const ModelFoldResult&(std::size_t, std::size_t)>& result) {
  Impl& s = *impl_;
  ARABICA_REQUIRE(first >= 0 && n >= 1 && first + static_cast<std::int64_t>(n) <= s.models && fold >= 0 &&
                      k >= 1 && fold + static_cast<std::int64_t>(k) <= s.folds,
                  "store write: model or fold out of range");
  const hsize_t H = static_cast<hsize_t>(s.horizon);
  const std::size_t Q = kQuantileLevels.size(), P = static_cast<std::size_t>(s.params);
  const auto has_fit = [](const ModelFoldResult& r) { return r.status != FoldStatus::failed; };
  std::vector<bool> has_values(k, false);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t i = 0; i < n; ++i) {
      const ModelFoldResult& r = result(i, j);
      if (!has_fit(r)) continue;
      has_values[j] = true;
      ARABICA_REQUIRE(r.forecast.mean.size() == s.horizon && r.stats.mean.size() == s.horizon &&
                          r.stats.quantiles.rows() == s.horizon && r.stats.crps.size() == s.horizon &&
                          r.stats.pit.size() == s.horizon,
                      "store write: results must cover the horizon");
      ARABICA_REQUIRE(static_cast<hsize_t>(r.params.size()) <= s.params,
                      "store write: more parameters than the layout holds");
      ARABICA_REQUIRE(s.stored_paths == 0 || r.stats.stored.size() == s.stored_paths * H,
                      "store write: stored paths differ from the layout");
      ARABICA_REQUIRE(r.param_covariance.size() == 0 || (r.param_covariance.rows() == r.params.size() &&
                                                         r.param_covariance.cols() == r.params.size()),
                      "store write: the parameter covariance must be params x params");
    }
  // `per` values of each (model, fold) of folds [from, from + folds), set
  // by `set(its result, its values)` where `write(result)`, else left at
  // `fill`; one block (model, fold, extent...).
  const auto write_block = [&](std::size_t from, std::size_t folds, const char* variable, hid_t type, auto fill,
                               std::size_t per, std::vector<hsize_t> extent, auto write, auto set) {
    std::vector<decltype(fill)> values(n * folds * per, fill);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < folds; ++j)
        if (const ModelFoldResult& r = result(i, from + j); write(r)) set(r, values.data() + (i * folds + j) * per);
    std::vector<hsize_t> start(extent.size() + 2, 0);
    start[0] = static_cast<hsize_t>(first);
    start[1] = static_cast<hsize_t>(fold) + from;
    extent.insert(extent.begin(), {static_cast<hsize_t>(n), static_cast<hsize_t>(folds)});
    s.write_block(variable, type, start, extent, values.data());
  };
  for (std::size_t from = 0; from < k;) {  // each run of folds with values
    if (!has_values[from]) {
      ++from;
      continue;
    }
    std::size_t to = from + 1;
    while (to < k && has_values[to]) ++to;
    const auto write_each = [&](const char* variable, hid_t type, auto fill, std::size_t per,
                                std::vector<hsize_t> extent, auto set) {
      write_block(from, to - from, variable, type, fill, per, std::move(extent), has_fit, set);
    };
    for (int v = 0; v < kDayVariableCount; ++v)
      write_each(kDayVariables[v].name, H5T_NATIVE_DOUBLE, kNaN, H, {H},
                 [&](const ModelFoldResult& r, double* out) {
                   const Eigen::VectorXd* day = day_fields(r)[static_cast<std::size_t>(v)];
                   if (v == kMedianDay && day->size() == 0) day = &r.forecast.mean;
                   std::copy_n(day->data(), H, out);
                 });
    write_each("quantiles", H5T_NATIVE_DOUBLE, kNaN, H * Q, {H, Q},
               [&](const ModelFoldResult& r, double* out) {
                 Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                     out, s.horizon, static_cast<Eigen::Index>(Q)) = r.stats.quantiles;
               });
    if (s.stored_paths > 0)
      write_each("paths", H5T_NATIVE_FLOAT, std::numeric_limits<float>::quiet_NaN(),
                 static_cast<std::size_t>(s.stored_paths * H), {static_cast<hsize_t>(s.stored_paths), H},
                 [&](const ModelFoldResult& r, float* out) {
                   std::copy_n(r.stats.stored.data(), r.stats.stored.size(), out);
                 });
    write_each("params", H5T_NATIVE_DOUBLE, kNaN, P, {P}, [&](const ModelFoldResult& r, double* out) {
      std::copy_n(r.params.data(), r.params.size(), out);
    });
    if (s.param_cov)
      write_each("param_cov", H5T_NATIVE_DOUBLE, kNaN, P * P, {P, P},
                 [&](const ModelFoldResult& r, double* out) {
                   const auto rows = r.param_covariance.rows();
                   Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                       out, static_cast<Eigen::Index>(P), static_cast<Eigen::Index>(P))
                       .topLeftCorner(rows, rows) = r.param_covariance;
                 });
    for (const RiskVariable& v : kRiskVariables)
      write_each(v.name, H5T_NATIVE_DOUBLE, kNaN, 1, {},
                 [&](const ModelFoldResult& r, double* out) { *out = r.risk.*(v.value); });
    for (const FittedVariable& v : kFittedVariables)
      write_each(v.name, H5T_NATIVE_DOUBLE, kNaN, 1, {},
                 [&](const ModelFoldResult& r, double* out) { *out = r.fitted.*(v.value); });
    write_each("llf", H5T_NATIVE_DOUBLE, kNaN, 1, {}, [](const ModelFoldResult& r, double* out) { *out = r.llf; });
    write_each("aic", H5T_NATIVE_DOUBLE, kNaN, 1, {}, [](const ModelFoldResult& r, double* out) { *out = r.aic; });
    write_each("converged", H5T_NATIVE_INT8, std::int8_t{0}, 1, {},
               [](const ModelFoldResult& r, std::int8_t* out) { *out = r.converged ? 1 : 0; });
    write_each("n_iter", H5T_NATIVE_INT32, std::int32_t{0}, 1, {},
               [](const ModelFoldResult& r, std::int32_t* out) { *out = r.iterations; });
    write_each("trained_on", H5T_NATIVE_INT32, std::int32_t{0}, 1, {},
               [](const ModelFoldResult& r, std::int32_t* out) { *out = r.trained_on; });
    write_each("train_start", H5T_NATIVE_INT32, std::int32_t{0}, 1, {},
               [](const ModelFoldResult& r, std::int32_t* out) { *out = r.train_start; });
    write_each("train_rows", H5T_NATIVE_INT32, std::int32_t{0}, 1, {},
               [](const ModelFoldResult& r, std::int32_t* out) { *out = static_cast<std::int32_t>(r.train_rows); });
    from = to;
  }
  const auto every = [](const ModelFoldResult&) { return true; };
  write_block(0, k, "fit_seconds", H5T_NATIVE_DOUBLE, 0.0, 1, {}, every,
              [](const ModelFoldResult& r, double* out) { *out = r.fit_seconds; });
  write_block(0, k, "status", H5T_NATIVE_INT8, std::int8_t{0}, 1, {}, every,
              [](const ModelFoldResult& r, std::int8_t* out) { *out = static_cast<std::int8_t>(r.status); });
  const h5::Datatype text_memory = text_type(s.name, kFailureReasonBytes);
  std::vector<char> text(n * k * kFailureReasonBytes);
  for (const TextVariable& v : kTextVariables) {
    std::fill(text.begin(), text.end(), '\0');
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < k; ++j) {
        // Null-padded, cut at a character boundary when too long.
        const std::string& value = result(i, j).*(v.value);
        std::size_t length = std::min(value.size(), kFailureReasonBytes);
        while (length < value.size() && length > 0 &&
               (static_cast<unsigned char>(value[length]) & 0xC0) == 0x80)
          --length;
        std::memcpy(text.data() + (i * k + j) * kFailureReasonBytes, value.data(), length);
      }
    s.write_block(v.name, text_memory.get(), {static_cast<hsize_t>(first), static_cast<hsize_t>(fold)},
                  {static_cast<hsize_t>(n), static_cast<hsize_t>(k)}, text.data());
  }
}

void BackfillStore::commit(const std::vector<int>& folds) {
  if (folds.empty()) return;
  Impl& s = *impl_;
  // The data first, durably; then the flags that vouch for it.
  s.flush();
  s.flag_complete(folds);
  s.sync();
}

void BackfillStore::copy_folds(const BackfillStore& source, const std::vector<int>& folds) {
  Impl& s = *impl_;
  Impl& from = *source.impl_;
  ARABICA_REQUIRE(from.models == s.models && from.folds <= s.folds && from.horizon == s.horizon &&
                      from.params == s.params && from.stored_paths == s.stored_paths,
                  "store copy: the stores have different layouts");
  ARABICA_REQUIRE(std::is_sorted(folds.begin(), folds.end()), "store copy: folds must ascend");
  ARABICA_REQUIRE(from.param_cov == s.param_cov, "store copy: the stores have different layouts");
  ARABICA_REQUIRE(folds.empty() || (folds.front() >= 0 && folds.back() < from.folds),
                  "store copy: fold out of range");
  const std::vector<std::string> variables = s.fold_variables();
  std::vector<unsigned char> buffer;
  for_each_run(folds, [&](int first, std::size_t n) {
    for (const std::string& variable : variables) {
      // (model, cutoff, ...): every model, the run of folds, the rest whole.
      std::vector<hsize_t> count = dataset_shape(from.dataset(variable).get(), from.name, variable);
      std::vector<hsize_t> start(count.size(), 0);
      start[1] = static_cast<hsize_t>(first);
      count[1] = static_cast<hsize_t>(n);
      const h5::Datatype type(H5Dget_type(from.dataset(variable).get()), from.name,
                              "cannot read the type of '" + variable + "'");
      std::size_t bytes = H5Tget_size(type.get());
      for (const hsize_t c : count) bytes *= c;
      buffer.resize(bytes);
      const std::string what = "cannot read variable '" + variable + "'";
      const Impl::Block in = from.block(variable, start, count, what);
      if (H5Dread(in.dataset, type.get(), in.memory.get(), in.file_space.get(), H5P_DEFAULT,
                  buffer.data()) < 0)
        from.read_failed(variable, start[1]);
      const Impl::Block out = s.block(variable, start, count, "cannot write variable '" + variable + "'");
      s.check_write(H5Dwrite(out.dataset, type.get(), out.memory.get(), out.file_space.get(),
                             H5P_DEFAULT, buffer.data()),
                    "cannot write variable '" + variable + "'");
    }
  });
}

void BackfillStore::commit_all(const std::vector<std::pair<BackfillStore*, std::vector<int>>>& commits) {
  // One store per file does its file's flush and sync.
  std::vector<Impl*> per_file;
  for (const auto& [store, folds] : commits) {
    if (folds.empty()) continue;
    Impl& s = *store->impl_;
    const bool seen = std::any_of(per_file.begin(), per_file.end(),
                                  [&](const Impl* other) { return other->shared == s.shared; });
    if (!seen) per_file.push_back(&s);
  }
  for (Impl* s : per_file) s->flush();  // the data first, durably
  for (const auto& [store, folds] : commits) store->impl_->flag_complete(folds);
  for (Impl* s : per_file) s->sync();  // then the flags that vouch for it
}

StoredForecasts BackfillStore::read_forecasts() const {
  Impl& s = *impl_;
  StoredForecasts out;
  out.models = s.models, out.folds = s.folds, out.horizon = s.horizon;
  // Flags first: a SWMR reader then sees each flagged fold's values too.
  out.fold_complete = s.complete_flags();
  out.forecast_mean = s.read_all<double>("forecast_mean", H5T_NATIVE_DOUBLE);
  out.forecast_median = s.read_all<double>("forecast_median", H5T_NATIVE_DOUBLE);
  out.forecast_std = s.read_all<double>("forecast_std", H5T_NATIVE_DOUBLE);
  out.lower_95 = s.read_all<double>("lower_95", H5T_NATIVE_DOUBLE);
  out.upper_95 = s.read_all<double>("upper_95", H5T_NATIVE_DOUBLE);
  out.p_up = s.read_all<double>("p_up", H5T_NATIVE_DOUBLE);
  out.crps = s.read_all<double>("crps", H5T_NATIVE_DOUBLE);
  out.pit = s.read_all<double>("pit", H5T_NATIVE_DOUBLE);
  out.quantiles = s.read_all<double>("quantiles", H5T_NATIVE_DOUBLE);
  out.status = s.read_all<std::int8_t>("status", H5T_NATIVE_INT8);
  return out;
}

void BackfillStore::write_metrics(const StoredMetrics& metrics) {
  impl_->write_metric_variables(metrics);
  impl_->sync();
}

void BackfillStore::write_pooled_metrics(std::vector<BackfillStore>& universe,
                                         const StoredMetrics& metrics) {
  ARABICA_REQUIRE(!universe.empty() && universe.front().impl_->shared,
                  "pooled metrics: no open universe store");
  const std::shared_ptr<StoreFile>& shared = universe.front().impl_->shared;
  Impl pooled;
  pooled.shared = shared;
  pooled.name = shared->name + " (pooled scores)";
  pooled.group = h5::Group(H5Gopen2(shared->file.get(), kPooledGroup, H5P_DEFAULT), shared->name,
                           "cannot open the pooled scores");
  pooled.models = static_cast<int>(dataset_shape(pooled.dataset("model").get(), pooled.name, "model")[0]);
  pooled.horizon =
      static_cast<int>(dataset_shape(pooled.dataset("day_ahead").get(), pooled.name, "day_ahead")[0]);
  pooled.write_metric_variables(metrics);
  pooled.sync();
  pooled.datasets.clear();
  pooled.group.close(shared->name, "cannot close the pooled scores");
}

void BackfillStore::close(StoreChunks chunks) {
  Impl& s = *impl_;
  if (!s.shared) return;  // closed already
  StoreFile& file = *s.shared;
  if (file.broken) throw Error(s.name + ": cannot close the file after a failed write");
  s.datasets.clear();
  if (s.group.get() >= 0) s.group.close(file.name, "cannot close the group of " + s.name);
  // The last store in the file closes it and releases the writer lock.
  if (s.shared.use_count() == 1) {
    file.broken = true;  // a failed close must not be retried
    file.file.close(file.name, "cannot finish writing the file");
    file.broken = false;
    if (chunks == StoreChunks::for_reading && file.writer && file.per_fold) {
      // The store is whole as it is: a rewrite that fails (a full disk)
      // leaves it so, slower to read, and is tried again by the next writer.
      try {
        rechunk_atomically(file.name, StoreChunks::for_reading, file.attributes_at_close);
      } catch (const Error& e) {
        std::cerr << "arabica: warning: " << e.what()
                  << " (the store is complete, in one-fold chunks: slower to read)\n";
      }
    }
    file.lock.release();
  }
  s.shared.reset();
}

std::vector<std::string> pooled_model_names(const std::vector<const StoreLayout*>& layouts) {
  std::vector<std::string> names;
  for (const StoreLayout* layout : layouts)
    for (const std::string& name : layout->models)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return names;
}

std::string series_name_problem(const std::string& name) {
  if (name.empty()) return "a series name must not be empty";
  if (name == kPooledGroup) return "series name 'pooled' is taken by the scores pooled across series";
  if (name.size() > 255) return "series name longer than 255 bytes";
  if (name.find('/') != std::string::npos || name == "." || name == "..")
    return "series name '" + name + "' cannot name a group (no '/', '.' or '..')";
  return {};
}

void require_valid_series_name(const std::string& name, const std::string& field) {
  if (const std::string problem = series_name_problem(name); !problem.empty())
    throw InputError(field, problem);
}

namespace {

// What a universe file at `path` holds: its series in order and each
// group's config_hash (empty when it has none) and price units.
struct UniverseContents {
  std::vector<std::string> series;
  std::map<std::string, std::string> hashes;
  std::map<std::string, std::optional<std::string>> units;
  std::string pooled;  // the pooled group's series list (JSON); empty: none
};

std::vector<std::string> listed_series(hid_t root, const std::string& path) {
  const std::optional<std::string> text = text_attribute(root, kUniverseSeriesAttribute, path);
  if (!text) throw InputError(path, "is not an arabica universe store (no 'series' attribute)");
  try {
    return nlohmann::json::parse(*text).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    throw Error(path + ": the universe's 'series' attribute is not a list of names: damaged");
  }
}

UniverseContents inspect_universe(const std::string& path) {
  const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ,
                              file_access(path, Access::read).get()),
                      path, "cannot open the store");
  const std::string what = "cannot read the store's root group";
  if (check(H5Lexists(file.get(), "fold_complete", H5P_DEFAULT), path, what) > 0)
    throw InputError(path, "is a single-series backfill store, not a universe store; not "
                           "replacing it (use another --out)");
  UniverseContents contents;
  contents.series = listed_series(file.get(), path);
  for (const std::string& name : contents.series) {
    const h5::Group group(H5Gopen2(file.get(), name.c_str(), H5P_DEFAULT), path,
                          "cannot open the group of series '" + name + "'");
    contents.hashes[name] = text_attribute(group.get(), "config_hash", path).value_or("");
    contents.units[name] = stored_price_units(group.get(), path);
  }
  if (check(H5Lexists(file.get(), kPooledGroup, H5P_DEFAULT), path, what) > 0) {
    const h5::Group group(H5Gopen2(file.get(), kPooledGroup, H5P_DEFAULT), path,
                          "cannot open the pooled scores");
    contents.pooled = text_attribute(group.get(), kUniverseSeriesAttribute, path).value_or("");
  }
  return contents;
}

}  // namespace

std::vector<BackfillStore> BackfillStore::open_universe_for_writing(const std::string& path,
                                                                    const std::vector<SeriesLayout>& series,
                                                                    const UniverseOpening& opening) {
  ARABICA_REQUIRE(!series.empty(), "universe store: no series");
  for (std::size_t i = 0; i < series.size(); ++i) {
    require_valid_layout(series[i].layout);
    require_valid_series_name(series[i].name, "series");
    for (std::size_t j = 0; j < i; ++j)
      ARABICA_REQUIRE(series[i].name != series[j].name, "universe store: series named twice");
  }
  h5::silence_errors();
  WriterLock lock(path);
  bool create = !std::filesystem::exists(path);
  std::vector<std::string> listed;
  std::vector<SeriesLayout> added;  // laid out anew: groups the file lacks, then extended ones
  std::vector<std::size_t> lacked;  // the series whose group the file lacks
  // Groups laid out anew and filled with folds of a store's group: an
  // extension's (from `path` itself) or a seed's.
  struct Filled {
    std::string from, series;
    std::vector<int> keep;
  };
  std::vector<Filled> filled;
  const auto folds_kept = [&](const std::string& from, std::size_t index) {
    std::shared_ptr<StoreFile> file = Impl::open_file(from, from, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, Access::read);
    const BackfillStore stored(Impl::in_group(std::move(file), series[index].name));
    return Filled{from, series[index].name, opening.keep(index, stored, from + " (series " + series[index].name + ")")};
  };
  bool pooled_as_laid_out = false;  // the pooled group pools this run's series
  if (!create) {
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (error) throw Error(path + ": " + error.message());
    const bool hdf5 = size > 0 && has_hdf5_signature(path);
    if (size > 0 && !hdf5) throw InputError(path, "exists and is not an HDF5 file; not overwriting it");
    if (size < kLargestStub) {
      std::cerr << "arabica: warning: " << path << " is "
                << (size == 0 ? std::string("an empty file")
                              : "a " + std::to_string(size) + "-byte HDF5 stub")
                << ", not a store with committed folds; replacing it\n";
      create = true;
    } else {
      const UniverseContents contents = inspect_universe(path);
      listed = contents.series;
      pooled_as_laid_out = contents.pooled == pooled_series_list(series);
      for (std::size_t i = 0; i < series.size(); ++i) {
        const SeriesLayout& s = series[i];
        const auto found = contents.hashes.find(s.name);
        if (found == contents.hashes.end()) {
          lacked.push_back(i);
          continue;
        }
        const std::string hash = s.layout.text_attribute("config_hash");
        require_same_units(contents.units.at(s.name), path, s.layout.units, s.name);
        if (found->second == hash) continue;
        if (!opening.keep)
          throw InputError(path, "series '" + s.name + "' was written with another configuration "
                                 "(config_hash " + found->second + ", this run " + hash +
                                 "); use a new --out or the original settings");
        filled.push_back(folds_kept(path, i));  // an extension
        added.push_back(s);
      }
    }
  }
  if (create) {
    listed.clear();
    lacked.resize(series.size());
    std::iota(lacked.begin(), lacked.end(), std::size_t{0});
  }
  for (const std::size_t i : lacked) {
    added.push_back(series[i]);
    listed.push_back(series[i].name);
  }
  if (!opening.seed.empty() && opening.keep && std::filesystem::exists(opening.seed)) {
    // The series this file lacks start from the seed's folds.
    const UniverseContents seed = inspect_universe(opening.seed);
    for (const std::size_t i : lacked)
      if (seed.hashes.count(series[i].name)) filled.push_back(folds_kept(opening.seed, i));
  }
  if (!added.empty() || !pooled_as_laid_out) {
    // New series (or the pooled scores of another set of series) go into a
    // copy that replaces the file whole: the folds already committed are
    // never written over.
    remove_stale_temporaries(path);
    replace_file_atomically(path, [&](const std::string& temp) {
      if (!create) std::filesystem::copy_file(path, temp, std::filesystem::copy_options::overwrite_existing);
      write_universe(temp, path, !create, added, listed, series);
      if (filled.empty()) return;
      std::shared_ptr<StoreFile> file = Impl::open_file(temp, path, H5F_ACC_RDWR, Access::write);
      for (const Filled& f : filled) {
        std::shared_ptr<StoreFile> from =
            Impl::open_file(f.from, f.from, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, Access::read);
        const BackfillStore source(Impl::in_group(std::move(from), f.series));
        BackfillStore target(Impl::in_group(file, f.series));
        target.copy_folds(source, f.keep);
        const std::int8_t done = 1;
        for (const int fold : f.keep)
          target.impl_->write_block("fold_complete", H5T_NATIVE_INT8, {hsize_t(fold)}, {1}, &done);
        target.close();
      }
      file->file.close(path, "cannot finish writing the file");
    });
  }
  const auto open_stores = [&] {
    std::shared_ptr<StoreFile> shared =
        Impl::open_file(path, path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, Access::resume);
    recover_allocation_end(shared->file.get(), path, std::filesystem::file_size(path));
    std::vector<BackfillStore> stores;
    for (const SeriesLayout& s : series) stores.push_back(BackfillStore(Impl::in_group(shared, s.name)));
    return stores;
  };
  std::vector<BackfillStore> stores = open_stores();
  const auto any = [&](bool (Impl::*test)()) {
    return std::any_of(stores.begin(), stores.end(), [&](BackfillStore& s) { return ((*s.impl_).*test)(); });
  };
  if (any(&Impl::must_rechunk_for_writing)) {
    stores.clear();  // closed: nothing was written
    rechunk_atomically(path, StoreChunks::per_fold);
    stores = open_stores();
  }
  StoreFile& file = *stores.front().impl_->shared;
  file.lock = std::move(lock);
  const bool per_fold = any(&Impl::chunked_per_fold);
  for (BackfillStore& store : stores) store.impl_->mark_writer(per_fold);
  return stores;
}

CommittedValues BackfillStore::committed_values() const {
  Impl& s = *impl_;
  CommittedValues out;
  const std::vector<std::int8_t> flags = s.complete_flags();
  for (int f = 0; f < s.folds; ++f)
    if (flags[static_cast<std::size_t>(f)]) out.folds.push_back(f);
  if (out.folds.empty()) return out;
  std::vector<std::string> variables = s.merged_variables();
  variables.erase(std::remove(variables.begin(), variables.end(), "paths"), variables.end());
  for (const std::string& variable : variables) {
    const std::string what = "cannot read variable '" + variable + "'";
    const h5::Dataset& d = s.dataset(variable);
    const h5::Datatype stored(H5Dget_type(d.get()), s.name, what);
    if (H5Tis_variable_str(stored.get()) > 0 || H5Tdetect_class(stored.get(), H5T_VLEN) > 0) continue;
    const h5::Datatype native(H5Tget_native_type(stored.get(), H5T_DIR_ASCEND), s.name, what);
    // (model, cutoff, ...), fold_complete (cutoff): the committed folds'
    // runs in one selection, read into the folds in order.
    const std::size_t fold_axis = variable == "fold_complete" ? 0 : 1;
    std::vector<hsize_t> count = dataset_shape(d.get(), s.name, variable);
    h5::Dataspace file_space(H5Dget_space(d.get()), s.name, what);
    check(H5Sselect_none(file_space.get()), s.name, what);
    for_each_run(out.folds, [&](int first, std::size_t n) {
      std::vector<hsize_t> start(count.size(), 0), block = count;
      start[fold_axis] = static_cast<hsize_t>(first);
      block[fold_axis] = static_cast<hsize_t>(n);
      check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_OR, start.data(), nullptr, block.data(), nullptr),
            s.name, what);
    });
    count[fold_axis] = static_cast<hsize_t>(out.folds.size());
    const h5::Dataspace memory(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), s.name,
                               what);
    std::size_t bytes = H5Tget_size(native.get());
    for (const hsize_t c : count) bytes *= static_cast<std::size_t>(c);
    std::vector<unsigned char>& values = out.variables[variable];
    values.resize(bytes);
    if (H5Dread(d.get(), native.get(), memory.get(), file_space.get(), H5P_DEFAULT, values.data()) < 0)
      s.read_failed(variable, static_cast<hsize_t>(out.folds.front()));
  }
  return out;
}

std::vector<int> BackfillStore::merge_for_reading(std::vector<BackfillStore>& universe,
                                                  const std::vector<std::vector<BackfillStore>>& shards,
                                                  const std::vector<std::vector<CommittedValues>>& in_memory) {
  ARABICA_REQUIRE(!universe.empty(), "merge: no series");
  ARABICA_REQUIRE(in_memory.size() <= shards.size(), "merge: values in memory of no shard");
  const std::shared_ptr<StoreFile> shared = universe.front().impl_->shared;
  ARABICA_REQUIRE(shared && shared->writer, "merge: the universe is not open for writing");
  FoldOverlay overlay;
  std::vector<std::string> series;
  std::vector<int> merged;
  for (std::size_t j = 0; j < universe.size(); ++j) {
    Impl& target = *universe[j].impl_;
    ARABICA_REQUIRE(target.shared == shared && (!target.series.empty() || universe.size() == 1),
                    "merge: every series must be a group of one universe file");
    const std::vector<std::int8_t> committed = target.complete_flags();
    ARABICA_REQUIRE(std::count(committed.begin(), committed.end(), std::int8_t{0}) ==
                        static_cast<std::ptrdiff_t>(committed.size()),
                    "merge for reading: the universe has committed folds");
    series.push_back(target.series);
    std::vector<bool> covered(static_cast<std::size_t>(target.folds));
    std::vector<FoldSource>& sources = overlay.groups[target.series];
    for (std::size_t k = 0; k < shards.size(); ++k) {
      const std::vector<BackfillStore>& shard = shards[k];
      ARABICA_REQUIRE(shard.size() == universe.size(), "merge: a shard lists other series");
      const Impl& from = *shard[j].impl_;
      ARABICA_REQUIRE(from.models == target.models && from.folds == target.folds &&
                          from.horizon == target.horizon && from.params == target.params &&
                          from.stored_paths == target.stored_paths && from.param_cov == target.param_cov,
                      "merge: a shard store has another layout");
      FoldSource source{from.root(), {}};
      const std::vector<std::int8_t> done = shard[j].fold_complete();
      for (int f = 0; f < from.folds; ++f)
        if (done[static_cast<std::size_t>(f)]) {
          source.folds.push_back(f);
          covered[static_cast<std::size_t>(f)] = true;
        }
      // The shard's values in memory, where they are of the folds it committed.
      if (k < in_memory.size() && j < in_memory[k].size() && in_memory[k][j].folds == source.folds)
        source.values = &in_memory[k][j].variables;
      sources.push_back(std::move(source));
    }
    merged.push_back(static_cast<int>(std::count(covered.begin(), covered.end(), true)));
    if (j == 0) {
      const std::vector<std::string> variables = target.merged_variables();
      overlay.variables.insert(variables.begin(), variables.end());
    }
  }
  // The file is closed, its lock kept, rewritten, then opened again.
  const std::string path = shared->name;
  WriterLock lock = std::move(shared->lock);
  for (BackfillStore& store : universe) store.close();
  universe.clear();
  rechunk_atomically(path, StoreChunks::for_reading, {}, &overlay);
  if (series.front().empty()) {  // a single-series store: its root
    auto impl = Impl::open(path, path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, Access::write);
    impl->read_shape();
    universe.push_back(BackfillStore(std::move(impl)));
  } else {
    std::shared_ptr<StoreFile> reopened =
        Impl::open_file(path, path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, Access::resume);
    for (const std::string& name : series) universe.push_back(BackfillStore(Impl::in_group(reopened, name)));
  }
  StoreFile& file = *universe.front().impl_->shared;
  file.lock = std::move(lock);
  file.writer = true;
  file.per_fold = false;
  return merged;
}

std::vector<std::pair<std::string, BackfillStore>> BackfillStore::open_universe_read_only(
    const std::string& path) {
  h5::silence_errors();
  std::shared_ptr<StoreFile> shared =
      Impl::open_file(path, path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, Access::read);
  std::vector<std::pair<std::string, BackfillStore>> stores;
  for (const std::string& name : listed_series(shared->file.get(), path))
    stores.emplace_back(name, BackfillStore(Impl::in_group(shared, name)));
  return stores;
}

bool BackfillStore::is_universe(const std::string& path) {
  h5::silence_errors();
  const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ,
                              file_access(path, Access::read).get()),
                      path, "cannot open the store");
  return check(H5Aexists(file.get(), kUniverseSeriesAttribute), path,
               "cannot read the store's root group") > 0;
}

}  // namespace arabica
