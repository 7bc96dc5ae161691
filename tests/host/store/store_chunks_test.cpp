// Chunks for writing and for reading: a finished store is rewritten with
// many folds per compressed chunk, and goes back to one fold per chunk
// before a writer adds folds to it; values, attributes and dimension scales
// survive both ways.
#include <gtest/gtest.h>
#include <hdf5_hl.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "arabica/backfill_store.hpp"
#include "store/h5_handles.hpp"
#include "store/store_chunks.hpp"
#include "store/store_test_support.hpp"

namespace arabica {
namespace {

using namespace arabica::test;

// Opens `path` for reading beside this process's own writer (HDF5 wants
// the same close degree for both opens).
h5::File open_beside_writer(const std::string& path) {
  const h5::PropertyList fapl(H5Pcreate(H5P_FILE_ACCESS), path, "fapl");
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI);
  return h5::File(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get()), path, "open");
}

// Chunk shape and filters of `variable` ("GROUP/NAME" in a universe).
struct Chunking {
  std::vector<hsize_t> chunk;
  bool deflate = false, fletcher32 = false;
};
Chunking chunking_of(const std::string& path, const std::string& variable) {
  const h5::File file = open_beside_writer(path);
  const h5::Dataset dataset(H5Dopen2(file.get(), variable.c_str(), H5P_DEFAULT), path, variable);
  const h5::PropertyList dcpl(H5Dget_create_plist(dataset.get()), path, variable);
  const h5::Dataspace space(H5Dget_space(dataset.get()), path, variable);
  Chunking c;
  c.chunk.resize(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
  H5Pget_chunk(dcpl.get(), static_cast<int>(c.chunk.size()), c.chunk.data());
  for (int i = 0; i < H5Pget_nfilters(dcpl.get()); ++i) {
    unsigned flags = 0, config = 0;
    std::size_t n = 0;
    const H5Z_filter_t filter = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &n,
                                               nullptr, 0, nullptr, &config);
    c.deflate = c.deflate || filter == H5Z_FILTER_DEFLATE;
    c.fletcher32 = c.fletcher32 || filter == H5Z_FILTER_FLETCHER32;
  }
  return c;
}

// The maximum extent of `variable` (H5S_UNLIMITED along an unlimited axis).
std::vector<hsize_t> max_shape_of(const std::string& path, const std::string& variable) {
  const h5::File file = open_beside_writer(path);
  const h5::Dataset dataset(H5Dopen2(file.get(), variable.c_str(), H5P_DEFAULT), path, variable);
  const h5::Dataspace space(H5Dget_space(dataset.get()), path, variable);
  std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get()))),
      max_shape(shape.size());
  H5Sget_simple_extent_dims(space.get(), shape.data(), max_shape.data());
  return max_shape;
}

bool scale_attached(const std::string& path, const std::string& variable, const std::string& scale,
                    unsigned dim) {
  const h5::File file = open_beside_writer(path);
  const h5::Dataset dataset(H5Dopen2(file.get(), variable.c_str(), H5P_DEFAULT), path, variable);
  const h5::Dataset dimension(H5Dopen2(file.get(), scale.c_str(), H5P_DEFAULT), path, scale);
  return H5DSis_attached(dataset.get(), dimension.get(), dim) > 0;
}

