#include "arabica/simulation_store.hpp"

#include <gtest/gtest.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "arabica/error.hpp"
#include "store/h5_handles.hpp"

namespace arabica {
namespace {

namespace fs = std::filesystem;

constexpr int kHorizon = 5;
constexpr char kNotAVariable[] = "This is a netCDF dimension but not a netCDF variable.";

Eigen::VectorXd ramp(double start, double step) {
  return Eigen::VectorXd::LinSpaced(kHorizon, start, start + step * (kHorizon - 1));
}

// Every value distinct, so a transposed or shifted write shows.
SimulationRecord make_record(std::int64_t stored_paths = 3) {
  SimulationRecord record;
  record.model_name = "arabica_sarimax_v1";
  record.cutoff = *parse_date("2024-03-15");  // a Friday
  record.last_price = 187.25;
  record.horizon = kHorizon;
  record.forecast.mean = ramp(188.0, 0.5);
  record.forecast.std_error = ramp(1.0, 0.25);
  record.forecast.lower_95 = ramp(185.0, -0.5);
  record.forecast.upper_95 = ramp(191.0, 1.5);
  record.stats.n_paths = std::max<std::int64_t>(1000, stored_paths);
  record.stats.mean = ramp(188.1, 0.5);
  record.stats.std = ramp(1.1, 0.25);
  record.stats.skewness = ramp(-0.2, 0.01);
  record.stats.kurtosis = ramp(0.3, 0.02);
  record.stats.p_up = ramp(0.55, 0.01);
  record.stats.quantiles.resize(kHorizon, kQuantileLevels.size());
  for (Eigen::Index h = 0; h < kHorizon; ++h)
    for (Eigen::Index q = 0; q < record.stats.quantiles.cols(); ++q)
      record.stats.quantiles(h, q) = 180.0 + h + 0.01 * q;
  for (std::int64_t p = 0; p < stored_paths * kHorizon; ++p)
    record.stats.stored.push_back(187.0f + 0.125f * static_cast<float>(p));
  record.seed = 12345678901234567ull;
  record.generation_timestamp = "2025-01-14T16:00:00Z";
  record.param_names = {"ar.L1", "ma.L1", "sigma2"};
  record.params = Eigen::Vector3d(0.5, -0.25, 2.0);
  record.llf = -123.5;
  record.converged = true;
  record.iterations = 17;
  record.attributes = {{"config", R"({"order":[1,1,1]})"}, {"innovations", "student_t(ν=5.2)"}};
  return record;
}

// A fresh directory per test.
class SimulationStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("arabica_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name = "store.h5") const { return (dir_ / name).string(); }

  fs::path dir_;
};

// --- reading back with the C API

struct Reader {
  explicit Reader(const std::string& path)
      : name(path), file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "open") {}

  bool exists(const std::string& object) const {
    return h5::check(H5Lexists(file.get(), object.c_str(), H5P_DEFAULT), name, object) > 0;
  }
  h5::Dataset dataset(const std::string& object) const {
    return h5::Dataset(H5Dopen2(file.get(), object.c_str(), H5P_DEFAULT), name, object);
  }
  std::vector<hsize_t> shape(const std::string& object, bool max = false) const {
    const h5::Dataset ds = dataset(object);
    const h5::Dataspace space(H5Dget_space(ds.get()), name, object);
    std::vector<hsize_t> dims(H5Sget_simple_extent_ndims(space.get())), max_dims(dims.size());
    h5::check(H5Sget_simple_extent_dims(space.get(), dims.data(), max_dims.data()), name, object);
    return max ? max_dims : dims;
  }
  template <class T>
  std::vector<T> values(const std::string& object, hid_t memory_type) const {
    std::size_t count = 1;
    for (hsize_t n : shape(object)) count *= n;
    std::vector<T> out(count);
    const h5::Dataset ds = dataset(object);
    h5::check(H5Dread(ds.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), name,
              object);
    return out;
  }
  std::vector<double> doubles(const std::string& object) const {
    return values<double>(object, H5T_NATIVE_DOUBLE);
  }

