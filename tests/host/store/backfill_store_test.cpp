// The backfill store's file handling: one writer at a time, readers beside
// a running or killed writer, atomic creation, checksums, damaged flags.
#include "arabica/backfill_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "arabica/error.hpp"
#include "store/h5_handles.hpp"
#include "store/store_test_support.hpp"
#include "store/writer_lock.hpp"

namespace arabica {
namespace {

using namespace arabica::test;

class BackfillStoreFiles : public StoreDirectory {
 protected:
  // A child process that creates the store, commits `committed` folds, writes
  // (without committing) one more, tells the parent and waits to be killed.
  pid_t start_writer(const std::string& path, const std::vector<int>& committed) {
    return start_child([&] {
      BackfillStore store = BackfillStore::create(path, small_layout());
      write_folds(store, committed);
      for (int m = 0; m < store.models(); ++m) store.write(m, 3, result_for(m, 3));
      return store;
    });
  }
};

// --- defect 5: one writer per store; defect 12: readers beside a writer

TEST_F(BackfillStoreFiles, ASecondWriterIsRefusedWithTheFirstWritersPid) {
  const pid_t writer = start_writer(file(), {0, 1});
  const std::string busy =
      file() + " is being written by another arabica process (pid " + std::to_string(writer) + ")";
  EXPECT_EQ(error_of([&] { BackfillStore::resume(file(), kHash); }), busy);
  EXPECT_EQ(error_of([&] { BackfillStore::create(file(), small_layout()); }), busy);
  // HDF5's own locking off changes nothing: the lock is arabica's.
  ::setenv("HDF5_USE_FILE_LOCKING", "FALSE", 1);
  EXPECT_EQ(error_of([&] { BackfillStore::resume(file(), kHash); }), busy);
  ::unsetenv("HDF5_USE_FILE_LOCKING");
  kill_child(writer);
  // The kernel released the killed writer's lock.
  BackfillStore resumed = BackfillStore::resume(file(), kHash);
  EXPECT_EQ(resumed.fold_complete(), (std::vector<std::int8_t>{1, 1, 0, 0}));
  resumed.close();
  EXPECT_FALSE(fs::exists(WriterLock::lock_path(file())));
}

TEST_F(BackfillStoreFiles, TheLockIsTakenOncePerProcessToo) {
  BackfillStore store = BackfillStore::create(file(), small_layout());
  EXPECT_NE(error_of([&] { BackfillStore::resume(file(), kHash); })
                .find("is being written by another arabica process (pid " +
                      std::to_string(::getpid()) + ")"),
            std::string::npos);
  store.close();
  BackfillStore::resume(file(), kHash).close();
}

TEST_F(BackfillStoreFiles, AReaderSeesTheCommittedFoldsOfARunningAndOfAKilledWriter) {
  const pid_t writer = start_writer(file(), {0, 2});
  expect_committed_folds(file(), {1, 0, 1, 0});
  kill_child(writer);
  expect_committed_folds(file(), {1, 0, 1, 0});
  // And once a writer has resumed and finished the store.
  {
    BackfillStore store = BackfillStore::resume(file(), kHash);
    write_folds(store, {1, 3});
    store.close();
  }
  expect_committed_folds(file(), {1, 1, 1, 1});
}

// --- defect 4: atomic creation; what open_for_writing does with a file at OUT

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

// Opens for writing, returning the warning printed (empty: none).
std::string open_for_writing_warning(const std::string& path) {
  ::testing::internal::CaptureStderr();
  try {
    BackfillStore store = BackfillStore::open_for_writing(path, small_layout());
    store.close();
  } catch (...) {
    ::testing::internal::GetCapturedStderr();
    throw;
  }
  return ::testing::internal::GetCapturedStderr();
}

TEST_F(BackfillStoreFiles, CreationLeavesAWholeStoreAndNoTemporaryFile) {
  BackfillStore store = BackfillStore::create(file(), small_layout());
  write_folds(store, {0});
  store.close();
  EXPECT_EQ(std::vector<std::string>{"store.h5"}, [&] {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename());
    return names;
  }());
  EXPECT_THROW(BackfillStore::create(file(), small_layout()), Error);  // never overwritten
}

TEST_F(BackfillStoreFiles, TemporariesOfKilledCreationsAreRemovedUnderTheLock) {
  write_file((dir_ / ".store.h5.tmpAb12Cd").string(), "half a layout");
  write_file((dir_ / ".other.h5.tmpAb12Cd").string(), "another file's");
  BackfillStore::create(file(), small_layout()).close();
  EXPECT_FALSE(fs::exists(dir_ / ".store.h5.tmpAb12Cd"));
  EXPECT_TRUE(fs::exists(dir_ / ".other.h5.tmpAb12Cd"));
}

TEST_F(BackfillStoreFiles, AFileWithoutStoreOrCommittedFoldIsReplacedWithAWarning) {
  std::string stub;  // the superblock alone, as a creation killed early leaves it
  {
    BackfillStore::create(file("whole.h5"), small_layout()).close();
    stub = read_file(file("whole.h5")).substr(0, 48);
  }
  const std::vector<std::pair<std::string, std::string>> leftovers = {
      {"", "an empty file"}, {stub, "a 48-byte HDF5 stub"}};
  for (const auto& [contents, described] : leftovers) {
    write_file(file(), contents);
    const std::string warning = open_for_writing_warning(file());
    EXPECT_EQ(warning, "arabica: warning: " + file() + " is " + described +
                           ", not a store with committed folds; replacing it\n");
    expect_committed_folds(file(), {0, 0, 0, 0});
    fs::remove(file());
  }
  {  // an HDF5 file in the store's format that never got its datasets
    const h5::PropertyList fapl(H5Pcreate(H5P_FILE_ACCESS), file(), "");
    H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    h5::File partial(H5Fcreate(file().c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()), file(), "");
    const std::vector<double> actual(1000, 101.0);  // larger than a stub
    const hsize_t size = actual.size();
    const h5::Dataspace space(H5Screate_simple(1, &size, nullptr), file(), "");
    const h5::Dataset d(H5Dcreate2(partial.get(), "actual", H5T_IEEE_F64LE, space.get(),
                                   H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        file(), "");
    ASSERT_GE(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, actual.data()), 0);
  }
  EXPECT_NE(open_for_writing_warning(file()).find("laid out in part (no fold_complete)"),
            std::string::npos);
  expect_committed_folds(file(), {0, 0, 0, 0});
}

TEST_F(BackfillStoreFiles, AFileWithCommittedFoldsOrNotHdf5IsNeverReplaced) {
  write_file(file("prices.csv"), "date,close\n2024-01-02,100\n");
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_for_writing(file("prices.csv"), small_layout()),
                          "prices.csv: exists and is not an HDF5 file; not overwriting it");
  EXPECT_EQ(read_file(file("prices.csv")), "date,close\n2024-01-02,100\n");

