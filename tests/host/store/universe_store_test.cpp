// The universe store: one file, one group per series, each group the store a
// single-series run writes; series resumed, added and refused one by one.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "arabica/backfill_store.hpp"
#include "arabica/error.hpp"
#include "store/h5_handles.hpp"
#include "store/store_test_support.hpp"

namespace arabica {
namespace {

using namespace arabica::test;

SeriesLayout series(const std::string& name, int folds, const std::string& hash = kHash) {
  SeriesLayout s{name, small_layout(folds)};
  s.layout.text_attributes = {{"config_hash", hash}};
  return s;
}

// Every committed fold of `store` holds what write_folds wrote.
void expect_folds(const BackfillStore& store, const std::vector<std::int8_t>& expected) {
  ASSERT_EQ(store.fold_complete(), expected);
  for (int f = 0; f < store.folds(); ++f) {
    if (!expected[static_cast<std::size_t>(f)]) continue;
    for (int m = 0; m < store.models(); ++m) {
      const ModelFoldResult r = store.read(m, f);
      EXPECT_EQ(r.forecast.mean, result_for(m, f).forecast.mean) << m << "," << f;
      EXPECT_EQ(r.stats.quantiles, result_for(m, f).stats.quantiles) << m << "," << f;
    }
  }
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using UniverseStore = StoreDirectory;

TEST_F(UniverseStore, EachSeriesIsAGroupWithItsOwnFoldsInTheOrderGiven) {
  {
    std::vector<BackfillStore> stores =
        BackfillStore::open_universe_for_writing(file(), {series("KC", 4), series("CL.F", 6)});
    ASSERT_EQ(stores.size(), 2u);
    EXPECT_EQ(stores[0].folds(), 4);
    EXPECT_EQ(stores[1].folds(), 6);
    write_folds(stores[0], {0, 2});
    write_folds(stores[1], {5});
    for (BackfillStore& s : stores) s.close();
  }
  EXPECT_TRUE(BackfillStore::is_universe(file()));
  auto read = BackfillStore::open_universe_read_only(file());
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].first, "KC");
  EXPECT_EQ(read[1].first, "CL.F");
  expect_folds(read[0].second, {1, 0, 1, 0});
  expect_folds(read[1].second, {0, 0, 0, 0, 0, 1});
}

TEST_F(UniverseStore, TheLastStoreOfTheFileReleasesTheWriterLock) {
  std::vector<BackfillStore> stores =
      BackfillStore::open_universe_for_writing(file(), {series("A", 3), series("B", 3)});
  stores[0].close();
  EXPECT_NE(error_of([&] { BackfillStore::open_universe_for_writing(file(), {series("A", 3)}); })
                .find("being written by another arabica process"),
            std::string::npos);
  write_folds(stores[1], {1});  // the file is still open for B
  stores[1].close();
  std::vector<BackfillStore> again = BackfillStore::open_universe_for_writing(file(), {series("B", 3)});
  expect_folds(again[0], {0, 1, 0});
}

TEST_F(UniverseStore, AddingASeriesKeepsTheFoldsOfTheOthersAndResumesThem) {
  {
    std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(file(), {series("A", 4)});
    write_folds(stores[0], {0, 1});
    stores[0].close();
  }
  std::vector<BackfillStore> stores =
      BackfillStore::open_universe_for_writing(file(), {series("B", 2), series("A", 4)});
  expect_folds(stores[1], {1, 1, 0, 0});
  expect_folds(stores[0], {0, 0});
  write_folds(stores[0], {1});
  for (BackfillStore& s : stores) s.close();
  auto read = BackfillStore::open_universe_read_only(file());
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].first, "A");  // listed in the order they joined
  EXPECT_EQ(read[1].first, "B");
  expect_folds(read[1].second, {0, 1});
}

TEST_F(UniverseStore, AKilledWritersFoldsSurviveTheAdditionOfASeries) {
  kill_child(start_child([&] {
    std::vector<BackfillStore> stores =
        BackfillStore::open_universe_for_writing(file(), {series("A", 4), series("B", 4)});
    write_folds(stores[0], {0, 1});
    write_folds(stores[1], {3});
    for (int m = 0; m < stores[0].models(); ++m) stores[0].write(m, 2, result_for(m, 2));
    return stores;
  }));

  std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(
      file(), {series("A", 4), series("B", 4), series("C", 5)});
  expect_folds(stores[0], {1, 1, 0, 0});
  expect_folds(stores[1], {0, 0, 0, 1});
  expect_folds(stores[2], {0, 0, 0, 0, 0});
  write_folds(stores[0], {2});  // the uncommitted fold is rewritten over the killed write
  write_folds(stores[2], {4});
  for (BackfillStore& s : stores) s.close();
  auto read = BackfillStore::open_universe_read_only(file());
  expect_folds(read[0].second, {1, 1, 1, 0});
  expect_folds(read[2].second, {0, 0, 0, 0, 1});
}

