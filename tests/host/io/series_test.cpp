#include "arabica/series.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "arabica/error.hpp"
#include "io/csv_reader.hpp"

namespace arabica {
namespace {

const std::string kData = ARABICA_TEST_DATA_DIR;
const std::string kShared = ARABICA_SHARED_DATA_DIR;

std::string fixture(const std::string& name) { return kData + "/" + name; }
std::string malformed(const std::string& name) { return kData + "/malformed/" + name; }

CsvSpec spec_for(const std::string& path, std::vector<std::string> exog = {}) {
  CsvSpec spec;
  spec.path = path;
  spec.exog_columns = std::move(exog);
  spec.min_rows = 1;
  return spec;
}

// Writes `text` to a fresh file in the test temp dir and returns its path.
std::string temp_csv(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "arabica_io_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The message of the InputError that loading `spec` throws ("" if none).
std::string load_error(const CsvSpec& spec) {
  try {
    read_series_csv(spec);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

Date day(const char* iso) { return *parse_date(iso); }

std::vector<std::string> tokens(const std::string& text, std::vector<std::size_t>* lines = nullptr) {
  CsvReader reader(text, "t.csv");
  CsvRecord record;
  std::vector<std::string> out;
  while (reader.next(record)) {
    std::string joined;
    for (std::size_t i = 0; i < record.fields.size(); ++i)
      joined += (i ? "|" : "") + std::string(record.fields[i]);
    out.push_back(joined);
    if (lines) lines->push_back(record.line);
  }
  return out;
}

// --- tokenizer

TEST(CsvReader, QuotedFieldsEscapesAndLineNumbers) {
  std::vector<std::size_t> lines;
  const auto rows = tokens("\xEF\xBB\xBF" "a,\"b,c\",d\r\n\"x \"\"y\"\"\",\"multi\nline\",\r\n\n1,2,3", &lines);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], "a|b,c|d");
  EXPECT_EQ(rows[1], "x \"y\"|multi\nline|");
  EXPECT_EQ(rows[2], "1|2|3");
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 2, 5}));  // blank line 4 skipped
}