  {
    BackfillStore store = BackfillStore::create(file(), small_layout());
    write_folds(store, {1});
    store.close();
  }
  StoreLayout other = small_layout();
  other.text_attributes = {{"config_hash", "fedcba9876543210"}};
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_for_writing(file(), other),
                          "was written with another configuration");
  {  // committed folds but no config_hash: not ours to replace either
    h5::File f(H5Fopen(file().c_str(), H5F_ACC_RDWR, H5P_DEFAULT), file(), "");
    ASSERT_GE(H5Adelete(f.get(), "config_hash"), 0);
  }
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_for_writing(file(), small_layout()),
                          "has no config_hash attribute but 1 committed folds; not replacing it");
  EXPECT_THAT_INPUT_ERROR(BackfillStore::resume(file(), kHash), "has no config_hash attribute");
}

// Units are not in the configuration: a run in other units resumed the
// store and left its prices labelled with the old ones.
TEST_F(BackfillStoreFiles, AStoreInOtherUnitsIsNeitherResumedNorExtended) {
  StoreLayout layout = small_layout();
  layout.text_attributes.emplace_back("config", "{\"end\": \"2024-01-05\"}");
  {
    BackfillStore store = BackfillStore::create(file(), layout);
    write_folds(store, {1});
    store.close();
  }
  const std::string before = read_file(file());
  StoreLayout other = layout;
  other.units = "USc/lb";
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_for_writing(file(), other),
                          "holds prices in units '1', not 'USc/lb': units are set when a store is laid out");
  other.text_attributes = {{"config_hash", "fedcba9876543210"}};  // an extension
  EXPECT_THAT_INPUT_ERROR(BackfillStore::extend(file(), other, {1}, "{\"end\": \"2024-01-05\"}"),
                          "holds prices in units '1', not 'USc/lb'");
  EXPECT_EQ(read_file(file()), before);
  EXPECT_EQ(open_for_writing_warning(file()), "");  // the same units resume
  expect_committed_folds(file(), {0, 1, 0, 0});
}

