#include "io/csv_reader.hpp"

#include "arabica/error.hpp"

namespace arabica {

namespace {
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool ends_field(char c) { return c == ',' || c == '\n' || c == '\r'; }
}  // namespace

CsvReader::CsvReader(std::string text, std::string file)
    : text_(std::move(text)), file_(std::move(file)) {
  if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // Excel writes a UTF-8 BOM
}

// pos_ is at the opening quote. The unescaped value is never longer than its
// source, so it is written over the source from the left.
std::string_view CsvReader::quoted_field(std::size_t column) {
  const std::size_t open_line = line_;
  const std::size_t begin = ++pos_;
  std::size_t out = begin;
  for (;;) {
    if (pos_ >= text_.size())
      throw InputError(file_, open_line, column, "unterminated quoted field");
    const char c = text_[pos_];
    if (c == '"') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        text_[out++] = '"';
        pos_ += 2;
        continue;
      }
      ++pos_;
      break;
    }
    if (c == '\n') ++line_;
    text_[out++] = c;
    ++pos_;
  }
  while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  if (pos_ < text_.size() && !ends_field(text_[pos_]))
    throw InputError(file_, line_, column, "unexpected text after a closing quote");
  return std::string_view(text_).substr(begin, out - begin);
}

std::string_view CsvReader::plain_field() {
  const std::size_t begin = pos_;
  while (pos_ < text_.size() && !ends_field(text_[pos_])) ++pos_;
  return std::string_view(text_).substr(begin, pos_ - begin);
}

bool CsvReader::next(CsvRecord& record) {
  record.fields.clear();
  // Empty lines (including a trailing newline) separate nothing.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n' || pos_ + 1 >= text_.size() || text_[pos_ + 1] != '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  record.line = line_;
  for (;;) {
    std::size_t quote = pos_;
    while (quote < text_.size() && is_blank(text_[quote])) ++quote;
    if (quote < text_.size() && text_[quote] == '"') {
      pos_ = quote;
      record.fields.push_back(quoted_field(record.fields.size() + 1));
    } else {
      record.fields.push_back(plain_field());
    }
    if (pos_ >= text_.size()) return true;
    const char c = text_[pos_++];
    if (c == ',') continue;
    if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

}  // namespace arabica