// The reading index of the store at `group` ("/" or a universe's series).
std::string reading_index(const std::string& path, const std::string& group = "/") {
  const h5::File file = open_beside_writer(path);
  const h5::Group g(H5Gopen2(file.get(), group.c_str(), H5P_DEFAULT), path, group);
  if (H5Aexists(g.get(), kReadingIndexAttribute) <= 0) return "";
  const h5::Attribute attribute(H5Aopen(g.get(), kReadingIndexAttribute, H5P_DEFAULT), path, "index");
  const h5::Datatype type(H5Aget_type(attribute.get()), path, "index");
  char* text = nullptr;
  H5Aread(attribute.get(), type.get(), &text);
  std::string value = text ? text : "";
  H5free_memory(text);
  return value;
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void expect_written(const BackfillStore& store, const std::vector<int>& folds) {
  for (const int f : folds)
    for (int m = 0; m < store.models(); ++m) {
      const ModelFoldResult r = store.read(m, f);
      const ModelFoldResult expected = result_for(m, f);
      EXPECT_EQ(r.forecast.mean, expected.forecast.mean) << m << "," << f;
      EXPECT_EQ(r.stats.quantiles, expected.stats.quantiles) << m << "," << f;
      EXPECT_EQ(r.params, expected.params) << m << "," << f;
      EXPECT_EQ(r.stats.stored, expected.stats.stored) << m << "," << f;
    }
}

TEST(ChunkShape, PerFoldIsOneFoldOfEveryModel) {
  // (model, cutoff, day_ahead, q) of doubles; (model, cutoff, path, day_ahead) of floats.
  EXPECT_EQ(chunk_shape({3, 250, 7, 99}, 1, 8, StoreChunks::per_fold),
            (std::vector<hsize_t>{3, 1, 7, 99}));
  EXPECT_EQ(chunk_shape({250}, 0, 1, StoreChunks::per_fold), (std::vector<hsize_t>{1}));
  // 3 models x 120,000 paths x 7 days x 4 bytes = 10.1 MB: ten chunks of 12,000 paths.
  EXPECT_EQ(chunk_shape({3, 250, 120000, 7}, 1, 4, StoreChunks::per_fold),
            (std::vector<hsize_t>{3, 1, 12000, 7}));
}

TEST(ChunkShape, ForReadingIsAsManyWholeFoldsAsFitInAMebibyte) {
  // 3 x 7 x 99 x 8 = 16,632 bytes a fold: 63 folds.
  EXPECT_EQ(chunk_shape({3, 250, 7, 99}, 1, 8, StoreChunks::for_reading),
            (std::vector<hsize_t>{3, 63, 7, 99}));
  EXPECT_EQ(chunk_shape({3, 40, 7}, 1, 8, StoreChunks::for_reading),
            (std::vector<hsize_t>{3, 40, 7}));  // all folds
  EXPECT_EQ(chunk_shape({3, 0, 7}, 1, 8, StoreChunks::for_reading),
            (std::vector<hsize_t>{3, 1, 7}));  // no fold yet: chunks are at least 1
  // A fold larger than a mebibyte keeps its one-fold chunks.
  EXPECT_EQ(chunk_shape({3, 250, 120000, 7}, 1, 4, StoreChunks::for_reading),
            (std::vector<hsize_t>{3, 1, 12000, 7}));
}

using StoreChunksFiles = StoreDirectory;

TEST_F(StoreChunksFiles, AStoreClosedForReadingHasManyFoldsPerCompressedChunkAndTheSameContents) {
  BackfillStore store = BackfillStore::create(file(), small_layout(40));
  std::vector<int> all;
  for (int f = 0; f < 40; ++f) all.push_back(f);
  write_folds(store, all);
  store.close(StoreChunks::for_reading);

  const Chunking forecast = chunking_of(file(), "forecast_mean");
  EXPECT_EQ(forecast.chunk, (std::vector<hsize_t>{2, 40, kHorizon}));
  EXPECT_TRUE(forecast.deflate);
  EXPECT_TRUE(forecast.fletcher32);
  EXPECT_EQ(chunking_of(file(), "fold_complete").chunk, (std::vector<hsize_t>{40}));
  EXPECT_TRUE(scale_attached(file(), "quantiles", "cutoff", 1));
  EXPECT_TRUE(scale_attached(file(), "quantiles", "q", 3));
  EXPECT_TRUE(scale_attached(file(), "params", "model", 0));

  BackfillStore reader = BackfillStore::open_read_only(file());
  EXPECT_EQ(reader.fold_complete(), std::vector<std::int8_t>(40, 1));
  expect_written(reader, all);
  // The layout's own attributes came along: a resume with its hash is accepted.
  reader.close();
  BackfillStore::resume(file(), kHash).close();
}

TEST_F(StoreChunksFiles, AWriterAddingFoldsToAStoreChunkedForReadingGetsOneFoldPerChunkFirst) {
  {
    BackfillStore store = BackfillStore::create(file(), small_layout(6));
    write_folds(store, {0, 1, 2});
    store.record_at_close("run_log", "[1]");
    store.close(StoreChunks::for_reading);
  }
  EXPECT_EQ(chunking_of(file(), "forecast_mean").chunk, (std::vector<hsize_t>{2, 6, kHorizon}));
  // Fixed extents along cutoff once chunked for reading (xarray's h5netcdf
  // sizes an unlimited dimension from every variable attached to it, for
  // every variable: seconds for a universe), unlimited again to be written.
  EXPECT_EQ(max_shape_of(file(), "cutoff"), std::vector<hsize_t>{6});
  EXPECT_EQ(max_shape_of(file(), "forecast_mean"), (std::vector<hsize_t>{2, 6, kHorizon}));
  EXPECT_EQ(max_shape_of(file(), "paths"), (std::vector<hsize_t>{2, 6, 2, kHorizon}));
  // Its reading index lists the group's attributes (with the one set at
  // close) and every variable with its dimensions: texts, the names of the
  // rest, and the creation order where it is not the texts then the rest.
  const std::string index = reading_index(file());
  EXPECT_EQ(index.rfind(R"({"version":2,"group":{"attrs":{"Conventions":"CF-1.8",)", 0), 0) << index.substr(0, 2000);
  EXPECT_NE(index.find(R"("run_log":"[1]"},"other":["schema_version",)"), std::string::npos) << index.substr(0, 2000);
  EXPECT_NE(index.find(R"("order":["Conventions","schema_version",)"), std::string::npos) << index.substr(0, 2000);
  EXPECT_NE(index.find(R"({"name":"forecast_mean","dims":["model","cutoff","day_ahead"],"attrs":{"long_name":"Kalman point forecast","units":"1","coordinates":"forecast_date"},"other":[]})"),
            std::string::npos)
      << index.substr(0, 2000);
  EXPECT_NE(index.find(R"({"name":"quantiles","dims":["model","cutoff","day_ahead","q"],)"), std::string::npos);
  EXPECT_NE(index.find(R"({"name":"status","dims":["model","cutoff"],"attrs":{"long_name":"fold status","flag_meanings":"pending trained refiltered failed"},"other":["flag_values"],"order":["long_name","flag_values","flag_meanings"]})"),
            std::string::npos)
      << index.substr(0, 2000);
  BackfillStore store = BackfillStore::resume(file(), kHash);
  EXPECT_EQ(reading_index(file()), "");  // per fold: not for reading
  // Committing fold 3 must not rewrite the chunk that holds folds 0-2.
  const Chunking per_fold = chunking_of(file(), "forecast_mean");
  EXPECT_EQ(per_fold.chunk, (std::vector<hsize_t>{2, 1, kHorizon}));
  EXPECT_FALSE(per_fold.deflate);
  EXPECT_EQ(chunking_of(file(), "paths").chunk, (std::vector<hsize_t>{2, 1, 2, kHorizon}));
  EXPECT_EQ(max_shape_of(file(), "cutoff"), std::vector<hsize_t>{H5S_UNLIMITED});
  EXPECT_EQ(max_shape_of(file(), "forecast_mean"), (std::vector<hsize_t>{2, H5S_UNLIMITED, kHorizon}));
  EXPECT_EQ(max_shape_of(file(), "paths"), (std::vector<hsize_t>{2, H5S_UNLIMITED, 2, kHorizon}));
  EXPECT_EQ(store.fold_complete(), (std::vector<std::int8_t>{1, 1, 1, 0, 0, 0}));
  expect_written(store, {0, 1, 2});
  write_folds(store, {3, 4, 5});
  store.close(StoreChunks::for_reading);
  EXPECT_EQ(chunking_of(file(), "forecast_mean").chunk, (std::vector<hsize_t>{2, 6, kHorizon}));
  EXPECT_EQ(max_shape_of(file(), "forecast_mean"), (std::vector<hsize_t>{2, 6, kHorizon}));
  expect_written(BackfillStore::open_read_only(file()), {0, 1, 2, 3, 4, 5});
}

TEST_F(StoreChunksFiles, AStoreWithoutFoldsKeepsAnUnlimitedCutoffWhenChunkedForReading) {
  // A fixed extent of 0 leaves no room for a chunk of 1 fold.
  BackfillStore::create(file(), small_layout(0)).close(StoreChunks::for_reading);
  EXPECT_EQ(max_shape_of(file(), "cutoff"), std::vector<hsize_t>{H5S_UNLIMITED});
  EXPECT_EQ(max_shape_of(file(), "forecast_mean"), (std::vector<hsize_t>{2, H5S_UNLIMITED, kHorizon}));
  EXPECT_TRUE(BackfillStore::open_read_only(file()).fold_complete().empty());
}

TEST_F(StoreChunksFiles, AFinishedStoreIsResumedAsItIsAndNotRewrittenAgain) {
  {
    BackfillStore store = BackfillStore::create(file(), small_layout(3));
    write_folds(store, {0, 1, 2});
    store.close(StoreChunks::for_reading);
  }
  const std::string before = bytes_of(file());
  BackfillStore::resume(file(), kHash).close(StoreChunks::for_reading);
  EXPECT_EQ(bytes_of(file()), before);
}

TEST_F(StoreChunksFiles, StoredPathsOfMoreThanAMebibyteAFoldAreCopiedAsStored) {
  constexpr std::int64_t kPaths = 100000;  // 2 models x 100,000 x 3 days x 4 B = 2.4 MB a fold: 3 chunks
  BackfillStore store = BackfillStore::create(file(), small_layout(3, kPaths));
  for (int f : {0, 2})
    for (int m = 0; m < 2; ++m) store.write(m, f, result_for(m, f, kPaths));
  store.commit({0, 2});
  store.close(StoreChunks::for_reading);
  EXPECT_EQ(chunking_of(file(), "paths").chunk, (std::vector<hsize_t>{2, 1, 33334, kHorizon}));
  EXPECT_EQ(chunking_of(file(), "forecast_mean").chunk, (std::vector<hsize_t>{2, 3, kHorizon}));
  BackfillStore reader = BackfillStore::open_read_only(file());
  EXPECT_EQ(reader.fold_complete(), (std::vector<std::int8_t>{1, 0, 1}));
  for (int f : {0, 2})
    for (int m = 0; m < 2; ++m)
      EXPECT_EQ(reader.read(m, f).stats.stored, result_for(m, f, kPaths).stats.stored) << m << f;
}

TEST_F(StoreChunksFiles, AUniverseIsRewrittenWholeAndItsSeriesResumedOneByOne) {
  const auto series = [](const std::string& name, int folds) {
    return SeriesLayout{name, small_layout(folds)};
  };
  {
    std::vector<BackfillStore> stores =
        BackfillStore::open_universe_for_writing(file(), {series("A", 4), series("B", 5)});
    write_folds(stores[0], {0, 1, 2, 3});
    write_folds(stores[1], {0, 1});
    for (BackfillStore& s : stores) s.close(StoreChunks::for_reading);
  }
  EXPECT_EQ(chunking_of(file(), "A/forecast_mean").chunk, (std::vector<hsize_t>{2, 4, kHorizon}));
  EXPECT_EQ(chunking_of(file(), "B/forecast_mean").chunk, (std::vector<hsize_t>{2, 5, kHorizon}));
  EXPECT_TRUE(scale_attached(file(), "B/quantiles", "B/cutoff", 1));
  EXPECT_EQ(max_shape_of(file(), "A/cutoff"), std::vector<hsize_t>{4});  // each group's own fold count
  EXPECT_EQ(max_shape_of(file(), "B/quantiles")[1], 5u);
  {
    // B has folds to write: the file goes back to one-fold chunks; C is added.
    std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(
        file(), {series("A", 4), series("B", 5), series("C", 2)});
    EXPECT_EQ(chunking_of(file(), "B/forecast_mean").chunk, (std::vector<hsize_t>{2, 1, kHorizon}));
    EXPECT_EQ(max_shape_of(file(), "A/quantiles")[1], H5S_UNLIMITED);
    expect_written(stores[0], {0, 1, 2, 3});
    expect_written(stores[1], {0, 1});
    write_folds(stores[1], {2, 3, 4});
    write_folds(stores[2], {0, 1});
    for (BackfillStore& s : stores) s.close(StoreChunks::for_reading);
  }
  auto read = BackfillStore::open_universe_read_only(file());
  ASSERT_EQ(read.size(), 3u);
  expect_written(read[0].second, {0, 1, 2, 3});
  expect_written(read[1].second, {0, 1, 2, 3, 4});
  expect_written(read[2].second, {0, 1});
  EXPECT_EQ(chunking_of(file(), "C/forecast_mean").chunk, (std::vector<hsize_t>{2, 2, kHorizon}));
}

}  // namespace
}  // namespace arabica