TEST_F(BackfillStoreFiles, OpenForWritingResumesTheSameConfiguration) {
  {
    BackfillStore store = BackfillStore::open_for_writing(file(), small_layout());
    write_folds(store, {0, 3});
    store.close();
  }
  EXPECT_EQ(open_for_writing_warning(file()), "");
  expect_committed_folds(file(), {1, 0, 0, 1});
}

// --- the model registry's parameter covariances (#16)

TEST_F(BackfillStoreFiles, ParameterCovariancesAreKeptPerRefitWhereLaidOutAndCopied) {
  StoreLayout layout = small_layout();
  layout.param_covariance = true;
  {
    BackfillStore store = BackfillStore::create(file(), layout);
    EXPECT_TRUE(store.has_param_covariance());
    ModelFoldResult drift = result_for(1, 0);
    drift.param_covariance.resize(2, 2);
    drift.param_covariance << 0.25, -0.125, -0.125, 4.0;
    ModelFoldResult naive = result_for(0, 0);  // a model that records none
    store.write(0, 0, naive);
    store.write(1, 0, drift);
    ModelFoldResult refilter = result_for(1, 1);
    refilter.status = FoldStatus::refiltered;
    store.write(0, 1, result_for(0, 1));
    store.write(1, 1, refilter);
    store.commit({0, 1});
    // A covariance that is not params x params is a contract error.
    drift.param_covariance.resize(1, 1);
    EXPECT_THROW(store.write(1, 2, drift), ContractError);
    store.close(StoreChunks::for_reading);
  }
  const BackfillStore read = BackfillStore::open_read_only(file());
  Eigen::MatrixXd expected(2, 2);
  expected << 0.25, -0.125, -0.125, 4.0;
  EXPECT_EQ(read.param_covariance(1, 0), expected);
  EXPECT_EQ(read.read(1, 0).param_covariance, expected);
  EXPECT_EQ(read.param_covariance(0, 0).size(), 0);  // none written
  EXPECT_EQ(read.param_covariance(1, 1).size(), 0);  // a re-filter
  // An extension's copy carries them.
  const std::string copy = file("copy.h5");
  {
    BackfillStore target = BackfillStore::create(copy, layout);
    target.copy_folds(read, {0, 1});
    target.commit({0, 1});
    target.close();
  }
  EXPECT_EQ(BackfillStore::open_read_only(copy).param_covariance(1, 0), expected);
  // Without it laid out: none, and copies between the two layouts are refused.
  const std::string plain = file("plain.h5");
  BackfillStore without = BackfillStore::create(plain, small_layout());
  EXPECT_FALSE(without.has_param_covariance());
  without.write(1, 0, result_for(1, 0));
  EXPECT_EQ(without.param_covariance(1, 0).size(), 0);
  EXPECT_THROW(without.copy_folds(read, {0}), ContractError);
}