TEST_F(UniverseStore, ASeriesOfAnotherConfigurationIsRefusedByNameAndNothingChanges) {
  {
    std::vector<BackfillStore> stores =
        BackfillStore::open_universe_for_writing(file(), {series("A", 3), series("B", 3)});
    write_folds(stores[1], {0});
    for (BackfillStore& s : stores) s.close();
  }
  const std::string before = bytes_of(file());
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_universe_for_writing(
                              file(), {series("A", 3), series("B", 3, "fedcba9876543210"),
                                       series("C", 3)}),
                          "series 'B' was written with another configuration");
  EXPECT_EQ(bytes_of(file()), before);
}

// An extension's rule for the tests: every committed fold is kept.
BackfillStore::UniverseOpening keep_committed(std::vector<std::string>* asked = nullptr) {
  BackfillStore::UniverseOpening opening;
  opening.keep = [asked](std::size_t index, const BackfillStore& stored, const std::string& where) {
    if (asked) asked->push_back(std::to_string(index) + " " + where);
    std::vector<int> keep;
    const std::vector<std::int8_t> flags = stored.fold_complete();
    for (std::size_t f = 0; f < flags.size(); ++f)
      if (flags[f]) keep.push_back(static_cast<int>(f));
    return keep;
  };
  return opening;
}

TEST_F(UniverseStore, ASeriesInOtherUnitsIsRefusedByNameAndNothingChanges) {
  {
    std::vector<BackfillStore> stores =
        BackfillStore::open_universe_for_writing(file(), {series("A", 3), series("B", 3)});
    write_folds(stores[1], {0});
    for (BackfillStore& s : stores) s.close();
  }
  const std::string before = bytes_of(file());
  SeriesLayout b = series("B", 3);
  b.layout.units = "USD/t";
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_universe_for_writing(file(), {series("A", 3), b}),
                          "series 'B' holds prices in units '1', not 'USD/t'");
  b.layout.text_attributes = {{"config_hash", "fedcba9876543210"}};  // extended, not resumed
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_universe_for_writing(file(), {series("A", 3), b}, keep_committed()),
                          "series 'B' holds prices in units '1', not 'USD/t'");
  EXPECT_EQ(bytes_of(file()), before);
}


TEST_F(UniverseStore, AGroupOfAnEarlierRunIsLaidOutAnewWithTheFoldsItsRuleKeeps) {
  {
    std::vector<BackfillStore> stores =
        BackfillStore::open_universe_for_writing(file(), {series("A", 3), series("B", 3)});
    write_folds(stores[0], {0, 2});
    write_folds(stores[1], {1});
    for (BackfillStore& s : stores) s.close(StoreChunks::for_reading);
  }
  std::vector<std::string> asked;
  // B's run now has 5 folds and another configuration: extended; A resumed.
  std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(
      file(), {series("A", 3), series("B", 5, "fedcba9876543210")}, keep_committed(&asked));
  EXPECT_EQ(asked, std::vector<std::string>{"1 " + file() + " (series B)"});
  ASSERT_EQ(stores[1].folds(), 5);
  expect_folds(stores[0], {1, 0, 1});
  expect_folds(stores[1], {0, 1, 0, 0, 0});
  EXPECT_EQ(*stores[1].root_text("config_hash"), "fedcba9876543210");
  write_folds(stores[1], {4});
  for (BackfillStore& s : stores) s.close();
  auto read = BackfillStore::open_universe_read_only(file());
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[1].first, "B");  // listed once, where it was
  expect_folds(read[1].second, {0, 1, 0, 0, 1});
}

TEST_F(UniverseStore, ARuleThatRefusesLeavesTheFileAsItWas) {
  {
    std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(file(), {series("A", 3)});
    write_folds(stores[0], {0});
    stores[0].close();
  }
  const std::string before = bytes_of(file());
  BackfillStore::UniverseOpening refuse;
  refuse.keep = [](std::size_t, const BackfillStore&, const std::string& where) -> std::vector<int> {
    throw InputError(where, "was written with another configuration (paths differ)");
  };
  EXPECT_THAT_INPUT_ERROR(
      BackfillStore::open_universe_for_writing(file(), {series("A", 4, "fedcba9876543210")}, refuse),
      "(series A): was written with another configuration (paths differ)");
  EXPECT_EQ(bytes_of(file()), before);
}