TEST(CsvReader, BlanksAroundQuotesAndTrailingNewline) {
  const auto rows = tokens("a, \"1,000\" ,b\n\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], "a|1,000|b");
  EXPECT_TRUE(tokens("").empty());
  EXPECT_TRUE(tokens("\xEF\xBB\xBF\r\n\n").empty());
}

TEST(CsvReader, ReportsUnterminatedQuoteWhereItOpened) {
  try {
    tokens("a,b\n1,\"2\n3,4\n");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_EQ(e.column(), 2u);
    EXPECT_NE(std::string(e.what()).find("t.csv:2:2: unterminated quoted field"), std::string::npos);
  }
}

// --- good files

TEST(ReadSeriesCsv, CocoaLikeFileIsSortedDeduplicatedAndParsed) {
  CsvSpec spec = spec_for(fixture("cocoa_like.csv"));
  spec.date_column = "Date";
  spec.target_column = "ICCO daily price (US$/tonne)";
  const Series s = read_series_csv(spec);

  ASSERT_EQ(s.rows(), 6u);
  EXPECT_EQ(s.dates, (std::vector<Date>{day("2024-01-26"), day("2024-01-29"), day("2024-01-30"),
                                        day("2024-01-31"), day("2024-02-02"), day("2024-02-03")}));
  EXPECT_DOUBLE_EQ(s.target[0], 4650.0);
  EXPECT_DOUBLE_EQ(s.target[1], 4700.5);
  EXPECT_DOUBLE_EQ(s.target[2], 4775.17);
  EXPECT_DOUBLE_EQ(s.target[3], 4798.20);  // first in file order, not the conflicting 10,888.05
  EXPECT_DOUBLE_EQ(s.target[5], 4811.10);
  EXPECT_EQ(s.exog.rows(), 6);
  EXPECT_EQ(s.exog.cols(), 0);

  const DataQualityReport& q = s.quality;
  EXPECT_EQ(q.rows_read, 8u);
  EXPECT_EQ(q.rows_kept, 6u);
  EXPECT_TRUE(q.reordered);
  EXPECT_EQ(q.unsorted_lines, (std::vector<std::size_t>{3, 4, 6, 7, 9}));
  EXPECT_EQ(q.duplicate_lines, (std::vector<std::size_t>{5, 8}));
  ASSERT_EQ(q.warnings.size(), 3u);
  EXPECT_NE(q.warnings[0].find("not in ascending date order"), std::string::npos);
  EXPECT_NE(q.warnings[1].find("2 rows with a repeated date dropped"), std::string::npos);
  EXPECT_NE(q.warnings[1].find("lines 5, 8"), std::string::npos);
  EXPECT_NE(q.warnings[1].find("1 of them had different values"), std::string::npos);
  EXPECT_EQ(q.warnings[2], "1 weekend-dated rows kept (lines 2)");
}

TEST(ReadSeriesCsv, MissingCellsAreCountedByKindAndFilled) {
  const Series s = read_series_csv(spec_for(fixture("good_small.csv"), {"brl_usd", "wx_precip"}));
  ASSERT_EQ(s.rows(), 7u);
  EXPECT_EQ(s.dates.front(), day("2024-01-01"));
  EXPECT_EQ(s.dates.back(), day("2024-01-09"));
  EXPECT_EQ(s.exog_names, (std::vector<std::string>{"brl_usd", "wx_precip"}));

  Eigen::VectorXd target(7), brl(7), precip(7);
  target << 101.5, 101.5, 102.25, 102.25, 103, 103, 104;
  brl << 4.90, 4.90, 4.90, 4.95, 4.95, 5.01, 5.01;
  precip << 1.5, 1.5, 1.5, 2.0, 2.0, 0, 3;
  EXPECT_EQ(s.target, target);
  EXPECT_EQ(Eigen::VectorXd(s.exog.col(0)), brl);
  EXPECT_EQ(Eigen::VectorXd(s.exog.col(1)), precip);
  EXPECT_TRUE(s.exog.allFinite());

  const auto& c = s.quality.columns;
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].column, "close");
  EXPECT_EQ(c[0].blank, 1u);
  EXPECT_EQ(c[0].not_available, 2u);  // #N/A, null
  EXPECT_EQ(c[0].infinite, 0u);
  EXPECT_EQ(c[0].forward_filled, 2u);
  EXPECT_EQ(c[0].back_filled, 1u);
  EXPECT_EQ(c[1].column, "brl_usd");
  EXPECT_EQ(c[1].not_available, 4u);  // NA, N/A, ".", NaN
  EXPECT_EQ(c[1].forward_filled, 3u);
  EXPECT_EQ(c[1].back_filled, 1u);
  EXPECT_EQ(c[2].blank, 1u);
  EXPECT_EQ(c[2].infinite, 2u);  // inf, -Infinity
  EXPECT_EQ(c[2].forward_filled, 3u);
  EXPECT_EQ(c[2].back_filled, 0u);
  EXPECT_FALSE(s.quality.reordered);
  EXPECT_TRUE(s.quality.duplicate_lines.empty());
  EXPECT_NE(std::find(s.quality.warnings.begin(), s.quality.warnings.end(),
                      "column 'close': 3 missing cells filled (2 forward, 1 back)"),
            s.quality.warnings.end());

  const std::string summary = s.quality.summary();
  EXPECT_NE(summary.find("rows: 7 read, 7 kept"), std::string::npos);
  EXPECT_NE(summary.find("column 'brl_usd': 0 blank, 4 NA, 0 infinite; 3 forward-filled, "
                         "1 back-filled"),
            std::string::npos);
}

TEST(ReadSeriesCsv, NumberForms) {
  const std::string path = temp_csv("numbers.csv",
                                    "date,close,x\n"
                                    "2024-01-01,+5,\"-1,234.5\"\n"
                                    "2024-01-02,1e3,\" 1,234,567 \"\n"
                                    "2024-01-03,\"9,099.66\",  7 \n"
                                    "2024-01-04,.5,1e999\n"
                                    "2024-01-05,5.,1e-400\n");
  const Series s = read_series_csv(spec_for(path, {"x"}));
  Eigen::VectorXd target(5), x(5);
  target << 5, 1000, 9099.66, 0.5, 5;
  x << -1234.5, 1234567, 7, 7, 0;  // 1e999 overflows: infinite, filled; 1e-400 underflows to 0
  EXPECT_EQ(s.target, target);
  EXPECT_EQ(Eigen::VectorXd(s.exog.col(0)), x);
  EXPECT_EQ(s.quality.columns[1].infinite, 1u);
}