// Every fixed-size dataset of the store at `path`, as stored bytes, by name
// (variable-length texts, the model and parameter names, left out).
std::map<std::string, std::vector<unsigned char>> stored_bytes(const std::string& path) {
  const h5::File file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "open");
  std::vector<std::string> names;
  H5Literate(file.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
              [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
                static_cast<std::vector<std::string>*>(out)->emplace_back(name);
                return 0;
              },
              &names);
  std::map<std::string, std::vector<unsigned char>> bytes;
  for (const std::string& name : names) {
    const h5::Dataset dataset(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), path, name);
    const h5::Datatype type(H5Dget_type(dataset.get()), path, name);
    if (H5Tis_variable_str(type.get()) > 0) continue;
    const h5::Dataspace space(H5Dget_space(dataset.get()), path, name);
    std::vector<unsigned char>& values = bytes[name];
    values.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())) *
                  H5Tget_size(type.get()));
    h5::check(H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), path,
              name);
  }
  return bytes;
}

TEST_F(BackfillStoreFiles, AFoldWrittenAtOnceIsStoredAsItsModelsWrittenOneByOne) {
  StoreLayout layout = small_layout(3);
  layout.param_covariance = true;
  ModelFoldResult failed;  // a failed fit: status, reason and time only
  failed.status = FoldStatus::failed;
  failed.failure_reason = "the likelihood is not finite";
  failed.fit_seconds = 0.5;
  ModelFoldResult drift = result_for(1, 1);
  drift.param_covariance = Eigen::Matrix2d{{0.25, -0.125}, {-0.125, 4.0}};
  drift.innovations = "student_t(nu=5.5)";
  const std::vector<std::vector<ModelFoldResult>> folds = {
      {result_for(0, 0), result_for(1, 0)}, {failed, drift}, {failed, failed}};
  const std::string one_by_one = file("one_by_one.h5"), at_once = file("at_once.h5");
  {
    BackfillStore a = BackfillStore::create(one_by_one, layout);
    BackfillStore b = BackfillStore::create(at_once, layout);
    for (int f = 0; f < 3; ++f) {
      for (int m = 0; m < 2; ++m) a.write(m, f, folds[f][m]);
      b.write_fold(f, folds[f]);
    }
    a.commit({0, 1, 2});
    b.commit({0, 1, 2});
    EXPECT_THROW(b.write_fold(0, {failed}), ContractError);  // not one result per model
  }
  const auto expected = stored_bytes(one_by_one);
  const auto got = stored_bytes(at_once);
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [name, bytes] : expected) EXPECT_TRUE(got.at(name) == bytes) << name;
  const BackfillStore read = BackfillStore::open_read_only(at_once);
  EXPECT_EQ(read.read(0, 1).failure_reason, "the likelihood is not finite");
  EXPECT_EQ(read.read(0, 1).status, FoldStatus::failed);
  EXPECT_EQ(read.param_covariance(1, 1), drift.param_covariance);
  EXPECT_EQ(read.read(1, 1).innovations, "student_t(nu=5.5)");
}

