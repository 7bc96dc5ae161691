// Messages that list things stay one short line (issue 12, defect 13's
// 10.9 MB error line for a header of a million columns).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "arabica/bounded_list.hpp"
#include "arabica/error.hpp"
#include "arabica/series.hpp"

namespace arabica {
namespace {

TEST(BoundedList, ListsFewItemsAndCountsTheRest) {
  EXPECT_EQ(bounded_list({}), "");
  EXPECT_EQ(bounded_list({"a", "b"}), "a, b");
  EXPECT_EQ(bounded_list({"a", "b", "c", "d"}, 2), "a, b ... and 2 more");
  EXPECT_EQ(bounded_list({std::string(100, 'x')}), std::string(37, 'x') + "...");
}

TEST(BoundedList, AWideHeaderGivesAShortMissingColumnMessage) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "arabica_wide_header.csv").string();
  {
    std::ofstream out(path);
    out << "date,close";
    for (int c = 0; c < 100000; ++c) out << ",column_with_a_long_name_" << c;
    out << "\n2024-01-02,1.0";
    for (int c = 0; c < 100000; ++c) out << ",1";
    out << "\n";
  }
  CsvSpec spec;
  spec.path = path;
  spec.exog_columns = {"brl_usd"};
  spec.min_rows = 1;
  try {
    read_series_csv(spec);
    ADD_FAILURE() << "missing column accepted";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_LT(message.size(), 1000u) << message.substr(0, 2000);
    EXPECT_NE(message.find("missing column 'brl_usd'"), std::string::npos) << message;
    EXPECT_NE(message.find("... and 99992 more"), std::string::npos) << message;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace arabica