// Found by fuzzing `arabica daily`: a price of 1e308 was read as a number
// and failed every model of the day ("non-positive forecast variance"),
// exit 1. Beyond 1e150 a cell reads as infinite, as an overflow does: filled
// under ffill-bfill, a located error under the error policy.
TEST(ReadSeriesCsv, ValuesBeyondTheLargestMagnitudeAreInfinite) {
  const std::string path = temp_csv("huge.csv",
                                    "date,close,x\n"
                                    "2024-01-01,5,1e150\n"
                                    "2024-01-02,1e308,-1e151\n"
                                    "2024-01-03,6,-1e150\n");
  const Series s = read_series_csv(spec_for(path, {"x"}));
  Eigen::VectorXd target(3), x(3);
  target << 5, 5, 6;
  x << 1e150, 1e150, -1e150;
  EXPECT_EQ(s.target, target);
  EXPECT_EQ(Eigen::VectorXd(s.exog.col(0)), x);
  EXPECT_EQ(s.quality.columns[0].infinite, 1u);
  EXPECT_EQ(s.quality.columns[1].infinite, 1u);
  // A frame's values (cross_validation) follow the same rule.
  CsvSpec frame = spec_for("frame", {"x"});
  const Series from_frame = series_from_columns(frame, s.dates, {{5, 1e308, 6}, {1e150, -1e151, -1e150}},
                                                {1, 2, 3}, {});
  EXPECT_EQ(from_frame.target, target);
  EXPECT_EQ(Eigen::VectorXd(from_frame.exog.col(0)), x);
  EXPECT_EQ(from_frame.quality.columns[0].infinite, 1u);
  CsvSpec strict = spec_for(path, {"x"});
  strict.missing = MissingPolicy::error;
  EXPECT_NE(load_error(strict).find("huge.csv:3:2: column 'close': missing value '1e308' (missing policy is error)"),
            std::string::npos)
      << load_error(strict);
}

TEST(ReadSeriesCsv, TargetSignCheckCanBeTurnedOff) {
  CsvSpec spec = spec_for(malformed("negative_price.csv"));
  spec.require_positive_target = false;
  EXPECT_DOUBLE_EQ(read_series_csv(spec).target[1], -1.5);
  const std::string zero = temp_csv("zero.csv", "date,close\n2024-01-02,1\n2024-01-03,0\n");
  EXPECT_NE(load_error(spec_for(zero)).find("zero.csv:3:2: column 'close': target value '0' is "
                                            "not positive"),
            std::string::npos);
}

TEST(ReadSeriesCsv, HeadCutsRows) {
  const Series s = read_series_csv(spec_for(fixture("good_small.csv"), {"brl_usd"}));
  const Series h = s.head(3);
  EXPECT_EQ(h.rows(), 3u);
  EXPECT_EQ(h.dates.back(), day("2024-01-03"));
  EXPECT_EQ(h.target.size(), 3);
  EXPECT_EQ(h.exog.rows(), 3);
  EXPECT_EQ(h.exog.cols(), 1);
  EXPECT_EQ(h.target, s.target.head(3));
  EXPECT_EQ(s.head(0).rows(), 0u);
  EXPECT_THROW(s.head(8), ContractError);
}

TEST(ReadSeriesCsv, LoadsTenMegabytesQuickly) {
  std::string text = "date,close,a,b,c,d,e,f\n";
  const Date start = day("1800-01-01");
  Date d = start;
  while (text.size() < 10'000'000) {
    text += format_date(d++) + ",123.456789,0.000123456,-98765.4321,42,7.5e-3,\"1,234.5\",x\n";
  }
  const std::string path = temp_csv("large.csv", text);
  const auto t0 = std::chrono::steady_clock::now();
  const Series s = read_series_csv(spec_for(path, {"a", "b", "c", "d", "e"}));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(s.rows(), static_cast<std::size_t>(d - start));
  EXPECT_DOUBLE_EQ(s.exog(s.exog.rows() - 1, 4), 1234.5);
#ifdef NDEBUG  // timings mean something only in optimized builds
  EXPECT_LT(seconds, 1.0);
#else
  (void)seconds;
#endif
  std::filesystem::remove(path);
}