// The writer's runs of folds (write_folds): the same bytes as each fold
// written alone, and a fold where every model failed still has no value
// chunk (only its status, fit seconds and texts), whether it ends a run or
// splits one.
TEST_F(BackfillStoreFiles, ARunOfFoldsWrittenAtOnceIsStoredAsItsFoldsWrittenOneByOne) {
  StoreLayout layout = small_layout(6);
  layout.param_covariance = true;
  ModelFoldResult failed;
  failed.status = FoldStatus::failed;
  failed.failure_reason = "the likelihood is not finite";
  failed.fit_seconds = 0.5;
  ModelFoldResult drift = result_for(1, 2);
  drift.param_covariance = Eigen::Matrix2d{{0.25, -0.125}, {-0.125, 4.0}};
  const std::vector<std::vector<ModelFoldResult>> folds = {
      {result_for(0, 0), result_for(1, 0)}, {failed, failed},  {failed, drift},
      {result_for(0, 3), result_for(1, 3)}, {result_for(0, 4), result_for(1, 4)}, {failed, failed}};
  const std::string one_by_one = file("one_by_one.h5"), in_runs = file("in_runs.h5");
  {
    BackfillStore a = BackfillStore::create(one_by_one, layout);
    BackfillStore b = BackfillStore::create(in_runs, layout);
    for (int f = 0; f < 6; ++f) a.write_fold(f, folds[f]);
    b.write_folds(0, {&folds[0], &folds[1], &folds[2]});
    b.write_folds(3, {&folds[3], &folds[4], &folds[5]});
    a.commit({0, 1, 2, 3, 4, 5});
    b.commit({5, 3, 4, 0, 2, 1});  // flags in runs too, whatever the order
    const std::vector<ModelFoldResult> one = {failed};
    EXPECT_THROW(b.write_folds(0, {&folds[0], &one}), ContractError);  // not one result per model
    EXPECT_THROW(b.write_folds(5, {&folds[0], &folds[1]}), ContractError);  // past the last fold
    EXPECT_THROW(b.write_folds(0, {}), ContractError);
  }
  const auto expected = stored_bytes(one_by_one);
  const auto got = stored_bytes(in_runs);
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [name, bytes] : expected) EXPECT_TRUE(got.at(name) == bytes) << name;
  // One-fold chunks: values at the four folds where a model has them,
  // status and fit seconds at all six.
  for (const auto& [variable, written] : std::map<std::string, hsize_t>{
           {"forecast_mean", 4}, {"quantiles", 4}, {"params", 4}, {"status", 6}, {"fit_seconds", 6}}) {
    const h5::File f(H5Fopen(in_runs.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), in_runs, "open");
    const h5::Dataset d(H5Dopen2(f.get(), variable.c_str(), H5P_DEFAULT), in_runs, variable);
    const h5::Dataspace space(H5Dget_space(d.get()), in_runs, variable);
    hsize_t chunks = 0;
    h5::check(H5Dget_num_chunks(d.get(), space.get(), &chunks), in_runs, variable);
    EXPECT_EQ(chunks, written) << variable;
  }
  const BackfillStore read = BackfillStore::open_read_only(in_runs);
  EXPECT_EQ(read.fold_complete(), std::vector<std::int8_t>(6, 1));
  EXPECT_EQ(read.read(1, 1).failure_reason, "the likelihood is not finite");
  EXPECT_EQ(read.param_covariance(1, 2), drift.param_covariance);
  EXPECT_EQ(read.read(0, 4).forecast.mean, result_for(0, 4).forecast.mean);
}

// --- defect 8: stored_paths at the API edge, path chunks for any count

TEST_F(BackfillStoreFiles, NegativeStoredPathsAreRefusedBeforeAnyFileIsMade) {
  EXPECT_THROW(BackfillStore::create(file(), small_layout(4, -1)), ContractError);
  EXPECT_THROW(BackfillStore::open_for_writing(file(), small_layout(4, -1)), ContractError);
  EXPECT_FALSE(fs::exists(file()));
}

TEST_F(BackfillStoreFiles, AnyStoredPathCountGetsAValidChunk) {
  for (const std::int64_t paths : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1} << 40,
                                   std::numeric_limits<std::int64_t>::max()}) {
    fs::remove(file());
    try {  // HDF5 may refuse a dimension that large; it must not crash
      BackfillStore::create(file(), small_layout(4, paths)).close();
    } catch (const Error& e) {
      EXPECT_GT(paths, std::int64_t{1} << 40) << e.what();
    }
  }
}

// --- defect 6: checksums, bounded metadata retries, strict flags

void flip_byte(const std::string& path, std::uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  const char byte = static_cast<char>(f.get() ^ 0xFF);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(byte);
}