TEST_F(UniverseStore, ANewFileIsSeededFromTheSeedsGroupsAndResumesItsOwnLater) {
  const std::string seed = file("deliverable.h5");
  {
    std::vector<BackfillStore> stores =
        BackfillStore::open_universe_for_writing(seed, {series("A", 3), series("B", 3)});
    write_folds(stores[0], {0, 1});
    write_folds(stores[1], {2});
    for (BackfillStore& s : stores) s.close(StoreChunks::for_reading);
  }
  BackfillStore::UniverseOpening opening = keep_committed();
  opening.seed = seed;
  {
    // C is not in the seed: laid out empty.
    std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(
        file(), {series("A", 4, "fedcba9876543210"), series("B", 3), series("C", 2)}, opening);
    expect_folds(stores[0], {1, 1, 0, 0});
    expect_folds(stores[1], {0, 0, 1});
    expect_folds(stores[2], {0, 0});
    write_folds(stores[0], {3});
    for (BackfillStore& s : stores) s.close();
  }
  // Its own groups are resumed, not seeded again.
  std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(
      file(), {series("A", 4, "fedcba9876543210"), series("B", 3), series("C", 2)}, opening);
  expect_folds(stores[0], {1, 1, 0, 1});
}

TEST_F(UniverseStore, SingleSeriesAndUniverseStoresRefuseToReplaceEachOther) {
  {
    BackfillStore single = BackfillStore::create(file("single.h5"), small_layout());
    write_folds(single, {0});
    single.close();
    std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(file(), {series("A", 3)});
    write_folds(stores[0], {0});
    stores[0].close();
  }
  const std::string single = bytes_of(file("single.h5")), universe = bytes_of(file());
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_universe_for_writing(file("single.h5"), {series("A", 3)}),
                          "is a single-series backfill store");
  EXPECT_THAT_INPUT_ERROR(BackfillStore::open_for_writing(file(), small_layout()),
                          "is a universe store");
  EXPECT_FALSE(BackfillStore::is_universe(file("single.h5")));
  EXPECT_EQ(bytes_of(file("single.h5")), single);
  expect_folds(BackfillStore::open_universe_read_only(file())[0].second, {1, 0, 0});
  EXPECT_EQ(universe.size(), bytes_of(file()).size());
}

// The merge of shard stores: every model's values of the folds given, in
// runs of consecutive folds, and nothing else.
TEST_F(UniverseStore, CopyFoldsCopiesEveryModelOfThoseFoldsOnly) {
  BackfillStore source = BackfillStore::create(file("source.h5"), small_layout(6));
  write_folds(source, {0, 1, 2, 4, 5});
  BackfillStore target = BackfillStore::create(file("target.h5"), small_layout(6));
  target.copy_folds(source, {1, 2, 5});
  target.commit({1, 2, 5});
  expect_folds(target, {0, 1, 1, 0, 0, 1});
  for (const int f : {1, 2, 5})
    for (int m = 0; m < target.models(); ++m) {
      const ModelFoldResult r = target.read(m, f), expected = source.read(m, f);
      EXPECT_EQ(r.status, expected.status);
      EXPECT_EQ(r.params, expected.params);
      EXPECT_EQ(r.stats.stored, expected.stats.stored);
      EXPECT_EQ(r.trained_on, expected.trained_on);
      EXPECT_EQ(r.failure_reason, expected.failure_reason);
    }
  EXPECT_EQ(target.status(0, 0), FoldStatus::pending);
  EXPECT_EQ(target.status(1, 4), FoldStatus::pending);
  source.close();
  target.close();
}

// Both stores hold the same values at (model, fold), every model.
void expect_same_fold(const BackfillStore& a, const BackfillStore& b, int f) {
  for (int m = 0; m < a.models(); ++m) {
    const ModelFoldResult r = a.read(m, f), expected = b.read(m, f);
    EXPECT_EQ(r.status, expected.status) << m << "," << f;
    EXPECT_EQ(r.forecast.mean, expected.forecast.mean) << m << "," << f;
    EXPECT_EQ(r.stats.quantiles, expected.stats.quantiles) << m << "," << f;
    EXPECT_EQ(r.params, expected.params) << m << "," << f;
    EXPECT_EQ(r.stats.stored, expected.stats.stored) << m << "," << f;
    EXPECT_EQ(r.trained_on, expected.trained_on) << m << "," << f;
    EXPECT_EQ(r.failure_reason, expected.failure_reason) << m << "," << f;
  }
}

