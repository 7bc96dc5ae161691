// RFC 4180 CSV tokenizer with line numbers, for the series loader.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace arabica {

struct CsvRecord {
  std::size_t line = 0;                 // 1-based line where the record starts
  std::vector<std::string_view> fields; // unquoted and unescaped; views into the reader
};

/// Splits a whole CSV text into records. Accepts quoted fields with embedded
/// commas, newlines and "" escapes, CRLF or LF line ends, a UTF-8 BOM, blanks
/// around a quoted field, and a missing final newline; skips empty lines.
/// Owns the text and unescapes quoted fields in place, so field views stay
/// valid for the reader's lifetime and parsing allocates nothing per field.
class CsvReader {
 public:
  /// `file` only names the source in error messages.
  CsvReader(std::string text, std::string file);

  /// Fills `record` with the next record; false at the end of the text.
  /// Throws InputError (file:line:field) for an unterminated quoted field or
  /// text after a closing quote.
  bool next(CsvRecord& record);

 private:
  std::string_view quoted_field(std::size_t column);
  std::string_view plain_field();

  std::string text_;
  std::string file_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace arabica