// File offset of the middle of the one place where `values` are stored
// (found by content: chunk addresses from H5Dget_chunk_info are unreliable
// in HDF5 1.10 for chunks across a fixed dimension).
std::uint64_t stored_at(const std::string& path, const Eigen::VectorXd& values) {
  const std::string file = read_file(path);
  const std::string pattern(reinterpret_cast<const char*>(values.data()),
                            sizeof(double) * static_cast<std::size_t>(values.size()));
  const std::size_t at = file.find(pattern);
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(file.find(pattern, at + 1), std::string::npos) << "stored twice";
  return at + pattern.size() / 2;
}

class DamagedStore : public BackfillStoreFiles {
 protected:
  void SetUp() override {
    BackfillStoreFiles::SetUp();
    BackfillStore store = BackfillStore::create(file(), small_layout());
    write_folds(store, {0, 1, 2, 3});
    store.close();
  }
};

TEST_F(DamagedStore, AFlippedByteInAForecastChunkIsAnErrorNamingVariableAndFold) {
  flip_byte(file(), stored_at(file(), result_for(0, 2).forecast.mean));
  const std::string where = "cannot read variable 'forecast_mean' at fold 2 (cutoff 2024-01-04)";
  BackfillStore reader = BackfillStore::open_read_only(file());
  EXPECT_NE(error_of([&] { reader.read_forecasts(); }).find(where), std::string::npos)
      << error_of([&] { reader.read_forecasts(); });
  EXPECT_NE(error_of([&] { reader.read(0, 2); }).find(where), std::string::npos);
  EXPECT_NE(error_of([&] { reader.read(0, 2); }).find("Fletcher32"), std::string::npos);
  EXPECT_EQ(reader.read(1, 3).forecast.mean, result_for(1, 3).forecast.mean);  // another fold's chunk
}

TEST_F(DamagedStore, AFlippedByteInAParameterChunkIsAnErrorNamingVariableAndFold) {
  flip_byte(file(), stored_at(file(), result_for(1, 1).params));
  BackfillStore store = BackfillStore::resume(file(), kHash);
  EXPECT_NE(error_of([&] { store.params(1, 1); })
                .find("cannot read variable 'params' at fold 1 (cutoff 2024-01-03)"),
            std::string::npos)
      << error_of([&] { store.params(1, 1); });
  EXPECT_EQ(store.params(0, 2), result_for(0, 2).params);  // another fold's chunk
}

TEST_F(DamagedStore, FoldCompleteOtherThanZeroOrOneIsDamageNotACommit) {
  {
    const h5::File f(H5Fopen(file().c_str(), H5F_ACC_RDWR, H5P_DEFAULT), file(), "open");
    const h5::Dataset d(H5Dopen2(f.get(), "fold_complete", H5P_DEFAULT), file(), "fold_complete");
    const std::int8_t flags[] = {1, 0x7f, 1, 1};
    ASSERT_GE(H5Dwrite(d.get(), H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, flags), 0);
  }
  const std::string damaged =
      file() + ": fold_complete of fold 1 (cutoff 2024-01-03) is 127, not 0 or 1: the store is damaged";
  EXPECT_EQ(error_of([&] { BackfillStore::open_read_only(file()).fold_complete(); }), damaged);
  EXPECT_EQ(error_of([&] { BackfillStore::open_read_only(file()).read_forecasts(); }), damaged);
  EXPECT_EQ(error_of([&] { BackfillStore::resume(file(), kHash).fold_complete(); }), damaged);
}

TEST_F(DamagedStore, AFlippedMetadataByteFailsInSecondsAndIsNotReplaced) {
  flip_byte(file(), 20);  // in the superblock, under its checksum
  const std::string before = read_file(file());
  for (const auto& open : std::vector<std::function<void()>>{
           [&] { BackfillStore::resume(file(), kHash); },
           [&] { BackfillStore::open_for_writing(file(), small_layout()); },
           [&] { BackfillStore::open_read_only(file()); }}) {
    const auto start = std::chrono::steady_clock::now();
    const std::string error = error_of(open);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    EXPECT_NE(error.find("checksum"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  EXPECT_EQ(read_file(file()), before);
}

}  // namespace
}  // namespace arabica