// --- malformed corpus: every error names the file, line and column

struct BadCase {
  const char* file;
  std::vector<std::string> exog;
  const char* expected;  // substring of what()
};

TEST(ReadSeriesCsv, MalformedCorpus) {
  const std::vector<BadCase> cases = {
      {"missing_column.csv", {"brl_usd"},
       "missing_column.csv: missing column 'brl_usd' (available columns: 'date', 'close', "
       "'volume')"},
      {"non_numeric.csv", {},
       "non_numeric.csv:4:3: column 'close': cannot parse 'abc' as a number"},
      {"bad_date.csv", {},
       "bad_date.csv:3:1: column 'date': cannot parse '2024-02-30' as a date"},
      {"empty.csv", {}, "empty.csv: empty file"},
      {"header_only.csv", {"brl_usd"}, "header_only.csv: no data rows"},
      {"ragged_row.csv", {"brl_usd"},
       "ragged_row.csv:5: expected 3 fields as in the header, found 2"},
      {"negative_price.csv", {},
       "negative_price.csv:3:2: column 'close': target value '-1.5' is not positive"},
      {"all_missing_column.csv", {"brl_usd"},
       "all_missing_column.csv: column 'brl_usd' has no values (all 4 cells are missing)"},
      {"unterminated_quote.csv", {}, "unterminated_quote.csv:3:2: unterminated quoted field"},
      {"bad_thousands.csv", {}, "bad_thousands.csv:2:2: column 'close': cannot parse '1,00'"},
      {"text_after_quote.csv", {}, "text_after_quote.csv:3:2: unexpected text after a closing"},
  };
  for (const BadCase& c : cases) {
    const std::string message = load_error(spec_for(malformed(c.file), c.exog));
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << c.file << " gave: " << (message.empty() ? "(no InputError)" : message);
  }
}

TEST(ReadSeriesCsv, ErrorCarriesLocationFields) {
  try {
    read_series_csv(spec_for(malformed("non_numeric.csv")));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), malformed("non_numeric.csv"));
    EXPECT_EQ(e.line(), 4u);
    EXPECT_EQ(e.column(), 3u);
  }
}

TEST(ReadSeriesCsv, TooFewRowsAfterCleaning) {
  CsvSpec spec = spec_for(malformed("too_few_rows.csv"));
  spec.min_rows = 30;
  EXPECT_NE(load_error(spec).find("too_few_rows.csv: 12 rows after cleaning, need at least 30"),
            std::string::npos);
  spec.min_rows = 12;
  EXPECT_EQ(read_series_csv(spec).rows(), 12u);
}

TEST(ReadSeriesCsv, DuplicatePolicies) {
  CsvSpec spec = spec_for(malformed("duplicate_conflict.csv"));
  const Series kept = read_series_csv(spec);
  EXPECT_EQ(kept.rows(), 4u);
  EXPECT_DOUBLE_EQ(kept.target[1], 101.0);  // line 3 wins over line 5
  EXPECT_EQ(kept.quality.duplicate_lines, std::vector<std::size_t>{5});
  EXPECT_EQ(kept.quality.unsorted_lines, std::vector<std::size_t>{5});

  spec.duplicates = DuplicatePolicy::error;
  EXPECT_NE(load_error(spec).find(
                "duplicate_conflict.csv:5:1: date 2024-01-03 repeats line 3"),
            std::string::npos);
  CsvSpec cocoa = spec_for(fixture("cocoa_like.csv"));
  cocoa.date_column = "Date";
  cocoa.target_column = "ICCO daily price (US$/tonne)";
  cocoa.duplicates = DuplicatePolicy::error;
  EXPECT_NE(load_error(cocoa).find("cocoa_like.csv:5:1: date 2024-01-31 repeats line 4"),
            std::string::npos);
}