// The merge of a universe's shards written straight in chunks for
// reading: what copy_folds and commit give, shard by shard, then rewritten.
TEST_F(UniverseStore, AMergeForReadingTakesEachFoldFromTheFirstShardThatCommittedIt) {
  const std::vector<SeriesLayout> layouts = {series("A", 5), series("B", 4)};
  std::vector<std::vector<BackfillStore>> shards;
  shards.push_back(BackfillStore::open_universe_for_writing(file("s0.h5"), layouts));
  shards.push_back(BackfillStore::open_universe_for_writing(file("s1.h5"), layouts));
  write_folds(shards[0][0], {0, 1, 2});
  write_folds(shards[0][1], {0});
  write_folds(shards[1][1], {1, 2, 3});
  // Fold 2 of A in both shards, told apart: the first shard's is merged.
  for (int m = 0; m < 2; ++m) shards[1][0].write(m, 2, result_for(m, 12));
  write_folds(shards[1][0], {3});
  shards[1][0].commit({2});

  std::vector<BackfillStore> merged = BackfillStore::open_universe_for_writing(file("merged.h5"), layouts);
  EXPECT_EQ(BackfillStore::merge_for_reading(merged, shards), (std::vector<int>{4, 4}));
  ASSERT_EQ(merged.size(), 2u);
  expect_folds(merged[0], {1, 1, 1, 1, 0});  // fold 4 in no shard
  expect_folds(merged[1], {1, 1, 1, 1});
  // The merge shard by shard (copy_folds, commit) and the rewrite after it.
  std::vector<BackfillStore> one_by_one = BackfillStore::open_universe_for_writing(file("old.h5"), layouts);
  const std::vector<std::vector<int>> first = {{0, 1, 2}, {0}}, second = {{3}, {1, 2, 3}};
  for (std::size_t j = 0; j < 2; ++j) {
    one_by_one[j].copy_folds(shards[0][j], first[j]);
    one_by_one[j].commit(first[j]);
    one_by_one[j].copy_folds(shards[1][j], second[j]);
    one_by_one[j].commit(second[j]);
  }
  for (BackfillStore& s : one_by_one) s.close(StoreChunks::for_reading);
  const auto old = BackfillStore::open_universe_read_only(file("old.h5"));
  for (std::size_t j = 0; j < 2; ++j)
    for (int f = 0; f < merged[j].folds(); ++f) expect_same_fold(merged[j], old[j].second, f);

  // A later writer adds the fold no shard had.
  for (auto& shard : shards)
    for (BackfillStore& s : shard) s.close();
  for (BackfillStore& s : merged) s.close(StoreChunks::for_reading);
  // Written in the chunks of a finished store (no rewrite at its close).
  {
    const h5::File out(H5Fopen(file("merged.h5").c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ,
                                H5P_DEFAULT), file("merged.h5"), "open");
    const h5::Dataset mean(H5Dopen2(out.get(), "A/forecast_mean", H5P_DEFAULT), file("merged.h5"), "A");
    const h5::PropertyList dcpl(H5Dget_create_plist(mean.get()), file("merged.h5"), "A");
    std::vector<hsize_t> chunk(3);
    H5Pget_chunk(dcpl.get(), 3, chunk.data());
    EXPECT_EQ(chunk, (std::vector<hsize_t>{2, 5, kHorizon}));
  }

  std::vector<BackfillStore> resumed = BackfillStore::open_universe_for_writing(file("merged.h5"), layouts);
  write_folds(resumed[0], {4});
  expect_folds(resumed[0], {1, 1, 1, 1, 1});
  for (BackfillStore& s : resumed) s.close();
}