  std::string name;
  h5::File file;
};

bool has_attribute(hid_t object, const std::string& attr) {
  return H5Aexists(object, attr.c_str()) > 0;
}

std::string text_attribute(hid_t object, const std::string& attr) {
  const h5::Attribute a(H5Aopen(object, attr.c_str(), H5P_DEFAULT), "test", attr);
  const h5::Datatype type(H5Aget_type(a.get()), "test", attr);
  EXPECT_GT(H5Tis_variable_str(type.get()), 0) << attr << " is not variable-length";
  EXPECT_EQ(H5Tget_cset(type.get()), H5T_CSET_UTF8) << attr;
  char* text = nullptr;
  h5::check(H5Aread(a.get(), type.get(), &text), "test", attr);
  std::string out = text;
  H5free_memory(text);
  return out;
}

template <class T>
T number_attribute(hid_t object, const std::string& attr, hid_t memory_type) {
  const h5::Attribute a(H5Aopen(object, attr.c_str(), H5P_DEFAULT), "test", attr);
  T value{};
  h5::check(H5Aread(a.get(), memory_type, &value), "test", attr);
  return value;
}

std::vector<double> as_vector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

// --- layout

TEST_F(SimulationStore, DimensionsAreScalesWithCoordinateValues) {
  const SimulationRecord record = make_record();
  write_simulation_h5(file(), record);
  const Reader r(file());

  const std::pair<const char*, std::vector<hsize_t>> dims[] = {
      {"model", {1}}, {"cutoff", {1}}, {"day_ahead", {kHorizon}}, {"q", {kQuantileLevels.size()}}, {"path", {3}}};
  for (const auto& [name, shape] : dims) {
    const h5::Dataset ds = r.dataset(name);
    EXPECT_GT(H5DSis_scale(ds.get()), 0) << name;
    EXPECT_EQ(r.shape(name), shape) << name;
  }
  EXPECT_EQ(r.shape("cutoff", true), std::vector<hsize_t>{H5S_UNLIMITED});
  EXPECT_EQ(r.shape("day_ahead", true), std::vector<hsize_t>{kHorizon});

  // netCDF's marker for a dimension without values, length in ten columns.
  char scale_name[128] = {};
  H5DSget_scale_name(r.dataset("path").get(), scale_name, sizeof scale_name);
  EXPECT_EQ(std::string(scale_name), std::string(kNotAVariable) + "         3");

  const h5::Dataset model = r.dataset("model");
  const h5::Datatype type(H5Dget_type(model.get()), "test", "model");
  EXPECT_GT(H5Tis_variable_str(type.get()), 0);
  char* name = nullptr;
  h5::check(H5Dread(model.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &name), "test",
            "model");
  EXPECT_EQ(std::string(name), record.model_name);
  H5free_memory(name);

  EXPECT_EQ(r.values<std::int32_t>("cutoff", H5T_NATIVE_INT32),
            std::vector<std::int32_t>{record.cutoff});
  EXPECT_EQ(r.values<std::int32_t>("day_ahead", H5T_NATIVE_INT32),
            (std::vector<std::int32_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(r.doubles("q"),
            std::vector<double>(kQuantileLevels.begin(), kQuantileLevels.end()));

  // Dates decode as datetimes; day_ahead must stay an integer.
  const h5::Dataset cutoff = r.dataset("cutoff");
  EXPECT_EQ(text_attribute(cutoff.get(), "units"), "days since 1970-01-01");
  EXPECT_EQ(text_attribute(cutoff.get(), "calendar"), "proleptic_gregorian");
  EXPECT_FALSE(has_attribute(r.dataset("day_ahead").get(), "units"));
}

TEST_F(SimulationStore, VariablesHoldTheRecord) {
  const SimulationRecord record = make_record();
  write_simulation_h5(file(), record);
  const Reader r(file());

  const std::vector<hsize_t> by_day{1, 1, kHorizon};
  const std::pair<const char*, const Eigen::VectorXd*> series[] = {
      {"forecast_mean", &record.forecast.mean},
      {"forecast_std", &record.forecast.std_error},
      {"lower_95", &record.forecast.lower_95},
      {"upper_95", &record.forecast.upper_95},
      {"path_mean", &record.stats.mean},
      {"path_std", &record.stats.std},
      {"skewness", &record.stats.skewness},
      {"kurtosis", &record.stats.kurtosis},
      {"p_up", &record.stats.p_up}};
  for (const auto& [name, values] : series) {
    EXPECT_EQ(r.shape(name), by_day) << name;
    EXPECT_EQ(r.shape(name, true), (std::vector<hsize_t>{1, H5S_UNLIMITED, kHorizon})) << name;
    EXPECT_EQ(r.doubles(name), as_vector(*values)) << name;
    EXPECT_EQ(text_attribute(r.dataset(name).get(), "coordinates"), "forecast_date") << name;
  }

  constexpr int Q = static_cast<int>(kQuantileLevels.size());
  EXPECT_EQ(r.shape("quantiles"), (std::vector<hsize_t>{1, 1, kHorizon, Q}));
  const std::vector<double> quantiles = r.doubles("quantiles");
  for (int h = 0; h < kHorizon; ++h)
    for (int q = 0; q < Q; ++q) EXPECT_EQ(quantiles[h * Q + q], record.stats.quantiles(h, q));

  EXPECT_EQ(r.shape("paths"), (std::vector<hsize_t>{1, 1, 3, kHorizon}));
  EXPECT_EQ(r.values<float>("paths", H5T_NATIVE_FLOAT), record.stats.stored);

  EXPECT_EQ(r.shape("forecast_date"), (std::vector<hsize_t>{1, kHorizon}));
  const std::vector<std::int32_t> dates = r.values<std::int32_t>("forecast_date", H5T_NATIVE_INT32);
  for (int h = 0; h < kHorizon; ++h) EXPECT_EQ(dates[h], record.cutoff + h + 1);
  EXPECT_EQ(text_attribute(r.dataset("forecast_date").get(), "units"), "days since 1970-01-01");
  EXPECT_EQ(r.doubles("last_price"), std::vector<double>{187.25});
  EXPECT_EQ(r.values<std::int8_t>("fold_complete", H5T_NATIVE_INT8), std::vector<std::int8_t>{1});
}

TEST_F(SimulationStore, BusinessCalendarSkipsWeekends) {
  SimulationRecord record = make_record();
  record.calendar = ForecastCalendar::business;
  write_simulation_h5(file(), record);
  const Reader r(file());
  const std::vector<std::int32_t> dates = r.values<std::int32_t>("forecast_date", H5T_NATIVE_INT32);
  std::vector<std::string> text;
  for (std::int32_t d : dates) text.push_back(format_date(d));
  EXPECT_EQ(text, (std::vector<std::string>{"2024-03-18", "2024-03-19", "2024-03-20", "2024-03-21",
                                            "2024-03-22"}));
  EXPECT_EQ(text_attribute(r.file.get(), "forecast_calendar"), "business");
}

TEST_F(SimulationStore, EveryDimensionOfEveryVariableHasItsScale) {
  write_simulation_h5(file(), make_record());
  const Reader r(file());
  const std::pair<const char*, std::vector<const char*>> variables[] = {
      {"forecast_date", {"cutoff", "day_ahead"}},
      {"last_price", {"cutoff"}},
      {"fold_complete", {"cutoff"}},
      {"forecast_mean", {"model", "cutoff", "day_ahead"}},
      {"forecast_std", {"model", "cutoff", "day_ahead"}},
      {"lower_95", {"model", "cutoff", "day_ahead"}},
      {"upper_95", {"model", "cutoff", "day_ahead"}},
      {"path_mean", {"model", "cutoff", "day_ahead"}},
      {"path_std", {"model", "cutoff", "day_ahead"}},
      {"skewness", {"model", "cutoff", "day_ahead"}},
      {"kurtosis", {"model", "cutoff", "day_ahead"}},
      {"p_up", {"model", "cutoff", "day_ahead"}},
      {"quantiles", {"model", "cutoff", "day_ahead", "q"}},
      {"paths", {"model", "cutoff", "path", "day_ahead"}}};
  for (const auto& [name, dims] : variables) {
    const h5::Dataset ds = r.dataset(name);
    ASSERT_EQ(r.shape(name).size(), dims.size()) << name;
    for (unsigned i = 0; i < dims.size(); ++i)
      EXPECT_GT(H5DSis_attached(ds.get(), r.dataset(dims[i]).get(), i), 0)
          << dims[i] << " not attached to " << name;
  }
}

TEST_F(SimulationStore, RootAttributesAreVariableLengthUtf8) {
  const SimulationRecord record = make_record();
  write_simulation_h5(file(), record);
  const Reader r(file());
  const hid_t root = r.file.get();
  EXPECT_EQ(text_attribute(root, "Conventions"), "CF-1.8");
  EXPECT_EQ(number_attribute<std::int32_t>(root, "schema_version", H5T_NATIVE_INT32),
            kStoreSchemaVersion);
  EXPECT_EQ(text_attribute(root, "arabica_version"), ARABICA_VERSION);
  EXPECT_EQ(text_attribute(root, "generation_timestamp"), "2025-01-14T16:00:00Z");
  EXPECT_EQ(text_attribute(root, "rng"), "philox4x32-10");
  EXPECT_EQ(number_attribute<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64), record.seed);
  EXPECT_EQ(number_attribute<std::int64_t>(root, "n_paths", H5T_NATIVE_INT64), 1000);
  EXPECT_EQ(text_attribute(root, "forecast_calendar"), "calendar");
  EXPECT_EQ(text_attribute(root, "config"), R"({"order":[1,1,1]})");
  EXPECT_EQ(text_attribute(root, "innovations"), "student_t(ν=5.2)");
}

TEST_F(SimulationStore, TracksCreationOrder) {
  write_simulation_h5(file(), make_record());
  const Reader r(file());
  const h5::Handle<H5Gclose> root(H5Gopen2(r.file.get(), "/", H5P_DEFAULT), "test", "root");
  const h5::PropertyList gcpl(H5Gget_create_plist(root.get()), "test", "gcpl");
  unsigned links = 0, attrs = 0;
  H5Pget_link_creation_order(gcpl.get(), &links);
  H5Pget_attr_creation_order(gcpl.get(), &attrs);
  EXPECT_TRUE(links & H5P_CRT_ORDER_TRACKED);
  EXPECT_TRUE(attrs & H5P_CRT_ORDER_TRACKED);
  const h5::PropertyList dcpl(H5Dget_create_plist(r.dataset("path_mean").get()), "test", "dcpl");
  H5Pget_attr_creation_order(dcpl.get(), &attrs);
  EXPECT_TRUE(attrs & H5P_CRT_ORDER_TRACKED);

  // Variables come back in the order they were written: dimensions first.
  char first[32] = {};
  H5Lget_name_by_idx(r.file.get(), ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, first, sizeof first,
                     H5P_DEFAULT);
  EXPECT_STREQ(first, "model");
}

// One fold per chunk; paths split into chunks of at most 1 MiB.
TEST_F(SimulationStore, PathsAreChunkedPerFoldAndDeflated) {
  write_simulation_h5(file(), make_record(40000));
  const Reader r(file());
  const h5::PropertyList dcpl(H5Dget_create_plist(r.dataset("paths").get()), "test", "dcpl");
  ASSERT_EQ(H5Pget_layout(dcpl.get()), H5D_CHUNKED);
  hsize_t chunk[4] = {};
  ASSERT_EQ(H5Pget_chunk(dcpl.get(), 4, chunk), 4);
  // 40000 x 5 x 4 bytes = 800,000 bytes: one chunk.
  EXPECT_EQ(std::vector<hsize_t>(chunk, chunk + 4), (std::vector<hsize_t>{1, 1, 40000, kHorizon}));
  // Shuffle, deflate, then the Fletcher32 checksum of the stored bytes.
  ASSERT_EQ(H5Pget_nfilters(dcpl.get()), 3);
  unsigned flags = 0, level = 0;
  std::size_t n_values = 1;
  EXPECT_EQ(H5Pget_filter2(dcpl.get(), 0, &flags, &n_values, &level, 0, nullptr, nullptr),
            H5Z_FILTER_SHUFFLE);
  n_values = 1;
  EXPECT_EQ(H5Pget_filter2(dcpl.get(), 1, &flags, &n_values, &level, 0, nullptr, nullptr),
            H5Z_FILTER_DEFLATE);
  EXPECT_EQ(level, 1u);
  EXPECT_EQ(H5Pget_filter2(dcpl.get(), 2, &flags, &n_values, &level, 0, nullptr, nullptr),
            H5Z_FILTER_FLETCHER32);

  const h5::PropertyList summary(H5Dget_create_plist(r.dataset("quantiles").get()), "test", "q");
  ASSERT_EQ(H5Pget_chunk(summary.get(), 4, chunk), 4);
  EXPECT_EQ(std::vector<hsize_t>(chunk, chunk + 4), (std::vector<hsize_t>{1, 1, kHorizon, kQuantileLevels.size()}));
  ASSERT_EQ(H5Pget_nfilters(summary.get()), 1);  // checksummed, not compressed
  EXPECT_EQ(H5Pget_filter2(summary.get(), 0, &flags, &n_values, &level, 0, nullptr, nullptr),
            H5Z_FILTER_FLETCHER32);
}

TEST_F(SimulationStore, LargePathCountsSplitIntoEvenChunks) {
  write_simulation_h5(file(), make_record(120000));  // 2.4 MB -> 3 chunks
  const Reader r(file());
  const h5::PropertyList dcpl(H5Dget_create_plist(r.dataset("paths").get()), "test", "dcpl");
  hsize_t chunk[4] = {};
  ASSERT_EQ(H5Pget_chunk(dcpl.get(), 4, chunk), 4);
  EXPECT_EQ(chunk[2], 40000u);
  EXPECT_LE(chunk[2] * chunk[3] * sizeof(float), hsize_t{1} << 20);
}

TEST_F(SimulationStore, WithoutStoredPathsThereIsNoPathDimension) {
  write_simulation_h5(file(), make_record(0));
  const Reader r(file());
  EXPECT_FALSE(r.exists("paths"));
  EXPECT_FALSE(r.exists("path"));
  EXPECT_TRUE(r.exists("quantiles"));
}

// --- failures

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  return names;
}

TEST_F(SimulationStore, FailedRewriteKeepsTheOldFile) {
  const SimulationRecord first = make_record();
  write_simulation_h5(file(), first);

  // HDF5 refuses a second root attribute of the same name mid-write.
  SimulationRecord second = make_record();
  second.last_price = 1.0;
  second.attributes.emplace_back("Conventions", "again");
  testing::internal::CaptureStderr();
  try {
    write_simulation_h5(file(), second);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(file()), std::string::npos) << message;
    EXPECT_NE(message.find("'Conventions'"), std::string::npos) << message;
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "HDF5 printed its error stack";

  EXPECT_EQ(Reader(file()).doubles("last_price"), std::vector<double>{first.last_price});
  EXPECT_EQ(listing(dir_), std::vector<std::string>{"store.h5"}) << "temporary file left behind";
}

TEST_F(SimulationStore, MissingDirectoryIsAnError) {
  const std::string path = file("no_such_dir/store.h5");
  try {
    write_simulation_h5(path, make_record());
    ADD_FAILURE() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  EXPECT_TRUE(listing(dir_).empty());
}

TEST_F(SimulationStore, InconsistentRecordIsAContractError) {
  SimulationRecord record = make_record();
  record.stats.p_up.resize(kHorizon - 1);
  EXPECT_THROW(write_simulation_h5(file(), record), ContractError);
  record = make_record();
  record.stats.stored.pop_back();
  EXPECT_THROW(write_simulation_h5(file(), record), ContractError);
  EXPECT_TRUE(listing(dir_).empty());
}

}  // namespace
}  // namespace arabica
