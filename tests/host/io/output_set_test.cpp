// OutputSet: the outputs of a run are all or nothing (issue 12, defect 11).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "arabica/atomic_file.hpp"

namespace arabica {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class OutputSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("arabica_output_set_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "a.csv") << "old a";
    std::ofstream(dir_ / "b.csv") << "old b";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::size_t files() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  fs::path dir_;
};

TEST_F(OutputSetTest, CommitReplacesEveryOutput) {
  OutputSet outputs;
  outputs.add_text((dir_ / "a.csv").string(), "new a");
  outputs.add_file((dir_ / "b.csv").string(),
                   [](const std::string& temp) { std::ofstream(temp) << "new b"; });
  EXPECT_EQ(slurp(dir_ / "a.csv"), "old a");  // nothing visible before commit
  outputs.commit();
  EXPECT_EQ(slurp(dir_ / "a.csv"), "new a");
  EXPECT_EQ(slurp(dir_ / "b.csv"), "new b");
  EXPECT_EQ(files(), 2u);  // no temporaries left
}

TEST_F(OutputSetTest, AFailureOnTheWayReplacesNothing) {
  try {
    OutputSet outputs;
    outputs.add_text((dir_ / "a.csv").string(), "new a");
    outputs.add_file((dir_ / "b.csv").string(),
                     [](const std::string&) { throw std::runtime_error("writer failed"); });
    outputs.commit();
    FAIL() << "the writer's error was swallowed";
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slurp(dir_ / "a.csv"), "old a");
  EXPECT_EQ(slurp(dir_ / "b.csv"), "old b");
  EXPECT_EQ(files(), 2u);
}

TEST_F(OutputSetTest, AnOutputInAMissingDirectoryFailsBeforeAnyRename) {
  OutputSet outputs;
  outputs.add_text((dir_ / "a.csv").string(), "new a");
  EXPECT_ANY_THROW(outputs.add_text((dir_ / "missing" / "c.csv").string(), "c"));
  EXPECT_EQ(slurp(dir_ / "a.csv"), "old a");
}

}  // namespace
}  // namespace arabica