// A single-series store (its root, not a group) is merged the same way.
TEST_F(UniverseStore, AMergeForReadingOfASingleSeriesStoreReopensItForScoring) {
  std::vector<std::vector<BackfillStore>> shards(2);
  shards[0].push_back(BackfillStore::create(file("s0.h5"), small_layout(4)));
  shards[1].push_back(BackfillStore::create(file("s1.h5"), small_layout(4)));
  write_folds(shards[0][0], {0, 2});
  write_folds(shards[1][0], {1, 3});
  std::vector<BackfillStore> merged;
  merged.push_back(BackfillStore::create(file("merged.h5"), small_layout(4)));
  EXPECT_EQ(BackfillStore::merge_for_reading(merged, shards), std::vector<int>{4});
  ASSERT_EQ(merged.size(), 1u);
  expect_folds(merged[0], {1, 1, 1, 1});
  for (int f = 0; f < 4; ++f) expect_same_fold(merged[0], shards[f % 2][0], f);
  merged[0].close(StoreChunks::for_reading);
  for (auto& shard : shards) shard[0].close();
  expect_folds(BackfillStore::open_read_only(file("merged.h5")), {1, 1, 1, 1});
}

// The merge under MPI: each rank hands rank 0 its shard's committed values
// (committed_values) and the merge takes them from memory, not from the
// shards' one-fold chunks; the store is the one the shards alone give.
TEST_F(UniverseStore, AMergeTakesTheShardsCommittedValuesFromMemory) {
  const std::vector<SeriesLayout> layouts = {series("A", 5), series("B", 4)};
  std::vector<std::vector<BackfillStore>> shards;
  shards.push_back(BackfillStore::open_universe_for_writing(file("s0.h5"), layouts));
  shards.push_back(BackfillStore::open_universe_for_writing(file("s1.h5"), layouts));
  write_folds(shards[0][0], {0, 2, 3});
  write_folds(shards[0][1], {1});
  write_folds(shards[1][0], {1, 4});
  write_folds(shards[1][1], {0, 2, 3});
  std::vector<std::vector<CommittedValues>> in_memory(2);
  for (std::size_t k = 0; k < 2; ++k)
    for (const BackfillStore& store : shards[k]) in_memory[k].push_back(store.committed_values());
  EXPECT_EQ(in_memory[0][0].folds, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(in_memory[1][1].folds, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(in_memory[0][0].variables.count("forecast_mean"), 1u);
  EXPECT_EQ(in_memory[0][0].variables.count("fold_complete"), 1u);
  // Through the message ranks send.
  for (std::vector<CommittedValues>& rank : in_memory) rank = from_bytes(to_bytes(rank));

  std::vector<BackfillStore> from_files = BackfillStore::open_universe_for_writing(file("files.h5"), layouts);
  EXPECT_EQ(BackfillStore::merge_for_reading(from_files, shards), (std::vector<int>{5, 4}));
  std::vector<BackfillStore> from_memory = BackfillStore::open_universe_for_writing(file("memory.h5"), layouts);
  EXPECT_EQ(BackfillStore::merge_for_reading(from_memory, shards, in_memory), (std::vector<int>{5, 4}));
  for (std::size_t j = 0; j < 2; ++j) {
    expect_folds(from_memory[j], std::vector<std::int8_t>(static_cast<std::size_t>(from_memory[j].folds()), 1));
    for (int f = 0; f < from_memory[j].folds(); ++f) expect_same_fold(from_memory[j], from_files[j], f);
  }

  // Taken from memory indeed: a value changed there is the one merged.
  // Values of other folds than the shard committed are not taken.
  std::vector<double> mean(in_memory[1][0].variables.at("forecast_mean").size() / sizeof(double));
  std::memcpy(mean.data(), in_memory[1][0].variables.at("forecast_mean").data(), mean.size() * sizeof(double));
  ASSERT_EQ(mean.size(), 2u * 2 * kHorizon);  // (model, the folds 1 and 4, day)
  mean[kHorizon] = 1234.5;                    // model 0, fold 4, day 0
  std::memcpy(in_memory[1][0].variables.at("forecast_mean").data(), mean.data(), mean.size() * sizeof(double));
  in_memory[0][1].variables.at("forecast_mean").assign(in_memory[0][1].variables.at("forecast_mean").size(), 0);
  in_memory[0][1].folds = {2};  // shard 0 committed fold 1 of B, not 2
  std::vector<BackfillStore> changed = BackfillStore::open_universe_for_writing(file("changed.h5"), layouts);
  BackfillStore::merge_for_reading(changed, shards, in_memory);
  EXPECT_EQ(changed[0].read(0, 4).forecast.mean[0], 1234.5);
  EXPECT_EQ(changed[0].read(1, 4).forecast.mean, result_for(1, 4).forecast.mean);
  expect_same_fold(changed[1], from_files[1], 1);

  // Values of no shard are refused.
  in_memory.resize(3);
  std::vector<BackfillStore> refused = BackfillStore::open_universe_for_writing(file("refused.h5"), layouts);
  EXPECT_THROW(BackfillStore::merge_for_reading(refused, shards, in_memory), ContractError);
}

// Only a store with no fold committed is merged into by one rewrite (the
// merge into one with folds copies them fold by fold, then commits).
TEST_F(UniverseStore, AMergeForReadingIntoAStoreWithCommittedFoldsIsRefused) {
  const std::vector<SeriesLayout> layouts = {series("A", 3)};
  std::vector<std::vector<BackfillStore>> shards;
  shards.push_back(BackfillStore::open_universe_for_writing(file("s0.h5"), layouts));
  write_folds(shards[0][0], {0});
  std::vector<BackfillStore> merged = BackfillStore::open_universe_for_writing(file("merged.h5"), layouts);
  write_folds(merged[0], {1});
  EXPECT_THROW(BackfillStore::merge_for_reading(merged, shards), ContractError);
}

// The pooled scores' model names and series list, as laid out.
std::pair<std::vector<std::string>, std::string> pooled_of(const std::string& path) {
  const h5::File f(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT), path, "open");
  const h5::Group group(H5Gopen2(f.get(), "pooled", H5P_DEFAULT), path, "pooled");
  const h5::Dataset model(H5Dopen2(group.get(), "model", H5P_DEFAULT), path, "model");
  const h5::Dataspace space(H5Dget_space(model.get()), path, "model");
  std::vector<char*> text(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  const h5::Datatype type(H5Dget_type(model.get()), path, "model");
  const h5::Datatype memory(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), path, "model");
  H5Dread(model.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data());
  std::vector<std::string> models(text.begin(), text.end());
  H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, text.data());
  const h5::Attribute attribute(H5Aopen(group.get(), "series", H5P_DEFAULT), path, "series");
  char* series = nullptr;
  H5Aread(attribute.get(), memory.get(), &series);
  std::pair<std::vector<std::string>, std::string> result{models, series};
  H5free_memory(series);
  return result;
}

