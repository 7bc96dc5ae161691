#include "arabica/simulation_store.hpp"

#include <hdf5_hl.h>

#include <cstdio>
#include <initializer_list>
#include <limits>

#include "arabica/atomic_file.hpp"
#include "arabica/error.hpp"
#include "store/h5_handles.hpp"

namespace arabica {

namespace {

using h5::check;

// netCDF-4's scale NAME for a dimension without coordinate values; netCDF-C
// appends the length in ten columns.
constexpr char kDimensionWithoutVariable[] =
    "This is a netCDF dimension but not a netCDF variable.";
constexpr char kDateUnits[] = "days since 1970-01-01";
constexpr char kDateCalendar[] = "proleptic_gregorian";
constexpr hsize_t kMaxChunkBytes = hsize_t{1} << 20;  // HDF5's default chunk cache
constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

struct Dimension {
  std::string name;
  hsize_t size = 0;
  hsize_t chunk = 0;  // one fold per chunk: 1 along model and cutoff
  bool unlimited = false;
  h5::Dataset scale;
};

// Stored paths per chunk: chunks of at most 1 MiB, none mostly empty.
hsize_t path_chunk(hsize_t paths, hsize_t horizon) {
  const hsize_t chunks = (paths * horizon * sizeof(float) + kMaxChunkBytes - 1) / kMaxChunkBytes;
  return (paths + chunks - 1) / chunks;
}

class StoreWriter {
 public:
  StoreWriter(const std::string& file_name, hid_t file)
      : name_(file_name),
        file_(file),
        text_(H5Tcopy(H5T_C_S1), file_name, "cannot create the string type") {
    // Variable-length UTF-8: h5py and xarray read these as str, not bytes.
    check(H5Tset_size(text_.get(), H5T_VARIABLE), name_, "cannot create the string type");
    check(H5Tset_cset(text_.get(), H5T_CSET_UTF8), name_, "cannot create the string type");
  }

  void write(const SimulationRecord& record);

 private:
  void attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                 const void* value);
  void attribute(hid_t object, const std::string& name, const std::string& value) {
    const char* text = value.c_str();
    attribute(object, name, text_.get(), text_.get(), &text);
  }
  void attribute(hid_t object, const std::string& name, std::int32_t value) {
    attribute(object, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
  }
  void attribute(hid_t object, const std::string& name, std::int64_t value) {
    attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
  }
  void attribute(hid_t object, const std::string& name, std::uint64_t value) {
    attribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
  }

  h5::Dataset create(const std::string& name, hid_t file_type,
                     std::initializer_list<const Dimension*> dims, bool compress = false);
  /// A dimension scale named `scale_name`; with values it is also the
  /// dimension's coordinate variable.
  void make_dimension(Dimension& dim, hid_t file_type, const std::string& scale_name);
  /// A data variable with every dimension's scale attached.
  h5::Dataset variable(const std::string& name, hid_t file_type,
                       std::initializer_list<const Dimension*> dims, bool compress = false);
  void write_values(const h5::Dataset& dataset, const std::string& name, hid_t memory_type,
                    const void* values);

  const std::string& name_;
  hid_t file_;
  h5::Datatype text_;
};

void StoreWriter::attribute(hid_t object, const std::string& name, hid_t file_type,
                            hid_t memory_type, const void* value) {
  const std::string what = "cannot write attribute '" + name + "'";
  const h5::Dataspace scalar(H5Screate(H5S_SCALAR), name_, what);
  const h5::Attribute attr(
      H5Acreate2(object, name.c_str(), file_type, scalar.get(), H5P_DEFAULT, H5P_DEFAULT), name_,
      what);
  check(H5Awrite(attr.get(), memory_type, value), name_, what);
}

h5::Dataset StoreWriter::create(const std::string& name, hid_t file_type,
                                std::initializer_list<const Dimension*> dims, bool compress) {
  const std::string what = "cannot create variable '" + name + "'";
  std::vector<hsize_t> shape, max_shape, chunk;
  bool extendable = false;
  for (const Dimension* dim : dims) {
    shape.push_back(dim->size);
    max_shape.push_back(dim->unlimited ? H5S_UNLIMITED : dim->size);
    chunk.push_back(dim->chunk);
    extendable = extendable || dim->unlimited;
  }
  const int rank = static_cast<int>(shape.size());
  const h5::Dataspace space(H5Screate_simple(rank, shape.data(), max_shape.data()), name_, what);
  const h5::PropertyList dcpl(H5Pcreate(H5P_DATASET_CREATE), name_, what);
  check(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), name_, what);
  // Anything that grows along cutoff must be chunked; one fold per chunk so
  // appending a fold never rewrites a chunk that holds an earlier one.
  if (extendable) check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), name_, what);
  if (compress) {
    check(H5Pset_shuffle(dcpl.get()), name_, what);
    check(H5Pset_deflate(dcpl.get(), 1), name_, what);
  }
  // A fold not written yet reads as missing, not as a price of 0.
  if (H5Tget_class(file_type) == H5T_FLOAT) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), name_, what);
  }
  return h5::Dataset(
      H5Dcreate2(file_, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      name_, what);
}

