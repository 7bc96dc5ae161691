// Shared by the store tests: a small layout, results that tell (model,
// fold) apart, and a fresh directory per test.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "arabica/backfill_store.hpp"
#include "arabica/error.hpp"

namespace arabica::test {
namespace fs = std::filesystem;

inline constexpr int kHorizon = 3;
inline constexpr char kHash[] = "0123456789abcdef";

inline StoreLayout small_layout(int folds = 4, std::int64_t stored_paths = 2) {
  StoreLayout layout;
  layout.models = {"naive", "drift"};
  layout.param_names = {{"sigma2"}, {"drift", "sigma2"}};
  const Date first = *parse_date("2024-01-02");
  for (int f = 0; f < folds; ++f) layout.cutoffs.push_back(first + f);
  layout.horizon = kHorizon;
  layout.stored_paths = stored_paths;
  layout.actual = Eigen::MatrixXd::Constant(folds, kHorizon, 101.0);
  layout.last_price = Eigen::VectorXd::Constant(folds, 100.0);
  layout.text_attributes = {{"config_hash", kHash}};
  layout.unsigned_attributes = {{"n_paths", 10}};
  return layout;
}

// Values that tell (model, fold) apart.
inline ModelFoldResult result_for(int model, int fold, std::int64_t stored_paths = 2) {
  const double base = 100.0 + 10.0 * model + fold;
  const Eigen::VectorXd ramp = Eigen::VectorXd::LinSpaced(kHorizon, base, base + 1.0);
  ModelFoldResult r;
  r.status = FoldStatus::trained;
  r.forecast = {ramp, ramp * 0.01, ramp.array() - 2.25, ramp.array() + 2.25, ramp.array() - 0.125};
  r.stats.mean = ramp.array() + 0.25;
  r.stats.std = ramp * 0.02;
  r.stats.skewness = r.stats.kurtosis = Eigen::VectorXd::Zero(kHorizon);
  r.stats.p_up = Eigen::VectorXd::Constant(kHorizon, 0.5);
  r.stats.crps = Eigen::VectorXd::Constant(kHorizon, 0.25);
  r.stats.pit = Eigen::VectorXd::Constant(kHorizon, 0.625);
  r.stats.quantiles = Eigen::MatrixXd::Constant(kHorizon, kQuantileLevels.size(), base);
  r.stats.stored.assign(static_cast<std::size_t>(stored_paths * kHorizon), static_cast<float>(base));
  r.params = model == 0 ? Eigen::VectorXd::Constant(1, base + 0.125)
                        : Eigen::VectorXd(Eigen::Vector2d(0.375, base + 0.125));
  r.trained_on = *parse_date("2024-01-02") + fold;
  return r;
}

inline void write_folds(BackfillStore& store, const std::vector<int>& folds) {
  for (const int f : folds)
    for (int m = 0; m < store.models(); ++m) store.write(m, f, result_for(m, f));
  store.commit(folds);
}

#define EXPECT_THAT_INPUT_ERROR(call, fragment)                                   \
  do {                                                                           \
    try {                                                                        \
      call;                                                                      \
      ADD_FAILURE() << #call " did not throw";                                   \
    } catch (const InputError& e) {                                              \
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what(); \
    }                                                                            \
  } while (0)

// What a test expects of a call that must throw: its message.
template <class Call>
inline std::string error_of(Call call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

class StoreDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("arabica_backfill_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    for (const pid_t child : children_) ::kill(child, SIGKILL), ::waitpid(child, nullptr, 0);
    fs::remove_all(dir_);
  }
  std::string file(const std::string& name = "store.h5") const { return (dir_ / name).string(); }

  // A child process that runs `work`, which returns what it opened (kept
  // open: a writer killed mid-run), tells the parent and waits to be
  // killed; returns once the child is ready.
  template <class Work>
  pid_t start_child(Work work) {
    int ready[2];
    EXPECT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(ready[0]);
      try {
        const auto held = work();
        if (::write(ready[1], "1", 1) != 1) std::_Exit(1);
        ::pause();
      } catch (...) {
      }
      std::_Exit(1);
    }
    ::close(ready[1]);
    char byte = 0;
    EXPECT_EQ(::read(ready[0], &byte, 1), 1) << "the writer failed";
    ::close(ready[0]);
    children_.push_back(child);
    return child;
  }
  void kill_child(pid_t child) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    children_.erase(std::find(children_.begin(), children_.end(), child));
  }

  fs::path dir_;
  std::vector<pid_t> children_;
};


inline void expect_committed_folds(const std::string& path, const std::vector<std::int8_t>& expected) {
  BackfillStore reader = BackfillStore::open_read_only(path);
  EXPECT_EQ(reader.fold_complete(), expected);
  const StoredForecasts stored = reader.read_forecasts();
  EXPECT_EQ(stored.fold_complete, expected);
  for (int f = 0; f < stored.folds; ++f) {
    if (!expected[static_cast<std::size_t>(f)]) continue;
    for (int m = 0; m < stored.models; ++m) {
      const ModelFoldResult r = reader.read(m, f);
      EXPECT_EQ(r.forecast.mean, result_for(m, f).forecast.mean) << m << "," << f;
      EXPECT_EQ(r.params, result_for(m, f).params) << m << "," << f;
      EXPECT_EQ(stored.at(stored.forecast_mean, m, f, 0), result_for(m, f).forecast.mean[0]);
    }
  }
}

}  // namespace arabica::test