// A long file (statsforecast's unique_id, ds, y) read as one series would
// splice the series together (keeping the first row of each date): it is
// refused, at the first conflicting row, with the way out.
TEST(ReadSeriesCsv, LongFileWithoutASeriesColumnIsRefused) {
  CsvSpec spec = spec_for(fixture("long_three_series.csv"), {"brl_usd"});
  spec.date_column = "ds";
  spec.target_column = "y";
  const std::string message = load_error(spec);
  EXPECT_NE(message.find("long_three_series.csv:3:2: 24 of 36 rows repeat a date with other values "
                         "(date 2024-01-01 first at line 2): several series in one file? name the "
                         "series column with --series-column and pick one with --series"),
            std::string::npos)
      << message;
}

TEST(ReadSeriesCsv, OneSeriesOfALongFile) {
  CsvSpec spec = spec_for(fixture("long_three_series.csv"), {"brl_usd"});
  spec.date_column = "ds";
  spec.target_column = "y";
  spec.series_column = "unique_id";
  spec.series_id = "HG";
  const Series hg = read_series_csv(spec);
  ASSERT_EQ(hg.rows(), 12u);
  EXPECT_EQ(hg.dates.front(), day("2024-01-01"));
  EXPECT_EQ(hg.dates.back(), day("2024-01-16"));
  EXPECT_DOUBLE_EQ(hg.target[0], 3.8);
  EXPECT_DOUBLE_EQ(hg.target[11], 3.91);
  EXPECT_DOUBLE_EQ(hg.exog(11, 0), 5.11);
  EXPECT_EQ(hg.quality.rows_read, 12u);
  EXPECT_TRUE(hg.quality.duplicate_lines.empty());
  EXPECT_TRUE(hg.quality.warnings.empty());
  spec.series_id = "KC";
  EXPECT_DOUBLE_EQ(read_series_csv(spec).target[11], 185.5);
  // Another series' cells are not parsed: a bad cell of CL stops only CL.
  std::ifstream in(fixture("long_three_series.csv"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("CL,2024-01-08,73.50"), 19, "CL,2024-01-08,oops");
  spec.path = temp_csv("long_bad_cl.csv", text);
  EXPECT_EQ(read_series_csv(spec).rows(), 12u);
  spec.series_id = "CL";
  EXPECT_NE(load_error(spec).find("long_bad_cl.csv:19:3: column 'y': cannot parse 'oops'"),
            std::string::npos);
  spec.series_id = "GC";
  EXPECT_NE(load_error(spec).find("long_bad_cl.csv: no rows of series 'GC' in column "
                                  "'unique_id' (series in the file: 'KC', 'HG', 'CL')"),
            std::string::npos);
  spec.series_column = "ticker";
  EXPECT_NE(load_error(spec).find("missing column 'ticker'"), std::string::npos);
}

// A few conflicting repeats in a long single series (cocoa's ICCO file has
// two) keep the first row, as before; the cocoa-like fixture is one of 6.
TEST(ReadSeriesCsv, AFewConflictingRepeatsAreKept) {
  const Series s = read_series_csv(spec_for(malformed("duplicate_conflict.csv")));
  EXPECT_EQ(s.rows(), 4u);
  // Up to 2 conflicting repeats, or up to 1% of the rows, are kept.
  std::string text = "date,close\n";
  for (int i = 0; i < 500; ++i) text += format_date(day("2020-01-01") + i) + ",100\n";
  text += "2020-01-05,101\n2020-01-06,102\n";
  EXPECT_EQ(read_series_csv(spec_for(temp_csv("two_repeats.csv", text))).rows(), 500u);
  text += "2020-01-07,103\n2020-01-08,104\n";
  EXPECT_EQ(read_series_csv(spec_for(temp_csv("four_repeats.csv", text))).rows(), 500u);
  for (int i = 0; i < 3; ++i) text += format_date(day("2020-02-01") + i) + ",99\n";
  EXPECT_NE(load_error(spec_for(temp_csv("seven_repeats.csv", text))).find("7 of 507 rows repeat"),
            std::string::npos);
}

// Missing policy drop: a row without a price is dropped (reported), not
// filled with the day before's; the covariates of the rows kept are filled.
TEST(ReadSeriesCsv, MissingPolicyDropDropsRowsWithoutATarget) {
  CsvSpec spec = spec_for(fixture("good_small.csv"), {"brl_usd"});
  spec.missing = MissingPolicy::drop;
  const Series s = read_series_csv(spec);
  EXPECT_EQ(s.dates, (std::vector<Date>{day("2024-01-02"), day("2024-01-03"), day("2024-01-05"),
                                        day("2024-01-09")}));
  EXPECT_EQ(s.target, Eigen::Vector4d(101.5, 102.25, 103.0, 104.0));
  EXPECT_EQ(s.exog.col(0), Eigen::Vector4d(4.90, 4.90, 4.90, 4.90));
  const DataQualityReport& q = s.quality;
  EXPECT_EQ(q.rows_read, 7u);
  EXPECT_EQ(q.rows_kept, 4u);
  EXPECT_EQ(q.missing_target_lines, (std::vector<std::size_t>{2, 6, 8}));
  EXPECT_EQ(q.columns[0].blank + q.columns[0].not_available, 0u);  // counts cover the rows kept
  EXPECT_EQ(q.columns[1].forward_filled, 3u);
  EXPECT_NE(std::find(q.warnings.begin(), q.warnings.end(),
                      "3 rows with a missing target dropped (lines 2, 6, 8)"),
            q.warnings.end());
  EXPECT_NE(q.summary().find("missing target: 3 rows dropped (lines 2, 6, 8)"), std::string::npos);
  EXPECT_EQ(parse_missing_policy("drop"), MissingPolicy::drop);
  EXPECT_THROW(parse_missing_policy("zero"), InputError);
}

TEST(ReadSeriesCsv, MissingPolicyErrorStopsAtFirstMissingCell) {
  CsvSpec spec = spec_for(fixture("good_small.csv"), {"brl_usd"});
  spec.missing = MissingPolicy::error;
  EXPECT_NE(load_error(spec).find("good_small.csv:2:2: column 'close': blank cell"),
            std::string::npos);
  spec.target_column = "wx_precip";
  spec.exog_columns = {};
  EXPECT_NE(load_error(spec).find("good_small.csv:3:5: column 'wx_precip': blank cell"),
            std::string::npos);
  const std::string na = temp_csv("na.csv", "date,close\n2024-01-02,1\n2024-01-03, NA \n");
  CsvSpec na_spec = spec_for(na);
  na_spec.missing = MissingPolicy::error;
  EXPECT_NE(load_error(na_spec).find("na.csv:3:2: column 'close': missing value 'NA'"),
            std::string::npos);
}

TEST(ReadSeriesCsv, BadSpecsAreReported) {
  CsvSpec spec = spec_for(fixture("good_small.csv"), {"close"});
  EXPECT_NE(load_error(spec).find("column 'close' is requested twice"), std::string::npos);
  spec = spec_for(kData + "/no_such_file.csv");
  EXPECT_NE(load_error(spec).find("no_such_file.csv: cannot open"), std::string::npos);
  spec = spec_for(kData);
  EXPECT_NE(load_error(spec).find("is a directory"), std::string::npos);
  const std::string twice = temp_csv("twice.csv", "date,close,close\n2024-01-02,1,2\n");
  EXPECT_NE(load_error(spec_for(twice)).find("twice.csv:1:3: column 'close' appears twice"),
            std::string::npos);
  spec.path.clear();
  EXPECT_THROW(read_series_csv(spec), ContractError);
}

// --- real data (beside the checkout; never copied into the repo)

// --- bounded input (issue 12, defect 13): no file fills memory, no message
// is longer than a line.

std::string header_of(std::size_t columns) {
  std::string header = "date,close";
  for (std::size_t c = 0; c < columns; ++c) header += ",c" + std::to_string(c);
  return header + "\n2024-01-02,1" + std::string(columns, ',') + "\n";
}

TEST(BoundedInput, MillionColumnHeaderIsRefusedWithAShortMessage) {
  const std::string path = temp_csv("million_columns.csv", header_of(1000000));
  const std::string error = load_error(spec_for(path));
  EXPECT_EQ(error, path + ":1: line longer than 4194304 bytes");
}

TEST(BoundedInput, TooManyColumnsAreRefused) {
  const std::string path = temp_csv("wide.csv", header_of(70000));
  EXPECT_EQ(load_error(spec_for(path)), path + ":1: 70002 columns in the header, more than 65536");
}

TEST(BoundedInput, MissingColumnListsAFewColumnsAndCountsTheRest) {
  const std::string path = temp_csv("many_columns.csv", header_of(50000));
  const std::string error = load_error(spec_for(path, {"brl_usd"}));
  EXPECT_EQ(error, path + ": missing column 'brl_usd' (available columns: 'date', 'close', 'c0', "
                          "'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7' ... and 49992 more)");
}

TEST(BoundedInput, LongDataLineIsRefusedWithItsLine) {
  const std::string path =
      temp_csv("long_line.csv", "date,close\n2024-01-02,1\n2024-01-03," + std::string(5 << 20, '1') + "\n");
  EXPECT_EQ(load_error(spec_for(path)), path + ":3: line longer than 4194304 bytes");
}

TEST(BoundedInput, NulByteIsRefusedWhereItIs) {
  const std::string path =
      temp_csv("nul.csv", std::string("date,close\n2024-01-02,1\n2024-01-03,1") + '\0' + "\n");
  EXPECT_EQ(load_error(spec_for(path)), path + ":3:13: NUL byte: a binary file, not CSV text");
}

TEST(BoundedInput, DevicesAreRefusedBeforeReading) {
  if (!std::filesystem::exists("/dev/zero")) GTEST_SKIP() << "no /dev/zero";
  EXPECT_EQ(load_error(spec_for("/dev/zero")),
            "/dev/zero: is not a regular file (a device or socket); give a CSV file");
}

// --- weekend rows (issue 13, item 11): unusual only in daily data.

std::string dated_rows(const std::vector<const char*>& dates) {
  std::string text = "date,close\n";
  double price = 100.0;
  for (const char* d : dates) text += std::string(d) + "," + std::to_string(price += 1.0) + "\n";
  return text;
}

bool warns_of_weekends(const std::string& name, const std::vector<const char*>& dates) {
  const Series s = read_series_csv(spec_for(temp_csv(name, dated_rows(dates))));
  for (const std::string& w : s.quality.warnings)
    if (w.find("weekend-dated") != std::string::npos) return true;
  return false;
}

TEST(WeekendWarning, OnlyForDailyData) {
  // Month, quarter and year ends fall on weekends by the calendar.
  EXPECT_FALSE(warns_of_weekends("monthly.csv", {"2023-12-31", "2024-01-31", "2024-02-29",
                                                 "2024-03-31", "2024-04-30", "2024-05-31",
                                                 "2024-06-30"}));
  EXPECT_FALSE(warns_of_weekends("quarterly.csv", {"2023-09-30", "2023-12-31", "2024-03-31",
                                                   "2024-06-30", "2024-09-30"}));
  EXPECT_FALSE(warns_of_weekends("annual.csv", {"2017-12-31", "2018-12-31", "2019-12-31",
                                                "2020-12-31", "2022-12-31", "2023-12-31"}));
  EXPECT_FALSE(warns_of_weekends("weekly.csv", {"2024-01-06", "2024-01-13", "2024-01-20"}));
  // Daily data with a Saturday row: worth a warning.
  EXPECT_TRUE(warns_of_weekends("daily.csv", {"2024-01-03", "2024-01-04", "2024-01-05",
                                              "2024-01-06", "2024-01-08", "2024-01-09"}));
}

std::string shared(const std::string& name) {
  const std::string path = kShared + "/" + name;
  return std::filesystem::exists(path) ? path : "";
}

TEST(RealData, CoffeeFeaturesLoadCleanly) {
  const std::string path = shared("coffee_kc_daily_features_2015_2024.csv");
  if (path.empty()) GTEST_SKIP() << "no shared data at " << kShared;
  CsvSpec spec;
  spec.path = path;
  spec.exog_columns = {"wx_temperature_2m_max_wavg", "wx_precipitation_sum_wavg",
                       "wx_wind_speed_10m_max_wavg", "brl_usd", "inr_usd"};
  const Series s = read_series_csv(spec);
  ASSERT_EQ(s.rows(), 2515u);
  EXPECT_EQ(format_date(s.dates.front()), "2015-01-02");
  EXPECT_EQ(format_date(s.dates.back()), "2024-12-31");
  EXPECT_DOUBLE_EQ(s.target[0], 161.0500030517578);
  EXPECT_DOUBLE_EQ(s.target[s.target.size() - 1], 319.75);
  EXPECT_DOUBLE_EQ(s.exog(0, 3), 2.6967);  // brl_usd
  EXPECT_DOUBLE_EQ(s.exog(0, 4), 63.27);   // inr_usd
  EXPECT_EQ(s.exog.cols(), 5);
  EXPECT_TRUE(s.exog.allFinite());
  EXPECT_FALSE(s.quality.reordered);
  EXPECT_TRUE(s.quality.duplicate_lines.empty());
  EXPECT_TRUE(s.quality.warnings.empty());
  for (const ColumnQuality& c : s.quality.columns)
    EXPECT_EQ(c.blank + c.not_available + c.infinite + c.forward_filled + c.back_filled, 0u)
        << c.column;
}

TEST(RealData, CocoaIsSortedAndKeepsFirstDuplicate) {
  const std::string path = shared("cocoa_icco_daily_1994_2025.csv");
  if (path.empty()) GTEST_SKIP() << "no shared data at " << kShared;
  CsvSpec spec;
  spec.path = path;
  spec.date_column = "Date";
  spec.target_column = "ICCO daily price (US$/tonne)";
  const Series s = read_series_csv(spec);
  ASSERT_EQ(s.rows(), 7808u);
  EXPECT_EQ(s.quality.rows_read, 7812u);
  EXPECT_EQ(format_date(s.dates.front()), "1994-10-03");
  EXPECT_EQ(format_date(s.dates.back()), "2025-02-27");
  EXPECT_TRUE(std::is_sorted(s.dates.begin(), s.dates.end()));
  EXPECT_EQ(std::adjacent_find(s.dates.begin(), s.dates.end()), s.dates.end());
  EXPECT_TRUE(s.quality.reordered);
  // In the file: 31/01/2024 on lines 279 and 280, 30/01/2024 on 281 and 282,
  // 09/01/2024 on 297 and 298, 15/12/2023 on 312 and 313.
  EXPECT_EQ(s.quality.duplicate_lines, (std::vector<std::size_t>{280, 282, 298, 313}));
  const auto at = [&](const char* iso) {
    const auto it = std::lower_bound(s.dates.begin(), s.dates.end(), day(iso));
    return s.target[it - s.dates.begin()];
  };
  EXPECT_DOUBLE_EQ(at("2024-01-30"), 4775.17);
  EXPECT_DOUBLE_EQ(at("2024-01-31"), 4798.20);
  EXPECT_DOUBLE_EQ(at("2025-02-27"), 9099.66);
  EXPECT_EQ(s.quality.columns[0].forward_filled, 0u);
  bool weekend_warning = false;
  for (const std::string& w : s.quality.warnings)
    weekend_warning |= w.rfind("3 weekend-dated rows kept", 0) == 0;
  EXPECT_TRUE(weekend_warning);
}

TEST(RealData, SoftsReportsForwardFills) {
  const std::string path = shared("softs_coffee_sugar_soy_daily_2007_2026.csv");
  if (path.empty()) GTEST_SKIP() << "no shared data at " << kShared;
  CsvSpec spec;
  spec.path = path;
  spec.target_column = "kc_close";
  spec.exog_columns = {"sb_close"};
  const Series s = read_series_csv(spec);
  ASSERT_EQ(s.rows(), 4868u);
  const ColumnQuality& kc = s.quality.columns[0];
  EXPECT_EQ(kc.column, "kc_close");
  EXPECT_EQ(kc.blank, 166u);
  EXPECT_EQ(kc.forward_filled, 166u);
  EXPECT_EQ(kc.back_filled, 0u);
  EXPECT_EQ(s.quality.columns[1].blank, 163u);
  EXPECT_EQ(s.quality.columns[1].blank,
            s.quality.columns[1].forward_filled + s.quality.columns[1].back_filled);
  EXPECT_TRUE((s.target.array() > 0).all());
  EXPECT_TRUE(s.exog.allFinite());
  bool weekend_warning = false;
  for (const std::string& w : s.quality.warnings)
    weekend_warning |= w.rfind("132 weekend-dated rows kept", 0) == 0;
  EXPECT_TRUE(weekend_warning);
}

}  // namespace
}  // namespace arabica