void StoreWriter::make_dimension(Dimension& dim, hid_t file_type, const std::string& scale_name) {
  dim.scale = create(dim.name, file_type, {&dim});
  check(H5DSset_scale(dim.scale.get(), scale_name.c_str()), name_,
        "cannot make '" + dim.name + "' a dimension scale");
}

h5::Dataset StoreWriter::variable(const std::string& name, hid_t file_type,
                                  std::initializer_list<const Dimension*> dims, bool compress) {
  h5::Dataset dataset = create(name, file_type, dims, compress);
  unsigned index = 0;
  for (const Dimension* dim : dims)
    check(H5DSattach_scale(dataset.get(), dim->scale.get(), index++), name_,
          "cannot attach dimension '" + dim->name + "' to '" + name + "'");
  return dataset;
}

void StoreWriter::write_values(const h5::Dataset& dataset, const std::string& name,
                               hid_t memory_type, const void* values) {
  check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), name_,
        "cannot write variable '" + name + "'");
}

void StoreWriter::write(const SimulationRecord& record) {
  const int horizon = record.horizon;
  const hsize_t stored = record.stats.stored.size() / static_cast<std::size_t>(horizon);

  attribute(file_, "Conventions", std::string("CF-1.8"));
  attribute(file_, "schema_version", std::int32_t{kStoreSchemaVersion});
  attribute(file_, "arabica_version", std::string(ARABICA_VERSION));
  attribute(file_, "generation_timestamp", record.generation_timestamp);
  attribute(file_, "rng", record.rng);
  attribute(file_, "seed", record.seed);
  attribute(file_, "n_paths", std::int64_t{record.stats.n_paths});
  attribute(file_, "forecast_calendar",
            std::string(record.calendar == ForecastCalendar::business ? "business" : "calendar"));
  for (const auto& [key, value] : record.attributes) attribute(file_, key, value);

  // Dimensions, in netCDF dimension-id order.
  const hsize_t levels = kQuantileLevels.size();
  const hsize_t days = static_cast<hsize_t>(horizon);
  Dimension model{"model", 1, 1, false, {}};
  Dimension cutoff{"cutoff", 1, 1, true, {}};
  Dimension day_ahead{"day_ahead", days, days, false, {}};
  Dimension quantile{"quantile", levels, levels, false, {}};
  Dimension path{"path", stored, stored ? path_chunk(stored, days) : 0, false, {}};

  make_dimension(model, text_.get(), model.name);
  const char* model_names[] = {record.model_name.c_str()};
  write_values(model.scale, model.name, text_.get(), model_names);

  make_dimension(cutoff, H5T_STD_I32LE, cutoff.name);
  attribute(cutoff.scale.get(), "long_name", std::string("forecast origin (data cutoff date)"));
  attribute(cutoff.scale.get(), "units", std::string(kDateUnits));
  attribute(cutoff.scale.get(), "calendar", std::string(kDateCalendar));
  write_values(cutoff.scale, cutoff.name, H5T_NATIVE_INT32, &record.cutoff);

  // No time units: xarray would turn day_ahead into timedeltas.
  make_dimension(day_ahead, H5T_STD_I32LE, day_ahead.name);
  attribute(day_ahead.scale.get(), "long_name",
            std::string("forecast step after the cutoff, counted in forecast_calendar days"));
  std::vector<std::int32_t> steps(days);
  for (int h = 0; h < horizon; ++h) steps[h] = h + 1;
  write_values(day_ahead.scale, day_ahead.name, H5T_NATIVE_INT32, steps.data());

  make_dimension(quantile, H5T_IEEE_F64LE, quantile.name);
  attribute(quantile.scale.get(), "long_name", std::string("quantile level"));
  write_values(quantile.scale, quantile.name, H5T_NATIVE_DOUBLE, kQuantileLevels.data());

  if (stored > 0) {
    char scale_name[sizeof kDimensionWithoutVariable + 24];
    std::snprintf(scale_name, sizeof scale_name, "%s%10llu", kDimensionWithoutVariable,
                  static_cast<unsigned long long>(stored));
    make_dimension(path, H5T_IEEE_F32LE, scale_name);
  }

  // Target dates, a coordinate that the variables below name in `coordinates`.
  const h5::Dataset dates = variable("forecast_date", H5T_STD_I32LE, {&cutoff, &day_ahead});
  attribute(dates.get(), "long_name", std::string("date being forecast"));
  attribute(dates.get(), "units", std::string(kDateUnits));
  attribute(dates.get(), "calendar", std::string(kDateCalendar));
  std::vector<Date> targets(days);
  for (int h = 0; h < horizon; ++h)
    targets[h] = forecast_date(record.cutoff, h + 1, record.calendar);
  write_values(dates, "forecast_date", H5T_NATIVE_INT32, targets.data());

  const h5::Dataset last_price = variable("last_price", H5T_IEEE_F64LE, {&cutoff});
  attribute(last_price.get(), "long_name", std::string("price at the cutoff"));
  write_values(last_price, "last_price", H5T_NATIVE_DOUBLE, &record.last_price);

  struct ByDay {
    const char* name;
    const char* long_name;
    const Eigen::VectorXd& values;
  };
  const ByDay by_day[] = {
      {"forecast_mean", "Kalman point forecast", record.forecast.mean},
      {"forecast_std", "Kalman forecast standard error", record.forecast.std_error},
      {"lower_95", "lower bound of the 95% prediction interval", record.forecast.lower_95},
      {"upper_95", "upper bound of the 95% prediction interval", record.forecast.upper_95},
      {"mean", "mean of the simulated prices", record.stats.mean},
      {"std", "standard deviation of the simulated prices (ddof=0)", record.stats.std},
      {"skewness", "biased skewness of the simulated prices", record.stats.skewness},
      {"kurtosis", "biased excess (Fisher) kurtosis of the simulated prices",
       record.stats.kurtosis},
      {"p_up", "share of simulated prices above last_price", record.stats.p_up},
  };
  for (const ByDay& series : by_day) {
    const h5::Dataset dataset =
        variable(series.name, H5T_IEEE_F64LE, {&model, &cutoff, &day_ahead});
    attribute(dataset.get(), "long_name", std::string(series.long_name));
    attribute(dataset.get(), "coordinates", std::string("forecast_date"));
    write_values(dataset, series.name, H5T_NATIVE_DOUBLE, series.values.data());
  }

  const h5::Dataset quantiles =
      variable("quantiles", H5T_IEEE_F64LE, {&model, &cutoff, &day_ahead, &quantile});
  attribute(quantiles.get(), "long_name",
            std::string("quantiles of the simulated prices (linear interpolation)"));
  attribute(quantiles.get(), "coordinates", std::string("forecast_date"));
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> by_level =
      record.stats.quantiles;
  write_values(quantiles, "quantiles", H5T_NATIVE_DOUBLE, by_level.data());

  if (stored > 0) {
    const h5::Dataset paths =
        variable("paths", H5T_IEEE_F32LE, {&model, &cutoff, &path, &day_ahead}, true);
    attribute(paths.get(), "long_name", std::string("leading simulated price paths"));
    attribute(paths.get(), "coordinates", std::string("forecast_date"));
    attribute(paths.get(), "n_paths", std::int64_t{record.stats.n_paths});
    write_values(paths, "paths", H5T_NATIVE_FLOAT, record.stats.stored.data());
  }

  // Written last: a reader of the extended store trusts only flagged folds.
  // No _FillValue, which would make xarray decode it as float.
  const h5::Dataset complete = variable("fold_complete", H5T_STD_I8LE, {&cutoff});
  attribute(complete.get(), "long_name", std::string("1 once the fold is fully written"));
  const std::int8_t done = 1;
  write_values(complete, "fold_complete", H5T_NATIVE_INT8, &done);
}

void write_store(const std::string& name, const std::string& temp, const SimulationRecord& record) {
  const h5::QuietErrors quiet;
  const std::string what = "cannot create the file";
  const h5::PropertyList fcpl(H5Pcreate(H5P_FILE_CREATE), name, what);
  check(H5Pset_link_creation_order(fcpl.get(), kCreationOrder), name, what);
  check(H5Pset_attr_creation_order(fcpl.get(), kCreationOrder), name, what);
  const h5::PropertyList fapl(H5Pcreate(H5P_FILE_ACCESS), name, what);
  // Closing then fails instead of silently waiting for a forgotten object.
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), name, what);
  h5::File file(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), name, what);
  StoreWriter(name, file.get()).write(record);
  file.close(name, "cannot finish writing the file");
}

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
  replace_file_atomically(path, [&](const std::string& temp) { write_store(path, temp, record); });
}

}  // namespace arabica