TEST_F(UniverseStore, ScoresPooledAcrossTheRunsSeriesAreLaidOutAndWritten) {
  SeriesLayout a = series("A", 3), b = series("B", 3, "fedcba9876543210");
  b.layout.models = {"drift", "sarimax"};
  b.layout.param_names = {{"drift", "sigma2"}, {"ar.L1", "sigma2"}};
  {
    std::vector<BackfillStore> stores = BackfillStore::open_universe_for_writing(file(), {a, b});
    StoredMetrics metrics;
    for (Eigen::MatrixXd& values : metrics.values) values = Eigen::MatrixXd::Constant(3, kHorizon + 1, 0.5);
    metrics["directional_accuracy"](2, kHorizon) = 0.75;
    BackfillStore::write_pooled_metrics(stores, metrics);
    for (BackfillStore& s : stores) s.close();
  }
  // Model names in order of first appearance over the run's series.
  EXPECT_EQ(pooled_of(file()), (std::pair<std::vector<std::string>, std::string>{
                                   {"naive", "drift", "sarimax"}, R"(["A","B"])"}));
  {
    const h5::File f(H5Fopen(file().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), file(), "open");
    const h5::Dataset overall(H5Dopen2(f.get(), "pooled/directional_accuracy_overall", H5P_DEFAULT),
                              file(), "overall");
    double values[3] = {};
    H5Dread(overall.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    EXPECT_EQ(values[2], 0.75);
  }
  // The same series again: not laid out anew (the file is not rewritten).
  const std::string before = bytes_of(file());
  for (BackfillStore& s : BackfillStore::open_universe_for_writing(file(), {a, b})) s.close();
  EXPECT_EQ(bytes_of(file()), before);
  // A run of B alone pools B alone; A's folds stay.
  for (BackfillStore& s : BackfillStore::open_universe_for_writing(file(), {b})) s.close();
  EXPECT_EQ(pooled_of(file()), (std::pair<std::vector<std::string>, std::string>{
                                   {"drift", "sarimax"}, R"(["B"])"}));
  EXPECT_EQ(BackfillStore::open_universe_read_only(file()).size(), 2u);
}

TEST_F(UniverseStore, ANameThatCannotBeAGroupIsAnInputError) {
  for (const char* bad : {"", "a/b", ".", "..", "pooled"})
    EXPECT_THAT_INPUT_ERROR(require_valid_series_name(bad, "--series"), "--series");
  EXPECT_NO_THROW(require_valid_series_name("CL.F", "--series"));
}

}  // namespace
}  // namespace arabica
